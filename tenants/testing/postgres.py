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
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

from alur.tenants.testing.postgres_host import (
    DIR_PREFIX,
    OWNER_FILE,
    AdminConnection,
    PostgresUnavailable,
    find_bindir,
    free_port,
    quote_name,
    reap_stale,
    run_coroutine,
    temp_base,
)

__all__ = ["PostgresUnavailable", "TemporaryPostgres", "find_bindir", "run_coroutine"]

ROLE = "alur"
START_ATTEMPTS = 4
LOG_TAIL_LINES = 25

# Settings for a test server: losing it in a crash is fine, waiting for the disk is not.
FAST_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


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
        self._admin: AdminConnection | None = None

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
        reap_stale(self._run)
        base = self._directory or temp_base(self.durable, postgres_user is not None)
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
            self.port = free_port()
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

    def pause(self, mode: str = "fast") -> None:
        """Shut the server down (``mode``: pg_ctl's ``fast`` ends the sessions, as a restart
        does; ``immediate`` is a crash), keeping its data and port for :meth:`resume`."""
        if not self._running:
            raise RuntimeError("the temporary PostgreSQL server is not started")
        if self._admin is not None:
            self._admin.close()
            self._admin = None
        done = self._run(
            "pg_ctl", *("-D", str(self.data_dir), "-m", mode, "-w", "-t", "60", "stop"), timeout=90
        )
        if done.returncode != 0:
            raise PostgresUnavailable(reason=f"pg_ctl stop failed: {done.stderr.strip()}")
        self._running = False

    def resume(self) -> None:
        """Start the server paused by :meth:`pause` again, on the same port."""
        if self._running:
            return
        done = self._run(
            "pg_ctl",
            *("-D", str(self.data_dir), "-l", str(self.log_path)),
            *("-w", "-t", str(self.start_timeout), "-o", f"-p {self.port}", "start"),
            timeout=self.start_timeout + 30,
        )
        if done.returncode != 0:
            raise PostgresUnavailable(
                reason=f"the server did not start again on port {self.port}:\n{self._log_tail()}"
            )
        self._running = True

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
            self._admin = AdminConnection(self.url())
        return self._admin.submit(sql)

    def execute(self, sql: str) -> None:
        """Run one statement as ``alur`` (a superuser) in the ``postgres`` database."""
        self._admin_submit(sql).result()

    async def execute_async(self, sql: str) -> None:
        await asyncio.wrap_future(self._admin_submit(sql))

    def _create_sql(self, name: str, template: str | None) -> str:
        sql = f"CREATE DATABASE {quote_name(name)} OWNER {ROLE}"
        if template:
            sql += f" TEMPLATE {quote_name(template)}"
            if self.major >= 15:
                # Copy the files instead of WAL-logging every page (the default since 15):
                # several times faster for the small test databases.
                sql += " STRATEGY FILE_COPY"
        return sql

    def _drop_sql(self, name: str) -> str:
        force = " WITH (FORCE)" if self.major >= 13 else ""
        return f"DROP DATABASE IF EXISTS {quote_name(name)}{force}"

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
