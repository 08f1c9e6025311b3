"""The person page of tenant administration (``/t/{slug}/admin/people/{username}``), through
the real app with its sessions and CSRF protection, on SQLite and PostgreSQL: editing (a
wrong NIP shown next to its field, everything typed kept), deactivating (the person's own
open session refused on its next request), removing a role, ending a Plt/Plh now, the
recorded changes, and the People list's filter. The pages are in Indonesian (the default)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from litestar.testing import TestClient

from alur.core import AlurPlugins
from alur.tenants.testing.postgres import run_coroutine
from alur.web.app import create_app
from alur.web.settings import WebSettings
from alur.web.testing import SESSION_COOKIE
from tests.audit.test_audit_tamper import one, sql
from tests.web.admin.web_admin_helpers import (
    ADMIN,
    PASSWORD,
    SLUG,
    Site,
    field_error,
    provision,
)

PEOPLE = f"{ADMIN}/people"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, fresh_databases: Any) -> str:
    return fresh_databases.url(request.param)


@pytest.fixture
def site(url: str, plugin_manager: AlurPlugins, cheap_hasher: None) -> Iterator[Site]:
    ids = run_coroutine(provision(url, plugin_manager))
    app = create_app(WebSettings(database_url=url, secret_key="k" * 32), plugins=plugin_manager)
    with TestClient(app) as client:
        yield Site(client, PASSWORD, ids)


def test_the_person_page_is_for_the_offices_administrators_only(site: Site) -> None:
    site.as_user("admin")
    page = site.get(f"{PEOPLE}/staf")
    assert page.status_code == 200
    assert 'action="/t/dinas-contoh/admin/people/staf/edit"' in page.text
    assert f'href="{PEOPLE}/staf"' in site.get(PEOPLE).text  # reached from the list
    assert site.get(f"{PEOPLE}/admin.lain").status_code == 404  # another office's person
    assert site.get(f"{PEOPLE}/nobody").status_code == 404
    site.as_user("staf")
    assert site.get(f"{PEOPLE}/staf").status_code == 404


def test_a_wrong_nip_is_shown_next_to_its_field_and_everything_typed_is_kept(
    site: Site, url: str
) -> None:
    site.as_user("admin")
    typed = {
        "name": "Siti Rahayu, S.E.",
        "nip": "19700101 199013 1 001",
        "jabatan": "Analis",
        "pangkat": "Penata, III/c",
        "email": "siti@example.org",
        "whatsapp": "0812 3456 7890",
        "note": "SK 12/2026",
    }
    refused = site.post(f"{PEOPLE}/staf/edit", typed)
    assert refused.status_code == 422
    assert "TMT" in field_error(refused.text, "edit", "nip")
    assert 'aria-describedby="edit-nip-error"' in refused.text
    for value in typed.values():
        assert f'value="{value}"' in refused.text
    assert one(url, "SELECT name FROM alur_user WHERE username = 'staf'") == "Staf"

    done = site.post(f"{PEOPLE}/staf/edit", {**typed, "nip": "19700101 199003 1 001"})
    assert done.status_code == 303
    assert done.headers["location"] == f"{PEOPLE}/staf"
    page = site.get(f"{PEOPLE}/staf").text
    assert 'class="notice"' in page
    row = sql(url, "SELECT nip, whatsapp FROM alur_user WHERE username = 'staf'")
    assert row == [("197001011990031001", "+6281234567890")]
    assert "SK 12/2026" in page  # the recorded change, with its note

    htmx = site.post(f"{PEOPLE}/staf/edit", {"name": ""}, htmx=True)
    assert htmx.status_code == 422
    assert "<html" not in htmx.text
    assert field_error(htmx.text, "edit", "name")


def test_deactivating_refuses_the_persons_open_session_at_once(site: Site) -> None:
    site.as_user("staf")
    unused_session = site.client.cookies.get(SESSION_COOKIE)  # not used while deactivated
    site.as_user("staf")
    staf_session = site.client.cookies.get(SESSION_COOKIE)
    assert unused_session != staf_session
    assert site.get(f"/t/{SLUG}/inbox").status_code == 200
    site.as_user("admin")
    assert "Nonaktifkan akun" in site.get(f"{PEOPLE}/staf").text
    done = site.post(f"{PEOPLE}/staf/deactivate", {"note": "pensiun"})
    assert done.status_code == 303
    page = site.get(f"{PEOPLE}/staf").text
    assert 'class="deactivated"' in page
    assert "Aktifkan kembali akun" in page
    listed = site.get(f"{PEOPLE}?show=deactivated").text
    assert re.findall(r'<a href="/t/dinas-contoh/admin/people/([^"]+)">', listed) == ["staf"]
    active = site.get(f"{PEOPLE}?show=active").text
    assert "staf" not in re.findall(r'<a href="/t/dinas-contoh/admin/people/([^"]+)">', active)
    # Oneself: no button, and refused all the same.
    assert "Anda tidak dapat menonaktifkan akun Anda sendiri." in site.get(f"{PEOPLE}/admin").text
    assert site.post(f"{PEOPLE}/admin/deactivate").status_code == 422

    site.client.cookies.set(SESSION_COOKIE, staf_session)
    refused = site.get(f"/t/{SLUG}/inbox")
    assert refused.status_code == 303
    assert refused.headers["location"].startswith("/login")
    assert site.login("staf").status_code != 303  # and cannot sign in

    site.as_user("admin")
    assert site.post(f"{PEOPLE}/staf/reactivate").status_code == 303
    # A session of theirs from before the deactivation does not come back with the account.
    site.client.cookies.clear()
    site.client.cookies.set(SESSION_COOKIE, unused_session)
    stale = site.get(f"/t/{SLUG}/inbox")
    assert stale.status_code == 303
    assert stale.headers["location"].startswith("/login")
    site.as_user("staf")


def memberships(url: str, user_id: int) -> int:
    return one(url, 'SELECT count(*) FROM alur_membership WHERE "user" = {}', user_id)


def test_removing_a_role_and_ending_a_plt_now(site: Site, url: str) -> None:
    site.as_user("admin")
    refused = site.post(f"{PEOPLE}/admin/roles/remove", {"administrator": "1"})
    assert refused.status_code == 422
    assert "administrator aktif terakhir" in re.search(
        r'id="roles-error">([^<]*)<', refused.text
    ).group(1)
    assert memberships(url, site.ids["admin"]) == 1

    done = site.post(f"{PEOPLE}/kasubag/roles/remove", {"role": "kasubag", "unit": ""})
    assert done.status_code == 303
    assert memberships(url, site.ids["kasubag"]) == 0

    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    tenant = one(url, "SELECT id FROM alur_tenant WHERE slug = {}", SLUG)
    unit = one(url, "SELECT id FROM alur_unit WHERE slug = 'bidang-a' AND tenant = {}", tenant)
    sql(
        url,
        "INSERT INTO alur_delegation (tenant, delegate, official, role, unit, kind, starts_on,"
        " ends_on, note) VALUES ({}, {}, {}, 'kabid', {}, 'Plh', {}, {}, '')",
        *(tenant, site.ids["staf"], site.ids["kabid.a"], unit),
        *(today - timedelta(days=1), today + timedelta(days=7)),
    )
    delegation = one(url, "SELECT max(id) FROM alur_delegation")
    page = site.get(f"{PEOPLE}/staf").text
    assert f'action="{PEOPLE}/staf/delegations/{delegation}/end"' in page
    assert site.post(f"{PEOPLE}/staf/delegations/{delegation}/end").status_code == 303
    ends = one(url, "SELECT ends_on FROM alur_delegation WHERE id = {}", delegation)
    assert str(ends)[:10] == (today - timedelta(days=1)).isoformat()
    again = site.post(f"{PEOPLE}/staf/delegations/{delegation}/end")
    assert again.status_code == 422
    assert f'id="delegation-{delegation}-error"' in again.text
    assert "Akhiri sekarang" not in site.get(f"{PEOPLE}/staf").text
