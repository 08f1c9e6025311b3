"""Structured logs (issue 15, observability), on SQLite and PostgreSQL: a full walk through the
real app in a subprocess — sign in with the demo password, a wrong password, the Paraf that
asks for the password again, an API token on /graphql, /metrics with its token, a query string
and a form with markers — then the captured log: every line JSON, one access line per request
with its request id, office, user, route template, status and duration, and none of the
password, the API token, the session cookie, ALUR_SECRET_KEY, the metrics token, the audit key,
the query string or the form body."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import httpx
import pytest

from alur.tenants.demo.offices import DEMO_PASSWORD
from alur.tenants.identity.tokens import create_token
from alur.tenants.storage.database import close_database, open_database
from alur.web.testing import SESSION_COOKIE, post_login, serving_app
from tests.web.kinerja import web_kinerja_helpers as walk

pytestmark = pytest.mark.usefixtures("cheap_hasher")
SECRET_KEY = "walk-secret-key-" + "s" * 40
METRICS_TOKEN = "walk-metrics-token-" + "t" * 20
WRONG_PASSWORD = "Wrong-Pass-Marker-8812"
QUERY_MARKER = "query-marker-5521"
FORM_MARKER = "form-marker-7734"


def new_api_token(url: str) -> str:
    async def create() -> str:
        db = await open_database(url, run_migrations=False)
        try:
            return (await create_token("walk", "read", tenant=walk.SLUG)).token
        finally:
            await close_database(db)

    return asyncio.run(create())


def test_a_walk_logs_every_request_and_no_secret(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(walk, "PASSWORD", DEMO_PASSWORD)  # everyone signs in with it
    asyncio.run(walk.provision(database_url))
    api_token = new_api_token(database_url)
    environ = {
        "ALUR_SECRET_KEY": SECRET_KEY,
        "ALUR_METRICS_TOKEN": METRICS_TOKEN,
        "ALUR_LOG_FORMAT": "json",
        "ALUR_LOG_LEVEL": "DEBUG",
    }
    cookies: set[str] = set()
    with (
        serving_app(database_url, tmp_path, environ=environ) as app,
        httpx.Client(base_url=app.base, timeout=30) as c,
    ):
        # a refused sign-in, then the walk up to the Paraf, which asks the password again
        refused = post_login(c, "staf", WRONG_PASSWORD)
        assert refused.status_code in (200, 400, 401, 422), refused.status_code
        key = walk.filled(c)
        cookies.add(c.cookies.get(SESSION_COOKIE) or "")
        walk.as_user(c, "staf")
        walk.act(c, key, 5, "ya", walk.LINMAS, note=FORM_MARKER)
        walk.act(c, key, 5, "ya", walk.SDA)
        walk.act(c, key, 6, "complete")
        walk.as_user(c, "kasubag-perencanaan")
        cookies.add(c.cookies.get(SESSION_COOKIE) or "")
        assert walk.approve(c, key, 7, password=DEMO_PASSWORD).status_code == 303
        # a request id of the caller's, and one too odd to keep
        mine = c.get(
            f"/t/{walk.SLUG}/cases?token={QUERY_MARKER}", headers={"X-Request-ID": "walk-0001"}
        )
        assert mine.headers["X-Request-ID"] == "walk-0001"
        odd = c.get("/healthz", headers={"X-Request-ID": "no spaces<allowed>"})
        assert odd.headers["X-Request-ID"] != "no spaces<allowed>"
        # the API with its token, /metrics with its own
        api = httpx.post(
            f"{app.base}/graphql",
            json={"query": "{ __typename }"},
            headers={"Authorization": f"Bearer {api_token}"},
            timeout=30,
        )
        assert api.status_code == 200, api.text
        scrape = httpx.get(
            f"{app.base}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=30
        )
        assert scrape.status_code == 200
    text = app.log_path.read_text()
    cookies.discard("")
    assert cookies
    secrets = {
        "the demo password": DEMO_PASSWORD,
        "the wrong password": WRONG_PASSWORD,
        "the API token": api_token,
        "ALUR_SECRET_KEY": SECRET_KEY,
        "the metrics token": METRICS_TOKEN,
        "the audit key": os.environ["ALUR_AUDIT_KEY"].split(":", 1)[1],
        "the query string": QUERY_MARKER,
        "the form body": FORM_MARKER,
        **{f"session cookie {n}": value for n, value in enumerate(cookies)},
    }
    for what, value in secrets.items():
        where = [line[:160] for line in text.splitlines() if value in line]
        assert not where, f"{what} is in the log: {where[:3]}"

    records = [json.loads(line) for line in text.splitlines() if line.strip()]
    access = [r for r in records if r.get("logger") == "alur.access"]
    assert len(access) > 20
    for record in access:
        assert {
            "request_id",
            "method",
            "route",
            "status",
            "duration_ms",
            "office",
            "user_id",
        } <= record.keys()
        assert "?" not in record["route"]
    by_id = [r for r in access if r["request_id"] == "walk-0001"]
    assert len(by_id) == 1
    assert by_id[0]["route"] == "/t/{slug}/cases"
    assert by_id[0]["office"] == walk.SLUG
    assert by_id[0]["user_id"] is not None
    graphql = [r for r in access if r["route"] == "/graphql"]
    assert graphql[-1]["office"] == walk.SLUG
    assert graphql[-1]["user_id"].startswith("token:")
    approve = [r for r in access if r["route"].startswith("/t/{slug}/cases/{key}/approve")]
    assert [r["status"] for r in approve] == [303]
