"""A throwaway PostgreSQL server for the test suite and the benchmarks.

:class:`TemporaryPostgres` runs ``initdb`` into a temporary directory (in /dev/shm when the
server need not be durable and that has room) and starts the server with ``pg_ctl`` on a free
port of 127.0.0.1 (its unix socket stays inside that directory), so it never touches a system
cluster. On exit — also at interpreter exit, e.g. after Ctrl-C —
it stops the server and removes the directory; servers left behind by a killed process are
reaped the next time one starts. The role is ``alur`` (a superuser, ``trust`` auth)::

    with TemporaryPostgres() as pg:
        pg.create_database("alur")
        url = pg.url("alur")  # postgresql://alur@127.0.0.1:PORT/alur

It needs the PostgreSQL server binaries (Debian: ``/usr/lib/postgresql/<major>/bin`` from the
``postgresql`` package, which ``scripts/setup`` installs). As root the server runs as the
``postgres`` system user, because ``initdb`` refuses to run as root.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Coroutine, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from alur.core.errors import N_, AlurError

ROLE = "alur"
DIR_PREFIX = "alur-pg-"
OWNER_FILE = "owner.pid"
START_ATTEMPTS = 4
LOG_TAIL_LINES = 25
SHM_DIR = "/dev/shm"
SHM_MIN_FREE = 1 << 30  # a test cluster with its per-test databases needs ~100 MB

# Settings for a test server: losing it in a crash is fine, waiting for the disk is not.
FAST_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}

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


def _quote(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"not a plain database name: {name!r}")
    return f'"{name}"'


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class TemporaryPostgres:
    """A PostgreSQL cluster in a temporary directory, started and removed with the context.

    ``durable=False`` (the default, for tests) turns off fsync, synchronous_commit and
    full_page_writes and puts the cluster in /dev/shm when that is a tmpfs with room (else in
    the temporary directory); benchmarks that measure commits pass ``durable=True``.
    ``directory`` chooses the parent directory; ``settings`` adds or overrides
    ``postgresql.conf`` entries (values as written in the file, e.g. ``"'128MB'"``).
    """

    def __init__(
        self,
        *,
        durable: bool = False,
        settings: Mapping[str, str] | None = None,
        bindir: str | os.PathLike[str] | None = None,
        directory: str | os.PathLike[str] | None = None,
        max_connections: int = 200,
        start_timeout: int = 60,
    ) -> None:
        self.durable = durable
        self.settings = dict(settings or {})
        self.max_connections = max_connections
        self.start_timeout = start_timeout
        self._bindir = Path(bindir) if bindir is not None else None
        self._directory = str(directory) if directory is not None else None
        self.bindir: Path | None = None
        self.dir: Path | None = None
        self.port: int | None = None
        self.major: int = 0  # server major version, e.g. 15
        self._as_postgres = os.geteuid() == 0
        self._running = False
        self._admin: _AdminConnection | None = None

    # --- paths and commands -------------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        assert self.dir is not None, "the server is not started"
        return self.dir / "data"

    @property
    def log_path(self) -> Path:
        assert self.dir is not None, "the server is not started"
        return self.dir / "server.log"

    def url(self, dbname: str = "postgres") -> str:
        """``postgresql://alur@127.0.0.1:PORT/dbname``."""
        if self.port is None:
            raise RuntimeError("the temporary PostgreSQL server is not started")
        return f"postgresql://{ROLE}@127.0.0.1:{self.port}/{dbname}"

    @property
    def running(self) -> bool:
        return self._running

    def _command(self, program: str, *args: str) -> list[str]:
        assert self.bindir is not None
        command = [str(self.bindir / program), *args]
        if self._as_postgres:
            return ["runuser", "-u", "postgres", "--", *command]
        return command

    def _run(
        self, program: str, *args: str, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        # stdin/stdout must not be pipes the detached postmaster could inherit and hold open.
        return subprocess.run(
            self._command(program, *args),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "LC_ALL": "C", "LANG": "C"},
            cwd="/",
        )

    def _log_tail(self) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no server log)"
        return "\n".join(lines[-LOG_TAIL_LINES:]) or "(empty server log)"

    # --- lifecycle ----------------------------------------------------------------------

    def __enter__(self) -> TemporaryPostgres:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> TemporaryPostgres:
        if self._running:
            return self
        self.bindir = self._bindir or find_bindir()
        for program in ("initdb", "pg_ctl"):
            if not (self.bindir / program).exists():
                raise PostgresUnavailable(reason=f"{self.bindir / program} does not exist")
        self.major = self._major_version()
        postgres_user = self._postgres_user()
        _reap_stale(self)
        base = self._directory or _temp_base(self.durable, postgres_user is not None)
        self.dir = Path(tempfile.mkdtemp(prefix=DIR_PREFIX, dir=base))
        (self.dir / OWNER_FILE).write_text(f"{os.getpid()}\n")
        if postgres_user is not None:
            os.chown(self.dir, postgres_user.pw_uid, postgres_user.pw_gid)
        atexit.register(self.stop)
        try:
            self._initdb()
            self._start_server()
        except BaseException:
            self.stop()
            raise
        return self

    def _major_version(self) -> int:
        assert self.bindir is not None
        try:
            out = subprocess.run(
                [str(self.bindir / "pg_ctl"), "--version"],
                capture_output=True,
                text=True,
                timeout=30,
            ).stdout
        except (OSError, subprocess.SubprocessError) as exc:
            raise PostgresUnavailable(reason=f"cannot run {self.bindir / 'pg_ctl'}: {exc}") from exc
        found = re.search(r"(\d+)", out)
        return int(found.group(1)) if found else 0

    def _postgres_user(self) -> pwd.struct_passwd | None:
        if not self._as_postgres:
            return None
        try:
            return pwd.getpwnam("postgres")
        except KeyError:
            raise PostgresUnavailable(
                reason="running as root, but there is no 'postgres' system user to run the "
                "server as (initdb refuses to run as root)"
            ) from None

    def _initdb(self) -> None:
        args = ["-D", str(self.data_dir), "--auth=trust", "-U", ROLE, "-E", "UTF8"]
        args.append("--locale=C")
        if self.major >= 14:
            args.append("--no-instructions")
        if not self.durable:
            args.append("--no-sync")
        done = self._run("initdb", *args)
        if done.returncode != 0:
            output = (done.stdout + done.stderr).strip().splitlines()[-LOG_TAIL_LINES:]
            raise PostgresUnavailable(
                reason=f"initdb failed (exit {done.returncode}):\n" + "\n".join(output)
            )
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.dir}'",
            "max_connections": str(self.max_connections),
            "logging_collector": "off",
        }
        if not self.durable:
            settings.update(FAST_SETTINGS)
        settings.update(self.settings)
        lines = "".join(f"{key} = {value}\n" for key, value in settings.items())
        # initdb ran as the server user; append as root/us is fine (the file stays theirs).
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("\n# alur.tenants.testing.postgres.TemporaryPostgres\n" + lines)

    def _start_server(self) -> None:
        for _attempt in range(START_ATTEMPTS):
            self.port = _free_port()
            self.log_path.unlink(missing_ok=True)  # only this attempt's messages
            done = self._run(
                "pg_ctl",
                *("-D", str(self.data_dir), "-l", str(self.log_path)),
                *("-w", "-t", str(self.start_timeout), "-o", f"-p {self.port}", "start"),
                timeout=self.start_timeout + 30,
            )
            if done.returncode == 0:
                self._running = True
                return
            tail = self._log_tail()
            if "could not bind" in tail or "Address already in use" in tail:
                self._stop_server()  # another process took the port first: try another one
                continue
            break
        raise PostgresUnavailable(
            reason=f"the server in {self.data_dir} did not start (pg_ctl: "
            f"{(done.stderr or done.stdout).strip() or done.returncode}); server log:\n{tail}"
        )

    def _stop_server(self) -> None:
        if self.dir is None or not (self.data_dir / "postmaster.pid").exists():
            return
        for mode in ("fast", "immediate"):
            stop = ("-D", str(self.data_dir), "-m", mode, "-w", "-t", "30", "stop")
            with contextlib.suppress(subprocess.TimeoutExpired):
                done = self._run("pg_ctl", *stop, timeout=60)
                if done.returncode == 0 or not (self.data_dir / "postmaster.pid").exists():
                    return

    def stop(self) -> None:
        """Stop the server (fast, else immediate shutdown) and remove its directory."""
        atexit.unregister(self.stop)
        if self.dir is None:
            return
        try:
            if self._admin is not None:
                self._admin.close()
                self._admin = None
            if self.bindir is not None:
                self._stop_server()
        finally:
            self._running = False
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    # --- databases ----------------------------------------------------------------------
    #
    # Administrative statements go through one connection to the "postgres" database, kept
    # open on a private event loop in a helper thread: callable from sync code and from any
    # event loop, and a few milliseconds cheaper per test database than a new connection.

    def _admin_submit(self, sql: str) -> concurrent.futures.Future[None]:
        if not self._running:
            raise RuntimeError("the temporary PostgreSQL server is not started")
        if self._admin is None:
            self._admin = _AdminConnection(self.url())
        return self._admin.submit(sql)

    def execute(self, sql: str) -> None:
        """Run one statement as ``alur`` (a superuser) in the ``postgres`` database."""
        self._admin_submit(sql).result()

    async def execute_async(self, sql: str) -> None:
        await asyncio.wrap_future(self._admin_submit(sql))

    def _create_sql(self, name: str, template: str | None) -> str:
        sql = f"CREATE DATABASE {_quote(name)} OWNER {ROLE}"
        if template:
            sql += f" TEMPLATE {_quote(template)}"
            if self.major >= 15:
                # Copy the files instead of WAL-logging every page (the default since 15):
                # several times faster for the small test databases.
                sql += " STRATEGY FILE_COPY"
        return sql

    def _drop_sql(self, name: str) -> str:
        force = " WITH (FORCE)" if self.major >= 13 else ""
        return f"DROP DATABASE IF EXISTS {_quote(name)}{force}"

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create database ``name`` (a copy of ``template`` if given); returns its URL.

        Nothing may be connected to ``template`` meanwhile (PostgreSQL refuses to copy it).
        """
        self.execute(self._create_sql(name, template))
        return self.url(name)

    async def create_database_async(self, name: str, template: str | None = None) -> str:
        await self.execute_async(self._create_sql(name, template))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop ``name`` if it exists, ending the connections still open to it."""
        self.execute(self._drop_sql(name))

    async def drop_database_async(self, name: str) -> None:
        await self.execute_async(self._drop_sql(name))


class _AdminConnection:
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


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _memory_dir() -> str | None:
    """/dev/shm if it is a writable tmpfs with room for a test cluster, else None."""
    try:
        stat = os.statvfs(SHM_DIR)
    except OSError:
        return None
    if stat.f_bavail * stat.f_frsize < SHM_MIN_FREE or not os.access(SHM_DIR, os.W_OK):
        return None
    return SHM_DIR


def _temp_bases() -> list[str]:
    return [base for base in (_memory_dir(), tempfile.gettempdir()) if base]


def _temp_base(durable: bool, for_postgres_user: bool) -> str:
    """Where the cluster goes: in memory if it need not be durable, else the temp directory.

    Copying a template database is ~10 times faster on tmpfs than on a VM's disk. As root,
    the directory must be one the postgres user can reach.
    """
    base = (None if durable else _memory_dir()) or tempfile.gettempdir()
    if for_postgres_user:
        path = Path(base).resolve()
        if not all(os.stat(p).st_mode & 0o001 for p in (path, *path.parents)):
            base = "/tmp"
    return base


def _reap_stale(server: TemporaryPostgres) -> None:
    """Stop and remove the servers of processes that died without cleaning up (SIGKILL)."""
    candidates = {
        c for base in _temp_bases() for c in glob.glob(os.path.join(base, DIR_PREFIX + "*"))
    }
    for candidate in sorted(candidates):
        directory = Path(candidate)
        try:
            owner = int((directory / OWNER_FILE).read_text().strip())
        except (OSError, ValueError):
            continue
        if owner == os.getpid() or _pid_alive(owner):
            continue
        if (directory / "data" / "postmaster.pid").exists():
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                stop = ("-D", str(directory / "data"), "-m", "immediate", "-w", "stop")
                server._run("pg_ctl", *stop, timeout=60)
        shutil.rmtree(directory, ignore_errors=True)
