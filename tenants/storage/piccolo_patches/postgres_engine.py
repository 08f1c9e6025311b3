"""``AlurPostgresEngine``: piccolo's PostgreSQL engine whose transactions end cleanly when
their connection died (replaces ``PostgresTransaction.__aexit__``, piccolo 1.38).

Upstream, leaving a transaction whose connection was lost (PostgreSQL restarted or the
backend was terminated) fails in ``rollback()`` and skips the rest of ``__aexit__``: the
connection is never given back to the pool and, worse, the task's ``current_transaction``
context variable is never reset, so every later query of that task (a worker's job loop,
a test) runs on the dead, released connection forever ("connection has been released back
to the pool"). Here the rollback of a closed connection is skipped (the server rolled the
transaction back when the connection ended: nothing of it was committed) so the original
error propagates, and the release and the reset always happen. Behaviour in
tests/scale/test_database_unavailable.py.
"""

from __future__ import annotations

from typing import Any

import asyncpg
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction


class AlurPostgresTransaction(PostgresTransaction):
    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                # a closed connection cannot roll back, and need not: the server did
                if not self._rolled_back and not _closed(self.connection):
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            try:
                if self.engine.pool:
                    await self.engine.pool.release(self.connection)
                else:
                    await self.connection.close()
            finally:
                self.engine.current_transaction.reset(self.context)
        return exception is None


def _closed(connection: Any) -> bool:
    """Whether the transaction's pooled connection died (asyncpg may already have detached
    a lost connection from its pool proxy, which then refuses every call)."""
    try:
        return bool(connection.is_closed())
    except asyncpg.InterfaceError:
        return True


class AlurPostgresEngine(PostgresEngine):
    """piccolo's engine, with :class:`AlurPostgresTransaction`."""

    def transaction(self, allow_nested: bool = True) -> PostgresTransaction:
        return AlurPostgresTransaction(engine=self, allow_nested=allow_nested)
