"""Login throttling: a username, and a client address, get a few failed sign-ins per window.

The rules (:class:`ThrottleRules`, settings of the web app):

- **per username**, from any address: after ``per_username`` failures in a window the
  username is locked — even the right password is refused — until the window ends;
- **per address**, across usernames: after ``per_address`` failures from one address (an
  IPv6 address counts as its /64 network, which one subscriber usually holds whole) every
  sign-in from it is refused until its window ends, so spraying many usernames is limited too;
- the window (``window_seconds``) starts at the first failure; when the last allowed failure
  is spent it starts again, so a lock lasts a whole window from the moment it began. The
  refusal says in how many minutes to try again (:class:`LoginLocked`).

The counters live in the database (``alur_login_throttle``), so every app process counts
the same failures. Concurrent attempts cannot overshoot: an attempt first *reserves* its
place with one atomic upsert (``INSERT … ON CONFLICT DO UPDATE … RETURNING``: PostgreSQL
serialises it on the row, SQLite on the database) and only an attempt whose returned count is
within the limit has its password checked; a success gives the place back (the username's
failures are forgotten, the address's count goes down by one). So at most ``per_username``
passwords are ever tried for a username per window, however many processes and requests
there are. A locked attempt costs no password hashing; one refused because its username is
locked is not counted against its address (a person retrying a locked account from an
office's shared address does not lock the office out). Rows of windows that ended are
deleted whenever a new window starts. Locking a username from anywhere lets anyone lock a
person out for a window; that is the price of stopping a distributed guess at one password.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass

from alur.core.errors import N_, AlurError
from alur.tenants.identity.people import sign_in
from alur.tenants.storage.tables import LoginThrottle, Operator, User

USERNAME, ADDRESS = "username", "address"
MAX_SUBJECT = 64  # longest username (and a readable address); longer ones are hashed
IPV6_PREFIX = 64


@dataclass(frozen=True)
class ThrottleRules:
    per_username: int = 5  # failed sign-ins of one username, from any address ...
    per_address: int = 20  # ... and from one address, across usernames ...
    window_seconds: int = 15 * 60  # ... within this window


class LoginLocked(AlurError):
    """Too many failures for this username or address; ``minutes`` until the window ends."""

    code = "login_locked"
    template = N_("Too many failed attempts. Try again in {minutes} minute(s).")


def address_subject(address: str) -> str:
    """The key an address is counted under: an IPv4 address itself, an IPv6 address its /64
    network (an IPv4-mapped one its IPv4 address), anything else (a Unix socket, a test
    client) as it is."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return _bounded(address)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, IPV6_PREFIX), strict=False))
    return str(ip)


def username_subject(username: str) -> str:
    return _bounded(username.strip().lower())


def _bounded(text: str) -> str:
    """``text`` if it is short and storable; otherwise a digest (no such account exists)."""
    if len(text) <= MAX_SUBJECT and text.isprintable():
        return text
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return f"sha256:{digest}"


async def sign_in_throttled(
    username: str,
    password: str,
    address: str,
    rules: ThrottleRules,
    *,
    now: float | None = None,
) -> User | Operator | None:
    """The account for these credentials, ``None`` for wrong ones (a failure counted against
    the username and the address), or :class:`LoginLocked` without checking the password."""
    clock = int(time.time() if now is None else now)
    by_address = address_subject(address)
    count, start = await _reserve(ADDRESS, by_address, clock, rules)
    if count == 1 and start == clock:  # a new window: the ended ones can go
        await purge_expired(rules, now=clock)
    _refuse_over(count, rules.per_address, start, clock, rules)
    by_username = username_subject(username)
    user_count, user_start = await _reserve(USERNAME, by_username, clock, rules)
    if user_count > rules.per_username:
        await _give_back(by_address)  # not a failure of this address: nothing was tried
        _refuse_over(user_count, rules.per_username, user_start, clock, rules)
    account = await sign_in(username, password)
    if account is not None:
        await _forget(by_username)
        await _give_back(by_address)
        return account
    if user_count == rules.per_username:
        await _restart_window(USERNAME, by_username, clock)
    if count == rules.per_address:
        await _restart_window(ADDRESS, by_address, clock)
    return None


def _refuse_over(count: int, limit: int, start: int, clock: int, rules: ThrottleRules) -> None:
    if count > limit:
        seconds = max(start + rules.window_seconds - clock, 1)
        raise LoginLocked(minutes=math.ceil(seconds / 60))


# The counter of (kind, subject), atomically: a new row, or one more failure in the current
# window, or the first failure of a new window when the current one has ended. Every SET
# expression reads the row as it was before this statement.
RESERVE = """
INSERT INTO alur_login_throttle (kind, subject, window_start, failures)
VALUES ({}, {}, {}, 1)
ON CONFLICT (kind, subject) DO UPDATE SET
    failures = CASE WHEN alur_login_throttle.window_start <= {}
        THEN 1 ELSE alur_login_throttle.failures + 1 END,
    window_start = CASE WHEN alur_login_throttle.window_start <= {}
        THEN excluded.window_start ELSE alur_login_throttle.window_start END
RETURNING failures, window_start
"""


async def _reserve(kind: str, subject: str, clock: int, rules: ThrottleRules) -> tuple[int, int]:
    """(failures in the window counting this attempt, when the window started)."""
    ended = clock - rules.window_seconds
    rows = await LoginThrottle.raw(RESERVE, kind, subject, clock, ended, ended)
    return int(rows[0]["failures"]), int(rows[0]["window_start"])


async def _restart_window(kind: str, subject: str, clock: int) -> None:
    """The last allowed failure was spent: the lock lasts a whole window from now."""
    await LoginThrottle.update({LoginThrottle.window_start: clock}).where(
        (LoginThrottle.kind == kind) & (LoginThrottle.subject == subject)
    )


async def _forget(username: str) -> None:
    await LoginThrottle.delete().where(
        (LoginThrottle.kind == USERNAME) & (LoginThrottle.subject == username)
    )


async def _give_back(address: str) -> None:
    await LoginThrottle.update({LoginThrottle.failures: LoginThrottle.failures - 1}).where(
        (LoginThrottle.kind == ADDRESS)
        & (LoginThrottle.subject == address)
        & (LoginThrottle.failures > 0)
    )


async def purge_expired(rules: ThrottleRules, *, now: float | None = None) -> None:
    """Delete the counters whose window has ended (they would start again from one)."""
    clock = int(time.time() if now is None else now)
    await LoginThrottle.delete().where(LoginThrottle.window_start <= clock - rules.window_seconds)


async def reauthenticate_throttled(
    user_id: int, password: str, rules: ThrottleRules, *, now: float | None = None
) -> bool:
    """Whether ``password`` is the password of the signed-in person ``user_id``, asked again
    before a paraf or tanda tangan (:mod:`alur.tenants.kinerja.signing`).

    A wrong password counts as a failed sign-in of the person's username (the same counter
    and lock as :func:`sign_in_throttled`, so a stolen session cannot guess the password
    more often than the sign-in page allows); a right one forgets the failures. Raises
    :class:`LoginLocked` without checking the password while the username is locked. There
    is no address counter here: the person is already signed in. A one-time password set by
    a reset (:mod:`alur.tenants.identity.passwords`) is never accepted here: it only lets
    its holder choose a new password.
    """
    row = await User.select(User.username).where(User.id == user_id).first()
    if row is None:
        return False
    account = await check_password_throttled(row["username"], password, rules, now=now)
    return isinstance(account, User) and account.id == user_id and not account.must_change_password


async def check_password_throttled(
    username: str, password: str, rules: ThrottleRules, *, now: float | None = None
) -> User | Operator | None:
    """The account of a signed-in ``username`` if ``password`` is its password, else ``None``
    — counted on the username like a failed sign-in (see :func:`reauthenticate_throttled`;
    also the current password of a change, :mod:`alur.tenants.identity.passwords`)."""
    clock = int(time.time() if now is None else now)
    by_username = username_subject(username)
    count, start = await _reserve(USERNAME, by_username, clock, rules)
    _refuse_over(count, rules.per_username, start, clock, rules)
    account = await sign_in(username, password)
    if account is not None and account.username == username:
        await _forget(by_username)
        return account
    if count == rules.per_username:
        await _restart_window(USERNAME, by_username, clock)
    return None
