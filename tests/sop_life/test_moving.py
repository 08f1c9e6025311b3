"""Moving running cases to the revision in force (alur.tenants.sop_life.moving), on SQLite
and PostgreSQL: the dry run, the move (case_migrated on the case's chain, task rows, the
case row, timers), refusals, who may, and `alur audit verify` after a move."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from alur.core.durations import Duration
from alur.core.engine import Claim, Complete, act
from alur.core.engine.migration import migrate
from alur.tenants.errors import Forbidden, InvalidInput
from alur.tenants.sop_life.moving import CaseMoves, parse_mapping
from alur.tenants.sop_life.revisions import SopRevisions
from alur.tenants.storage.tables import Case, Event, Task, Timer
from tests.sop_life.test_revisions import SOP, office, opened

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]

NOW = datetime(2027, 1, 4, 2, 0, tzinfo=UTC)  # Monday 09:00 WIB
LATER = datetime(2027, 1, 5, 2, 0, tzinfo=UTC)  # Tuesday 09:00 WIB


async def approved_revision(database, installed, slug, admin, kepala, step: int, waktu: str):
    service = await opened(database, installed, slug, LATER)
    drafts = SopRevisions(service, admin)
    draft = await drafts.start_draft(SOP)
    draft = await drafts.save_draft(
        SOP,
        0,
        {"steps": [{"number": step, "waktu": waktu}]},
        effective_on="2027-01-05",
        version=draft.version,
    )
    draft = await drafts.submit(SOP, 0, version=draft.version)
    return await SopRevisions(service, kepala).approve(
        SOP, 0, version=draft.version, password="rahasia-2026"
    )


async def test_a_running_case_moves_to_the_revision_in_force(installed, database) -> None:
    slug, admin, kepala, staf = await office(installed, database)
    service = await opened(database, installed, slug, NOW)
    case = await service.start_case(staf, SOP, "Triwulan I 2027")
    (task,) = case.state.open_tasks.values()
    assert task.step == 1
    revision = await approved_revision(database, installed, slug, admin, kepala, 1, "4 hari")
    assert str(revision.state) == "berlaku"
    # The approval changed nothing of the running case.
    service = await opened(database, installed, slug, LATER)
    assert (await service.case(case.key)).definition_hash == case.definition_hash
    moves = CaseMoves(service, admin)
    behind = await moves.running_cases_behind(SOP)
    assert [(c.key, c.revision) for c in behind] == [(case.key, None)]
    with pytest.raises(Forbidden):
        await CaseMoves(service, staf).preview([case.key])
    with pytest.raises(InvalidInput):
        await moves.preview([])
    (plan,) = await moves.preview([case.key])
    assert plan.ok, plan.refusals
    assert (plan.from_revision, plan.to_revision) == (None, 0)
    assert plan.to_hash == revision.content_hash
    (kept,) = plan.kept
    calendar = (await service.context(admin)).calendar  # from when the task opened:
    assert kept.due == calendar.due(task.opened_at, Duration.parse("4 hari"))
    assert kept.due_before == task.due < kept.due
    # The dry run wrote nothing.
    assert (await service.case(case.key)).definition_hash == case.definition_hash
    (result,) = await moves.move([case.key])
    assert result.moved
    row = await Case.select(Case.definition_hash).where(Case.key == case.key).first()
    assert row["definition_hash"] == revision.content_hash
    moved = await service.case(case.key)
    assert moved.state.definition_hash == revision.content_hash
    assert moved.state.open_tasks[task.id].due == kept.due
    task_row = await Task.select(Task.due, Task.step).where(Task.task_no == task.id).first()
    assert task_row["step"] == 1
    assert task_row["due"].astimezone(UTC) == kept.due
    timers = await Timer.select(Timer.fires_at).where(Timer.task_no == task.id)
    assert timers
    assert all(t["fires_at"].astimezone(UTC) > LATER for t in timers)
    events = await Event.select(Event.kind, Event.payload).where(Event.kind == "case_migrated")
    assert len(events) == 1
    assert await moves.running_cases_behind(SOP) == []
    # A second move is refused, with the reason, and changes nothing.
    (again,) = await moves.move([case.key])
    assert not again.moved
    assert "already runs" in again.reasons[0]
    # The chain and the rows agree (alur audit verify).
    assert (await service.store.verify_chain(service.ref)).ok
    assert await service.store.verify_cases(service.ref) == []
    # The case goes on on its new definition.
    after = await service.act(staf, case.key, Claim(task.id))
    assert after.state.definition_hash == revision.content_hash


async def test_a_step_of_another_role_closes_and_opens_its_task(installed, database) -> None:
    """A newer definition (as a plugin upgrade could bring) gives step 1 to another role:
    the task closes and a new one opens; rows, timers and the audit follow."""
    slug, admin, _kepala, staf = await office(installed, database)
    service = await opened(database, installed, slug, NOW)
    case = await service.start_case(staf, SOP, "Triwulan I 2027")
    service = await opened(database, installed, slug, LATER)
    old = service.sop(SOP)
    steps = tuple(
        replace(s, actor="kasubag_perencanaan", waktu=Duration.parse("1 hari"))
        if s.number == 1
        else s
        for s in old.steps
    )
    service._in_force[SOP] = ("", replace(old, version=old.version + "-baru", steps=steps))
    moves = CaseMoves(service, admin)
    (plan,) = await moves.preview([case.key])
    assert plan.kept == ()
    assert [(c.task, c.role) for c in plan.closed] == [(1, "staf")]
    assert [(o.step, o.role) for o in plan.opened] == [(1, "kasubag_perencanaan")]
    (result,) = await moves.move([case.key])
    assert result.moved, result.reasons
    rows = {r["task_no"]: r for r in await Task.select().where(Task.tenant == service.ref.id)}
    assert rows[1]["status"] == "cancelled"
    assert (rows[2]["status"], rows[2]["role"]) == ("open", "kasubag_perencanaan")
    assert not await Timer.exists().where(Timer.task_no == 1)
    assert await Timer.exists().where(Timer.task_no == 2)
    assert (await service.store.verify_chain(service.ref)).ok
    assert await service.store.verify_cases(service.ref) == []


async def test_a_refused_case_is_left_untouched(installed, database) -> None:
    slug, admin, _kepala, staf = await office(installed, database)
    service = await opened(database, installed, slug, NOW)
    case = await service.start_case(staf, SOP, "Triwulan I 2027")
    service = await opened(database, installed, slug, LATER)
    old = service.sop(SOP)
    steps = tuple(replace(s, kegiatan="Lain") if s.number == 1 else s for s in old.steps)
    service._in_force[SOP] = ("", replace(old, version="baru", steps=steps))
    moves = CaseMoves(service, admin)
    (result,) = await moves.move([case.key])
    assert not result.moved
    assert "map it explicitly" in result.reasons[0]
    assert not await Event.exists().where(Event.kind == "case_migrated")
    (result,) = await moves.move([case.key], parse_mapping(["1=1"]))
    assert result.moved


def test_step_mappings_are_read_and_checked() -> None:
    assert parse_mapping(["4=5", (6, 7)]) == {4: 5, 6: 7}
    for bad in (["4"], ["a=b"], ["0=1"], ["4=5", "4=6"]):
        with pytest.raises(InvalidInput):
            parse_mapping(bad)


def test_the_case_timeline_reads_a_moved_case_whose_steps_were_renumbered(
    sample, people, ctx
) -> None:
    """The case page's history reads every event against the case's (new) definition: a
    step that no longer exists there shows no kegiatan instead of failing."""
    from alur.web.cases.view import _timeline
    from tests.core.test_migration import ADMIN, begun

    first = begun(sample, people, ctx)
    done = act(sample, first.state, Complete(1), ctx(people.staf))
    renumbered = replace(
        sample,
        version="2",
        steps=tuple(replace(s, number=s.number + 10) for s in sample.steps),
    )
    t = migrate(sample, renumbered, done.state, {n: n + 10 for n in range(1, 7)}, ctx(ADMIN))
    entries = _timeline(renumbered, [*first.events, *done.events, *t.events], {})
    assert entries[0]["kind"] == "case_migrated"
    assert {e["kegiatan"] for e in entries if e["kind"] == "task_completed"} == {""}


async def test_a_case_changed_meanwhile_is_reported_and_left_alone(installed, database) -> None:
    """Someone acts on the case between the dry run's read and the move's write: the
    compare-and-set refuses the move for that case, which is reported, not half-written."""
    slug, admin, kepala, staf = await office(installed, database)
    service = await opened(database, installed, slug, NOW)
    case = await service.start_case(staf, SOP, "Triwulan I 2027")
    await approved_revision(database, installed, slug, admin, kepala, 1, "4 hari")
    service = await opened(database, installed, slug, LATER)
    stale = await service.case(case.key)
    await service.act(staf, case.key, Claim(1))  # the case moves on meanwhile

    async def as_read_before(key: str):
        return stale

    service.case = as_read_before  # type: ignore[method-assign]
    (result,) = await CaseMoves(service, admin).move([case.key])
    assert not result.moved
    assert result.reasons
    assert not await Event.exists().where(Event.kind == "case_migrated")
    row = await Case.select(Case.definition_hash).where(Case.key == case.key).first()
    assert row["definition_hash"] == case.definition_hash
