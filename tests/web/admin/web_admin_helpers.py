"""Helpers of the administration page tests (test_web_admin*.py): the provisioned office and
operator, reading rows back, and a form's field error."""

from __future__ import annotations

import re
from typing import Any

from alur.core import AlurPlugins
from alur.tenants.cases.service import TenantService
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_operator, create_user
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.testing.postgres import run_coroutine
from alur.web.testing import FormSite

PASSWORD = "rahasia-2026"


SLUG = "dinas-contoh"


ADMIN = f"/t/{SLUG}/admin"


async def provision(url: str, plugins: AlurPlugins) -> dict[str, int]:
    """Two offices running the sample SOP, their people, an operator and one started case."""
    db = await open_database(url, run_migrations=False)
    try:
        contoh = await create_tenant(plugins, SLUG, "Dinas Contoh", "contoh")
        lain = await create_tenant(plugins, "dinas-lain", "Dinas Lain", "contoh")
        service = await TenantService.open(db, plugins, SLUG)
        roles = service.sop("contoh").roles_by_id
        ids: dict[str, int] = {}
        for username, tenant, role, unit, admin in (
            ("admin", contoh, None, None, True),
            ("staf", contoh, "staf", None, False),
            ("kasubag", contoh, "kasubag", None, False),
            ("kabid.a", contoh, "kabid", "bidang-a", False),
            ("admin.lain", lain, None, None, True),
        ):
            user = await create_user(username, username.title(), PASSWORD)
            await add_membership(
                tenant.id, user.id, roles[role] if role else None, unit, administrator=admin
            )
            ids[username] = user.id
        await create_operator("operator", "Operator Provinsi", PASSWORD)
        await service.start_case(ids["staf"], "contoh", "Triwulan IV 2026", {3: "3 hari"})
        return ids
    finally:
        await close_database(db)


def db(query: Any) -> Any:
    """Run a piccolo query against the app's database (bound when the app started)."""

    async def run() -> Any:
        return await query

    return run_coroutine(run())


Site = FormSite  # signed in as anyone, CSRF-protected posts


def field_error(html: str, form: str, field: str) -> str:
    """The message shown next to ``field`` of ``form`` (empty if there is none)."""
    found = re.search(rf'<small class="error" id="{form}-{field}-error">([^<]*)</small>', html)
    return found.group(1) if found else ""
