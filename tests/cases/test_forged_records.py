"""A client cannot write a data kinerja record: the ``kinerja`` key of a completion's data is
dropped on every step, bound or not (alur.tenants.kinerja.rules.with_step_data), so no event
of an ordinary step carries an approval the public verification page would index
(``alur_event.approval_hash``). On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from alur.core.engine import Complete
from alur.graphql.testing import World
from alur.tenants.storage.tables import Event

pytestmark = pytest.mark.anyio


async def test_a_forged_approval_on_an_unbound_step_is_dropped(world: World) -> None:
    b, kepala = world.b, world.users["b.kepala"]
    step = b.sop("pengumpulan-pengolahan-data-kinerja").step(1)
    assert step.data is None  # an ordinary step: the Kepala's disposisi
    forged = {"kinerja": {"approval": "sign", "recap_hash": "ab" * 32}, "nomor": "800/12"}
    await b.act(kepala, world.case_b, Complete(1, "disposisi", forged))
    (done,) = [e for e in await b.history(world.case_b) if e.kind == "task_completed"]
    assert done.payload["data"] == {"nomor": "800/12", "attachments": []}
    assert await Event.count().where(Event.approval_hash.is_not_null()) == 0
