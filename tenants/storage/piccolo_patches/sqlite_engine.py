"""piccolo's SQLite engine, with statements outside a transaction run on reused connections.

Stock :class:`~piccolo.engine.sqlite.SQLiteEngine` opens a new ``aiosqlite`` connection —
a new thread, a ``connect``, a ``PRAGMA`` — for every statement that is not part of a
transaction, and hops between threads several times per statement. A page that reads ten
rows from five tables pays that five times. :class:`PooledSQLiteEngine` keeps one
``sqlite3`` connection open per thread (autocommit, foreign keys on) and runs such
statements like this:

- a ``SELECT`` runs at once, on the calling (event loop) thread. In WAL mode a reader never
  waits for a writer, and the pages' reads take a fraction of a millisecond; handing each
  to a worker thread cost more than the read itself (thread hops and the GIL passed back
  and forth: under 16 busy users the web benchmark served 245 requests/s that way, 407
  inline);
- any other statement goes to a small :class:`~concurrent.futures.ThreadPoolExecutor`,
  since a write may wait for the database lock.

Transactions are unchanged (piccolo's own connection per transaction), and in WAL mode
readers never block the writer nor see half of a transaction. ``inline_reads=False`` sends
reads to the workers too.

The worker threads end with the interpreter, or at :meth:`PooledSQLiteEngine.close`.

Upstream code it replaces: ``piccolo.engine.sqlite.SQLiteEngine._run_in_new_connection``,
as called by ``run_querystring`` and ``run_ddl`` outside a transaction, with the
``connection_kwargs`` ``__init__`` sets (read in piccolo 1.38.0). tests/storage/test_library_patches.py
pins their source and fails when an upgrade changes them; tests/storage/test_sqlite_engine.py checks
the behaviour.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine, dict_factory

READERS = 4  # worker threads (and open connections) per engine


def _is_read(query: str) -> bool:
    """A plain ``SELECT`` (a ``WITH`` may hide an ``UPDATE``: that goes to the workers)."""
    return query.lstrip()[:6].upper() == "SELECT"


class PooledSQLiteEngine(SQLiteEngine):
    """A :class:`SQLiteEngine` whose statements outside transactions reuse connections."""

    def __init__(
        self,
        path: str,
        *,
        readers: int = READERS,
        inline_reads: bool = True,
        **connection_kwargs: Any,
    ) -> None:
        super().__init__(path=path, **connection_kwargs)
        self._executor = ThreadPoolExecutor(max_workers=readers, thread_name_prefix="alur-sqlite")
        self._local = threading.local()
        # RETURNING (3.35+) gives inserted keys; older SQLite takes piccolo's own path.
        self._pooled = sqlite3.sqlite_version_info >= (3, 35)
        self.inline_reads = inline_reads

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if conn is None:
            conn = sqlite3.connect(**self.connection_kwargs)
            conn.row_factory = dict_factory
            conn.execute("PRAGMA foreign_keys = 1")
            self._local.connection = conn
        return conn

    def _run(self, query: str, args: list[Any]) -> list[dict]:
        conn = self._connection()
        try:
            cursor = conn.execute(query, args)
            try:
                rows = cursor.fetchall()
            finally:
                cursor.close()
        except BaseException:
            if conn.in_transaction:  # never hand the next statement a half-done transaction
                conn.rollback()
            raise
        if conn.in_transaction:  # a statement that opened one (autocommit normally has none)
            conn.commit()
        return rows

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        if not self._pooled:
            return await super()._run_in_new_connection(query, args, query_type, table)
        if self.inline_reads and _is_read(query):
            return self._run(query, list(args or []))
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._run, query, list(args or []))

    def close(self) -> None:
        """Stop the worker threads; their connections close with them."""
        self._executor.shutdown(wait=False, cancel_futures=True)
