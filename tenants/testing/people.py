"""People for tests and benchmarks: a cheap password hasher and an office's staff.

:func:`cheap_hasher` is argon2id with the cheapest parameters. The test suite's
``cheap_hasher`` fixture (tests/conftest.py) patches it in for a test; a benchmark that
provisions thousands of people calls :func:`use_cheap_hasher` once. Either way the thing
replaced is :data:`alur.tenants.identity.people._hasher`, so sign-in still verifies whatever
hash is stored.

:func:`add_staff` gives an office one person per role of its SOPs (one per unit for per-unit
roles), the way most office fixtures need them::

    staff = await add_staff(tenant.id, plugin.roles, ("linmas", "sda"), PASSWORD)
    staff["kabid", "linmas"].user_id      # username "kabid.linmas"
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher

from alur.core.model import Role
from alur.tenants.identity import memberships, people

# The fewest rounds, the least memory (KiB) and one lane argon2 accepts: milliseconds.
CHEAP_HASHER = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


def cheap_hasher() -> PasswordHasher:
    """argon2id with the cheapest parameters (never for real passwords)."""
    return PasswordHasher(**CHEAP_HASHER)


def use_cheap_hasher() -> PasswordHasher:
    """Hash every password of this process cheaply from now on; returns the hasher it
    replaced. For scripts; tests use the ``cheap_hasher`` fixture (it restores the real one)."""
    replaced = people._hasher
    people._hasher = cheap_hasher()
    return replaced


@dataclass(frozen=True)
class StaffMember:
    role: str  # the role's id
    unit: str | None
    user_id: int
    username: str
    name: str

    @property
    def key(self) -> str:
        """``role`` or ``role.unit`` (the role id as written, e.g. "kepala_satuan")."""
        return f"{self.role}.{self.unit}" if self.unit else self.role


def staff_username(role: Role, unit: str | None) -> str:
    """``role-id`` or ``role-id.unit`` with "_" written "-" (e.g. "kabid.linmas")."""
    return (f"{role.id}.{unit}" if unit else role.id).replace("_", "-")


def role_name(role: Role, unit: str | None) -> str:
    return role.name


async def add_staff(
    tenant_id: int,
    roles: Iterable[Role],
    units: Sequence[str],
    password: str,
    *,
    username: Callable[[Role, str | None], str] = staff_username,
    name: Callable[[Role, str | None], str] = role_name,
    details: Callable[[Role, str | None], Mapping[str, Any]] | None = None,
) -> dict[tuple[str, str | None], StaffMember]:
    """One active person per role of ``roles`` in the office (one per unit of ``units`` for a
    per-unit role), all with ``password``; ``username``/``name`` choose their names,
    ``details`` more :func:`~alur.tenants.identity.people.create_user` fields (nip, jabatan).
    Returns them by (role id, unit), in the order created."""
    staff: dict[tuple[str, str | None], StaffMember] = {}
    for role in roles:
        for unit in units if role.per_unit else (None,):
            login, shown = username(role, unit), name(role, unit)
            extra = dict(details(role, unit)) if details else {}
            user = await people.create_user(login, shown, password, **extra)
            await memberships.add_membership(tenant_id, user.id, role, unit)
            staff[(role.id, unit)] = StaffMember(role.id, unit, user.id, login, shown)
    return staff
