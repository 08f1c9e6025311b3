"""The "Reminders" administration page (the office clock policy) and the email/WhatsApp
fields of the People page: administrators only, every message next to its field, and
everything typed kept."""

from __future__ import annotations

import re

from alur.tenants.storage.tables import Tenant, User
from tests.web.admin.web_admin_helpers import ADMIN, SLUG, Site, db, field_error

CLOCK = f"{ADMIN}/clock"


def stored_policy() -> dict:
    row = db(Tenant.select(Tenant.clock_policy).where(Tenant.slug == SLUG).first())
    value = row["clock_policy"]
    return value if isinstance(value, dict) else __import__("json").loads(value)


def test_the_policy_page_is_for_administrators(site: Site) -> None:
    site.as_user("staf")
    assert site.get(CLOCK).status_code == 404
    assert site.post(CLOCK, {"remind_before": "10"}).status_code == 404
    assert stored_policy() == {}
    site.as_user("admin")
    page = site.get(CLOCK)
    assert page.status_code == 200
    assert "Ingatkan saat sekian persen waktu langkah berlalu" in page.text
    assert 'name="remind_before" value="50"' in page.text  # the defaults, filled in
    assert "Belum pernah diubah" in page.text
    # every role of the office's SOPs may be chosen
    assert '<option value="kasubag">Kasubag Perencanaan</option>' in page.text


def test_a_refused_policy_keeps_what_was_typed(site: Site) -> None:
    site.as_user("admin")
    typed = {
        "remind_before": "150",
        "remind_before_min": "2 jam",
        "escalate_after": "besok",
        "escalate_to": "bupati",
        "digest": "on",
    }
    page = site.post(CLOCK, typed)
    assert page.status_code == 422
    assert "antara 1 dan 99" in field_error(page.text, "clock", "remind_before")
    assert "1 hari" in field_error(page.text, "clock", "escalate_after")
    assert "bupati" in field_error(page.text, "clock", "escalate_to")
    assert not field_error(page.text, "clock", "remind_before_min")
    for name, value in (("remind_before", "150"), ("remind_before_min", "2 jam")):
        assert f'name="{name}" value="{value}"' in page.text
    assert 'value="besok"' in page.text
    assert re.search(r'name="digest" value="on"\s+checked', page.text)
    assert not re.search(r'name="remind_at_due" value="on"\s+checked', page.text)  # unticked
    assert stored_policy() == {}


def test_a_saved_policy_is_shown_with_who_changed_it(site: Site) -> None:
    site.as_user("admin")
    saved = site.post(
        CLOCK,
        {
            "remind_before": "75",
            "remind_before_min": "4 jam",
            "remind_at_due": "on",
            "escalate_after": "",
            "escalate_to": "kepala",
        },
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == CLOCK
    assert stored_policy() == {
        "remind_before": "75%",
        "remind_before_min": "4 jam",
        "remind_at_due": True,
        "escalate_after": False,
        "escalate_to": "kepala",
        "digest": False,
    }
    page = site.get(CLOCK).text
    assert "Pengaturan pengingat tersimpan" in page
    assert 'name="remind_before" value="75"' in page
    assert '<option value="kepala" selected>' in page
    assert "Terakhir diubah oleh Admin (admin)" in page
    # with htmx, the panel alone
    panel = site.post(CLOCK, {"remind_before": "60", "remind_before_min": "1 hari"}, htmx=True)
    assert panel.status_code == 200
    assert panel.text.lstrip().startswith('<div id="admin-panel"')


def test_people_get_email_and_whatsapp_through_the_contacts_rules(site: Site) -> None:
    site.as_user("admin")
    form = {
        "username": "budi",
        "name": "Budi",
        "password": "rahasia-2026",
        "role": "staf",
        "email": "budi@",
        "whatsapp": "123",
    }
    refused = site.post(f"{ADMIN}/people", form)
    assert refused.status_code == 422
    assert "bukan alamat email yang sah" in field_error(refused.text, "user", "email")
    assert field_error(refused.text, "user", "whatsapp")
    assert 'value="budi@"' in refused.text
    assert not db(User.exists().where(User.username == "budi"))
    created = site.post(
        f"{ADMIN}/people", {**form, "email": "budi@contoh.go.id", "whatsapp": "0812-3456-7890"}
    )
    assert created.status_code == 303
    row = db(User.select(User.id, User.email, User.whatsapp).where(User.username == "budi").first())
    assert (row["email"], row["whatsapp"]) == ("budi@contoh.go.id", "+6281234567890")

    contacts = f"{ADMIN}/people/contacts"
    refused = site.post(contacts, {"user": str(row["id"]), "email": "x", "whatsapp": ""})
    assert refused.status_code == 422
    assert field_error(refused.text, "contacts", "email")
    other = site.post(contacts, {"user": str(site.ids["admin.lain"]), "email": "a@b.go.id"})
    assert other.status_code == 422  # not a person of this office
    assert field_error(other.text, "contacts", "user")
    saved = site.post(contacts, {"user": str(row["id"]), "email": "", "whatsapp": "0813 1111 2222"})
    assert saved.status_code == 303
    row = db(User.select(User.email, User.whatsapp).where(User.username == "budi").first())
    assert (row["email"], row["whatsapp"]) == ("", "+6281311112222")
    assert "+6281311112222" in site.get(f"{ADMIN}/people").text
