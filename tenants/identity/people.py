"""People: users and platform operators — their credentials, creating them, signing in.

Passwords are hashed with argon2 (argon2-cffi's defaults; tests swap :data:`_hasher` for a
cheap one). Usernames are global: one answer for a taken one, wherever it is taken
(:data:`USERNAME_TAKEN`). A person's memberships and Plt/Plh delegations are in
:mod:`alur.tenants.identity.memberships`; who belongs to an office *now*, and the engine
actor of a person, in :mod:`alur.tenants.identity.belonging`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from alur.core import limits
from alur.core.errors import N_
from alur.core.i18n import format_message, gettext
from alur.core.officials import nip_problem, normalize_nip
from alur.tenants.errors import InvalidInput, NotFound
from alur.tenants.storage.tables import Operator, User

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
    username: str, name: str, password: str, *, nip: str = "", jabatan: str = "", pangkat: str = ""
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
    if problem := pangkat_problem(pangkat):
        errors["pangkat"] = problem
    if "name" not in errors and not name.strip():
        errors["name"] = gettext("give the person's name")
    if "nip" not in errors and (problem := nip_problem(nip, datetime.now(UTC).date())):
        errors["nip"] = problem
    return errors


MAX_PANGKAT = 100  # "Pembina Utama Muda, IV/c": pangkat and golongan/ruang


def pangkat_problem(pangkat: str) -> str | None:
    """What is wrong with a pangkat/golongan (optional, one line), or ``None``."""
    return limits.text_problem(pangkat, MAX_PANGKAT, multiline=False)


async def username_taken(username: str) -> bool:
    """Whether a person or a platform operator already signs in with ``username``."""
    return await User.exists().where(User.username == username) or bool(
        await Operator.exists().where(Operator.username == username)
    )


async def create_user(
    username: str,
    name: str,
    password: str,
    *,
    nip: str = "",
    jabatan: str = "",
    pangkat: str = "",
) -> User:
    """A new user. Whether the username is taken is asked only when every field is valid,
    and answered with one message (:data:`USERNAME_TAKEN`) wherever it is taken."""
    errors = new_user_problems(username, name, password, nip=nip, jabatan=jabatan, pangkat=pangkat)
    if not errors and await username_taken(username):
        errors["username"] = gettext(USERNAME_TAKEN)
    if errors:
        raise InvalidInput(errors)
    user = User(
        username=username,
        name=name.strip(),
        nip=normalize_nip(nip),
        jabatan=jabatan.strip(),
        pangkat=pangkat.strip(),
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


async def user_by_username(username: str) -> User:
    user = (
        None
        if not limits.usable_key(username)
        else await User.objects().where(User.username == username).first()
    )
    if user is None:
        raise NotFound(what=format_message("user {username}", username=username))
    return user


async def users_by_id(ids: Sequence[int]) -> list[dict | None]:
    """The people with these ids — ``{id, username, name, jabatan}`` or ``None``, in the
    order asked — in one statement (the GraphQL API's loader of assignees and actors).

    People are global, like their usernames: the ids come from rows the reader was allowed
    to read (a case's assignee, an event's actor), so a Plt/Plh from another office, or
    someone who has since left, is still named."""
    wanted = [i for i in ids if limits.usable_id(i)]
    rows = (
        await User.select(User.id, User.username, User.name, User.jabatan).where(
            User.id.is_in(wanted)
        )
        if wanted
        else []
    )
    by_id = {r["id"]: r for r in rows}
    return [by_id.get(i) for i in ids]


async def user_id(username: str) -> int | None:
    """The id of the person who signs in as ``username`` (``None`` when nobody does)."""
    if not limits.usable_key(username):
        return None
    row = await User.select(User.id).where(User.username == username).first()
    return row["id"] if row else None
