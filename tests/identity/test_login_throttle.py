"""Login throttling (alur.tenants.identity.throttle) and the client address (alur.web.client_address).

The rules on both backends: a username is locked from any address, an address is limited
across usernames, a locked login is refused even with the right password and says when to
try again, concurrent attempts never get more than the limit evaluated, ended windows are
deleted. Then over HTTP against real uvicorn processes (the way the suite and ``alur serve``
start them): rotating ``X-Forwarded-For`` from an untrusted peer changes nothing, a trusted
proxy's forwarded address is used, and two server processes on one database share the
counters.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator

import httpx
import pytest

from alur.core.i18n import current_language, error_message
from alur.tenants.identity import throttle
from alur.tenants.identity.people import create_user
from alur.tenants.identity.throttle import LoginLocked, ThrottleRules, sign_in_throttled
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import LoginThrottle, User
from alur.web import testing
from alur.web.client_address import TrustedProxies, TrustedProxiesError, client_address
from alur.web.settings import WebSettings
from alur.web.testing import running_app
from tests.identity.login_helpers import PASSWORD, _provision, client_from, post_login

RULES = ThrottleRules()  # 5 per username, 20 per address, 15 minutes


T0 = 1_800_000_000.0  # a fixed clock for the service tests (Unix seconds)


# --- the rules, on both backends -------------------------------------------------------------


@pytest.fixture
async def people(database: Database, cheap_hasher: None) -> None:
    await create_user("staf", "Staf", PASSWORD)
    await create_user("kepala", "Kepala", PASSWORD)


async def attempt(username: str, password: str, address: str, now: float = T0) -> object:
    """The account, None, or the LoginLocked raised."""
    try:
        return await sign_in_throttled(username, password, address, RULES, now=now)
    except LoginLocked as locked:
        return locked


@pytest.mark.anyio
async def test_a_username_is_locked_from_any_address(people: None) -> None:
    for n in range(RULES.per_username):
        assert await attempt("staf", "salah", f"198.51.100.{n}") is None
    locked = await attempt("staf", PASSWORD, "203.0.113.77")  # right password, new address
    assert isinstance(locked, LoginLocked)
    assert locked.params == {"minutes": 15}
    assert isinstance(await attempt("kepala", PASSWORD, "203.0.113.77"), User)  # others may


@pytest.mark.anyio
async def test_the_lock_says_when_and_ends_with_its_window(people: None) -> None:
    for _ in range(RULES.per_username):
        assert await attempt("staf", "salah", "198.51.100.1") is None
    later = await attempt("staf", PASSWORD, "198.51.100.1", now=T0 + 10 * 60 + 30)
    assert isinstance(later, LoginLocked)
    assert later.params == {"minutes": 5}  # 4.5 minutes left, rounded up
    token = current_language.set("id")
    try:
        assert "coba lagi dalam 5 menit" in error_message(later)
    finally:
        current_language.reset(token)
    assert "Try again in 5 minute(s)." in str(later)
    account = await attempt("staf", PASSWORD, "198.51.100.1", now=T0 + RULES.window_seconds)
    assert isinstance(account, User)


@pytest.mark.anyio
async def test_spraying_usernames_from_one_address_is_limited(people: None) -> None:
    for n in range(RULES.per_address):
        assert await attempt(f"tebakan-{n}", "salah", "198.51.100.9") is None
    assert isinstance(await attempt("tebakan-x", "salah", "198.51.100.9"), LoginLocked)
    assert isinstance(await attempt("kepala", PASSWORD, "198.51.100.9"), LoginLocked)
    assert isinstance(await attempt("kepala", PASSWORD, "198.51.100.10"), User)
    # an IPv6 client counts as its /64: the next address in it is the same client
    for n in range(RULES.per_address):
        assert await attempt(f"v6-{n}", "salah", f"2001:db8:1:2::{n + 1:x}") is None
    assert isinstance(await attempt("kepala", PASSWORD, "2001:db8:1:2:ffff::1"), LoginLocked)


@pytest.mark.anyio
async def test_a_success_forgets_the_usernames_failures_and_a_locked_try_costs_nothing(
    people: None,
) -> None:
    for _ in range(RULES.per_username - 1):
        assert await attempt("staf", "salah", "198.51.100.1") is None
    assert isinstance(await attempt("staf", PASSWORD, "198.51.100.1"), User)
    for _ in range(RULES.per_username):
        assert await attempt("staf", "salah", "198.51.100.2") is None
    for _ in range(30):  # retrying a locked account does not lock its address
        assert isinstance(await attempt("staf", PASSWORD, "198.51.100.2"), LoginLocked)
    assert isinstance(await attempt("kepala", PASSWORD, "198.51.100.2"), User)


@pytest.mark.anyio
async def test_concurrent_attempts_never_evaluate_more_than_the_limit(
    people: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    evaluated: list[str] = []
    real_sign_in = throttle.sign_in

    async def counting(username: str, password: str) -> object:
        evaluated.append(username)
        await asyncio.sleep(0.01)  # keep every attempt in flight together
        return await real_sign_in(username, password)

    monkeypatch.setattr(throttle, "sign_in", counting)
    results = await asyncio.gather(
        *(attempt("staf", "salah", f"198.51.100.{n}") for n in range(20))
    )
    assert len(evaluated) == RULES.per_username
    assert results.count(None) == RULES.per_username
    assert sum(isinstance(r, LoginLocked) for r in results) == 20 - RULES.per_username


@pytest.mark.anyio
async def test_ended_windows_are_deleted(people: None) -> None:
    for n in range(3):
        assert await attempt(f"lama-{n}", "salah", f"198.51.100.{n}") is None
    assert await LoginThrottle.count() == 6
    later = T0 + RULES.window_seconds + 1
    assert await attempt("baru", "salah", "203.0.113.1", now=later) is None
    rows = await LoginThrottle.select(LoginThrottle.kind, LoginThrottle.subject)
    assert sorted((r["kind"], r["subject"]) for r in rows) == [
        ("address", "203.0.113.1"),
        ("username", "baru"),
    ]


@pytest.mark.anyio
async def test_odd_usernames_are_counted_without_storing_them(people: None) -> None:
    odd = "a\tb" + "x" * 5000  # (NUL is refused before, by the form rules)
    for _ in range(RULES.per_username):
        assert await attempt(odd, "salah", "198.51.100.1") is None
    assert isinstance(await attempt(odd, "salah", "198.51.100.2"), LoginLocked)
    subjects = await LoginThrottle.select(LoginThrottle.subject).where(
        LoginThrottle.kind == "username"
    )
    assert [len(r["subject"]) for r in subjects] == [len("sha256:") + 64]


# --- the client address ----------------------------------------------------------------------


def scope(peer: str, *forwarded: str) -> dict:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return {"type": "http", "client": (peer, 50000), "headers": headers}


def test_forwarded_for_is_ignored_from_an_untrusted_peer() -> None:
    none = TrustedProxies()
    assert client_address(scope("127.0.0.1", "203.0.113.5"), none) == "127.0.0.1"
    only_other = TrustedProxies.parse("10.0.0.1")
    assert client_address(scope("198.51.100.3", "203.0.113.5"), only_other) == "198.51.100.3"
    assert client_address(scope("testclient", "203.0.113.5"), only_other) == "testclient"


def test_behind_trusted_proxies_the_rightmost_untrusted_address_is_the_client() -> None:
    proxies = TrustedProxies.parse("10.0.0.1, 10.1.0.0/16 ::1")
    assert client_address(scope("10.0.0.1", "203.0.113.5"), proxies) == "203.0.113.5"
    # what the client wrote itself (left of the address its proxy saw) is never used
    spoofed = scope("10.0.0.1", "1.1.1.1, 203.0.113.5, 10.1.2.3")
    assert client_address(spoofed, proxies) == "203.0.113.5"
    assert client_address(scope("10.0.0.1", "1.1.1.1", "203.0.113.5"), proxies) == "203.0.113.5"
    assert client_address(scope("::1", "[2001:db8::7]:4711"), proxies) == "2001:db8::7"
    assert client_address(scope("10.0.0.1", "203.0.113.5:80"), proxies) == "203.0.113.5"
    assert client_address(scope("10.0.0.1", "10.1.0.9"), proxies) == "10.1.0.9"  # all trusted
    assert client_address(scope("10.0.0.1", "junk"), proxies) == "10.0.0.1"
    assert client_address(scope("10.0.0.1"), proxies) == "10.0.0.1"


def test_trusted_proxies_setting() -> None:
    settings = WebSettings.from_env(
        {"ALUR_SECRET_KEY": "k" * 40, "ALUR_TRUSTED_PROXIES": "10.0.0.5, 10.1.0.0/16"}
    )
    assert [str(n) for n in settings.trusted_proxies.networks] == ["10.0.0.5/32", "10.1.0.0/16"]
    assert settings.login_throttle == ThrottleRules(5, 20, 900)
    assert WebSettings.from_env({"ALUR_SECRET_KEY": "k" * 40}).trusted_proxies.networks == ()
    with pytest.raises(TrustedProxiesError, match=r"'proxy\.example'"):
        WebSettings.from_env({"ALUR_SECRET_KEY": "k", "ALUR_TRUSTED_PROXIES": "proxy.example"})
    tuned = WebSettings.from_env(
        {
            "ALUR_SECRET_KEY": "k",
            "ALUR_LOGIN_MAX_PER_USERNAME": "3",
            "ALUR_LOGIN_MAX_PER_ADDRESS": "50",
            "ALUR_LOGIN_WINDOW_MINUTES": "30",
        }
    )
    assert tuned.login_throttle == ThrottleRules(3, 50, 1800)


# --- over HTTP, against real server processes ------------------------------------------------
#
# Two uvicorn processes on one database per backend, both trusting 127.0.0.2 as a proxy.
# A client that connects from 127.0.0.1 (which uvicorn itself trusts by default, the way the
# probe got through) or from 127.0.0.3 is an untrusted peer (Linux routes the whole of
# 127.0.0.0/8 to the loopback). Each test uses its own people and addresses.

SERVER_SETTINGS = {"ALUR_TRUSTED_PROXIES": "127.0.0.2", "ALUR_LOGIN_MAX_PER_ADDRESS": "8"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def servers(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """The base URLs of two server processes on one new database (real argon2 in there)."""
    workdir = tmp_path_factory.mktemp("throttle")
    if request.param == "sqlite":
        shutil.copyfile(request.getfixturevalue("sqlite_template"), workdir / "alur.db")
        url = f"sqlite:///{workdir / 'alur.db'}"
    else:
        server = request.getfixturevalue("postgres_server")
        url = server.create_database(
            "alur_throttle_http", template=request.getfixturevalue("postgres_template")
        )
    try:
        asyncio.run(_provision(url))
        with (
            running_app(url, workdir, environ=SERVER_SETTINGS) as (one, _),
            running_app(url, workdir, environ=SERVER_SETTINGS) as (two, _),
        ):
            yield one, two
    finally:
        if request.param == "postgresql":
            server.drop_database("alur_throttle_http")


def forwarded(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


def test_rotating_forwarded_for_from_an_untrusted_peer_does_not_reset_the_lock(
    servers: tuple[str, str],
) -> None:
    base = servers[0]
    with client_from("127.0.0.1") as c:
        for n in range(5):
            assert (
                post_login(c, base, "staf", "salah", **forwarded(f"10.9.0.{n}")).status_code == 401
            )
        r = post_login(c, base, "staf", PASSWORD, **forwarded("10.9.9.9"))
        assert r.status_code == 429
        assert "Silakan coba lagi dalam 15 menit." in r.text
        c.cookies.set("lang", "en")
        r = post_login(c, base, "staf", PASSWORD, **forwarded("10.9.9.8"))
        assert "Try again in 15 minute(s)." in r.text
        # spraying usernames: 5 failures so far from this peer, 3 more, then it is locked
        for n in range(3):
            assert (
                post_login(c, base, f"x{n}", "salah", **forwarded(f"10.8.0.{n}")).status_code == 401
            )
        assert post_login(c, base, "x9", "salah", **forwarded("10.8.1.1")).status_code == 429
        assert post_login(c, base, "kepala", PASSWORD).status_code == 429


def test_a_trusted_proxys_forwarded_address_is_used(servers: tuple[str, str]) -> None:
    base = servers[1]
    with client_from("127.0.0.2") as c:
        for n in range(8):
            assert (
                post_login(c, base, f"y{n}", "salah", **forwarded("198.51.100.7")).status_code
                == 401
            )
        spoofed = forwarded("203.0.113.9, 198.51.100.7")  # the client wrote the first one
        assert post_login(c, base, "kepala", PASSWORD, **spoofed).status_code == 429
        other = forwarded("198.51.100.8")
        assert post_login(c, base, "y9", "salah", **other).status_code == 401
        assert post_login(c, base, "kepala", PASSWORD, **other).status_code == 303


def test_two_server_processes_share_the_counters(servers: tuple[str, str]) -> None:
    limit = RULES.per_username

    async def storm() -> list[int]:
        transport = httpx.AsyncHTTPTransport(local_address="127.0.0.3")
        async with httpx.AsyncClient(transport=transport, timeout=60) as c:
            token = testing.csrf_token((await c.get(f"{servers[0]}/login")).text)
            data = {"_csrf_token": token, "username": "sekretaris", "password": "salah"}
            responses = await asyncio.gather(
                *(c.post(f"{servers[n % 2]}/login", data=data) for n in range(20))
            )
            right = {**data, "password": PASSWORD}
            responses.append(await c.post(f"{servers[1]}/login", data=right))
            return [r.status_code for r in responses]

    statuses = asyncio.run(storm())
    assert statuses[:20].count(401) == limit, statuses  # at most the limit was evaluated
    assert statuses[:20].count(429) == 20 - limit, statuses
    assert statuses[20] == 429  # and now even the right password waits
