"""Helpers of the Mutu baku page tests (the ``site`` fixture is in conftest.py): the app over the data kinerja tests' small
SOP (tests/kinerja/kinerja_helpers.py), with work done on a fake clock in the week of Monday
23 November 2026 (WIB), and a second office for the outsider.

What was done (office minutes on the 07:30–16:00 calendar, 510 a day):

* case 1: step 1 opened 09:00:00, finished 11:07:39 → **127 minutes** (mutu baku 1 hari);
  step 2 of bidang-a opened then, claimed 7′39″ later, filled and finished after one hour
  → 75 minutes; bidang-b's step 2 is still open.
* every other step: no finished task → "belum ada data".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from types import ModuleType

from litestar.testing import TestClient

from alur.core import (
    AlurPlugins,
    Institution,
    Unit,
    create_plugin_manager,
    hookimpl,
    loads_definition,
)
from alur.tenants.storage.database import close_database, open_database
from alur.web.testing import sign_in_sync
from tests.kinerja.kinerja_helpers import KINERJA_TOML, UNITS, design, do, fill, make_office, start

OFFICE = "dinas-uji"
OTHER = "dinas-lain"
PASSWORD = "x" * 12
WEEK = {"start": "2026-11-23", "end": "2026-11-29"}
SOP = "uji-kinerja"


def uji_plugins() -> AlurPlugins:
    """The plugin of tests/kinerja/conftest.py (the small bound SOP)."""
    definition = loads_definition(KINERJA_TOML, source="uji-kinerja.toml")
    module = ModuleType("alur_test_uji")
    hooks = {
        "alur_institution": lambda: Institution(slug="dinas-uji", name="Dinas Uji"),
        "alur_roles": lambda: list(definition.roles),
        "alur_units": lambda: [Unit(u, u.replace("-", " ").title()) for u in UNITS],
        "alur_sop_definitions": lambda: [definition],
    }
    for name, function in hooks.items():
        setattr(module, name, hookimpl(function))
    manager = create_plugin_manager(load_entrypoints=False, environ={})
    loaded = manager.register(module, name="uji", version="1.0")
    assert loaded.ok, loaded.errors
    return manager


@dataclass
class Site:
    client: TestClient
    case_key: str

    def login(self, key: str, office: str = OFFICE) -> None:
        self.client.cookies.clear()
        sign_in_sync(self.client, f"{office}.{key}", PASSWORD)


async def provision(url: str, plugins: AlurPlugins) -> str:
    db = await open_database(url)
    try:
        office = await make_office(db, plugins, OFFICE)
        case = await start(office)  # Monday 23 November 2026, 09:00 WIB
        office.clock.now += timedelta(hours=2)
        await design(office, case)  # step 1 finished at 11:07:39
        await do(office, "kabid_a", case.key, 2, "bidang-a", "claim")
        office.clock.now += timedelta(hours=1)
        await fill(office, case.key, "bidang-a", {"IKU-1": "90"})
        await do(office, "kabid_a", case.key, 2, "bidang-a", "complete")
        await make_office(db, plugins, OTHER)
        return case.key
    finally:
        await close_database(db)
