"""People: users and operators, passwords, memberships and Plt/Plh delegations.

Passwords are hashed with argon2 (argon2-cffi's defaults). :func:`actor_for` turns a user's
memberships in a tenant, plus the delegations active on a given day, into the engine's
:class:`~alur.core.engine.Actor` — the only way a person is handed to the state machine.

Who belongs to an office *now* is decided here, once: :func:`current_offices` (a loaded
:class:`Person`) and :func:`belongs` (by ids). A membership counts always; a Plt/Plh
delegation counts only from its first to its last day inclusive, both read as dates in the
*office's* timezone. Every door asks these — the web's office list and ``/t/{slug}/…``
routes, and the GraphQL tokens bound to a person — so an expired or future Plt/Plh opens
nothing of the office.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from alur.core import limits
from alur.core.engine import Actor, Delegation
from alur.core.engine import Membership as EngineMembership
from alur.core.errors import N_
from alur.core.i18n import format_message, gettext
from alur.core.model import Role
from alur.tenants.errors import InvalidInput, NotFound
from alur.tenants.storage.tables import Delegation as DelegationRow
from alur.tenants.storage.tables import Membership, Operator, Unit, User

_hasher = PasswordHasher()
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_new_credentials(username: str, password: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not isinstance(username, str) or not USERNAME.fullmatch(username):
        errors["username"] = gettext(
            "use 2–64 lowercase letters, digits, dots, dashes or underscores"
        )
    if len(password or "") < MIN_PASSWORD:
        errors["password"] = format_message("use at least {count} characters", count=MIN_PASSWORD)
    elif problem := limits.text_problem(password, limits.PASSWORD, multiline=False):
        errors["password"] = problem
    return errors


# One answer for a username that is taken, wherever it is: by a person of this office, of
# another office, or by a platform operator (usernames are global; docs/security.md).
USERNAME_TAKEN = N_("this username cannot be used: choose another")


def new_user_problems(
    username: str, name: str, password: str, *, nip: str = "", jabatan: str = ""
) -> dict[str, str]:
    """What is wrong with a new user's fields, per field, *without* asking whether the
    username is taken (:func:`create_user` asks that last, only when all else is valid)."""
    errors = check_new_credentials(username, password)
    errors.update(
        limits.text_problems(
            {
                "name": (name, limits.LINE),
                "nip": (nip, limits.SHORT),
                "jabatan": (jabatan, limits.LINE),
            }
        )
    )
    if "name" not in errors and not name.strip():
        errors["name"] = gettext("give the person's name")
    if "nip" not in errors and (problem := limits.nip_problem(nip.strip())):
        errors["nip"] = problem
    return errors


async def username_taken(username: str) -> bool:
    """Whether a person or a platform operator already signs in with ``username``."""
    return await User.exists().where(User.username == username) or bool(
        await Operator.exists().where(Operator.username == username)
    )


async def create_user(
    username: str, name: str, password: str, *, nip: str = "", jabatan: str = ""
) -> User:
    """A new user. Whether the username is taken is asked only when every field is valid,
    and answered with one message (:data:`USERNAME_TAKEN`) wherever it is taken."""
    errors = new_user_problems(username, name, password, nip=nip, jabatan=jabatan)
    if not errors and await username_taken(username):
        errors["username"] = gettext(USERNAME_TAKEN)
    if errors:
        raise InvalidInput(errors)
    user = User(
        username=username,
        name=name.strip(),
        nip=nip.strip(),
        jabatan=jabatan.strip(),
        password_hash=hash_password(password),
    )
    await user.save()
    return user


async def create_operator(username: str, name: str, password: str) -> Operator:
    errors = check_new_credentials(username, password)
    if problem := limits.text_problem(name, limits.LINE):
        errors["name"] = problem
    if not errors and await username_taken(username):
        errors["username"] = format_message('"{username}" is already taken', username=username)
    if errors:
        raise InvalidInput(errors)
    op = Operator(
        username=username, name=name.strip() or username, password_hash=hash_password(password)
    )
    await op.save()
    return op


async def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or ``None`` (never says which part was wrong)."""
    found = await sign_in(username, password)
    return found if isinstance(found, User) else None


async def sign_in(username: str, password: str) -> User | Operator | None:
    """The active user — or else platform operator — with these credentials, or ``None``.

    An unknown name costs the same password hashing as a known one (no timing hint); a name
    or password that no account can have (too long, a NUL, broken text) is simply wrong.
    """
    if not limits.usable_key(username) or limits.text_problem(password, limits.PASSWORD):
        hash_password("-")
        return None
    for table in (User, Operator):
        account = (
            await table.objects()
            .where((table.username == username) & (table.active == True))  # noqa: E712
            .first()
        )
        if account is not None:
            return account if verify_password(account.password_hash, password) else None
    hash_password(password)
    return None


async def add_membership(
    tenant_id: int,
    user_id: int,
    role: Role | None,
    unit_slug: str | None = None,
    *,
    administrator: bool = False,
) -> Membership:
    """Give a user a role (in a unit, for a per-unit role) or tenant administration."""
    errors: dict[str, str] = {}
    unit_id = None
    if role is None and not administrator:
        errors["role"] = gettext("choose a role or make the user an administrator")
    if role is not None and role.per_unit and not unit_slug:
        errors["unit"] = format_message("{role} works per unit: choose the unit", role=role.name)
    if role is not None and not role.per_unit and unit_slug:
        errors["unit"] = format_message(
            "{role} is not a per-unit role: leave the unit empty", role=role.name
        )
    if unit_slug and "unit" not in errors:
        unit_id = await _unit_id(tenant_id, unit_slug)
        if unit_id is None:
            errors["unit"] = format_message('no unit "{unit}" in this office', unit=unit_slug)
    if not errors and await Membership.exists().where(
        (Membership.tenant == tenant_id)
        & (Membership.user == user_id)
        & (Membership.role == (role.id if role else ""))
        & (Membership.unit.is_null() if unit_id is None else Membership.unit == unit_id)
        & (Membership.administrator == administrator)
    ):
        errors["role"] = gettext("the user already has this role here")
    if errors:
        raise InvalidInput(errors)
    m = Membership(
        tenant=tenant_id,
        user=user_id,
        role=role.id if role else "",
        unit=unit_id,
        administrator=administrator,
    )
    await m.save()
    return m


async def _unit_id(tenant_id: int, slug: str) -> int | None:
    if not limits.usable_key(slug):
        return None
    row = await Unit.select(Unit.id).where((Unit.tenant == tenant_id) & (Unit.slug == slug)).first()
    return row["id"] if row else None


async def add_delegation(
    tenant_id: int,
    delegate_id: int,
    official_id: int,
    role: str,
    unit_slug: str | None,
    kind: str,
    starts_on: date,
    ends_on: date,
    note: str = "",
) -> DelegationRow:
    """Let ``delegate`` act as Plt/Plh in ``official``'s role from ``starts_on`` to ``ends_on``."""
    errors = limits.text_problems({"note": (note, limits.NOTE)})
    if not limits.usable_key(role):
        errors["role"] = gettext("choose a role")
    if kind not in (Delegation.PLT, Delegation.PLH):
        errors["kind"] = gettext('choose "Plt" or "Plh"')
    if ends_on < starts_on:
        errors["ends_on"] = gettext("the end date is before the start date")
    if delegate_id == official_id:
        errors["delegate"] = gettext("an official cannot be their own Plt/Plh")
    unit_id = await _unit_id(tenant_id, unit_slug) if unit_slug else None
    if unit_slug and unit_id is None:
        errors["unit"] = format_message('no unit "{unit}" in this office', unit=unit_slug)
    held_in = (
        []
        if "role" in errors
        else [
            r["unit_slug"]
            for r in await Membership.select(Membership.unit.slug.as_alias("unit_slug")).where(
                (Membership.tenant == tenant_id)
                & (Membership.user == official_id)
                & (Membership.role == role)
            )
        ]
    )
    if "unit" not in errors:
        if not held_in:
            errors["official"] = gettext("the official does not hold this role here")
        elif unit_slug not in held_in:
            units = ", ".join(u for u in held_in if u) or gettext("no unit")
            errors["unit"] = format_message(
                "the official holds this role in: {units}; choose that unit", units=units
            )
    if errors:
        raise InvalidInput(errors)
    row = DelegationRow(
        tenant=tenant_id,
        delegate=delegate_id,
        official=official_id,
        role=role,
        unit=unit_id,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note,
    )
    await row.save()
    return row


@dataclass(frozen=True)
class Person:
    """A user with every membership and delegation they hold, in every office.

    Loaded once per web request (:func:`load_person`, one statement) and used both for the
    list of the person's current offices (:func:`current_offices`) and, through
    :func:`actor_in`, for the engine actor in the office of the page — instead of loading the same rows again per office.
    """

    user_id: int
    name: str
    username: str
    active: bool
    memberships: tuple[dict, ...]  # tenant, slug, tenant_name, role, unit_slug, administrator
    delegations: tuple[dict, ...]  # tenant, slug, tenant_name, timezone, role, unit_slug, kind, …


# The person, their memberships and their delegations in one statement (a page asks on
# every request): one row per membership ("m") or delegation ("d"), or one row of NULLs.
_PERSON = """
SELECT u.name AS user_name, u.username, u.active, x.*
FROM alur_user u LEFT JOIN (
  SELECT 'm' AS row_kind, m.tenant, t.slug, t.name AS tenant_name, t.timezone, m.role,
         un.slug AS unit_slug, m.administrator, NULL AS kind, NULL AS official,
         NULL AS official_name, CAST(NULL AS DATE) AS starts_on, CAST(NULL AS DATE) AS ends_on
  FROM alur_membership m JOIN alur_tenant t ON t.id = m.tenant
  LEFT JOIN alur_unit un ON un.id = m.unit
  WHERE m."user" = {}
  UNION ALL
  SELECT 'd', d.tenant, t.slug, t.name, t.timezone, d.role, un.slug, FALSE, d.kind, d.official, o.name,
         d.starts_on, d.ends_on
  FROM alur_delegation d JOIN alur_tenant t ON t.id = d.tenant
  LEFT JOIN alur_unit un ON un.id = d.unit JOIN alur_user o ON o.id = d.official
  WHERE d.delegate = {}
) x ON TRUE
WHERE u.id = {}
"""


async def load_person(user_id: int) -> Person | None:
    rows = await User.raw(_PERSON, user_id, user_id, user_id)
    if not rows:
        return None
    first = rows[0]
    memberships = []
    delegations = []
    for r in rows:
        if r["row_kind"] == "m":
            memberships.append(
                {
                    "tenant": r["tenant"],
                    "slug": r["slug"],
                    "tenant_name": r["tenant_name"],
                    "role": r["role"],
                    "unit_slug": r["unit_slug"],
                    "administrator": bool(r["administrator"]),
                }
            )
        elif r["row_kind"] == "d":
            delegations.append(
                {
                    "tenant": r["tenant"],
                    "slug": r["slug"],
                    "tenant_name": r["tenant_name"],
                    "timezone": r["timezone"],
                    "role": r["role"],
                    "unit_slug": r["unit_slug"],
                    "kind": r["kind"],
                    "official": r["official"],
                    "official_name": r["official_name"],
                    "starts_on": _day(r["starts_on"]),
                    "ends_on": _day(r["ends_on"]),
                }
            )
    return Person(
        user_id=user_id,
        name=first["user_name"],
        username=first["username"],
        active=bool(first["active"]),
        memberships=tuple(memberships),
        delegations=tuple(delegations),
    )


_DELEGATION_COLUMNS = (
    DelegationRow.tenant,
    DelegationRow.tenant.slug.as_alias("slug"),
    DelegationRow.tenant.name.as_alias("tenant_name"),
    DelegationRow.tenant.timezone.as_alias("timezone"),
    DelegationRow.role,
    DelegationRow.unit.slug.as_alias("unit_slug"),
    DelegationRow.kind,
    DelegationRow.official,
    DelegationRow.official.name.as_alias("official_name"),
    DelegationRow.starts_on,
    DelegationRow.ends_on,
)


def office_today(timezone: str, now: datetime) -> date:
    """The date at ``now`` in an office's timezone (an IANA name such as Asia/Jayapura)."""
    return now.astimezone(ZoneInfo(timezone)).date()


def _current(delegation: dict, on: date) -> bool:
    """Whether a delegation holds on ``on`` (a date in its office): first to last day."""
    return _day(delegation["starts_on"]) <= on <= _day(delegation["ends_on"])


def current_offices(person: Person, now: datetime) -> tuple[dict, ...]:
    """The offices ``person`` belongs to at ``now``, by name: ``{id, slug, name, admin}``.

    The one rule of office membership (see the module docstring): every membership, and
    each Plt/Plh delegation whose dates include today in its office's timezone. Whether the
    person is active is asked beside it, by every door (sign-in, session, token).
    """
    found: dict[int, dict] = {}
    current = [d for d in person.delegations if _current(d, office_today(d["timezone"], now))]
    for r in (*person.memberships, *current):
        office = found.setdefault(
            r["tenant"],
            {"id": r["tenant"], "slug": r["slug"], "name": r["tenant_name"], "admin": False},
        )
        office["admin"] = office["admin"] or bool(r.get("administrator"))
    return tuple(sorted(found.values(), key=lambda o: (o["name"], o["slug"])))


async def belongs(tenant_id: int, user_id: int, now: datetime) -> bool:
    """Whether user ``user_id`` belongs to the office at ``now`` (:func:`current_offices`)."""
    person = await load_person(user_id)
    return person is not None and any(o["id"] == tenant_id for o in current_offices(person, now))


def actor_in(person: Person, tenant_id: int, on: date) -> Actor:
    """The engine actor of ``person`` in the tenant on day ``on`` — a date in the office's
    timezone — with the delegations of :func:`current_offices` (see :func:`actor_for`)."""
    rows = [r for r in person.memberships if r["tenant"] == tenant_id]
    delegations = [d for d in person.delegations if d["tenant"] == tenant_id and _current(d, on)]
    # A Plt/Plh from another office may hold only a delegation here: that is enough.
    if not person.active or not (rows or delegations):
        raise NotFound(what=gettext("user"))
    memberships = [EngineMembership(r["role"], r["unit_slug"]) for r in rows if r["role"]]
    for d in delegations:
        memberships.append(
            EngineMembership(
                d["role"],
                d["unit_slug"],
                Delegation(d["kind"]),
                str(d["official"]),
                d["official_name"],
            )
        )
    return Actor(
        id=str(person.user_id),
        name=person.name,
        memberships=tuple(memberships),
        administrator=any(r["administrator"] for r in rows),
    )


def _day(value: date | str) -> date:
    """A DATE column as a date (SQLite may hand back the ISO text)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


async def actor_for(tenant_id: int, user_id: int, on: date) -> Actor:
    """The engine actor for ``user_id`` in the tenant on day ``on``: own memberships plus
    the Plt/Plh delegations active that day. Unknown users and users without a membership
    here are :class:`NotFound` (another tenant's user looks like no user at all)."""
    user = (
        await User.select(User.name, User.username, User.active).where(User.id == user_id).first()
    )
    if user is None:
        raise NotFound(what=gettext("user"))
    memberships = await Membership.select(
        Membership.tenant,
        Membership.role,
        Membership.unit.slug.as_alias("unit_slug"),
        Membership.administrator,
    ).where((Membership.tenant == tenant_id) & (Membership.user == user_id))
    delegations = await DelegationRow.select(*_DELEGATION_COLUMNS).where(
        (DelegationRow.tenant == tenant_id)
        & (DelegationRow.delegate == user_id)
        & (DelegationRow.starts_on <= on)
        & (DelegationRow.ends_on >= on)
    )
    person = Person(
        user_id,
        user["name"],
        user["username"],
        user["active"],
        tuple(memberships),
        tuple(delegations),
    )
    return actor_in(person, tenant_id, on)


async def user_by_username(username: str) -> User:
    user = (
        None
        if not limits.usable_key(username)
        else await User.objects().where(User.username == username).first()
    )
    if user is None:
        raise NotFound(what=format_message("user {username}", username=username))
    return user
