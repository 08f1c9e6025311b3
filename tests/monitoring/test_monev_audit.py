"""``alur audit verify``'s check of the monev forms against the office's chain, on SQLite and
PostgreSQL: a form initialled and left alone verifies; content changed after the paraf, a
paraf moved to another NIP, and a form inserted behind the chain's back are each named."""

from __future__ import annotations

import pytest

from alur.tenants.audit.monev_check import verify_monev
from alur.tenants.storage.tables import MonevForm
from tests.kinerja.kinerja_helpers import Office
from tests.monitoring.test_monev_service import ALL_BAIK, PASSWORD, _opened, forms

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]


async def test_a_changed_form_is_caught(office: Office) -> None:
    form_id = await _opened(office)
    f = await forms(office)
    kasubag = office.users["kasubag"]
    saved = await f.save(kasubag, form_id, ALL_BAIK, version=1)
    await f.paraf(kasubag, form_id, version=saved.version, password=PASSWORD)
    ref = (await office.service()).ref
    assert await verify_monev(ref) == []

    await MonevForm.update({MonevForm.content_hash: "0" * 64, MonevForm.paraf_nip: "1"}).where(
        MonevForm.id == form_id
    )
    found = [str(m) for m in await verify_monev(ref)]
    assert len(found) == 2
    assert any("content_hash" in m for m in found)
    assert any("paraf_nip" in m for m in found)

    row = await MonevForm.select().where(MonevForm.id == form_id).first()
    assert row is not None
    inserted = {k: v for k, v in row.items() if k != "id"}
    inserted["period_start"] = row["period_start"].replace(year=2020)
    await MonevForm.insert(MonevForm(**inserted))
    assert any("not on the office's chain" in str(m) for m in await verify_monev(ref))
