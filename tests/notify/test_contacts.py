"""A person's contacts (``alur.tenants.notify.contacts``) on both databases: every wrong
field named at once and nothing saved, numbers and addresses normalised, and the channels a
person chose — including none — deciding which deliveries a notice makes."""

from __future__ import annotations

import pytest

from alur.core import AlurPlugins, SopDefinition
from alur.core.calendar import WorkingCalendar
from alur.tenants.errors import InvalidInput
from alur.tenants.identity.memberships import add_membership
from alur.tenants.notify.contacts import get_contacts, set_contacts
from alur.tenants.notify.records import REMINDED, Notice, record_notices
from alur.tenants.offices.admin import TenantAdmin
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Delivery
from tests.cases.store_helpers import contoh_office, plugins_with

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]

CHANNELS = ["email", "berkas"]


@pytest.fixture
def plugins(sample: SopDefinition) -> AlurPlugins:
    return plugins_with(sample)


async def test_every_wrong_field_is_named_and_nothing_is_saved(
    database: Database, plugins: AlurPlugins
) -> None:
    office = await contoh_office(database, plugins)
    staf = office.users["staf"]
    with pytest.raises(InvalidInput) as info:
        await set_contacts(
            staf,
            {
                "email": "sari@",
                "whatsapp": "12345",
                "channels": ["email", "telepati"],
                "language": "jv",
            },
            CHANNELS,
        )
    assert set(info.value.errors) == {"email", "whatsapp", "channels", "language"}
    assert await get_contacts(staf) == await get_contacts(office.users["kasubag"])  # untouched


async def test_addresses_and_numbers_are_normalised(database: Database, plugins) -> None:
    office = await contoh_office(database, plugins)
    saved = await set_contacts(
        office.users["staf"],
        {"email": " Sari@Example.ORG ", "whatsapp": "0812-3456-7890", "language": "en"},
        CHANNELS,
    )
    assert saved.email == "Sari@example.org"  # the domain is case-insensitive, the name not
    assert saved.whatsapp == "+6281234567890"
    assert saved.language == "en"
    with pytest.raises(InvalidInput) as info:  # email chosen with no address to send to
        await set_contacts(office.users["kasubag"], {"channels": ["email"]}, CHANNELS)
    assert set(info.value.errors) == {"email"}


async def _deliveries_for(
    database: Database, plugins, values: dict, offered: tuple[str, ...] | None = None
) -> list[str]:
    office = await contoh_office(database, plugins)
    staf = office.users["staf"]
    await set_contacts(staf, values, CHANNELS)
    await record_notices(
        office.tenant_id,
        [Notice(REMINDED, staf, "k1", {"step": 1})],
        now=office.clock(),
        calendar=WorkingCalendar(),
        offered=offered,
    )
    rows = await Delivery.select(Delivery.channel).where(Delivery.tenant == office.tenant_id)
    return sorted(r["channel"] for r in rows)


async def test_by_default_a_person_with_an_address_is_told_by_email(database, plugins) -> None:
    assert await _deliveries_for(database, plugins, {"email": "sari@example.org"}) == ["email"]


async def test_choosing_no_channel_means_in_the_app_only(database, plugins) -> None:
    values = {"email": "sari@example.org", "channels": []}
    assert await _deliveries_for(database, plugins, values) == []


async def test_the_chosen_channels_are_the_ones_used(database, plugins) -> None:
    values = {"email": "sari@example.org", "whatsapp": "0812 3456 7890", "channels": ["berkas"]}
    assert await _deliveries_for(database, plugins, values) == ["berkas"]


async def test_no_delivery_without_an_address_for_the_channel(database, plugins) -> None:
    values = {"email": "sari@example.org", "channels": ["email", "berkas"]}  # no number
    assert await _deliveries_for(database, plugins, values) == ["email"]


async def test_no_delivery_through_a_channel_the_workers_do_not_offer(database, plugins) -> None:
    values = {"email": "sari@example.org"}  # email, but no SMTP server configured
    assert await _deliveries_for(database, plugins, values, offered=("webhook",)) == []


async def test_an_admin_sets_contacts_only_of_people_of_this_office_alone(
    database: Database, plugins, sample: SopDefinition
) -> None:
    office = await contoh_office(database, plugins)
    other = await contoh_office(database, plugins, slug="dinas-lain")
    admin = TenantAdmin(await office.service(), office.users["admin"])
    staf = office.users["staf"]
    await admin.set_person_contacts(staf, "sari@example.org", "")
    assert (await get_contacts(staf)).email == "sari@example.org"
    # the kepala also holds a role in another office: his messages of both go where he says
    await add_membership(other.tenant_id, office.users["kepala"], sample.role("kepala"))
    with pytest.raises(InvalidInput) as info:
        await admin.set_person_contacts(office.users["kepala"], "kepala@example.org", "")
    assert set(info.value.errors) == {"user"}
    assert (await get_contacts(office.users["kepala"])).email == ""
