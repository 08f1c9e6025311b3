"""/metrics (issue 15, observability), on SQLite and PostgreSQL: only with the bearer token or
from an allowed address (404 to anyone else, no session); requests by route template, never
the raw path; transitions by kind; open and overdue tasks by office; the job queue's depth;
jobs that fail."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import TestClient
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from alur.core import create_plugin_manager
from alur.tenants.clock.jobs import ensure_queue_schema, queue_app
from alur.tenants.notify.settings import DeliverySettings
from alur.tenants.observability import metrics
from alur.tenants.observability.access import MetricsAccess, MetricsAccessError
from alur.tenants.storage.tables import Session, Task
from alur.web.app import create_app
from alur.web.settings import WebSettings
from tests.web.kinerja.web_kinerja_helpers import provision

pytestmark = pytest.mark.usefixtures("cheap_hasher")
TOKEN = "metrics-token-" + "m" * 30
BEARER = {"Authorization": f"Bearer {TOKEN}"}
OTHER = "kesbangpol-pekalongan"  # provision() starts one case there


@pytest.fixture
def client(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("ALUR_METRICS_TOKEN", TOKEN)
    monkeypatch.delenv("ALUR_METRICS_ALLOW", raising=False)
    monkeypatch.delenv(metrics.MULTIPROC_ENV, raising=False)
    asyncio.run(provision(database_url))
    app = create_app(WebSettings(database_url=database_url, secret_key="k" * 40))
    with TestClient(app) as c:
        c.database_url = database_url  # type: ignore[attr-defined]
        yield c


def scrape(c: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = c.get("/metrics", headers=BEARER)
    assert answer.status_code == 200, answer.text[:300]
    assert answer.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(answer.text)
        for s in family.samples
    }


def test_metrics_answer_404_without_the_token(client: TestClient) -> None:
    sessions = client.blocking_portal.call(Session.count)
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}):
        answer = client.get("/metrics", headers=headers)
        assert answer.status_code == 404
        assert "alur_http_requests_total" not in answer.text
    answer = client.get("/metrics", headers=BEARER)
    assert answer.status_code == 200
    assert "set-cookie" not in answer.headers
    assert client.blocking_portal.call(Session.count) == sessions


def test_nobody_reads_metrics_when_no_token_is_set(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ALUR_METRICS_TOKEN", raising=False)
    monkeypatch.delenv("ALUR_METRICS_ALLOW", raising=False)
    app = create_app(WebSettings(database_url=database_url, secret_key="k" * 40))
    with TestClient(app) as c:
        assert c.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


def test_requests_are_counted_by_route_template(client: TestClient) -> None:
    client.get("/t/satpolpp-banyumas/cases/RAW-KEY-4711", follow_redirects=False)
    client.get("/no/such/page-zz9", follow_redirects=False)
    client.get("/healthz")
    samples = scrape(client)
    text = client.get("/metrics", headers=BEARER).text
    assert "RAW-KEY-4711" not in text
    assert "page-zz9" not in text
    routes = {
        dict(labels)["route"] for (name, labels) in samples if name == "alur_http_requests_total"
    }
    assert "/t/{slug}/cases/{key}" in routes
    assert "unmatched" in routes
    assert (
        samples[
            (
                "alur_http_requests_total",
                (("method", "GET"), ("route", "/healthz"), ("status", "200")),
            )
        ]
        >= 1
    )
    assert any(name == "alur_http_request_duration_seconds_bucket" for name, _ in samples)


def test_open_and_overdue_tasks_by_office(client: TestClient) -> None:
    async def one_overdue() -> int:
        rows = await Task.select(Task.id).where(Task.status == "open")
        past = datetime.now(UTC) - timedelta(days=2)
        await Task.update({Task.due: past}).where(Task.id == rows[0]["id"])
        return len(rows)

    open_tasks = client.blocking_portal.call(one_overdue)
    samples = scrape(client)
    assert samples[("alur_tasks_open", (("office", OTHER),))] == open_tasks >= 1
    assert samples[("alur_tasks_overdue", (("office", OTHER),))] == 1
    assert samples[("alur_scrape_database_ok", ())] == 1
    assert ("alur_tasks_open", (("office", "satpolpp-banyumas"),)) not in samples  # no case


def test_transitions_are_counted_by_kind(database_url: str) -> None:
    def value(kind: str) -> float:
        return REGISTRY.get_sample_value("alur_transitions_total", {"kind": kind}) or 0.0

    started, opened = value("case_started"), value("task_opened")
    asyncio.run(provision(database_url))  # starts one case
    assert value("case_started") == started + 1
    assert value("task_opened") > opened


def test_the_job_queue_depth(client: TestClient) -> None:
    async def enqueue() -> None:
        db = client.app.state["services"].db  # type: ignore[attr-defined]
        await ensure_queue_schema(db)
        app = queue_app(db, create_plugin_manager(), {}, DeliverySettings.from_env({}))
        client.queue = app  # type: ignore[attr-defined]  # kept alive for the scrape
        async with app.open_async():
            await app.alur_enqueue([101, 102])  # type: ignore[attr-defined]

    client.blocking_portal.call(enqueue)
    samples = scrape(client)
    del client.queue  # type: ignore[attr-defined]
    assert samples[("alur_job_queue_depth", (("queue", "default"), ("status", "todo")))] == 2


def test_failed_jobs_are_counted() -> None:
    @metrics.counted_job("test.job")
    async def job(fail: bool) -> str:
        if fail:
            raise RuntimeError("boom")
        return "done"

    def value(outcome: str) -> float:
        return (
            REGISTRY.get_sample_value("alur_jobs_total", {"job": "test.job", "outcome": outcome})
            or 0.0
        )

    ok, failed = value("succeeded"), value("failed")
    assert asyncio.run(job(False)) == "done"
    with pytest.raises(RuntimeError):
        asyncio.run(job(True))
    assert (value("succeeded"), value("failed")) == (ok + 1, failed + 1)


def test_metrics_access_rule() -> None:
    access = MetricsAccess.from_env({"ALUR_METRICS_ALLOW": "10.0.0.5, 192.168.0.0/24"})
    assert access.allows(None, "10.0.0.5")
    assert access.allows(None, "192.168.0.77")
    assert not access.allows(None, "10.0.0.6")
    assert not access.allows("Bearer anything", "?")
    with_token = MetricsAccess.from_env({"ALUR_METRICS_TOKEN": "s3cret"})
    assert with_token.allows("Bearer s3cret", None)
    assert with_token.allows("bearer s3cret", "1.2.3.4")
    assert not with_token.allows("Bearer s3cre", None)
    with pytest.raises(MetricsAccessError, match="not an IP address"):
        MetricsAccess.from_env({"ALUR_METRICS_ALLOW": "10.0.0.300"})
