"""The typed context of one GraphQL request.

:class:`AlurContext` (a ``strawberry.litestar.BaseContext``) is built per request by
:func:`request_context` — the litestar dependency the controller of
:mod:`alur.graphql.app` declares — or directly with :func:`make_context` (tests and scripts
calling ``schema.execute``). It holds who the bearer token speaks for, the database and
plugins of the running app, the request's language, the request time (so every "overdue"
of one answer agrees) and the request's own :class:`~alur.graphql.dataloaders.Loaders`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol

import msgspec
from litestar import Request, Response
from litestar.di import NamedDependency
from strawberry.litestar import BaseContext

from alur.core.i18n import LANGUAGES
from alur.core.plugins import AlurPlugins
from alur.graphql.dataloaders import Loaders
from alur.graphql.limits import DEFAULT_COST_BUDGET
from alur.tenants.cases.service import TenantService
from alur.tenants.identity.tokens import TokenIdentity, authenticate
from alur.tenants.observability.logs import note
from alur.tenants.storage.database import Database

DEFAULT_LANGUAGE = "en"  # outside the web UI; "Accept-Language: id" switches to Indonesian


class AppServices(Protocol):
    """What the GraphQL API needs of the app's shared services (``app.state["services"]``,
    :class:`alur.web.services.Services`)."""

    @property
    def database(self) -> Database: ...

    @property
    def plugins(self) -> AlurPlugins: ...


class AlurContext(BaseContext, kw_only=True):
    """Per-request context: ``info.context`` in every resolver.

    ``identity`` is ``None`` when the request carried no usable token; ``auth_problem`` then
    says why ("missing", "malformed" or "invalid"), for the ``UNAUTHENTICATED`` error.
    ``cache`` keeps what one request computes once (the office's service layer, SOP
    definitions converted for its calendar); it dies with the request. ``cost_budget`` is
    the most an operation may cost (:mod:`alur.graphql.limits`).
    """

    db: Database
    plugins: AlurPlugins
    identity: TokenIdentity | None = None
    auth_problem: str | None = None
    language: str = DEFAULT_LANGUAGE
    now: datetime = msgspec.field(default_factory=lambda: datetime.now(UTC))
    loaders: Loaders = msgspec.field(default_factory=lambda: Loaders(None))
    cache: dict[object, Any] = msgspec.field(default_factory=dict)
    cost_budget: int = DEFAULT_COST_BUDGET

    @property
    def scope(self) -> int | None:
        """The office a tenant token is confined to; ``None`` for a platform token."""
        return self.identity.tenant_id if self.identity is not None else None

    async def tenant_service(self) -> TenantService:
        """The service layer of the token's own office (opened once per request, and
        remembering what it reads for the request: :meth:`TenantService.for_one_request`)."""
        assert self.identity is not None
        assert self.identity.tenant_slug is not None
        service = self.cache.get("tenant")
        if service is None:
            service = await TenantService.open(self.db, self.plugins, self.identity.tenant_slug)
            # one request: the office as opened, each person's actor read once (a mutation
            # asks for the token's person twice: may they act here, then the action)
            service = service.for_one_request()
            self.cache["tenant"] = service
        return service


def make_context(
    db: Database,
    plugins: AlurPlugins,
    identity: TokenIdentity | None,
    *,
    language: str = DEFAULT_LANGUAGE,
    auth_problem: str | None = None,
    now: datetime | None = None,
) -> AlurContext:
    """A fresh context (with fresh loaders) for ``identity``."""
    if identity is None and auth_problem is None:
        auth_problem = "missing"
    loaders = Loaders(identity.tenant_id if identity is not None else None)
    if identity is not None and identity.tenant_id is not None and identity.tenant is not None:
        loaders.tenants.prime(identity.tenant_id, identity.tenant)  # read with the token
    return AlurContext(
        db=db,
        plugins=plugins,
        identity=identity,
        auth_problem=auth_problem,
        language=language,
        now=now or datetime.now(UTC),
        loaders=loaders,
    )


def language_from(accept_language: str | None) -> str:
    """The first language of an ``Accept-Language`` header that Alur speaks, else English.

    ``"id-ID,id;q=0.9,en;q=0.8"`` → ``"id"``; ``"fr, en;q=0.5"`` → ``"en"``.
    """
    ranked = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE


async def identify(authorization: str | None) -> tuple[TokenIdentity | None, str | None]:
    """The identity of an ``Authorization`` header, or ``None`` and why not."""
    if not authorization:
        return None, "missing"
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None, "malformed"
    identity = await authenticate(token.strip())
    return (identity, None) if identity is not None else (None, "invalid")


async def request_context(
    request: Request[Any, Any, Any], response: NamedDependency[Response]
) -> AlurContext:
    """Build the context of one HTTP request (the controller's ``context`` dependency)."""
    services: AppServices = request.app.state["services"]
    identity, problem = await identify(request.headers.get("authorization"))
    if identity is not None:  # the access line's office and user (never the token)
        note(office=identity.tenant_slug, user_id=identity.user_id or f"token:{identity.token_id}")
    context = make_context(
        services.database,
        services.plugins,
        identity,
        language=language_from(request.headers.get("accept-language")),
        auth_problem=problem,
    )
    context.request = request
    context.response = response
    return context
