"""Server-side sessions in the database (``alur_session``), so every app process on one
PostgreSQL sees the same sessions.

Two pieces:

* :class:`DatabaseSessionStore`, a litestar :class:`~litestar.stores.base.Store` on the
  ``alur_session`` table. It skips rewriting an unchanged session for a few minutes (a page
  read costs no write) and deletes expired rows itself, at most once every
  :data:`SWEEP_EVERY` per process.
* :class:`DatabaseSessionBackend` (configured by :class:`DatabaseSessionConfig`), litestar's
  server-side session backend with two changes. litestar 2 has no API to change a session's
  id: its backend keeps the id of the incoming cookie for as long as the browser sends it,
  which allows session fixation. Here

  - :func:`start_session` (at sign-in) stores the data under a **new** id, deletes the row
    of the old id and sends the new cookie;
  - data is never stored under an id this request did not load from the store: a cookie
    naming an unknown or expired session gets a fresh id instead of being adopted;
  - an empty session stores nothing: an anonymous visitor gets no row and no cookie, and a
    session emptied by ``request.clear_session()`` (sign-out) loses its row and its cookie
    (``Max-Age=0``).

  ``tests/web/test_web_sessions.py`` pins the litestar internals this relies on
  (``store_in_message`` / ``load_from_connection``), so an upgrade that changes them fails
  loudly there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.stores.base import Store
from litestar.types import Empty
from litestar.utils.dataclass import extract_dataclass_items

from alur.tenants.storage.tables import Session

if TYPE_CHECKING:
    from litestar.connection import ASGIConnection
    from litestar.types import Message, ScopeSession

RENEW_AFTER = timedelta(minutes=5)  # an unchanged session is written again after this
SWEEP_EVERY = timedelta(minutes=10)  # expired rows are deleted at most this often per process
REMEMBERED_BYTES = 4 * 1024 * 1024  # what the store keeps in memory to skip unchanged writes
ENTRY_OVERHEAD = 200  # bytes counted per remembered session besides its id and data

LOADED = "alur.session_loaded"  # scope key: the id whose row this request read
REGENERATE = "alur.session_regenerate"  # scope key: store the session under a new id


def _seconds(value: int | timedelta | None) -> int | None:
    if value is None:
        return None
    return int(value.total_seconds()) if isinstance(value, timedelta) else int(value)


class DatabaseSessionStore(Store):
    """Sessions in ``alur_session``. litestar writes the session back after every request;
    an unchanged session is only written again (to push its expiry on) every few minutes,
    so reading a page costs no database write. What it remembers to decide that is bounded
    by ``remembered_bytes`` (oldest forgotten first)."""

    def __init__(
        self, default_seconds: int = 9 * 3600, remembered_bytes: int = REMEMBERED_BYTES
    ) -> None:
        self.default_seconds = default_seconds
        self.remembered_bytes = remembered_bytes
        self._written: dict[str, tuple[bytes, datetime]] = {}  # key -> (data, when written)
        self._written_bytes = 0
        self._swept: datetime | None = None  # when this process last deleted expired rows

    def _remember(self, key: str, data: bytes, now: datetime) -> None:
        self._forget(key)
        cost = len(key) + len(data) + ENTRY_OVERHEAD
        if cost > self.remembered_bytes:
            return
        while self._written and self._written_bytes + cost > self.remembered_bytes:
            self._forget(next(iter(self._written)))  # the oldest first (insertion order)
        self._written[key] = (data, now)
        self._written_bytes += cost

    def _forget(self, key: str) -> None:
        old = self._written.pop(key, None)
        if old is not None:
            self._written_bytes -= len(key) + len(old[0]) + ENTRY_OVERHEAD

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        data = value.encode() if isinstance(value, str) else value
        now = datetime.now(UTC)
        last = self._written.get(key)
        if last is not None and last[0] == data and now - last[1] < RENEW_AFTER:
            return
        self._remember(key, data, now)
        expires = now + timedelta(seconds=_seconds(expires_in) or self.default_seconds)
        updated = (
            await Session.update({Session.data: data, Session.expires_at: expires})
            .where(Session.session_id == key)
            .returning(Session.id)
        )
        if not updated:
            await Session.insert(Session(session_id=key, data=data, expires_at=expires))
        if self._swept is None or now - self._swept >= SWEEP_EVERY:
            self._swept = now
            await self.delete_expired()

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        row = (
            await Session.select(Session.data, Session.expires_at)
            .where(Session.session_id == key)
            .first()
        )
        if row is None:
            return None
        if row["expires_at"] <= datetime.now(UTC):
            await self.delete(key)
            return None
        if renew_for is not None:
            expires = datetime.now(UTC) + timedelta(seconds=_seconds(renew_for) or 0)
            await Session.update({Session.expires_at: expires}).where(Session.session_id == key)
        return bytes(row["data"])

    async def delete(self, key: str) -> None:
        self._forget(key)
        await Session.delete().where(Session.session_id == key)

    async def delete_all(self) -> None:
        self._written.clear()
        self._written_bytes = 0
        await Session.delete(force=True)

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        row = await Session.select(Session.expires_at).where(Session.session_id == key).first()
        if row is None:
            return None
        return max(0, int((row["expires_at"] - datetime.now(UTC)).total_seconds()))

    async def delete_expired(self) -> None:
        await Session.delete().where(Session.expires_at <= datetime.now(UTC))


def start_session(connection: ASGIConnection, data: dict[str, Any]) -> None:
    """Replace the session with ``data`` under a new id (sign-in): the old id's row is
    deleted, so a cookie planted or seen before sign-in is worth nothing after it."""
    connection.set_session(data)
    connection.scope[REGENERATE] = True  # type: ignore[typeddict-unknown-key]


class DatabaseSessionBackend(ServerSideSessionBackend):
    """litestar's server-side backend, with a new id at sign-in and no empty sessions."""

    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        session_id = connection.cookies.get(self.config.key)
        if session_id and session_id != "null":
            store = self.config.get_store_from_app(connection.scope["app"])
            data = await self.get(session_id, store=store)
            if data is not None:
                connection.scope[LOADED] = session_id  # type: ignore[typeddict-unknown-key]
                return self.deserialize_data(data)
        return {}

    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection
    ) -> None:
        scope: Any = connection.scope
        store = self.config.get_store_from_app(scope["app"])
        loaded: str | None = scope.get(LOADED)
        cookie = connection.cookies.get(self.config.key)
        empty = scope_session is Empty or not scope_session
        regenerate = bool(scope.get(REGENERATE))
        if loaded is not None and (empty or regenerate):
            await self.delete(loaded, store=store)
            scope[LOADED] = None
        headers = MutableScopeHeaders.from_message(message)
        params = dict(
            extract_dataclass_items(self.config, exclude_none=True, include=Cookie.__dict__.keys())
        )
        if empty:
            if cookie and cookie != "null":  # forget it in the browser too: Max-Age=0
                # (the config's max_age would win over ``expires`` and keep it for hours)
                params["max_age"] = 0
                cookie_header = Cookie(value="null", key=self.config.key, expires=0, **params)
                headers.add("Set-Cookie", cookie_header.to_header(header=""))
            return
        session_id = loaded if loaded is not None and not regenerate else None
        session_id = session_id or self.generate_session_id()
        scope[LOADED], scope[REGENERATE] = session_id, False
        data = self.serialize_data(scope_session, scope)
        await self.set(session_id=session_id, data=data, store=store)
        cookie_header = Cookie(value=session_id, key=self.config.key, **params)
        headers.add("Set-Cookie", cookie_header.to_header(header=""))


@dataclass
class DatabaseSessionConfig(ServerSideSessionConfig):
    """:class:`ServerSideSessionConfig` with :class:`DatabaseSessionBackend`."""

    _backend_class = DatabaseSessionBackend
