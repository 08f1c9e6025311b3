"""A channel never holds a delivery past its lease: a send that hangs is cut off before the
lease runs out (after which another worker could take the delivery and send it again) and
retried later, with the reason on the row."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from alur.core import AlurPlugins, SopDefinition
from alur.core.calendar import WorkingCalendar
from alur.tenants.notify.channels import OutgoingDelivery
from alur.tenants.notify.contacts import set_contacts
from alur.tenants.notify.deliver import RETRY, deliver_one
from alur.tenants.notify.records import REMINDED, Notice, record_notices
from alur.tenants.notify.settings import DeliverySettings
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Delivery
from tests.cases.store_helpers import contoh_office, plugins_with

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]


class Hanging:
    name = "hang"

    async def send(self, delivery: OutgoingDelivery) -> None:
        await asyncio.sleep(3600)


@pytest.fixture
def plugins(sample: SopDefinition) -> AlurPlugins:
    return plugins_with(sample)


async def test_a_hanging_channel_is_cut_off_within_the_lease(database: Database, plugins) -> None:
    office = await contoh_office(database, plugins)
    staf = office.users["staf"]
    await set_contacts(staf, {"whatsapp": "0812 3456 7890", "channels": ["hang"]}, ["hang"])
    (delivery_id,) = await record_notices(
        office.tenant_id,
        [Notice(REMINDED, staf, "k1", {"step": 1})],
        now=office.clock(),
        calendar=WorkingCalendar(),
    )
    settings = DeliverySettings(
        smtp=None,
        base_url="http://127.0.0.1:8000",
        attempts=3,
        backoff=timedelta(seconds=60),
        lease=timedelta(seconds=1),
    )
    outcome = await asyncio.wait_for(
        deliver_one(delivery_id, office.clock(), {"hang": Hanging()}, settings), timeout=30
    )
    assert outcome.status == RETRY
    row = await Delivery.select().where(Delivery.id == delivery_id).first()
    assert (row["status"], row["attempts"]) == ("pending", 1)
    assert "did not finish within 0.8 s" in row["last_error"]
