"""The administration pages: a tenant's own (people, roles, Plt/Plh, units, calendar) and
the platform operators' (offices, plugins). Driven through the real app with its sessions
and CSRF protection, on a SQLite database provisioned before the app starts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from litestar.testing import TestClient

from alur.core import AlurPlugins, SopDefinition
from alur.tenants.cases.service import TenantService
from alur.tenants.errors import InvalidInput
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_operator, create_user
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.storage.tables import DayOff, Delegation, Membership, Tenant, Unit, User
from alur.tenants.testing.postgres import run_coroutine
from alur.web.app import create_app
from alur.web.settings import WebSettings
from alur.web.testing import FormSite

PASSWORD = "rahasia-2026"
SLUG = "dinas-contoh"
ADMIN = f"/t/{SLUG}/admin"


def jakarta_today() -> date:
    return datetime.now(ZoneInfo("Asia/Jakarta")).date()


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


@pytest.fixture
def broken_plugin(sample: SopDefinition) -> ModuleType:
    from alur.core import hookimpl

    steps = (replace(sample.steps[0], actor="nobody"), *sample.steps[1:])
    wrong = replace(sample, id="salah", steps=steps)
    module = ModuleType("rusak")
    module.alur_sop_definitions = hookimpl(lambda: [wrong])  # type: ignore[attr-defined]
    return module


@pytest.fixture
def site(
    fresh_databases: Any,
    plugin_manager: AlurPlugins,
    broken_plugin: ModuleType,
    cheap_hasher: None,
) -> Iterator[Site]:
    plugin_manager.register(broken_plugin, name="rusak", version="0.1")
    url = fresh_databases.url("sqlite")
    ids = run_coroutine(provision(url, plugin_manager))
    app = create_app(WebSettings(database_url=url, secret_key="k" * 32), plugins=plugin_manager)
    with TestClient(app) as client:
        yield Site(client, PASSWORD, ids)


def field_error(html: str, form: str, field: str) -> str:
    """The message shown next to ``field`` of ``form`` (empty if there is none)."""
    found = re.search(rf'<small class="error" id="{form}-{field}-error">([^<]*)</small>', html)
    return found.group(1) if found else ""


# --- who may see the pages -----------------------------------------------------------------


def test_admin_pages_are_only_for_this_tenants_administrators(site: Site) -> None:
    for username in ("staf", "admin.lain"):
        site.as_user(username)
        for path in (ADMIN, f"{ADMIN}/people", f"{ADMIN}/units", f"{ADMIN}/calendar"):
            assert site.get(path).status_code == 404, (username, path)
        response = site.post(f"{ADMIN}/units", {"slug": "bidang-x", "name": "Bidang X"})
        assert response.status_code == 404
    assert not db(Unit.exists().where(Unit.slug == "bidang-x"))

    site.as_user("admin")
    response = site.get(ADMIN)
    assert response.status_code == 303
    assert response.headers["location"] == f"{ADMIN}/people"
    for section in ("people", "units", "calendar"):
        page = site.get(f"{ADMIN}/{section}")
        assert page.status_code == 200
        assert 'aria-current="page"' in page.text
    # The administration pages of the other office stay hidden from this administrator.
    assert site.get("/t/dinas-lain/admin/people").status_code == 404


def test_platform_is_only_for_operators(site: Site) -> None:
    for username in ("staf", "admin"):
        site.as_user(username)
        assert site.get("/platform").status_code == 404
        response = site.post("/platform/tenants/dinas-lain/suspend")
        assert response.status_code == 404
    assert not db(Tenant.select(Tenant.suspended).where(Tenant.slug == "dinas-lain").first())[
        "suspended"
    ]
    site.as_user("operator")
    page = site.get("/platform")
    assert page.status_code == 200
    assert SLUG in page.text
    assert "dinas-lain" in page.text
    assert "1.2.3" in page.text  # the contoh plugin's version
    assert "Triwulan IV 2026" in page.text  # recent cases across offices
    # The failed plugin shows its error and each problem, located by step.
    assert "rusak" in page.text
    assert "SOP &#34;salah&#34; is invalid" in page.text or 'SOP "salah" is invalid' in page.text
    assert "step 1" in page.text
    # Operators are no tenant members.
    assert site.get(f"{ADMIN}/people").status_code == 404


def test_posts_without_the_csrf_token_are_refused(site: Site) -> None:
    site.as_user("admin")
    response = site.client.post(
        f"{ADMIN}/units", data={"slug": "bidang-x", "name": "Bidang X"}, follow_redirects=False
    )
    assert response.status_code == 403
    assert not db(Unit.exists().where(Unit.slug == "bidang-x"))


# --- people -----------------------------------------------------------------------------------


def test_creating_a_user_with_bad_input_shows_each_error_and_creates_nothing(site: Site) -> None:
    site.as_user("admin")
    response = site.post(
        f"{ADMIN}/people",
        {"username": "Budi Santoso", "password": "pendek", "name": "", "role": "staf"},
    )
    assert response.status_code == 422
    html = response.text
    for field in ("username", "password", "name"):
        assert field_error(html, "user", field), field
    assert 'aria-invalid="true"' in html
    assert 'value="budi santoso"' in html  # the form keeps what was typed ...
    assert "pendek" not in html  # ... except the password
    assert '<details class="form-card" open>' in html
    assert not db(User.exists().where(User.username.like("budi%")))

    # A per-unit role without its unit: the user is not created either.
    response = site.post(
        f"{ADMIN}/people",
        {"username": "budi", "password": PASSWORD, "name": "Budi", "role": "kabid"},
    )
    assert response.status_code == 422
    assert field_error(response.text, "user", "unit")
    assert not field_error(response.text, "user", "username")
    assert not db(User.exists().where(User.username == "budi"))
    assert site.login("budi").status_code == 401


def test_the_people_form_does_not_tell_another_offices_usernames(site: Site) -> None:
    """With another field invalid, another office's username and a nonexistent one get the
    same page (the username itself masked); with a valid form a taken username gets one
    message, the same for this office's and another office's."""
    site.as_user("admin")
    pages = []
    for username in ("admin.lain", "zz.nonexist"):
        form = {"username": username, "password": PASSWORD, "name": "Budi", "role": "nope"}
        response = site.post(f"{ADMIN}/people", form)
        assert response.status_code == 422
        pages.append(response.text.replace(username, "USERNAME"))
    assert pages[0] == pages[1]
    assert field_error(pages[0], "user", "role")
    assert not field_error(pages[0], "user", "username")
    shown = set()
    for username in ("admin.lain", "staf"):
        form = {"username": username, "password": PASSWORD, "name": "Budi", "role": "staf"}
        response = site.post(f"{ADMIN}/people", form)
        assert response.status_code == 422
        shown.add(field_error(response.text, "user", "username"))
    assert shown == {"nama pengguna ini tidak dapat digunakan: pilih yang lain"}


def test_a_failed_membership_rolls_the_new_user_back(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alur.tenants.offices import admin

    async def refuse(*args: Any, **kwargs: Any) -> None:
        raise InvalidInput({"role": "the user already has this role here"})

    monkeypatch.setattr(admin, "add_membership", refuse)
    site.as_user("admin")
    response = site.post(
        f"{ADMIN}/people",
        {"username": "budi", "password": PASSWORD, "name": "Budi", "role": "staf"},
    )
    assert response.status_code == 422
    assert field_error(response.text, "user", "role")
    assert not db(User.exists().where(User.username == "budi"))


def test_a_new_user_is_listed_and_can_sign_in(site: Site) -> None:
    site.as_user("admin")
    response = site.post(
        f"{ADMIN}/people",
        {
            "username": "Budi.Santoso",
            "password": PASSWORD,
            "name": "Budi Santoso, S.E.",
            "nip": "198001012010011001",
            "jabatan": "Kepala Bidang A",
            "role": "kabid",
            "unit": "bidang-a",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"{ADMIN}/people"
    page = site.get(f"{ADMIN}/people").text
    assert "Budi Santoso, S.E." in page
    assert "budi.santoso" in page
    assert "198001012010011001" in page
    assert 'class="notice"' in page  # the one-time notice after the redirect ...
    assert 'class="notice"' not in site.get(f"{ADMIN}/people").text  # ... shown once

    # A second role, added by the form for existing people.
    budi = db(User.select(User.id).where(User.username == "budi.santoso").first())["id"]
    response = site.post(
        f"{ADMIN}/people/roles", {"user": str(budi), "role": "kabid", "unit": "bidang-b"}
    )
    assert response.status_code == 303
    units = db(
        Membership.select(Membership.unit.slug.as_alias("unit")).where(Membership.user == budi)
    )
    assert sorted(u["unit"] for u in units) == ["bidang-a", "bidang-b"]
    # ... which refuses a duplicate and people of other offices, per field.
    response = site.post(
        f"{ADMIN}/people/roles", {"user": str(budi), "role": "kabid", "unit": "bidang-b"}
    )
    assert response.status_code == 422
    assert field_error(response.text, "role", "role")
    response = site.post(
        f"{ADMIN}/people/roles", {"user": str(site.ids["admin.lain"]), "role": "staf"}
    )
    assert response.status_code == 422
    assert field_error(response.text, "role", "user")

    response = site.login("budi.santoso")
    assert response.status_code == 303
    assert site.get("/").headers["location"] == f"/t/{SLUG}/inbox"
    assert site.get(f"/t/{SLUG}/inbox").status_code == 200


def test_with_htmx_the_forms_swap_the_panel(site: Site) -> None:
    site.as_user("admin")
    bad = site.post(f"{ADMIN}/people", {"username": "x"}, htmx=True)
    assert bad.status_code == 422
    assert '<div id="admin-panel"' in bad.text
    assert "<html" not in bad.text
    assert field_error(bad.text, "user", "username")
    good = site.post(f"{ADMIN}/units", {"slug": "bidang-c", "name": "Bidang C"}, htmx=True)
    assert good.status_code == 200
    assert "<html" not in good.text
    assert "Bidang C" in good.text
    assert 'class="notice"' in good.text


def test_a_delegate_sees_the_officials_tasks(site: Site) -> None:
    site.as_user("kasubag")
    inbox = site.get(f"/t/{SLUG}/inbox").text
    assert "Membuat draft format data kinerja" not in inbox  # step 1 is the Staf's

    site.as_user("admin")
    today = jakarta_today()
    form = {
        "delegate": str(site.ids["kasubag"]),
        "official": str(site.ids["staf"]),
        "role": "staf",
        "unit": "",
        "kind": "Plh",
        "starts_on": today.isoformat(),
        "ends_on": (today - timedelta(days=1)).isoformat(),
        "note": "ST 800/12",
    }
    response = site.post(f"{ADMIN}/delegations", form)
    assert response.status_code == 422
    assert field_error(response.text, "delegation", "ends_on")
    response = site.post(f"{ADMIN}/delegations", {**form, "starts_on": "kemarin"})
    assert response.status_code == 422
    assert field_error(response.text, "delegation", "starts_on")
    response = site.post(f"{ADMIN}/delegations", {**form, "delegate": str(site.ids["admin.lain"])})
    assert response.status_code == 422
    assert field_error(response.text, "delegation", "delegate")
    # Every problem at once, from the service, next to its field; what was typed stays.
    wrong = {**form, "delegate": "x", "role": "nope", "kind": "Pj", "starts_on": "kemarin"}
    response = site.post(f"{ADMIN}/delegations", wrong)
    assert response.status_code == 422
    for field in ("delegate", "role", "kind", "starts_on"):
        assert field_error(response.text, "delegation", field), field
    assert "kemarin" in response.text
    assert "ST 800/12" in response.text
    assert db(Delegation.count()) == 0

    ends = today + timedelta(days=3)
    response = site.post(f"{ADMIN}/delegations", {**form, "ends_on": ends.isoformat()})
    assert response.status_code == 303
    page = site.get(f"{ADMIN}/people").text
    assert "Plh" in page
    assert "ST 800/12" in page

    site.as_user("kasubag")
    inbox = site.get(f"/t/{SLUG}/inbox").text
    assert "Membuat draft format data kinerja" in inbox


# --- units and calendar ----------------------------------------------------------------------


def test_units_add_deactivate_and_reactivate(site: Site) -> None:
    site.as_user("admin")
    response = site.post(f"{ADMIN}/units", {"slug": "Bidang C", "name": ""})
    assert response.status_code == 422
    assert field_error(response.text, "unit", "slug")
    assert field_error(response.text, "unit", "name")
    response = site.post(f"{ADMIN}/units", {"slug": "bidang-a", "name": "Lagi"})
    assert response.status_code == 422
    assert field_error(response.text, "unit", "slug")

    assert site.post(f"{ADMIN}/units", {"slug": "bidang-c", "name": "Bidang C"}).status_code == 303
    page = site.get(f"{ADMIN}/units").text
    assert 'id="unit-bidang-c"' in page

    assert site.post(f"{ADMIN}/units/bidang-c/deactivate").status_code == 303
    assert not db(Unit.select(Unit.active).where(Unit.slug == "bidang-c").first())["active"]
    page = site.get(f"{ADMIN}/units").text
    assert f'action="{ADMIN}/units/bidang-c/reactivate"' in page
    assert site.post(f"{ADMIN}/units/bidang-c/reactivate").status_code == 303
    assert db(Unit.select(Unit.active).where(Unit.slug == "bidang-c").first())["active"]

    assert site.post(f"{ADMIN}/units/tidak-ada/deactivate").status_code == 404
    assert site.post(f"{ADMIN}/units/bidang-c/hapus").status_code == 404
    # Another office's unit of the same name is not touched from here.
    site.as_user("admin.lain")
    assert site.post("/t/dinas-lain/admin/units/bidang-a/deactivate").status_code == 303
    rows = db(
        Unit.select(Unit.active, Unit.tenant.slug.as_alias("t")).where(Unit.slug == "bidang-a")
    )
    assert {r["t"]: r["active"] for r in rows} == {SLUG: True, "dinas-lain": False}


def test_days_off_and_office_hours(site: Site) -> None:
    site.as_user("admin")
    response = site.post(f"{ADMIN}/calendar/days-off", {"day": "24-12-2026", "name": "x"})
    assert response.status_code == 422
    assert field_error(response.text, "dayoff", "day")
    form = {"day": "2026-12-24", "name": "Cuti bersama Natal"}
    assert site.post(f"{ADMIN}/calendar/days-off", form).status_code == 303
    page = site.get(f"{ADMIN}/calendar").text
    assert page.count('<span class="day">') == 8  # the next national holidays, for reference
    assert "Cuti bersama Natal" in page
    assert 'id="day-2026-12-24"' in page
    response = site.post(f"{ADMIN}/calendar/days-off", form)
    assert response.status_code == 422
    assert field_error(response.text, "dayoff", "day")

    assert site.post(f"{ADMIN}/calendar/days-off/2026-12-24/delete").status_code == 303
    assert db(DayOff.count()) == 0
    assert "Cuti bersama Natal" not in site.get(f"{ADMIN}/calendar").text
    assert site.post(f"{ADMIN}/calendar/days-off/2026-12-24/delete").status_code == 404

    response = site.post(
        f"{ADMIN}/calendar/hours", {"office_start": "16:00", "office_end": "08:00"}
    )
    assert response.status_code == 422
    assert field_error(response.text, "hours", "office_end")
    response = site.post(
        f"{ADMIN}/calendar/hours", {"office_start": "08:00", "office_end": "15:30"}
    )
    assert response.status_code == 303
    row = db(
        Tenant.select(Tenant.office_start, Tenant.office_end).where(Tenant.slug == SLUG).first()
    )
    assert row == {"office_start": "08:00", "office_end": "15:30"}
    assert 'value="15:30"' in site.get(f"{ADMIN}/calendar").text


# --- platform ----------------------------------------------------------------------------------


def test_creating_an_office(site: Site) -> None:
    site.as_user("operator")
    response = site.post(
        "/platform/tenants",
        {"slug": "Bad Slug!", "name": " ", "plugin": "rusak", "admin_username": "x"},
    )
    assert response.status_code == 422
    for field in ("slug", "name", "plugin", "admin_username", "admin_password", "admin_name"):
        assert field_error(response.text, "tenant", field), field
    assert db(Tenant.count()) == 2
    form = {"slug": "dinas-baru", "name": "Dinas Baru", "plugin": "contoh", "sops": "contoh:nope"}
    response = site.post("/platform/tenants", form)
    assert response.status_code == 422
    assert "nope" in field_error(response.text, "tenant", "sops")
    assert db(Tenant.count()) == 2
    response = site.post("/platform/tenants", {**form, "sops": "rusak:salah"})
    assert response.status_code == 303  # a ticked SOP of another plugin does not count
    assert db(Tenant.count()) == 3

    response = site.post(
        "/platform/tenants",
        {
            "slug": "dinas-ketiga",
            "name": "Dinas Ketiga",
            "plugin": "contoh",
            "sops": ["contoh:contoh"],
            "admin_username": "admin.ketiga",
            "admin_name": "Admin Ketiga",
            "admin_password": PASSWORD,
        },
    )
    assert response.status_code == 303
    page = site.get("/platform").text
    assert 'id="tenant-dinas-ketiga"' in page
    assert 'class="notice"' in page
    assert db(Unit.count().where(Unit.tenant.slug == "dinas-ketiga")) == 2  # the plugin's units
    # The office with a taken administrator username is not created either (one transaction).
    response = site.post(
        "/platform/tenants",
        {
            "slug": "dinas-keempat",
            "name": "Dinas Keempat",
            "plugin": "contoh",
            "admin_username": "admin.ketiga",
            "admin_name": "Lagi",
            "admin_password": PASSWORD,
        },
    )
    assert response.status_code == 422
    assert field_error(response.text, "tenant", "admin_username")
    assert not db(Tenant.exists().where(Tenant.slug == "dinas-keempat"))

    site.as_user("admin.ketiga")
    assert site.get("/t/dinas-ketiga/admin/people").status_code == 200


def test_suspending_an_office_stops_work_in_it(site: Site) -> None:
    site.as_user("operator")
    assert site.post(f"/platform/tenants/{SLUG}/suspend").status_code == 303
    assert f'<tr id="tenant-{SLUG}" class="inactive">' in site.get("/platform").text
    assert site.post("/platform/tenants/tidak-ada/suspend").status_code == 404

    site.as_user("staf")
    assert site.get(f"/t/{SLUG}/inbox").status_code == 403
    response = site.post(f"/t/{SLUG}/cases", {"sop": "contoh", "period": "Tahun 2026"})
    assert response.status_code == 403
    site.as_user("admin")
    assert site.get(f"{ADMIN}/people").status_code == 403
    response = site.post(f"{ADMIN}/units", {"slug": "bidang-x", "name": "X"})
    assert response.status_code == 403

    site.as_user("operator")
    assert site.post(f"/platform/tenants/{SLUG}/resume", htmx=True).status_code == 200
    site.as_user("staf")
    assert site.get(f"/t/{SLUG}/inbox").status_code == 200
