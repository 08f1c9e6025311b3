"""Running the real app for tests and benchmarks: ``uvicorn alur.web.asgi:app`` in a
subprocess on a free 127.0.0.1 port; signing in to it; reading its resident memory."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx


class AppDidNotStart(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class ServedApp:
    base: str  # http://127.0.0.1:PORT
    log_path: Path
    pid: int  # the uvicorn process (it serves the app itself: no workers)


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
    with serving_app(
        database_url, workdir, startup_timeout=startup_timeout, environ=environ
    ) as app:
        yield app.base, app.log_path


@contextlib.contextmanager
def serving_app(
    database_url: str,
    workdir: Path,
    *,
    startup_timeout: float = 60.0,
    environ: Mapping[str, str] | None = None,
) -> Iterator[ServedApp]:
    """Serve the app on ``database_url`` (``environ``: more settings); yields where and as
    which process."""
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
        yield ServedApp(base, log_path, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


CSRF_TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


class SignInFailed(RuntimeError):
    pass


async def sign_in(client: httpx.AsyncClient, username: str, password: str) -> None:
    """Sign ``client`` in through the login form (its CSRF token, then the post)."""
    page = await client.get("/login")
    found = CSRF_TOKEN.search(page.text)
    if page.status_code != 200 or not found:
        raise SignInFailed(f"no login form for {username}: {page.status_code}")
    data = {"_csrf_token": found.group(1), "username": username, "password": password}
    r = await client.post("/login", data=data)
    if r.status_code != 303:
        raise SignInFailed(f"{username} could not sign in: {r.status_code} {r.text[:200]}")


def resident_mib(pid: int) -> float:
    """The resident memory of process ``pid`` in MiB (``VmRSS`` in ``/proc/PID/status``)."""
    status = Path(f"/proc/{pid}/status").read_text()
    found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"no VmRSS for process {pid} (has it exited?)")
    return int(found.group(1)) / 1024
