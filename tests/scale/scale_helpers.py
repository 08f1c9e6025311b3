"""The pieces of the scale-out test (tests/scale/test_scale_out.py): a throwaway PostgreSQL
with office A of :mod:`alur.graphql.testing` and cases, several app processes and the
worker on it, and Debian's nginx in front of them with a configuration written here.

nginx never runs as the system service: it gets its own prefix, configuration, pid file,
logs and temp directories in the test's directory. Its upstream uses passive health only
(``max_fails``/``fail_timeout``; no /healthz needed): a process that refuses connections is
skipped, and a request not yet sent to it goes to the next one (``proxy_next_upstream
error timeout``, nginx's default; a POST already sent is never sent twice). A 503 of the app
(the database away) is passed through as it is, so clients see the app's clear answer.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from alur.core.plugins import create_plugin_manager
from alur.graphql.testing import SOP_A, provision
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.testing.people import use_cheap_hasher
from alur.web.testing import ServerProcess, free_port, uvicorn_command

ALUR = str(Path(sys.executable).parent / "alur")
SECRET_KEY = "scale-secret-" + "s" * 32


@dataclass
class Office:
    tokens: dict[str, str]
    cases: list[str]  # keys of cases whose open task 1 belongs to the Staf role


async def provision_office(url: str, cases: int) -> Office:
    use_cheap_hasher()
    db = await open_database(url)
    try:
        world = await provision(db, create_plugin_manager())
        staf = world.users["staf"]
        keys = [
            (await world.a.start_case(staf, SOP_A, f"Tahun {2000 + i}")).key for i in range(cases)
        ]
        return Office(world.tokens, keys)
    finally:
        await close_database(db)


def app_environ(url: str) -> dict[str, str]:
    """The settings every app process (and the worker) shares."""
    return {
        "ALUR_DATABASE_URL": url,
        "ALUR_SECRET_KEY": SECRET_KEY,
        "ALUR_AUDIT_KEY": os.environ["ALUR_AUDIT_KEY"],  # set by tests/database_fixtures.py
        "ALUR_DATABASE_POOL_SIZE": "4",
        "ALUR_LOGIN_MAX_PER_USERNAME": "4",
        "ALUR_LOGIN_MAX_PER_ADDRESS": "1000",  # every client comes from 127.0.0.1 here
        "PYTHONUNBUFFERED": "1",
    }


@dataclass
class Cluster:
    directory: Path
    apps: list[ServerProcess] = field(default_factory=list)
    worker: subprocess.Popen[bytes] | None = None
    proxy: ServerProcess | None = None

    @property
    def base(self) -> str:
        assert self.proxy is not None
        return self.proxy.base

    def kill_app(self, index: int) -> None:
        """SIGKILL app process ``index`` (its whole process group), no clean-up."""
        process = self.apps[index].process
        assert process is not None
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def logs(self) -> str:
        parts = [f"--- {a.base}\n{a.log()}" for a in self.apps]
        worker_log = self.directory / "worker.log"
        if worker_log.exists():
            parts.append(f"--- worker\n{worker_log.read_text(errors='replace')}")
        if self.proxy is not None:
            parts.append(f"--- nginx\n{self.proxy.log()}")
        return "\n".join(parts)


def nginx_binary() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if found is None:
        pytest.fail("nginx is not installed: run scripts/setup (Debian package 'nginx')")
    return found


def nginx_conf(directory: Path, port: int, upstreams: list[str]) -> str:
    temp = "\n".join(
        f"    {kind}_temp_path {directory / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    servers = "\n".join(f"        server {u} max_fails=1 fail_timeout=5s;" for u in upstreams)
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}worker_processes 1;\n"
        f"pid {directory / 'nginx.pid'};\n"
        f"error_log {directory / 'error.log'} warn;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        f"    access_log {directory / 'access.log'};\n"
        f"{temp}\n"
        "    upstream alur {\n"
        f"{servers}\n"
        "        keepalive 16;\n"
        "    }\n"
        "    server {\n"
        f"        listen 127.0.0.1:{port};\n"
        "        location / {\n"
        "            proxy_pass http://alur;\n"
        "            proxy_http_version 1.1;\n"
        '            proxy_set_header Connection "";\n'
        "            proxy_set_header Host $host;\n"
        "            proxy_next_upstream error timeout;\n"
        "            proxy_connect_timeout 2s;\n"
        "            proxy_read_timeout 60s;\n"
        "        }\n"
        "    }\n"
        "}\n"
    )


def start_proxy(directory: Path, upstreams: list[str]) -> ServerProcess:
    directory.mkdir()
    port = free_port()
    conf = directory / "nginx.conf"
    conf.write_text(nginx_conf(directory, port, upstreams))
    command = [
        nginx_binary(),
        "-p",
        str(directory),
        "-c",
        str(conf),
        "-e",
        str(directory / "error.log"),
    ]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    return ServerProcess(
        [*command, "-g", "daemon off;"],
        base=f"http://127.0.0.1:{port}",
        log_path=directory / "nginx.out",
        error_log=directory / "error.log",
        startup_timeout=30,
        stop_timeout=15,
    )


@contextlib.contextmanager
def cluster(url: str, directory: Path, processes: int) -> Iterator[Cluster]:
    """``processes`` uvicorn processes of the app and ``alur worker`` on ``url``, nginx in
    front; everything is stopped (and killed if need be) on the way out."""
    env = app_environ(url)
    made = Cluster(directory)
    try:
        for _ in range(processes):
            port = free_port()
            made.apps.append(
                ServerProcess(
                    uvicorn_command(port, "--no-access-log"),
                    base=f"http://127.0.0.1:{port}",
                    log_path=directory / f"app-{port}.log",
                    cwd=directory,
                    environ=env,
                    startup_timeout=90,
                ).start()
            )
        with (directory / "worker.log").open("wb") as log:
            made.worker = subprocess.Popen(
                [ALUR, "worker"],
                env={**os.environ, **env},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        for app in made.apps:
            app.wait_until_ready()
        made.proxy = start_proxy(
            directory / "nginx", [a.base.removeprefix("http://") for a in made.apps]
        )
        made.proxy.start().wait_until_ready()
        yield made
    finally:
        if made.proxy is not None:
            made.proxy.stop()
        if made.worker is not None and made.worker.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(made.worker.pid, signal.SIGTERM)
            try:
                made.worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(made.worker.pid, signal.SIGKILL)
                made.worker.wait(timeout=10)
        for app in made.apps:
            app.stop()
