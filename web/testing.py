"""Running the real app for tests and benchmarks, and driving its forms.

One way to start a server: :class:`ServerProcess` runs a command (uvicorn, ``alur serve``,
nginx, a benchmark's own server) in a new process group on a free 127.0.0.1 port, with the
given environment and its output in a log file, waits until it answers, and stops it (the
whole group: uvicorn's workers too). :func:`serving_app` (and :func:`running_app`) serve
``uvicorn alur.web.asgi:app`` on a database that way; the browser tests, the HTTP tests and
the benchmarks all use them.

Signing in and CSRF, the same for every test: :func:`csrf_token` reads a page's token,
:func:`fetch_csrf` a path's, :func:`post_login` posts the login form, :func:`sign_in_sync`
(a litestar ``TestClient`` or any ``httpx.Client``) and :func:`sign_in` (an
``httpx.AsyncClient``) sign in or raise :class:`SignInFailed`; :class:`FormSite` is a
client that signs in as anyone and posts forms with their token. :func:`resident_mib` reads
a process's memory.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import httpx


class AppDidNotStart(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """``command`` (a web server answering at ``base``) in its own process group.

    ``environ`` is added to this process's environment; the output goes to ``log_path``
    (``error_log``: where else the server writes its errors, shown when it fails). As a
    context manager it starts, waits until ``ready_path`` answers 200 (``verify``: how to
    check an HTTPS server) and stops; :meth:`start` alone does not wait (start something
    else meanwhile, then :meth:`wait_until_ready`). :meth:`stop` sends ``stop_signal`` to
    the group, then SIGKILL after ``stop_timeout`` seconds.
    """

    def __init__(
        self,
        command: Sequence[str],
        *,
        base: str,
        log_path: Path,
        cwd: Path | None = None,
        environ: Mapping[str, str] | None = None,
        ready_path: str = "/login",
        verify: ssl.SSLContext | bool = True,
        startup_timeout: float = 60.0,
        stop_signal: int = signal.SIGTERM,
        stop_timeout: float = 20.0,
        error_log: Path | None = None,
    ) -> None:
        self.command = list(command)
        self.base = base
        self.log_path = log_path
        self.cwd = cwd
        self.environ = dict(environ or {})
        self.ready_path = ready_path
        self.verify = verify
        self.startup_timeout = startup_timeout
        self.stop_signal = stop_signal
        self.stop_timeout = stop_timeout
        self.error_log = error_log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None, "the server is not started"
        return self.process.pid

    def log(self) -> str:
        """The server's output so far (and its error log, if it has one)."""
        texts = []
        for path in (self.log_path, self.error_log):
            with contextlib.suppress(OSError):
                if path is not None:
                    texts.append(path.read_text(errors="replace"))
        return "\n".join(texts)

    def start(self) -> Self:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=self.cwd,
                env={**os.environ, **self.environ},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def answers(self) -> bool:
        with contextlib.suppress(httpx.HTTPError):
            response = httpx.get(self.base + self.ready_path, timeout=2, verify=self.verify)
            return response.status_code == 200
        return False

    def wait_until_ready(self) -> Self:
        """Wait until the server answers; :class:`AppDidNotStart` (with its output) if it
        exits first or does not answer within ``startup_timeout`` seconds."""
        assert self.process is not None, "the server is not started"
        shown = " ".join(self.command)
        deadline = time.monotonic() + self.startup_timeout
        while not self.answers():
            if self.process.poll() is not None:
                raise AppDidNotStart(
                    f"`{shown}` exited with {self.process.returncode} before answering "
                    f"{self.base}{self.ready_path}. Its output:\n{self.log()}"
                )
            if time.monotonic() > deadline:
                raise AppDidNotStart(
                    f"`{shown}` did not answer {self.base}{self.ready_path} within "
                    f"{self.startup_timeout:.0f} s. Its output:\n{self.log()}"
                )
            time.sleep(0.1)
        return self

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, self.stop_signal)
        try:
            process.wait(timeout=self.stop_timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def __enter__(self) -> Self:
        self.start()
        try:
            return self.wait_until_ready()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()


def uvicorn_command(port: int, *options: str, app: str = "alur.web.asgi:app") -> list[str]:
    """``python -m uvicorn APP`` on 127.0.0.1:``port``, as ``alur serve`` runs it (the app
    alone reads X-Forwarded-For), plus ``options``."""
    return [
        *(sys.executable, "-m", "uvicorn", app),
        *("--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"),
        "--no-proxy-headers",
        *options,
    ]


@dataclass(frozen=True)
class ServedApp:
    base: str  # http://127.0.0.1:PORT
    log_path: Path
    pid: int  # the uvicorn process (with one worker it serves the app itself)


@contextlib.contextmanager
def serving_app(
    database_url: str,
    workdir: Path,
    *,
    startup_timeout: float = 60.0,
    environ: Mapping[str, str] | None = None,
    workers: int = 1,
    options: Sequence[str] = (),
) -> Iterator[ServedApp]:
    """Serve the app on ``database_url`` (``environ``: more settings, which may replace
    the test secret key; ``workers`` uvicorn processes; ``options``: more uvicorn options);
    yields where and as which process."""
    port = free_port()
    env = {
        "ALUR_DATABASE_URL": database_url,
        "ALUR_SECRET_KEY": "test-secret-" + "k" * 32,
        "PYTHONUNBUFFERED": "1",
        **(environ or {}),
    }
    more = ("--workers", str(workers)) if workers != 1 else ()
    server = ServerProcess(
        uvicorn_command(port, *more, *options),
        base=f"http://127.0.0.1:{port}",
        log_path=workdir / f"server-{port}.log",
        cwd=workdir,
        environ=env,
        startup_timeout=startup_timeout,
    )
    with server:
        yield ServedApp(server.base, server.log_path, server.pid)


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


# --- signing in and CSRF --------------------------------------------------------------------

CSRF_TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')
SESSION_COOKIE = "alur_session"
HTMX = {"HX-Request": "true"}


class SignInFailed(AssertionError):
    """A sign-in the test expected to work was refused (an assertion of the test)."""


class NoCsrfToken(AssertionError):
    """A page the test expected to hold a form has no CSRF token."""


def csrf_token(html: str) -> str:
    """The CSRF token of the (first) form in ``html``."""
    found = CSRF_TOKEN.search(html)
    if found is None:
        raise NoCsrfToken(f"no CSRF token in the page: {html[:300]}")
    return found.group(1)


def fetch_csrf(client: httpx.Client, path: str = "/login") -> str:
    """The CSRF token of the form on ``path`` (fetched with ``client``)."""
    return csrf_token(client.get(path).text)


def post_login(
    client: httpx.Client,
    username: str,
    password: str,
    *,
    base: str = "",
    headers: Mapping[str, str] | None = None,
    **fields: str,
) -> httpx.Response:
    """Post the login form (its CSRF token first; ``fields``: e.g. ``next``), no redirects.
    ``base``: the server's URL when ``client`` has no ``base_url``."""
    data = {"_csrf_token": fetch_csrf(client, f"{base}/login"), **fields}
    data |= {"username": username, "password": password}
    return client.post(
        f"{base}/login", data=data, headers=dict(headers or {}), follow_redirects=False
    )


def sign_in_sync(
    client: httpx.Client, username: str, password: str, **fields: str
) -> httpx.Response:
    """Sign ``client`` in through the login form (the redirect after it is not followed);
    :class:`SignInFailed` if it is refused."""
    response = post_login(client, username, password, **fields)
    if response.status_code != 303:
        raise SignInFailed(
            f"{username} could not sign in: {response.status_code} {response.text[:300]}"
        )
    return response


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


@dataclass
class FormSite:
    """A client of the app that signs in as anyone (``password``) and posts forms with a
    fresh CSRF token; redirects are never followed. ``ids``: what the test provisioned."""

    client: httpx.Client
    password: str
    ids: dict[str, int] = field(default_factory=dict)

    def csrf(self, path: str = "/login") -> str:
        return fetch_csrf(self.client, path)

    def login(self, username: str, password: str | None = None) -> httpx.Response:
        """Forget the current session, then post the login form (any outcome)."""
        self.client.cookies.delete(SESSION_COOKIE)
        return post_login(self.client, username, self.password if password is None else password)

    def as_user(self, username: str) -> Self:
        response = self.login(username)
        if response.status_code != 303:
            raise SignInFailed(f"{username} could not sign in: {response.text[:300]}")
        return self

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(path, follow_redirects=False, **kwargs)

    def post(
        self, path: str, data: dict[str, Any] | None = None, htmx: bool = False
    ) -> httpx.Response:
        return self.client.post(
            path,
            data={**(data or {}), "_csrf_token": self.csrf()},
            headers=HTMX if htmx else {},
            follow_redirects=False,
        )


def resident_mib(pid: int) -> float:
    """The resident memory of process ``pid`` in MiB (``VmRSS`` in ``/proc/PID/status``)."""
    status = Path(f"/proc/{pid}/status").read_text()
    found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"no VmRSS for process {pid} (has it exited?)")
    return int(found.group(1)) / 1024
