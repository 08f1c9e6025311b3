"""A litestar session :class:`~litestar.stores.base.Store` in the database (``alur_session``),
so every app process on one PostgreSQL sees the same sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from litestar.stores.base import Store

from alur.tenants.tables import Session


def _seconds(value: int | timedelta | None) -> int | None:
    if value is None:
        return None
    return int(value.total_seconds()) if isinstance(value, timedelta) else int(value)


RENEW_AFTER = timedelta(minutes=5)


class DatabaseSessionStore(Store):
    """Sessions in ``alur_session``. litestar writes the session back after every request;
    an unchanged session is only written again (to push its expiry on) every few minutes,
    so reading a page costs no database write."""

    def __init__(self, default_seconds: int = 9 * 3600, remembered: int = 10_000) -> None:
        self.default_seconds = default_seconds
        self.remembered = remembered
        self._written: dict[str, tuple[bytes, datetime]] = {}  # key -> (data, when written)

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        data = value.encode() if isinstance(value, str) else value
        now = datetime.now(UTC)
        last = self._written.get(key)
        if last is not None and last[0] == data and now - last[1] < RENEW_AFTER:
            return
        if len(self._written) >= self.remembered:
            self._written.clear()
        self._written[key] = (data, now)
        expires = now + timedelta(seconds=_seconds(expires_in) or self.default_seconds)
        updated = (
            await Session.update({Session.data: data, Session.expires_at: expires})
            .where(Session.session_id == key)
            .returning(Session.id)
        )
        if not updated:
            await Session.insert(Session(session_id=key, data=data, expires_at=expires))

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
        self._written.pop(key, None)
        await Session.delete().where(Session.session_id == key)

    async def delete_all(self) -> None:
        self._written.clear()
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
