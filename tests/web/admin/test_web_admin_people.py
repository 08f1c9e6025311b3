"""The people page of tenant administration, driven through the real app with its sessions and
CSRF protection, on a SQLite database provisioned before the app starts: creating users
(each error shown, nothing half-created, no other office's usernames told), memberships
rolled back with their user, htmx panel swaps, and a delegate seeing the official's tasks."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from alur.tenants.errors import InvalidInput
from alur.tenants.storage.tables import Delegation, Membership, User
from tests.web.admin.web_admin_helpers import (
    ADMIN,
    PASSWORD,
    SLUG,
    Site,
    db,
    field_error,
)


def jakarta_today() -> date:
    return datetime.now(ZoneInfo("Asia/Jakarta")).date()


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
    # ... marked as held in the official's place (Plh.), with the official's name
    assert '<span class="acting" data-acting="Plh">Plh.</span>' in inbox
    assert "menggantikan Staf" in inbox


def test_a_plh_for_steps_that_are_not_delegable_warns_at_once(site: Site) -> None:
    """The Plt/Plh form lists the steps no delegate may do (before anything is sent), and
    granting a Plh of such a role says again which steps the official keeps; the grant
    itself goes through (the role's other steps may be delegated)."""
    site.as_user("admin")
    page = site.get(f"{ADMIN}/people").text
    assert 'id="not-delegable-steps"' in page
    assert '<li data-role="kepala">' in page
    assert "6. Menandatangani data kinerja" in page

    today = jakarta_today()
    granted = site.post(
        f"{ADMIN}/people/roles", {"user": str(site.ids["kasubag"]), "role": "kepala", "unit": ""}
    )
    assert granted.status_code == 303
    form = {
        "delegate": str(site.ids["kasubag"]),
        "official": str(site.ids["kasubag"]),
        "role": "kepala",
        "unit": "",
        "kind": "Plh",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=2)).isoformat(),
        "note": "",
    }
    refused = site.post(f"{ADMIN}/delegations", form)
    assert refused.status_code == 422
    assert field_error(refused.text, "delegation", "delegate")

    response = site.post(f"{ADMIN}/delegations", {**form, "delegate": str(site.ids["staf"])})
    assert response.status_code == 303
    page = site.get(f"{ADMIN}/people").text
    notice = re.search(r'<p class="notice" role="status">([^<]*)</p>', page)
    assert notice is not None
    assert "6. Menandatangani data kinerja" in notice.group(1)
    assert db(Delegation.count()) == 1
