"""The read side: ``me``, offices, cases (a connection), one case, open tasks.

An office's token sees its own office only: naming another office, or a case key of
another office, answers ``NotFound`` — exactly like a name that does not exist. A platform
token reads every office (``tenants``, and ``cases``/``tasks`` with an optional ``tenant``
filter); every case and task says which office it belongs to.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from alur.core.i18n import format_message, gettext
from alur.graphql.cases.types import Case, CaseStatus, Task, case_node, task_nodes
from alur.graphql.errors import InvalidInput, NotFound, from_error, invalid
from alur.graphql.pagination import (
    DEFAULT_PAGE,
    BadPage,
    CaseConnection,
    CaseEdge,
    TaskConnection,
    TaskEdge,
    check_first,
    decode_cursor,
    page_info,
    split_page,
)
from alur.graphql.permissions import authenticated
from alur.graphql.types import Info, Me, Tenant, TokenInfo, TokenScope, load_tenant, tenant_node
from alur.tenants.cases import batch, listing
from alur.tenants.errors import NotFound as NotFoundError
from alur.tenants.identity import people

CasesResult = Annotated[CaseConnection | InvalidInput | NotFound, strawberry.union("CasesResult")]
CaseResult = Annotated[Case | NotFound, strawberry.union("CaseResult")]
TasksResult = Annotated[TaskConnection | InvalidInput | NotFound, strawberry.union("TasksResult")]
First = Annotated[int, strawberry.argument(description="How many (1 to 100).")]
After = Annotated[str | None, strawberry.argument(description="The endCursor of the page before.")]
TenantResult = Annotated[Tenant | NotFound | InvalidInput, strawberry.union("TenantResult")]


@strawberry.input(description="Narrows the cases; every given filter must match.")
class CaseFilter:
    sop: str | None = strawberry.field(default=None, description="An SOP id.")
    period: str | None = strawberry.field(
        default=None, description='Part of the period, any case (e.g. "2026").'
    )
    status: CaseStatus | None = None
    overdue: bool | None = strawberry.field(
        default=None, description="Only cases with (true) or without (false) an overdue task."
    )
    updated_since: datetime | None = strawberry.field(
        default=None, description="Only cases changed at or after this time."
    )
    tenant: str | None = strawberry.field(
        default=None, description="An office's slug (platform tokens; others see their own)."
    )


@strawberry.input(description="Narrows the open tasks; every given filter must match.")
class TaskFilter:
    role: str | None = strawberry.field(default=None, description='A role id, e.g. "kabid".')
    unit: str | None = strawberry.field(default=None, description="A unit slug.")
    overdue: bool | None = None
    sop: str | None = None
    assignee: str | None = strawberry.field(default=None, description="A username.")
    tenant: str | None = strawberry.field(
        default=None, description="An office's slug (platform tokens; others see their own)."
    )


async def scope_of(info: Info, slug: str | None) -> int | None:
    """The office to read: the token's own, or for a platform token the one named (or every
    office, ``None``). Another office's slug is :class:`NotFoundError`."""
    identity = info.context.identity
    assert identity is not None
    if not identity.platform:
        if slug is not None and slug != identity.tenant_slug:
            raise NotFoundError(what=format_message("office {slug}", slug=slug))
        return identity.tenant_id
    if slug is None:
        return None
    found = await batch.tenant_id(slug)
    if found is None:
        raise NotFoundError(what=format_message("office {slug}", slug=slug))
    return found


@strawberry.type
class Query:
    @strawberry.field(description="The token of this request.", extensions=authenticated())
    def me(self, info: Info) -> Me:
        identity = info.context.identity
        assert identity is not None
        return Me(
            token=TokenInfo(
                name=identity.name, scope=TokenScope(identity.scope), platform=identity.platform
            ),
            tenant_id=identity.tenant_id,
            user_id=identity.user_id,
        )

    @strawberry.field(
        description="The offices this token reads: its own, or every one for a platform token.",
        extensions=authenticated(),
    )
    async def tenants(self, info: Info) -> list[Tenant]:
        scope = info.context.scope
        if scope is not None:
            return [await load_tenant(info, scope)]
        rows = await batch.every_tenant()
        info.context.loaders.tenants.prime_many({r["id"]: r for r in rows})
        return [tenant_node(r) for r in rows]

    @strawberry.field(
        description="One office by slug (default: the token's own).", extensions=authenticated()
    )
    async def tenant(self, info: Info, slug: str | None = None) -> TenantResult:
        try:
            scope = await scope_of(info, slug)
        except NotFoundError as exc:
            return from_error(exc)  # type: ignore[return-value]
        if scope is None:
            return invalid({"slug": gettext("a platform token has no office of its own: name one")})
        return await load_tenant(info, scope)

    @strawberry.field(
        description="Cases, most recently updated first (a connection).",
        extensions=authenticated(),
    )
    async def cases(
        self,
        info: Info,
        first: First = DEFAULT_PAGE,
        after: After = None,
        filter: CaseFilter | None = None,
    ) -> CasesResult:
        f = filter or CaseFilter()
        try:
            check_first(first)
            keyset = decode_cursor("case", after, nullable=False)
            scope = await scope_of(info, f.tenant)
        except BadPage as exc:
            return invalid(exc.fields)
        except NotFoundError as exc:
            return from_error(exc)  # type: ignore[return-value]
        wanted = listing.CaseFilter(
            sop_id=f.sop or None,
            period=f.period or None,
            status=f.status.value if f.status else None,
            overdue=f.overdue,
            updated_since=f.updated_since,
        )
        now = info.context.now
        rows, more = split_page(
            await listing.page_cases(scope, wanted, now, first=first, after=keyset),  # type: ignore[arg-type]
            first,
        )
        info.context.loaders.cases.prime_many({r["id"]: r for r in rows})
        edges = [CaseEdge(node=case_node(r), key=("case", r["updated_at"], r["id"])) for r in rows]
        return CaseConnection(
            edges=edges,
            page_info=page_info([e.key for e in edges], more, after),
            counter=lambda: listing.count_cases(scope, wanted, now),
        )

    @strawberry.field(description="One case by its key.", extensions=authenticated())
    async def case(self, info: Info, key: str) -> CaseResult:
        row = await batch.case_by_key(key, scope=info.context.scope)
        if row is None:
            return from_error(NotFoundError(what=format_message("case {key}", key=key)))  # type: ignore[return-value]
        info.context.loaders.cases.prime(row["id"], row)
        return case_node(row)

    @strawberry.field(
        description="Open tasks, soonest due first (a connection).", extensions=authenticated()
    )
    async def tasks(
        self,
        info: Info,
        first: First = DEFAULT_PAGE,
        after: After = None,
        filter: TaskFilter | None = None,
    ) -> TasksResult:
        f = filter or TaskFilter()
        try:
            check_first(first)
            keyset = decode_cursor("task", after)
            scope = await scope_of(info, f.tenant)
        except BadPage as exc:
            return invalid(exc.fields)
        except NotFoundError as exc:
            return from_error(exc)  # type: ignore[return-value]
        assignee = None
        if f.assignee:
            found = await people.user_id(f.assignee)
            assignee = found if found is not None else -1  # nobody: no task matches
        wanted = listing.TaskFilter(
            role=f.role or None,
            unit=f.unit or None,
            overdue=f.overdue,
            sop_id=f.sop or None,
            assignee=assignee,
        )
        now = info.context.now
        rows, more = split_page(
            await listing.page_tasks(scope, wanted, now, first=first, after=keyset), first
        )
        edges = [
            TaskEdge(node=node, key=("task", r["due"], r["id"]))
            for r, node in zip(rows, await task_nodes(info, rows), strict=True)
        ]
        return TaskConnection(
            edges=edges,
            page_info=page_info([e.key for e in edges], more, after),
            counter=lambda: listing.count_tasks(scope, wanted, now),
        )

    @strawberry.field(
        description="Open tasks that need the attention of the token's person (\"perlu "
        'perhatian"): overdue tasks escalated to a role they hold today. They stay with their '
        "holders. Most overdue first; empty for a token without a person.",
        extensions=authenticated(),
    )
    async def attention_tasks(self, info: Info) -> list[Task]:
        identity = info.context.identity
        assert identity is not None
        if identity.platform or identity.user_id is None or identity.tenant_id is None:
            return []
        service = await info.context.tenant_service()
        items = await service.attention(identity.user_id)
        rows = await listing.task_rows_of(
            identity.tenant_id, [(i.case_key, i.task_no) for i in items]
        )
        return await task_nodes(info, rows)
