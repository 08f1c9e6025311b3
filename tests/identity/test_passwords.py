"""Passwords after an account is made (issue 15), on SQLite and PostgreSQL: an office
administrator's reset to a one-time password, the change it forces at the next sign-in,
changing one's own password, the sessions they end, the throttle, the office's chain
(alur.tenants.identity.passwords, web/auth/password.py, web/admin/passwords.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from litestar.testing import TestClient

from alur.cli.main import cli
from alur.core import create_plugin_manager
from alur.tenants.audit.office_log import office_changes
from alur.tenants.identity.passwords import ALPHABET, new_one_time_password, reset_password
from alur.tenants.identity.throttle import ThrottleRules, reauthenticate_throttled
from alur.tenants.storage.tables import LoginThrottle, Tenant, User
from alur.web.app import create_app
from alur.web.settings import WebSettings
from tests.identity.password_helpers import (
    CHANGE_PAGE,
    OFFICE,
    ONE_TIME,
    OTHER,
    PASSWORD,
    call,
    change_on_web,
    login,
    provision_sync,
    reset_on_web,
    session_of,
    signed_in_as,
    use_session,
)

pytestmark = pytest.mark.usefixtures("cheap_hasher")
RULES = ThrottleRules(per_username=3, per_address=50, window_seconds=600)
NEW = "kata-sandi-baru-2026"


@pytest.fixture
def site(database_url: str) -> Iterator[tuple[TestClient, str]]:
    provision_sync(database_url)
    settings = WebSettings(database_url=database_url, secret_key="k" * 40, login_throttle=RULES)
    with TestClient(create_app(settings)) as c:
        yield c, database_url


@pytest.fixture
def c(site: tuple[TestClient, str]) -> TestClient:
    return site[0]


def alur(url: str, *args: str) -> object:
    env = {"ALUR_DATABASE_URL": url, "COLUMNS": "250"}
    return CliRunner().invoke(cli, list(args), obj=create_plugin_manager, env=env)


def changes_of(c: TestClient) -> list:
    async def read() -> list:
        row = await Tenant.select(Tenant.id).where(Tenant.slug == OFFICE).first()
        return await office_changes(row["id"])

    return call(c, read)


def user(c: TestClient, username: str) -> dict:
    return call(c, lambda: User.select().where(User.username == username).first())


def test_one_time_passwords_are_readable_and_random() -> None:
    made = {new_one_time_password() for _ in range(200)}
    assert len(made) == 200
    for password in made:
        assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", password)
        assert not set(password) & set("01OIL")
        assert set(password) - {"-"} <= set(ALPHABET)


def test_a_reset_forces_the_change_and_ends_the_old_password_and_sessions(
    site: tuple[TestClient, str],
) -> None:
    c, url = site
    budi_before = signed_in_as(c, "budi")  # a session opened before the reset
    signed_in_as(c, "admin")
    answer = reset_on_web(c, "budi")
    assert answer.status_code == 200, answer.text[:500]
    assert answer.headers["cache-control"] == "no-store"
    one_time = ONE_TIME.search(answer.text).group(1)  # type: ignore[union-attr]
    assert "Budi Santoso" in answer.text
    assert user(c, "budi")["must_change_password"]
    # the session opened before the reset is refused on its next request
    use_session(c, budi_before)
    refused = c.get(f"/t/{OFFICE}/inbox", follow_redirects=False)
    assert refused.status_code == 303
    assert refused.headers["location"].startswith("/login")
    # the old password no longer works; the one-time password signs in, to the change page
    assert login(c, "budi", PASSWORD).status_code == 401
    first = login(c, "budi", one_time, next=f"/t/{OFFICE}/cases")
    assert first.status_code == 303
    assert first.headers["location"] == f"{CHANGE_PAGE}?next=/t/{OFFICE}/cases"
    # every page sends the person to the change page; htmx is told where to go
    for path in (f"/t/{OFFICE}/inbox", f"/t/{OFFICE}/cases", "/", f"/t/{OFFICE}/settings"):
        sent = c.get(path, follow_redirects=False)
        assert sent.status_code == 303, path
        assert sent.headers["location"].startswith(CHANGE_PAGE), path
    hx = c.get(f"/t/{OFFICE}/inbox", headers={"HX-Request": "true"}, follow_redirects=False)
    assert hx.headers["hx-redirect"].startswith(CHANGE_PAGE)
    page = c.get(CHANGE_PAGE)
    assert page.status_code == 200
    assert 'autocomplete="current-password"' in page.text
    assert page.text.count('autocomplete="new-password"') == 2
    # the change: with the one-time password as the current one, on to the page asked for
    done = change_on_web(c, one_time, NEW, next=f"/t/{OFFICE}/cases")
    assert done.status_code == 303
    assert done.headers["location"] == f"/t/{OFFICE}/cases"
    assert c.get(f"/t/{OFFICE}/inbox", follow_redirects=False).status_code == 200
    assert not user(c, "budi")["must_change_password"]
    # afterwards the one-time password is refused and the new one works
    assert login(c, "budi", one_time).status_code == 401
    assert login(c, "budi", NEW, next="/").status_code == 303
    # both are on the office's chain, without a password or a hash; the chain verifies
    recorded = changes_of(c)
    assert [r.change for r in recorded[:2]] == ["password_changed", "password_reset"]
    assert recorded[1].actor_name == "Admin Kantor"
    assert recorded[0].details["user"] == recorded[1].details["user"] == "budi"
    for r in recorded[:2]:
        text = repr(r)
        assert one_time not in text
        assert NEW not in text
        assert "argon2" not in text
    verified = alur(url, "audit", "verify")
    assert verified.exit_code == 0, verified.output  # type: ignore[attr-defined]


def test_the_one_time_password_is_never_a_signing_password(c: TestClient) -> None:
    budi = user(c, "budi")

    async def reset() -> str:
        return (
            await reset_password(
                c.app.state["services"].database, "budi", actor="x", actor_name="x"
            )
        ).password

    one_time = call(c, reset)
    assert not call(c, reauthenticate_throttled, budi["id"], one_time, RULES)
    assert not call(c, reauthenticate_throttled, budi["id"], PASSWORD, RULES)
    # once the person chose their own, it is their signing password again
    login(c, "budi", one_time)
    assert change_on_web(c, one_time, NEW).status_code == 303
    assert call(c, reauthenticate_throttled, budi["id"], NEW, RULES)


def test_an_expired_one_time_password_is_refused_with_a_reason(c: TestClient) -> None:
    async def reset() -> str:
        long_ago = datetime.now(UTC) - timedelta(hours=100)
        services = c.app.state["services"]
        done = await reset_password(
            services.database, "budi", actor="x", actor_name="x", now=long_ago
        )
        return done.password

    one_time = call(c, reset)
    refused = login(c, "budi", one_time)
    assert refused.status_code == 401
    assert "one-time password has expired" in refused.text or "kedaluwarsa" in refused.text
    assert session_of(c) is None
    # one that expires while its session is open cannot be replaced any more either
    fresh = call(
        c, reset_password, c.app.state["services"].database, "budi", actor="x", actor_name="x"
    )
    assert login(c, "budi", fresh.password).status_code == 303
    call(
        c,
        lambda: User.update({User.password_expires_at: datetime.now(UTC)}).where(
            User.username == "budi"
        ),
    )
    late = change_on_web(c, fresh.password, NEW)
    assert late.status_code == 422
    assert 'id="password-current-error"' in late.text


def test_changing_ones_password_ends_the_other_sessions_only(c: TestClient) -> None:
    other = signed_in_as(c, "budi")
    mine = signed_in_as(c, "budi")
    done = change_on_web(c, PASSWORD, NEW)
    assert done.status_code == 303
    assert done.headers["location"] == CHANGE_PAGE
    notice = c.get(CHANGE_PAGE).text  # the notice, once
    assert 'class="notice" role="status"' in notice
    assert 'class="notice" role="status"' not in c.get(CHANGE_PAGE).text
    renewed = session_of(c)
    assert renewed not in (mine, None)  # a new session id
    assert c.get(f"/t/{OFFICE}/inbox", follow_redirects=False).status_code == 200
    use_session(c, other)
    assert c.get(f"/t/{OFFICE}/inbox", follow_redirects=False).status_code == 303
    use_session(c, mine)
    assert c.get(f"/t/{OFFICE}/inbox", follow_redirects=False).status_code == 303
    assert changes_of(c)[0].change == "password_changed"


def test_every_problem_at_once_no_password_sent_back_and_a_wrong_current_counts(
    c: TestClient,
) -> None:
    signed_in_as(c, "budi")
    refused = change_on_web(c, "salah-Zq9x", "pendQ7", "beda-Qx7z")
    assert refused.status_code == 422
    for name in ("current", "new", "confirm"):
        assert f'aria-describedby="password-{name}-error"' in refused.text
    for typed in ("salah-Zq9x", "pendQ7", "beda-Qx7z"):
        assert typed not in refused.text

    def failures() -> int:
        row = call(
            c,
            lambda: (
                LoginThrottle.select(LoginThrottle.failures)
                .where(LoginThrottle.subject == "budi")
                .first()
            ),
        )
        return row["failures"] if row else 0

    assert failures() == 1  # the wrong current password counted like a failed sign-in
    same = change_on_web(c, PASSWORD, PASSWORD)
    assert same.status_code == 422
    assert 'id="password-new-error"' in same.text
    assert failures() == 0  # the right one forgets the failures, as a sign-in does
    change_on_web(c, "salah-satu", NEW)
    change_on_web(c, "salah-dua", NEW)
    change_on_web(c, "salah-tiga", NEW)
    locked = change_on_web(c, PASSWORD, NEW)  # the username is locked: even the right one
    assert locked.status_code == 422
    assert "password-current-error" in locked.text
    assert login(c, "budi", PASSWORD).status_code == 429
    assert user(c, "budi")["password_version"] == 0


def test_who_may_reset_on_the_web(c: TestClient) -> None:
    signed_in_as(c, "admin")
    own = reset_on_web(c, "admin")
    assert own.status_code == 422
    assert ONE_TIME.search(own.text) is None
    assert reset_on_web(c, "sari").status_code == 404  # a person of another office
    assert reset_on_web(c, "nobody").status_code == 404
    signed_in_as(c, "budi")  # not an administrator
    assert reset_on_web(c, "admin").status_code == 404
    assert not user(c, "admin")["must_change_password"]
    assert not user(c, "sari")["must_change_password"]
    assert changes_of(c) == []


def test_the_command_line_prints_it_once_and_it_works(database_url: str) -> None:
    provision_sync(database_url)
    # (the commands run before the app: they share the process's database engine)
    result = alur(database_url, "users", "reset-password", "budi")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    printed = result.stdout.splitlines()  # type: ignore[attr-defined]
    assert len(printed) == 1  # the password alone on standard output, once
    one_time = printed[0]
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", one_time)
    assert "Shown only this once" in result.stderr  # type: ignore[attr-defined]
    elsewhere = alur(database_url, "users", "reset-password", "budi", "--tenant", OTHER)
    assert elsewhere.exit_code == 2  # type: ignore[attr-defined]
    nobody = alur(database_url, "users", "reset-password", "nobody")
    assert nobody.exit_code == 2  # type: ignore[attr-defined]
    op = alur(database_url, "operators", "reset-password", "op")
    assert op.exit_code == 0, op.output  # type: ignore[attr-defined]
    op_once = op.stdout.strip()  # type: ignore[attr-defined]
    settings = WebSettings(database_url=database_url, secret_key="k" * 40, login_throttle=RULES)
    with TestClient(create_app(settings)) as c:
        first = login(c, "budi", one_time)
        assert first.status_code == 303
        assert first.headers["location"].startswith(CHANGE_PAGE)
        recorded = changes_of(c)
        assert [r.change for r in recorded] == ["password_reset"]
        assert recorded[0].by_operator
        forced = login(c, "op", op_once)
        assert forced.headers["location"].startswith(CHANGE_PAGE)
        platform = c.get("/platform", follow_redirects=False)
        assert platform.headers["location"].startswith(CHANGE_PAGE)
        assert change_on_web(c, op_once, NEW).status_code == 303
        assert c.get("/platform", follow_redirects=False).status_code == 200
