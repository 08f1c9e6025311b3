"""``officeOverview`` in GraphQL, both databases: the office's Kepala gets the same figures as
the service (and so as the web's dashboard); a Staf, a token bound to no person and a
platform token get Forbidden; another office's leader sees only their own office."""

from __future__ import annotations

import pytest

from alur.graphql.testing import OFFICE_A, World
from alur.tenants.identity.tokens import create_token
from alur.tenants.leaders.service import LeadersService

pytestmark = pytest.mark.anyio

OVERVIEW = """query($period: String) { officeOverview(period: $period) { __typename
  ... on OfficeOverview { openTasks period periods
    steps { sop step kegiatan tasks overdue cases units { unit tasks } }
    late { caseKey step role roleName takenBy holders officeMinutesLate }
    capaian { caseKey recap { period } units { unit capaian } } }
  ... on Error { code } } }"""


async def test_leaders_read_the_overview_others_are_refused(world: World) -> None:
    kepala = world.users["kepala"]
    world.tokens["a-kepala"] = (
        await create_token("kepala", "read", tenant=OFFICE_A, user="kepala")
    ).token
    await world.a.start_case(world.users["staf"], "pengumpulan-data-kinerja", "Tahun 2026")
    data = (await world.data(OVERVIEW, "a-kepala"))["officeOverview"]
    assert data["__typename"] == "OfficeOverview"
    expected = await LeadersService(world.a).overview(kepala)
    assert data["openTasks"] == expected.work.total == 1
    (step,) = data["steps"]
    assert (step["step"], step["tasks"], step["cases"]) == (1, 1, 1)
    assert step["units"] == [{"unit": None, "tasks": 1}]
    assert data["period"] == expected.period == "Tahun 2026"
    assert data["periods"] == ["Tahun 2026"]
    assert [c["caseKey"] for c in data["capaian"]] == [c.case_key for c in expected.capaian]

    for label in ("a-staf", "a-read", "platform"):
        refused = (await world.data(OVERVIEW, label))["officeOverview"]
        assert refused == {"__typename": "Forbidden", "code": "forbidden"}, label

    # Office B's Kepala sees B's case, not A's.
    other = (await world.data(OVERVIEW, "b-write"))["officeOverview"]
    assert other["__typename"] == "OfficeOverview"
    assert other["periods"] == ["Triwulan IV 2026"]
