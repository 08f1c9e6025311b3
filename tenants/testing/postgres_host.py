"""Where a throwaway PostgreSQL server lives on this machine, for
:mod:`alur.tenants.testing.postgres`: the server binaries, a free port, the temporary
directory (in /dev/shm when that has room), reaping the clusters of processes that died,
and the private event loops that run its administrative connection and
:func:`run_coroutine`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import glob
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from alur.core.errors import N_, AlurError

DIR_PREFIX = "alur-pg-"
OWNER_FILE = "owner.pid"
SHM_DIR = "/dev/shm"
SHM_MIN_FREE = 1 << 30  # a test cluster with its per-test databases needs ~100 MB

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
T = TypeVar("T")


class PostgresUnavailable(AlurError):
    code = "postgres_unavailable"
    template = N_(
        "cannot run a throwaway PostgreSQL server: {reason}. Run scripts/setup (as root on "
        "Debian it installs the 'postgresql' package) or install Debian's 'postgresql' "
        "package (apt-get install postgresql)"
    )


def find_bindir() -> Path:
    """The directory holding ``initdb`` and ``pg_ctl``: the newest Debian one, else pg_config's."""
    candidates: list[tuple[tuple[int, ...], Path]] = []
    for pg_ctl in glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"):
        bindir = Path(pg_ctl).parent
        version = tuple(int(p) for p in re.findall(r"\d+", bindir.parent.name)) or (0,)
        if (bindir / "initdb").exists():
            candidates.append((version, bindir))
    if candidates:
        return max(candidates)[1]
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=10
            ).stdout.strip()
            if out and (Path(out) / "pg_ctl").exists() and (Path(out) / "initdb").exists():
                return Path(out)
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl and (Path(pg_ctl).parent / "initdb").exists():
        return Path(pg_ctl).parent
    raise PostgresUnavailable(
        reason="no PostgreSQL server binaries (initdb, pg_ctl) in /usr/lib/postgresql/*/bin, "
        "pg_config --bindir or PATH"
    )


def run_coroutine(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion on a private event loop in a helper thread.

    Works whether or not the caller is inside a running event loop (a sync pytest fixture
    of an async test, a benchmark's ``main``).
    """
    result: list[T] = []
    error: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(coro))
        except BaseException as exc:
            error.append(exc)

    thread = threading.Thread(target=target, name="alur-temporary-postgres")
    thread.start()
    thread.join()
    if error:
        raise error[0]
    return result[0]


def quote_name(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"not a plain database name: {name!r}")
    return f'"{name}"'


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class AdminConnection:
    """One asyncpg connection on its own event loop thread; statements run in order."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="alur-temporary-postgres", daemon=True
        )
        self.thread.start()
        self.connection: Any = None
        self.lock = asyncio.Lock()

    def submit(self, sql: str) -> concurrent.futures.Future[None]:
        return asyncio.run_coroutine_threadsafe(self._execute(sql), self.loop)

    async def _execute(self, sql: str) -> None:
        import asyncpg

        async with self.lock:
            if self.connection is None or self.connection.is_closed():
                self.connection = await asyncpg.connect(self.url)
            await self.connection.execute(sql)

    async def _close(self) -> None:
        if self.connection is not None and not self.connection.is_closed():
            await self.connection.close(timeout=5)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(self._close(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        if not self.thread.is_alive():
            self.loop.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def memory_dir() -> str | None:
    """/dev/shm if it is a writable tmpfs with room for a test cluster, else None."""
    try:
        stat = os.statvfs(SHM_DIR)
    except OSError:
        return None
    if stat.f_bavail * stat.f_frsize < SHM_MIN_FREE or not os.access(SHM_DIR, os.W_OK):
        return None
    return SHM_DIR


def temp_bases() -> list[str]:
    return [base for base in (memory_dir(), tempfile.gettempdir()) if base]


def temp_base(durable: bool, for_postgres_user: bool) -> str:
    """Where the cluster goes: in memory if it need not be durable, else the temp directory.

    Copying a template database is ~10 times faster on tmpfs than on a VM's disk. As root,
    the directory must be one the postgres user can reach.
    """
    base = (None if durable else memory_dir()) or tempfile.gettempdir()
    if for_postgres_user:
        path = Path(base).resolve()
        if not all(os.stat(p).st_mode & 0o001 for p in (path, *path.parents)):
            base = "/tmp"
    return base


def reap_stale(run: Callable[..., object]) -> None:
    """Stop and remove the servers of processes that died without cleaning up (SIGKILL)."""
    candidates = {
        c for base in temp_bases() for c in glob.glob(os.path.join(base, DIR_PREFIX + "*"))
    }
    for candidate in sorted(candidates):
        directory = Path(candidate)
        try:
            owner = int((directory / OWNER_FILE).read_text().strip())
        except (OSError, ValueError):
            continue
        if owner == os.getpid() or pid_alive(owner):
            continue
        if (directory / "data" / "postmaster.pid").exists():
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                stop = ("-D", str(directory / "data"), "-m", "immediate", "-w", "stop")
                run("pg_ctl", *stop, timeout=60)
        shutil.rmtree(directory, ignore_errors=True)
