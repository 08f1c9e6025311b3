"""The domain types of offices and people: ``Tenant`` with its units and SOPs, ``Person``,
and ``Me`` (the token of the request). Case, task and event types are in
:mod:`alur.graphql.cases.types`.

Plain fields are set when the object is built from its row (no resolver per field: a
strawberry resolver costs tens of µs). Relations resolve through the request's DataLoaders
(:mod:`alur.graphql.dataloaders`), so a page of 50 cases with their tasks costs the same
number of queries as a page of 5. Every object can say which office it belongs to
(``tenant``), which matters to platform tokens reading across offices.
"""

from __future__ import annotations

import enum
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo

import strawberry

from alur.core.errors import PluginNotFound
from alur.core.sop_life.revisions import in_force
from alur.graphql.context import AlurContext
from alur.graphql.kinerja import reads as kinerja_reads
from alur.graphql.sops.types import SopDefinitionType, sop_definition
from alur.tenants.offices.provisioning import tenant_sops

Info = strawberry.Info[AlurContext, None]


@strawberry.enum(
    name="Delegation",
    description="How an acting official held the role: Plt (post vacant) or Plh (holder away).",
)
class DelegationKind(enum.Enum):
    PLT = "Plt"
    PLH = "Plh"


@strawberry.enum(description="What a token may do.")
class TokenScope(enum.Enum):
    READ = "read"
    WRITE = "write"


@strawberry.type(description="A person who works in an office.")
class Person:
    username: str
    name: str
    jabatan: str


def person_node(row: dict | None) -> Person | None:
    if row is None:
        return None
    return Person(username=row["username"], name=row["name"], jabatan=row["jabatan"])


async def load_person(info: Info, user_id: int | str | None) -> Person | None:
    if user_id is None or not str(user_id).isdigit():
        return None
    return person_node(await info.context.loaders.users.load(int(user_id)))


@strawberry.type(description="A bidang / bagian of an office.")
class Unit:
    slug: str
    name: str
    active: bool


@strawberry.type(description="An office (OPD): one tenant of the installation.")
class Tenant:
    slug: str
    name: str
    plugin: str
    suspended: bool
    timezone: str
    office_start: str = strawberry.field(description='Office hours start, "HH:MM".')
    office_end: str
    row: strawberry.Private[dict]

    @strawberry.field(description="Its units, active or not.")
    async def units(self, info: Info) -> list[Unit]:
        rows = await info.context.loaders.units.load(self.row["id"])
        return [Unit(slug=r["slug"], name=r["name"], active=r["active"]) for r in rows]

    @strawberry.field(
        description="The SOPs it runs: each as its revision in force (the office's own "
        "version, see `sopRevisions`), else as its plugin ships it now."
    )
    async def sops(self, info: Info) -> list[SopDefinitionType]:
        return await current_sops(info, self.row)

    @strawberry.field(description="One SOP it runs, by id.")
    async def sop(self, info: Info, id: str) -> SopDefinitionType | None:
        return next((s for s in await current_sops(info, self.row) if s.id == id), None)

    indicator_set = kinerja_reads.INDICATOR_SET
    indicator_periods = kinerja_reads.INDICATOR_PERIODS


async def current_sops(info: Info, tenant_row: dict) -> list[SopDefinitionType]:
    """The SOPs an office runs now: its plugin's, each replaced by the office's revision in
    force on the request's day (none if its plugin is not installed)."""
    try:
        found = tenant_sops(tenant_row, info.context.plugins)
    except PluginNotFound:
        return []
    loaders = info.context.loaders
    refs = await loaders.revision_refs.load(tenant_row["id"])
    if refs:
        today = info.context.now.astimezone(ZoneInfo(tenant_row["timezone"])).date()
        chosen = in_force(refs, today)
        pinned = await loaders.definitions.load_many([r.content_hash for r in chosen.values()])
        found = {**found, **{sop: d for sop, d in zip(chosen, pinned, strict=True) if d}}
    return [convert(info, d, tenant_row) for d in found.values()]


def tenant_node(row: dict) -> Tenant:
    return Tenant(
        slug=row["slug"],
        name=row["name"],
        plugin=row["plugin"],
        suspended=row["suspended"],
        timezone=row["timezone"],
        office_start=row["office_start"],
        office_end=row["office_end"],
        row=row,
    )


async def load_tenant(info: Info, tenant_id: int) -> Tenant:
    row = await info.context.loaders.tenants.load(tenant_id)
    assert row is not None, "a visible object's office is visible"
    return tenant_node(row)


def minutes_per_day(tenant_row: dict) -> int:
    start = time.fromisoformat(tenant_row["office_start"])
    end = time.fromisoformat(tenant_row["office_end"])
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def convert(info: Info, d: Any, tenant_row: dict) -> SopDefinitionType:
    """``d`` as a GraphQL object on its office's calendar, converted once per request."""
    key = ("sop", d.content_hash, minutes_per_day(tenant_row))
    cache = info.context.cache
    found = cache.get(key)
    if found is None:
        found = cache[key] = sop_definition(d, key[2])
    return found


async def pinned(info: Info, definition_hash: str, tenant_id: int) -> SopDefinitionType:
    """The definition a case pinned, on its office's calendar."""
    loaders = info.context.loaders
    d = await loaders.definitions.load(definition_hash)
    tenant_row = await loaders.tenants.load(tenant_id)
    assert d is not None
    assert tenant_row is not None
    return convert(info, d, tenant_row)


@strawberry.type(name="ApiToken", description="The token of this request.")
class TokenInfo:
    name: str
    scope: TokenScope
    platform: bool = strawberry.field(description="Reads every office; changes nothing.")


@strawberry.type(description="Who is asking: the token, its office and its person.")
class Me:
    token: TokenInfo
    tenant_id: strawberry.Private[int | None]
    user_id: strawberry.Private[int | None]

    @strawberry.field(description="The token's office (none for a platform token).")
    async def tenant(self, info: Info) -> Tenant | None:
        return await load_tenant(info, self.tenant_id) if self.tenant_id is not None else None

    @strawberry.field(description="The person the token acts for (write tokens always have one).")
    async def user(self, info: Info) -> Person | None:
        return await load_person(info, self.user_id)
