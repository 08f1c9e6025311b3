"""Helpers shared by test_graphql_queries.py and test_graphql_loaders.py."""

from __future__ import annotations

from alur.graphql.testing import SOP_A, World
from alur.tenants.demo.kinerja_samples import fill_in_sample
from alur.tenants.kinerja.service import KinerjaService


async def start(world: World, period: str = "Triwulan I 2026") -> str:
    key = (await world.a.start_case(world.users["staf"], SOP_A, period)).key
    # step 1 designs the format data kinerja: it cannot be completed without one
    await fill_in_sample(KinerjaService(world.a), world.users["staf"], key, 1)
    return key
