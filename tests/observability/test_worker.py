"""``alur worker`` as a process (issue 15, observability), on PostgreSQL: its heartbeat row
while it runs (gone after SIGTERM), its JSON log lines, and its own ``/metrics`` on
``--metrics-port`` under the same access rule as the app's."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

import httpx

from alur.tenants.observability.access import MetricsAccess
from alur.tenants.observability.worker_metrics import start_metrics_server
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.storage.tables import WorkerHeartbeat
from alur.web.testing import ServerProcess, free_port

ALUR = str(Path(sys.executable).parent / "alur")


def heartbeats(url: str) -> list[dict]:
    async def read() -> list[dict]:
        db = await open_database(url, run_migrations=False)
        try:
            return await WorkerHeartbeat.select()
        finally:
            await close_database(db)

    return asyncio.run(read())


def test_the_worker_beats_logs_json_and_serves_its_metrics(fresh_databases, tmp_path: Path) -> None:
    url = fresh_databases.url("postgresql")
    port = free_port()
    worker = ServerProcess(
        [ALUR, "worker", "--metrics-port", str(port), "--metrics-address", "127.0.0.1"],
        base=f"http://127.0.0.1:{port}",
        log_path=tmp_path / "worker.log",
        cwd=tmp_path,
        environ={
            "ALUR_DATABASE_URL": url,
            "ALUR_METRICS_ALLOW": "127.0.0.1",
            "ALUR_LOG_FORMAT": "json",
            "ALUR_LOG_LEVEL": "INFO",
        },
        ready_path="/metrics",
        startup_timeout=60,
    )
    with worker:
        rows: list[dict] = []
        for _ in range(100):  # bounded: at most 100 × 0.2 s
            rows = heartbeats(url)
            if rows:
                break
            time.sleep(0.2)
        assert len(rows) == 1
        assert rows[0]["pid"] > 0
        assert rows[0]["host"]
        text = httpx.get(f"{worker.base}/metrics", timeout=5).text
        assert "process_cpu_seconds_total" in text
        assert httpx.get(f"{worker.base}/other", timeout=5).status_code == 404
    assert heartbeats(url) == []  # stopped cleanly: its row is gone
    lines = [line for line in worker.log().splitlines() if line.startswith("{")]
    assert lines, worker.log()
    for line in lines:
        record = json.loads(line)
        assert {"event", "level", "timestamp"} <= record.keys()


def test_worker_metrics_follow_the_access_rule() -> None:
    port = free_port()
    server = start_metrics_server(port, "127.0.0.1", MetricsAccess(token="w0rker-t0ken"))
    try:
        base = f"http://127.0.0.1:{port}/metrics"
        assert httpx.get(base, timeout=5).status_code == 404
        wrong = {"Authorization": "Bearer nope"}
        assert httpx.get(base, headers=wrong, timeout=5).status_code == 404
        right = httpx.get(base, headers={"Authorization": "Bearer w0rker-t0ken"}, timeout=5)
        assert right.status_code == 200
        assert "alur_jobs_total" in right.text or "process_" in right.text
    finally:
        server.shutdown()
        server.server_close()
