"""Paraf through GraphQL asks the password of the person the token acts for, through the same
service rule as the web (alur.tenants.kinerja.signing): without it or with a wrong one the
mutation answers InvalidInput on the field "password" and records nothing; with the right one
the paraf is recorded with its method. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from alur.core.engine import Complete
from alur.graphql.testing import PASSWORD, UNITS_A, World
from tests.graphql.graphql_kinerja_helpers import (
    COMPLETE,
    DECIDE,
    do,
    fields,
    filled,
    kinerja,
    task_at,
)

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]


async def test_a_paraf_through_graphql_needs_the_password(world: World) -> None:
    key = await filled(world)
    await do(
        world, COMPLETE, "a-kabid-linmas", key=key, task=await task_at(world, key, 4, "linmas")
    )
    await world.a.act(
        world.users["kabid.sda.2"], key, Complete(await task_at(world, key, 4, "sda"))
    )
    for unit in UNITS_A:
        verify = await task_at(world, key, 5, unit)
        await do(world, DECIDE, "a-staf", key=key, task=verify, answer="YA", note="")
    await do(world, COMPLETE, "a-staf", key=key, task=await task_at(world, key, 6))
    paraf = await task_at(world, key, 7)
    before = len(await world.a.history(key))
    for password in (None, "salah-sekali"):
        refused = await do(world, COMPLETE, "a-plh", key=key, task=paraf, password=password)
        assert set(fields(refused)) == {"password"}, refused
    assert len(await world.a.history(key)) == before
    assert (await kinerja(world, key))["approvals"] == []
    done = await do(world, COMPLETE, "a-plh", key=key, task=paraf, password=PASSWORD)
    assert done["__typename"] == "CaseChanged", done
    (completed,) = [e for e in done["events"] if e["kind"] == "TASK_COMPLETED"]
    record = completed["payload"]["data"]["kinerja"]
    assert (record["approval"], record["method"]) == ("paraf", "password")
    (approval,) = (await kinerja(world, key))["approvals"]
    assert approval["kind"] == "PARAF"
    assert approval["valid"] is True
