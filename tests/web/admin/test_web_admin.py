"""The administration pages: who may see them (a tenant's administrators, the platform
operators, CSRF), a tenant's units and calendar, and the platform operators' offices.
Driven through the real app with its sessions and CSRF protection, on a SQLite database
provisioned before the app starts. The people page: test_web_admin_people.py."""

from __future__ import annotations

from alur.tenants.storage.tables import DayOff, Tenant, Unit
from tests.web.admin.web_admin_helpers import (
    ADMIN,
    PASSWORD,
    SLUG,
    Site,
    db,
    field_error,
)

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
