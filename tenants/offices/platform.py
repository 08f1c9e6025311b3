"""What platform operators (provincial IT) do: manage tenants and read across them.

Operators are not tenant users: they sign in separately (:class:`~alur.tenants.storage.tables.Operator`)
and reach tenant data only through this service, which says which tenant each row belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass

from alur.core import limits
from alur.core.i18n import format_message
from alur.core.plugins import AlurPlugins
from alur.tenants.audit.office_log import operator_actor
from alur.tenants.cases.store import CaseStore
from alur.tenants.errors import InvalidInput, NotFound
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.offices.offboarding import resume_office, suspend_office
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.sop_life.adoption import allow_plugin, disallow_plugin
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Case, OfficePlugin, Tenant


@dataclass(frozen=True)
class NewAdministrator:
    """The first administrator of a new office: a new user."""

    username: str
    name: str
    password: str


@dataclass(frozen=True)
class TenantSummary:
    id: int
    slug: str
    name: str
    plugin: str
    suspended: bool
    cases: int
    events: int
    allowed: tuple[str, ...] = ()  # plugins it may adopt SOPs from besides its own


class PlatformService:
    def __init__(self, db: Database, plugins: AlurPlugins) -> None:
        self.db = db
        self.plugins = plugins

    async def tenants(self) -> list[TenantSummary]:
        rows = await Tenant.select(
            Tenant.id, Tenant.slug, Tenant.name, Tenant.plugin, Tenant.suspended, Tenant.chain_seq
        ).order_by(Tenant.slug)
        counts = {
            r["tenant"]: r["count"]
            for r in await Case.raw(
                "SELECT tenant, COUNT(*) AS count FROM alur_case GROUP BY tenant"
            )
        }
        allowed: dict[int, list[str]] = {}
        for a in await OfficePlugin.select(OfficePlugin.tenant, OfficePlugin.plugin).order_by(
            OfficePlugin.plugin
        ):
            allowed.setdefault(a["tenant"], []).append(a["plugin"])
        return [
            TenantSummary(
                r["id"],
                r["slug"],
                r["name"],
                r["plugin"],
                r["suspended"],
                counts.get(r["id"], 0),
                r["chain_seq"],
                tuple(allowed.get(r["id"], ())),
            )
            for r in rows
        ]

    async def set_plugin_allowed(
        self, slug: str, plugin: str, allowed: bool, *, actor: str
    ) -> bool:
        """Allow office ``slug`` to adopt SOPs from ``plugin``, or take it back
        (:mod:`alur.tenants.sop_life.adoption`); False when nothing changed."""
        change = allow_plugin if allowed else disallow_plugin
        return await change(
            self.db, self.plugins, slug, plugin, actor=actor or operator_actor("web")
        )

    async def create_tenant(
        self, slug: str, name: str, plugin: str, sops: list[str] | None = None
    ) -> Tenant:
        return await create_tenant(self.plugins, slug, name, plugin, sops)

    async def create_office(
        self,
        slug: str,
        name: str,
        plugin: str,
        sops: list[str] | None = None,
        *,
        administrator: NewAdministrator | None = None,
    ) -> Tenant:
        """An office and, when given, its first administrator (a new user): both or neither,
        in one transaction. Every problem is reported at once, per field; the
        administrator's fields are ``admin_username``, ``admin_name``, ``admin_password``."""
        errors: dict[str, str] = {}
        async with CaseStore(self.db).transaction():
            try:
                tenant = await create_tenant(self.plugins, slug, name, plugin, sops)
            except InvalidInput as exc:
                errors.update(exc.errors)
            if administrator is not None:
                try:
                    admin = await create_user(
                        administrator.username, administrator.name, administrator.password
                    )
                except InvalidInput as exc:
                    errors.update({f"admin_{k}": v for k, v in exc.errors.items()})
            if errors:
                raise InvalidInput(errors)
            if administrator is not None:
                await add_membership(tenant.id, admin.id, None, administrator=True)
        return tenant

    async def set_suspended(self, slug: str, suspended: bool, *, actor: str = "") -> None:
        """Suspend or resume office ``slug``, recorded on its chain and on the platform log
        (:mod:`alur.tenants.offices.offboarding`); ``actor``: ``operator:<username>``."""
        if not limits.usable_key(slug):
            raise NotFound(what=format_message("office {slug}", slug=slug[:64]))
        if not await Tenant.exists().where(Tenant.slug == slug):
            raise NotFound(what=format_message("office {slug}", slug=slug))
        change = suspend_office if suspended else resume_office
        await change(self.db, slug, actor=actor or operator_actor("web"))

    async def cases(self, *, status: str | None = None, limit: int = 50) -> list[dict]:
        """Cases of every tenant, newest activity first, each with its tenant's slug."""
        query = Case.select(
            Case.tenant.slug.as_alias("tenant"),
            Case.key,
            Case.sop_id,
            Case.period,
            Case.status,
            Case.updated_at,
        )
        if status:
            query = query.where(Case.status == status)
        return await query.order_by(Case.updated_at, ascending=False).limit(min(limit, 200))
