"""Helpers for testing the GraphQL API: two provisioned offices with people, a Plh, a case
in the second office, and a token of each kind; and running operations as a token.

Used by ``tests/graphql/test_graphql_*.py`` (including the test that executes every example of
``docs/graphql.md``). Needs the installed institution plugins ``satpolpp_banyumas`` and
``kesbangpol_pekalongan`` and a migrated, bound database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from strawberry.types import ExecutionResult

from alur.core.plugins import AlurPlugins
from alur.graphql.context import make_context
from alur.graphql.schema import schema
from alur.tenants.cases.service import TenantService
from alur.tenants.identity.memberships import add_delegation, add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.identity.tokens import authenticate, create_token, revoke_token
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Unit

PASSWORD = "rahasia-2026"
OFFICE_A = "satpolpp-banyumas"
OFFICE_B = "kesbangpol-pekalongan"
SOP_A = "pengumpulan-data-kinerja"
SOP_B = "pengumpulan-pengolahan-data-kinerja"
UNITS_A = ("linmas", "sda")  # the active units of office A (cases fan out over them)

# username: (role id or None, unit or None); office A, plugin satpolpp_banyumas
PEOPLE_A = {
    "staf": ("staf", None),
    "staf-2": ("staf", None),
    "kasubag": ("kasubag_perencanaan", None),
    "sekretaris": ("sekretaris", None),
    "kabid.linmas": ("kabid", "linmas"),
    "kabid.sda": ("kabid", "sda"),
    "kepala": ("kepala_satuan", None),
}


@dataclass
class World:
    """Provisioned offices, people (username → id) and tokens (label → plain token)."""

    db: Database
    plugins: AlurPlugins
    a: TenantService
    b: TenantService
    users: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    case_b: str = ""

    async def run(
        self,
        query: str,
        token: str | None = None,
        *,
        language: str = "en",
        now: datetime | None = None,
        **variables: Any,
    ) -> ExecutionResult:
        """Execute ``query`` as the token labelled ``token`` (``None``: no token)."""
        identity = await authenticate(self.tokens[token]) if token is not None else None
        context = make_context(
            self.db,
            self.plugins,
            identity,
            language=language,
            now=now,
            auth_problem=None if identity or token is None else "invalid",
        )
        return await schema.execute(query, variable_values=variables, context_value=context)

    async def data(self, query: str, token: str | None = None, **variables: Any) -> Any:
        """The data of a query that must succeed without errors."""
        result = await self.run(query, token, **variables)
        assert result.errors is None, result.errors
        return result.data


async def provision(db: Database, plugins: AlurPlugins, today: date | None = None) -> World:
    """Two offices: A (Satpol PP Banyumas, units linmas and sda active) with one person per
    role, a second Staf and a Plh of the Kasubag Perencanaan; B (Kesbangpol Pekalongan)
    with its Kepala Dinas and one case. Tokens: ``a-read``, ``a-staf``, ``a-staf-2``,
    ``a-kasubag``, ``a-kabid-linmas``, ``a-plh`` (write tokens acting for those people),
    ``a-revoked``, ``b-write`` and ``platform``."""
    today = today or date.today()
    a = await create_tenant(plugins, OFFICE_A, "Satpol PP Banyumas", "satpolpp_banyumas")
    b = await create_tenant(plugins, OFFICE_B, "Kesbangpol Pekalongan", "kesbangpol_pekalongan")
    await Unit.update({Unit.active: False}).where(
        (Unit.tenant == a.id) & Unit.slug.not_in(list(UNITS_A))
    )
    world = World(
        db,
        plugins,
        await TenantService.open(db, plugins, OFFICE_A),
        await TenantService.open(db, plugins, OFFICE_B),
    )
    roles = world.a.sop(SOP_A).roles_by_id
    for username, (role, unit) in PEOPLE_A.items():
        user = await create_user(username, f"{username.title()} (A)", PASSWORD)
        await add_membership(a.id, user.id, roles[role], unit)
        world.users[username] = user.id
    plh = await create_user("plh.kasubag", "Plh Kasubag (A)", PASSWORD)
    world.users["plh.kasubag"] = plh.id
    await add_delegation(
        a.id,
        plh.id,
        world.users["kasubag"],
        "kasubag_perencanaan",
        None,
        "Plh",
        today - timedelta(days=1),
        today + timedelta(days=30),
    )
    kepala_b = await create_user("b.kepala", "Kepala Dinas (B)", PASSWORD)
    await add_membership(b.id, kepala_b.id, world.b.sop(SOP_B).roles_by_id["kepala_dinas"])
    world.users["b.kepala"] = kepala_b.id
    world.case_b = (await world.b.start_case(kepala_b.id, SOP_B, "Triwulan IV 2026")).key

    async def token(label: str, **kwargs: Any) -> None:
        world.tokens[label] = (await create_token(label, **kwargs)).token

    await token("a-read", scope="read", tenant=OFFICE_A)
    for username in ("staf", "staf-2", "kasubag", "kabid.linmas", "plh.kasubag"):
        label = "a-plh" if username == "plh.kasubag" else "a-" + username.replace(".", "-")
        await token(label, scope="write", tenant=OFFICE_A, user=username)
    await token("b-write", scope="write", tenant=OFFICE_B, user="b.kepala")
    await token("platform", platform=True)
    revoked = await create_token("a-revoked", "write", tenant=OFFICE_A, user="staf")
    await revoke_token(revoked.info.id)
    world.tokens["a-revoked"] = revoked.token
    return world
