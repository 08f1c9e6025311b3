"""Metrics of several app processes (issue 15, observability): with ``uvicorn --workers 2`` and
``PROMETHEUS_MULTIPROC_DIR`` one scrape through either process adds up both; addresses in
``ALUR_METRICS_ALLOW`` read /metrics without the token. On PostgreSQL (several processes)."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from alur.tenants.observability.metrics import (
    MultiprocessDirError,
    check_multiprocess_dir,
    prepare_multiprocess,
)
from alur.web.testing import serving_app

REQUESTS = 40


def healthz_count(text: str) -> float:
    return sum(
        s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "alur_http_requests_total" and s.labels.get("route") == "/healthz"
    )


def test_one_scrape_adds_up_every_process(fresh_databases, tmp_path: Path) -> None:
    url = fresh_databases.url("postgresql")
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    environ = {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "ALUR_METRICS_ALLOW": "127.0.0.1"}
    with serving_app(url, tmp_path, workers=2, environ=environ, startup_timeout=90) as app:
        for _ in range(REQUESTS):  # a new connection each: both processes answer some
            with httpx.Client(base_url=app.base, timeout=10) as c:
                assert c.get("/healthz").status_code == 200
        counts = set()
        for _ in range(6):
            with httpx.Client(base_url=app.base, timeout=10) as c:
                answer = c.get("/metrics")  # from 127.0.0.1: allowed without the token
                assert answer.status_code == 200, answer.text[:300]
                counts.add(healthz_count(answer.text))
        pids = {p.name.split("_")[-1] for p in metrics_dir.glob("*.db")}
    assert counts == {float(REQUESTS)}
    assert len(pids) >= 2  # both processes wrote their values


def test_serve_with_workers_gets_a_metrics_directory(tmp_path: Path) -> None:
    environ: dict[str, str] = {}
    assert prepare_multiprocess(1, environ) is None
    path = prepare_multiprocess(3, environ)
    assert path is not None
    assert Path(path).is_dir()
    assert environ["PROMETHEUS_MULTIPROC_DIR"] == path
    assert prepare_multiprocess(3, environ) == path  # the operator's (or the first) choice is kept
    os.rmdir(path)


def test_a_missing_metrics_directory_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "gone"))
    with pytest.raises(MultiprocessDirError, match="is not a writable directory"):
        check_multiprocess_dir()
