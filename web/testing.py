"""Running the real app for tests and benchmarks: ``uvicorn alur.web.asgi:app`` in a
subprocess on a free 127.0.0.1 port."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx


class AppDidNotStart(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running_app(
    database_url: str,
    workdir: Path,
    *,
    startup_timeout: float = 60.0,
    environ: Mapping[str, str] | None = None,
) -> Iterator[tuple[str, Path]]:
    """Serve the app on ``database_url`` (``environ``: more settings); yields (base URL,
    server log path)."""
    port = free_port()
    log_path = workdir / f"server-{port}.log"
    env = {
        **os.environ,
        "ALUR_DATABASE_URL": database_url,
        "ALUR_SECRET_KEY": "test-secret-" + "k" * 32,
        "PYTHONUNBUFFERED": "1",
        **(environ or {}),
    }
    command = [
        *(sys.executable, "-m", "uvicorn", "alur.web.asgi:app"),
        *("--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"),
        "--no-proxy-headers",  # as `alur serve`: the app alone reads X-Forwarded-For
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if process.poll() is not None:
                raise AppDidNotStart(
                    f"uvicorn exited ({process.returncode}):\n{log_path.read_text()}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise AppDidNotStart(f"uvicorn did not answer in {startup_timeout:.0f} s")
            time.sleep(0.1)
        yield base, log_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
