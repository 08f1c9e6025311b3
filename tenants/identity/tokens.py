"""API tokens for the GraphQL API: created once, stored only as a SHA-256 hash.

Three kinds of token, all sent as ``Authorization: Bearer alur_…``:

* an office's **read** token — reads that office (``tenant`` set, ``scope = "read"``); it
  may be bound to a person (``user``), but needs none;
* an office's **write** token — reads that office and acts in it **on behalf of the person
  it was created for** (``user`` is required and must belong to the office). The engine
  checks that person's roles and units exactly as in the web UI, and every event it writes
  names that person, so the audit log never shows an anonymous integration;
* a **platform** token (provincial IT) — reads every office, changes nothing
  (``tenant`` null, ``scope = "read"``, no ``user``).

The plain token (``alur_`` + 32 random bytes, URL-safe base64) is returned once by
:func:`create_token` and never stored. :func:`authenticate` finds a token by its hash and
answers ``None`` for unknown or revoked tokens and for tokens of a person who is
deactivated or no longer (or not yet) a member of the token's office — a Plt/Plh counts
only between its dates (:func:`~alur.tenants.identity.belonging.belongs`, the rule every door asks);
it records ``last_used_at`` at most once a minute per token. The CLI (``alur tokens``) and the
office administration pages call these functions; validation errors are
:class:`~alur.tenants.errors.InvalidInput` with one message per field (``name``, ``scope``,
``tenant``, ``user``).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from alur.core import limits
from alur.core.i18n import format_message, gettext
from alur.tenants.errors import InvalidInput, NotFound
from alur.tenants.identity.belonging import belongs
from alur.tenants.storage.tables import ApiToken, Tenant, User

PREFIX = "alur_"
SCOPES = ("read", "write")
MAX_NAME = 100
LAST_USED_EVERY = timedelta(minutes=1)
_TOKEN_LENGTH = len(PREFIX) + 43  # token_urlsafe(32) gives 43 characters


@dataclass(frozen=True)
class TokenIdentity:
    """Who a request's token speaks for (what :func:`authenticate` returns)."""

    token_id: int
    name: str
    scope: str  # read | write
    platform: bool
    tenant_id: int | None
    tenant_slug: str | None
    user_id: int | None = None
    username: str | None = None
    # The office's row (id, slug, name, plugin, sops, office hours, timezone, suspended),
    # read with the token so that a request need not read it again.
    tenant: dict | None = None

    @property
    def can_write(self) -> bool:
        """A write token of an office, bound to a person."""
        return (
            self.scope == "write"
            and not self.platform
            and self.tenant_id is not None
            and self.user_id is not None
        )


@dataclass(frozen=True)
class TokenInfo:
    """A token as listed: everything but the secret (and its hash)."""

    id: int
    name: str
    scope: str
    platform: bool
    tenant_slug: str | None
    username: str | None
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class NewToken:
    """A token just created: ``token`` is the plain secret, shown this once only."""

    token: str
    info: TokenInfo


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def utcnow() -> datetime:
    return datetime.now(UTC)


# --- creating, listing, revoking ---------------------------------------------------------


async def create_token(
    name: str,
    scope: str = "read",
    *,
    tenant: str | None = None,
    user: str | None = None,
    platform: bool = False,
) -> NewToken:
    """Create a token of office ``tenant`` (a slug) or, with ``platform``, a platform token.

    ``user`` (a username) is the person a write token acts for; it must belong to the office
    now (a membership, or a Plt/Plh delegation of today) and be active. A username that is
    not a member here gets one answer whether it exists elsewhere or not at all, so an
    office's administrator cannot tell other offices' usernames apart. Every problem is
    reported at once, per field.
    """
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = gettext("give the token a name (e.g. the system that uses it)")
    elif problem := limits.text_problem(name, MAX_NAME):
        errors["name"] = problem
    if scope not in SCOPES:
        errors["scope"] = gettext('choose "read" or "write"')
    tenant_row = None
    user_row = None
    if platform:
        if tenant:
            errors["tenant"] = gettext(
                "a platform token belongs to no office; leave the office out"
            )
        if scope == "write":
            errors["scope"] = gettext("platform tokens are read-only")
        if user:
            errors["user"] = gettext("a platform token acts for no one; leave the user out")
    elif not tenant:
        errors["tenant"] = gettext("give the office, or make a platform token")
    elif not limits.usable_key(tenant):
        errors["tenant"] = gettext("give the slug of an office")
    else:
        tenant_row = (
            await Tenant.select(Tenant.id, Tenant.slug).where(Tenant.slug == tenant).first()
        )
        if tenant_row is None:
            errors["tenant"] = format_message('no office "{slug}"', slug=tenant)
    if not platform and scope == "write" and not user:
        errors["user"] = gettext(
            "a write token acts for a person: give the username of a member of the office"
        )
    if user and not platform and not limits.usable_key(user):
        errors["user"] = gettext("give the username of a member of the office")
    elif user and not platform and tenant_row is not None:
        user_row = await User.select(User.id, User.active).where(User.username == user).first()
        if user_row is None or not await belongs(tenant_row["id"], user_row["id"], utcnow()):
            errors["user"] = format_message('no user "{username}" in this office', username=user)
        elif not user_row["active"]:
            errors["user"] = format_message("{username} is deactivated", username=user)
    if errors:
        raise InvalidInput(errors)
    plain = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        tenant=tenant_row["id"] if tenant_row else None,
        user=user_row["id"] if user_row else None,
        name=name,
        scope=scope,
        token_hash=hash_token(plain),
    )
    await row.save()
    (info,) = await _infos(ApiToken.id == row.id)
    return NewToken(plain, info)


async def list_tokens(tenant: str | None = None, *, platform: bool = False) -> list[TokenInfo]:
    """Tokens, newest first: of office ``tenant`` (a slug), only platform tokens with
    ``platform``, or all of them."""
    if tenant is not None:
        tenant_id = await _tenant_id(tenant)
        return await _infos(ApiToken.tenant == tenant_id)
    if platform:
        return await _infos(ApiToken.tenant.is_null())
    return await _infos(None)


async def revoke_token(token_id: int, *, tenant: str | None = None) -> TokenInfo:
    """Revoke a token (at once: the next request with it is refused). With ``tenant``, the
    token must belong to that office — another office's token is not found. Revoking a
    revoked token changes nothing."""
    if not limits.usable_id(token_id):
        raise NotFound(what=format_message("API token {id}", id=token_id))
    where = ApiToken.id == token_id
    if tenant is not None:
        where &= ApiToken.tenant == await _tenant_id(tenant)
    found = await ApiToken.select(ApiToken.id).where(where).first()
    if found is None:
        raise NotFound(what=format_message("API token {id}", id=token_id))
    await ApiToken.update({ApiToken.revoked_at: utcnow()}).where(
        (ApiToken.id == token_id) & ApiToken.revoked_at.is_null()
    )
    (info,) = await _infos(ApiToken.id == token_id)
    return info


# --- authenticating ----------------------------------------------------------------------


async def authenticate(token: str, now: datetime | None = None) -> TokenIdentity | None:
    """The identity of a valid token, or ``None`` (unknown, revoked, malformed, or its
    person deactivated). One query, plus an update of ``last_used_at`` at most once a
    minute."""
    if not token or not token.startswith(PREFIX) or len(token) != _TOKEN_LENGTH:
        return None
    row = (
        await ApiToken.select(
            ApiToken.id,
            ApiToken.name,
            ApiToken.scope,
            ApiToken.tenant,
            ApiToken.tenant.slug.as_alias("tenant_slug"),
            *_TENANT_COLUMNS,
            ApiToken.user,
            ApiToken.user.username.as_alias("username"),
            ApiToken.user.active.as_alias("user_active"),
            ApiToken.revoked_at,
            ApiToken.last_used_at,
        )
        .where(ApiToken.token_hash == hash_token(token))
        .first()
    )
    if row is None or row["revoked_at"] is not None:
        return None
    now = now or utcnow()
    if row["user"] is not None and not (
        row["user_active"] and await belongs(row["tenant"], row["user"], now)
    ):
        return None  # its person is deactivated, or not (or no longer) a member there
    last = row["last_used_at"]
    if last is None or now - last >= LAST_USED_EVERY:
        stale = ApiToken.last_used_at.is_null() | (ApiToken.last_used_at < now - LAST_USED_EVERY)
        await ApiToken.update({ApiToken.last_used_at: now}).where(
            (ApiToken.id == row["id"]) & stale
        )
    return TokenIdentity(
        token_id=row["id"],
        name=row["name"],
        scope=row["scope"],
        platform=row["tenant"] is None,
        tenant_id=row["tenant"],
        tenant_slug=row["tenant_slug"],
        user_id=row["user"],
        username=row["username"],
        tenant=_tenant_row(row),
    )


_TENANT_FIELDS = ("name", "plugin", "sops", "office_start", "office_end", "timezone", "suspended")
_TENANT_COLUMNS = tuple(getattr(ApiToken.tenant, f).as_alias(f"tenant_{f}") for f in _TENANT_FIELDS)


def _tenant_row(row: dict) -> dict | None:
    if row["tenant"] is None:
        return None
    tenant = {"id": row["tenant"], "slug": row["tenant_slug"]}
    tenant.update({f: row[f"tenant_{f}"] for f in _TENANT_FIELDS})
    return tenant


# --- helpers -----------------------------------------------------------------------------


async def _tenant_id(slug: str) -> int:
    row = await Tenant.select(Tenant.id).where(Tenant.slug == slug).first()
    if row is None:
        raise NotFound(what=format_message("office {slug}", slug=slug))
    return row["id"]


async def _infos(where: object) -> list[TokenInfo]:
    query = ApiToken.select(
        ApiToken.id,
        ApiToken.name,
        ApiToken.scope,
        ApiToken.tenant,
        ApiToken.tenant.slug.as_alias("tenant_slug"),
        ApiToken.user.username.as_alias("username"),
        ApiToken.created_at,
        ApiToken.revoked_at,
        ApiToken.last_used_at,
    ).order_by(ApiToken.id, ascending=False)
    if where is not None:
        query = query.where(where)  # type: ignore[arg-type]
    return [
        TokenInfo(
            id=r["id"],
            name=r["name"],
            scope=r["scope"],
            platform=r["tenant"] is None,
            tenant_slug=r["tenant_slug"],
            username=r["username"],
            created_at=r["created_at"],
            revoked_at=r["revoked_at"],
            last_used_at=r["last_used_at"],
        )
        for r in await query
    ]
