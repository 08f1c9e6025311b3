"""The server under test, started the one way the tests start it too
(:mod:`alur.web.testing`): a failure to start ends the benchmark with the server's output,
and a traceback in its log is printed after the run."""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

from alur.web.testing import AppDidNotStart, ServerProcess, free_port, serving_app

STARTUP_TIMEOUT = 90.0


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _report_errors(log_path: Path) -> None:
    with contextlib.suppress(OSError):
        if "Traceback" in log_path.read_text(errors="replace"):
            print(f"  server log has errors:\n{tail(log_path)}")


@contextlib.contextmanager
def app_server(url: str, workers: int, tmp: Path, secret_key: str) -> Iterator[str]:
    """``uvicorn alur.web.asgi:app`` (``workers`` processes) on a free port of 127.0.0.1;
    yields its base URL."""
    started = serving_app(
        url,
        tmp,
        startup_timeout=STARTUP_TIMEOUT,
        environ={"ALUR_SECRET_KEY": secret_key},
        workers=workers,
        options=("--no-access-log",),
    )
    try:
        with started as app:
            yield app.base
    except AppDidNotStart as exc:
        raise SystemExit(str(exc)) from exc
    _report_errors(app.log_path)


@contextlib.contextmanager
def script_server(script: str, url: str, tmp: Path) -> Iterator[str]:
    """``script --serve --port PORT --database-url URL`` (a benchmark serving its own app)
    on a free port of 127.0.0.1; yields its base URL."""
    port = free_port()
    server = ServerProcess(
        [sys.executable, script, "--serve", "--port", str(port), "--database-url", url],
        base=f"http://127.0.0.1:{port}",
        log_path=tmp / f"server-{port}.log",
        cwd=tmp,
        startup_timeout=STARTUP_TIMEOUT,
        stop_signal=signal.SIGINT,
    )
    try:
        with server:
            yield server.base
    except AppDidNotStart as exc:
        raise SystemExit(str(exc)) from exc
    _report_errors(server.log_path)
