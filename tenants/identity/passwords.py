"""Passwords after an account is made: a reset to a one-time password, and changing one's own.

**A reset** (:func:`reset_password`, by an office administrator on the web or by the operator
at the command line; :func:`reset_operator_password` for a platform operator, at the command
line only) replaces the password with a **one-time password** made with :mod:`secrets` —
three groups of four characters from an alphabet without look-alikes (``ABCD-EFGH-JKMN``,
about 59 bits) — shown once to whoever reset it and stored only as its argon2 hash. The
account is marked ``must_change_password``: signing in with the one-time password opens
nothing but the page to choose a new one (the web checks :attr:`must_change_password` on
every request), and the one-time password is never accepted where the password is asked
again (a paraf or tanda tangan, :func:`~alur.tenants.identity.throttle.reauthenticate_throttled`).
It stops working after ``ALUR_ONE_TIME_PASSWORD_HOURS`` (default 72; ``0``: never; at most
8760, a year — any other value is a :class:`OneTimePasswordHoursError`, refused at start by
``alur serve``, ``alur.web.asgi`` and the reset commands) and as soon as the person has chosen
a new password.

An office administrator may reset the password of a person who holds a membership (a role,
or administration) in their office — not their own (they change it with the current one),
and not that of someone who is only a Plt/Plh there (their own office resets it). Whoever
resets a password can sign in as the person everywhere, so an office administrator may reset
it only when every office of the person is theirs: a person who also holds a membership, or
a Plt/Plh delegation not yet ended, in another office is refused ("ask the platform
operator"). The operator's reset (command line) is allowed for anyone; ``--tenant`` only
checks the person works in that office. Every reset is recorded on the chain of every office
of the person (:func:`_offices_of`).

**A change** (:func:`change_password`) needs the current password — a wrong one counts as a
failed sign-in of that username (:func:`~alur.tenants.identity.throttle.check_password_throttled`)
— and a new one that follows the rules of every password
(:func:`~alur.tenants.identity.people.check_new_credentials`), typed twice, and different
from the current one. Every problem is reported at once (:class:`InvalidInput` with the
fields ``current``, ``new`` and ``confirm``).

**Sessions.** Each reset and each change adds one to ``password_version``; a web session
keeps the version it signed in with and a session of an older version is refused (see
:func:`alur.web.deps.load_viewer`). So a reset ends every session of the person, and a change
every session but the one that made it (which the web starts again under a new id).

Every reset and change of a person is recorded on the office's chain in the same transaction
(:func:`~alur.tenants.audit.office_log.record_office_change`, changes ``password_reset`` and
``password_changed``, with the username: never a password or its hash). Operators belong to
no office: theirs are not recorded on a chain.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from alur.core import limits
from alur.core.errors import N_
from alur.core.i18n import error_message, format_message, gettext
from alur.tenants.audit.office_log import (
    operator_actor,
    record_office_change,
    write_transaction,
)
from alur.tenants.cases.store import TenantRef
from alur.tenants.errors import InvalidInput, NotFound
from alur.tenants.identity.belonging import load_person, office_today
from alur.tenants.identity.people import check_new_credentials, hash_password
from alur.tenants.identity.roles_held import office_by_slug
from alur.tenants.identity.throttle import (
    LoginLocked,
    ThrottleRules,
    check_password_throttled,
)
from alur.tenants.settings import SettingError
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Operator, User

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud, typed from paper
GROUPS, GROUP_LENGTH = 3, 4
DEFAULT_HOURS = 72
MAX_HOURS = 24 * 365  # a year: a one-time password is handed over in days, not years
HOURS_VARIABLE = "ALUR_ONE_TIME_PASSWORD_HOURS"

ONE_TIME_EXPIRED = N_(
    "This one-time password has expired. Ask your office administrator for a new one."
)
PASSWORD_RESET = "password_reset"
PASSWORD_CHANGED = "password_changed"
CURRENT, NEW, CONFIRM = "current", "new", "confirm"
WORKS_ELSEWHERE = N_(
    "This person also works in another office: ask the platform operator to reset their password."
)


class OneTimePasswordHoursError(SettingError):
    """``ALUR_ONE_TIME_PASSWORD_HOURS`` is not a whole number of hours from 0 to 8760."""


@dataclass(frozen=True)
class OneTimePassword:
    """A one-time password made just now: show ``password`` once, keep it nowhere."""

    username: str
    name: str
    password: str
    expires_at: datetime | None


def new_one_time_password() -> str:
    """``ABCD-EFGH-JKMN``: three groups of four characters of :data:`ALPHABET`."""
    return "-".join(
        "".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS)
    )


def one_time_password_hours(environ: Mapping[str, str] | None = None) -> int:
    """``ALUR_ONE_TIME_PASSWORD_HOURS``: how long a one-time password works (default 72;
    ``0``: until it is used to choose a new password); :class:`OneTimePasswordHoursError`
    for anything but a whole number from 0 to :data:`MAX_HOURS`."""
    value = (os.environ if environ is None else environ).get(HOURS_VARIABLE, "").strip()
    if not value:
        return DEFAULT_HOURS
    if value.isascii() and value.isdigit() and int(value) <= MAX_HOURS:
        return int(value)
    raise OneTimePasswordHoursError(
        f"{HOURS_VARIABLE}={value!r}: use a whole number of hours from 0 to {MAX_HOURS} "
        f"(0: until it is used; unset: {DEFAULT_HOURS})"
    )


def one_time_password_expired(account: User | Operator, now: datetime | None = None) -> bool:
    """Whether ``account`` signs in with a one-time password whose time is over."""
    expires = account.password_expires_at
    return bool(
        account.must_change_password
        and expires is not None
        and expires <= (now or datetime.now(UTC))
    )


async def _offices_of(user_id: int, now: datetime) -> tuple[list[TenantRef], set[int]]:
    """Every office of ``user_id``: those where they hold a membership (a role or
    administration) or a Plt/Plh delegation not yet ended at ``now`` (a day in that office);
    and the ids of the membership offices."""
    person = await load_person(user_id)
    if person is None:
        return [], set()
    rows = [
        *person.memberships,
        *(d for d in person.delegations if d["ends_on"] >= office_today(d["timezone"], now)),
    ]
    offices = {r["tenant"]: TenantRef(r["tenant"], r["slug"]) for r in rows}
    return sorted(offices.values(), key=lambda t: t.slug), {r["tenant"] for r in person.memberships}


def _one_time_values(table: type[User] | type[Operator], hours: int, now: datetime) -> tuple:
    password = new_one_time_password()
    expires = now + timedelta(hours=hours) if hours > 0 else None
    values = {
        table.password_hash: hash_password(password),
        table.must_change_password: True,
        table.password_expires_at: expires,
        table.password_version: table.password_version + 1,
    }
    return password, expires, values


async def reset_password(
    db: Database,
    username: str,
    *,
    actor: str,
    actor_name: str,
    office: TenantRef | None = None,
    admin_id: int | None = None,
    hours: int | None = None,
    now: datetime | None = None,
) -> OneTimePassword:
    """Give the person ``username`` a one-time password (module docstring).

    ``office``: the office whose administrator ``admin_id`` resets it (the person must hold a
    membership there, and not be ``admin_id``; :class:`NotFound` otherwise, as for anyone
    of another office; :class:`InvalidInput` when the person also works in another office)
    — or, for the operator (``admin_id`` ``None``), an office the person must hold a
    membership in (``None``: no check). Recorded on every office of the person, with
    ``actor`` / ``actor_name``.
    """
    when = now or datetime.now(UTC)
    hours = one_time_password_hours() if hours is None else hours
    found = limits.usable_key(username)
    user = await User.objects().where(User.username == username).first() if found else None
    offices, member_of = await _offices_of(user.id, when) if user is not None else ([], set())
    if user is None or (office is not None and office.id not in member_of):
        raise NotFound(what=format_message("person {username}", username=username))
    if admin_id is not None and user.id == admin_id:
        raise InvalidInput(
            {"user": gettext("Change your own password on the page Change password.")}
        )
    if admin_id is not None and office is not None and any(o.id != office.id for o in offices):
        raise InvalidInput({"user": gettext(WORKS_ELSEWHERE)})
    password, expires, values = _one_time_values(User, hours, when)
    async with write_transaction(db):
        await User.update(values).where(User.id == user.id)
        for ref in offices:
            await record_office_change(
                db,
                ref,
                PASSWORD_RESET,
                actor=actor,
                actor_name=actor_name,
                details={"user": user.username, "expires_at": expires and expires.isoformat()},
                at=when,
            )
    return OneTimePassword(user.username, user.name, password, expires)


async def reset_operator_password(
    username: str, *, hours: int | None = None, now: datetime | None = None
) -> OneTimePassword:
    """Give the platform operator ``username`` a one-time password (command line only)."""
    when = now or datetime.now(UTC)
    hours = one_time_password_hours() if hours is None else hours
    operator = (
        await Operator.objects().where(Operator.username == username).first()
        if limits.usable_key(username)
        else None
    )
    if operator is None:
        raise NotFound(what=f"operator {username}")
    password, expires, values = _one_time_values(Operator, hours, when)
    await Operator.update(values).where(Operator.id == operator.id)
    return OneTimePassword(operator.username, operator.name, password, expires)


async def change_password(
    db: Database,
    account: User | Operator,
    current: str,
    new: str,
    confirm: str,
    rules: ThrottleRules,
    *,
    now: datetime | None = None,
) -> int:
    """Replace ``account``'s password with ``new`` (module docstring); returns the new
    ``password_version`` (the session that made the change keeps it)."""
    errors: dict[str, str] = {}
    if problem := check_new_credentials(account.username, new).get("password"):
        errors[NEW] = problem
    if confirm != new:
        errors[CONFIRM] = gettext("Type the same new password twice.")
    if not current:
        errors[CURRENT] = gettext("Enter your current password.")
    elif one_time_password_expired(account, now):
        errors[CURRENT] = gettext(ONE_TIME_EXPIRED)
    else:
        if new and new == current:
            errors[NEW] = gettext("Choose a password different from the current one.")
        try:
            checked = await check_password_throttled(account.username, current, rules)
        except LoginLocked as exc:
            errors[CURRENT] = error_message(exc)
        else:
            if checked is None or type(checked) is not type(account) or checked.id != account.id:
                errors[CURRENT] = gettext("The current password is not right.")
    if errors:
        raise InvalidInput(errors)
    table = type(account)
    when = now or datetime.now(UTC)
    async with write_transaction(db):
        rows = (
            await table.update(
                {
                    table.password_hash: hash_password(new),
                    table.must_change_password: False,
                    table.password_expires_at: None,
                    table.password_version: table.password_version + 1,
                }
            )
            .where(table.id == account.id)
            .returning(table.password_version)
        )
        if isinstance(account, User):
            for ref in (await _offices_of(account.id, when))[0]:
                await record_office_change(
                    db,
                    ref,
                    PASSWORD_CHANGED,
                    actor=str(account.id),
                    actor_name=account.name,
                    details={"user": account.username},
                    at=when,
                )
    return int(rows[0]["password_version"])


async def account_of(user_id: int | None, operator_id: int | None) -> User | Operator:
    """The signed-in account (a person or an operator) whose password is changed."""
    found = None
    if user_id is not None:
        found = await User.objects().where(User.id == user_id).first()
    elif operator_id is not None:
        found = await Operator.objects().where(Operator.id == operator_id).first()
    if found is None:
        raise NotFound(what=gettext("account"))
    return found


async def office_ref(tenant_slug: str | None) -> TenantRef | None:
    """The office ``tenant_slug`` names (``--tenant`` of an operator's reset; ``None``
    without one); :class:`NotFound` for an unknown one."""
    if tenant_slug is None:
        return None
    office = await office_by_slug(tenant_slug)
    return TenantRef(office.id, office.slug)


__all__ = [
    "OneTimePassword",
    "OneTimePasswordHoursError",
    "change_password",
    "new_one_time_password",
    "office_ref",
    "one_time_password_expired",
    "operator_actor",
    "reset_operator_password",
    "reset_password",
]
