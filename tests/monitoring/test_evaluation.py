"""The yearly evaluation service (alur.tenants.monitoring.evaluation) on SQLite and
PostgreSQL, with cases on a fake clock: the proposals over a calendar year (who may read
them, a bad year or SOP named per field), and accepting them into the office's draft
revision (a new draft, or the open one with its other changes kept; SopRevisions' own
refusals come through: who may draft, a waktu the plugin keeps fixed, a submitted revision)."""

from __future__ import annotations

import pytest

from alur.core import loads_definition
from alur.core.errors import InvalidInput
from alur.core.model import SopDefinition
from alur.core.monitoring.evaluation import NOT_FIXED, PROPOSED, TOO_FEW
from alur.tenants.errors import Forbidden
from alur.tenants.monitoring.evaluation import SopEvaluations, parse_year, year_period
from alur.tenants.sop_life.errors import OpenDraftExists
from alur.tenants.sop_life.revisions import SopRevisions
from tests.kinerja.kinerja_helpers import Office
from tests.monitoring.evaluation_helpers import FIXED_WAKTU_TOML, five_designed, with_admin

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]

SOP = "uji-kinerja"


async def test_proposals_over_the_year(office: Office) -> None:
    await five_designed(office)
    service = await office.service()
    evaluation = await SopEvaluations(service).proposals(office.users["kepala"], SOP, "2026")
    assert evaluation.period == year_period(2026, service.today())
    assert evaluation.period.end == service.today()  # the year in progress: up to today
    assert evaluation.cases == 5
    first = evaluation.steps[0]
    assert (first.step, first.reason, first.count, first.current) == (1, PROPOSED, 5, "1 hari")
    assert first.p75 == 2 * 60 + 37  # 08:00 → 10:37:39: whole office minutes
    (proposal,) = evaluation.proposals
    assert (proposal.proposed, proposal.proposed_minutes) == ("3 jam", 180)
    assert not proposal.longer
    assert all(s.reason in (TOO_FEW, NOT_FIXED) for s in evaluation.steps[1:])
    # The year before has nothing: belum ada data, no proposals.
    before = await SopEvaluations(service).proposals(office.users["kepala"], SOP, 2025)
    assert not before.has_data
    assert before.proposals == ()


async def test_who_reads_and_bad_requests(office: Office) -> None:
    evaluations = SopEvaluations(await office.service())
    with pytest.raises(Forbidden):
        await evaluations.proposals(office.users["staf"], SOP, 2026)
    for year in ("26", "2027", "1999", "dua", ""):
        with pytest.raises(InvalidInput) as bad:
            await evaluations.proposals(office.users["kepala"], SOP, year)
        assert set(bad.value.errors) == {"year"}
    with pytest.raises(InvalidInput) as unknown:
        await evaluations.proposals(office.users["kepala"], "tidak-ada", 2026)
    assert set(unknown.value.errors) == {"sop"}
    with pytest.raises(InvalidInput) as empty:
        await evaluations.proposals(office.users["kepala"], " ", 2026)
    assert set(empty.value.errors) == {"sop"}


def test_parse_year() -> None:
    from datetime import date

    assert parse_year(" 2026 ", date(2026, 12, 3)) == 2026
    assert parse_year(2000, date(2026, 12, 3)) == 2000


async def test_accepting_makes_a_draft_revision(office: Office) -> None:
    admin = await with_admin(office)
    await five_designed(office)
    service = await office.service()
    evaluations = SopEvaluations(service)
    with pytest.raises(InvalidInput) as none:
        await evaluations.accept(admin, SOP, 2026, [])
    assert set(none.value.errors) == {"steps"}
    with pytest.raises(InvalidInput) as no_proposal:
        await evaluations.accept(admin, SOP, 2026, [1, 2])  # step 2 has no proposal
    assert "2" in no_proposal.value.errors["steps"]
    with pytest.raises(Forbidden):  # the Kepala reads the figures but does not draft
        await evaluations.accept(office.users["kepala"], SOP, 2026, [1])
    assert await SopRevisions(service, admin).list(SOP) == []

    draft = await evaluations.accept(admin, SOP, 2026, [1])
    assert str(draft.state) == "draf"
    assert draft.part.steps[1]["waktu"] == "3 jam"
    revisions = SopRevisions(service, admin)
    assert (await revisions.definition(draft)).step(1).waktu.text == "3 jam"

    # An open draft is saved into, its other changes and tanggal efektif kept.
    part = {
        "header": {"nomor": "900/2026"},
        "steps": [{"number": 1, "waktu": "3 jam"}, {"number": 2, "keterangan": "cek"}],
    }
    saved = await revisions.save_draft(
        SOP, draft.number, part, effective_on="2027-01-04", version=draft.version
    )
    again = await evaluations.accept(admin, SOP, 2026, [1])
    assert again.number == saved.number
    assert again.version == saved.version + 1
    assert again.part.header["nomor"] == "900/2026"
    assert again.part.steps[2]["keterangan"] == "cek"
    assert str(again.effective_on) == "2027-01-04"
    assert [r.number for r in await revisions.list(SOP)] == [draft.number]

    # A submitted revision is still open: no new draft next to it.
    await revisions.submit(SOP, again.number, version=again.version)
    with pytest.raises(OpenDraftExists):
        await evaluations.accept(admin, SOP, 2026, [1])


class TestAPluginThatKeepsWaktuFixed:
    @pytest.fixture
    def definition(self) -> SopDefinition:
        d = loads_definition(FIXED_WAKTU_TOML, source="uji-kinerja.toml")
        assert "waktu" in d.step(1).office_fixed
        return d

    async def test_its_refusal_comes_through(self, office: Office) -> None:
        admin = await with_admin(office)
        await five_designed(office)
        evaluations = SopEvaluations(await office.service())
        (proposal,) = (await evaluations.proposals(admin, SOP, 2026)).proposals
        with pytest.raises(InvalidInput) as fixed:
            await evaluations.accept(admin, SOP, 2026, [proposal.step])
        assert set(fixed.value.errors) == {"steps.1.waktu"}
