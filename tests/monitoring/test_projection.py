"""The Mutu baku projection (alur.tenants.monitoring.projection) on SQLite and PostgreSQL: after
new events, a cancelled case, a case moved to another definition midway, a change of office
hours and of days off, and refreshes racing each other, its rows equal a recomputation
straight from the events (alur.core.monitoring.spans.spans_of), and a refresh recomputes
only the cases that changed."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from types import ModuleType

import pytest

from alur.core import (
    AlurPlugins,
    Answer,
    Institution,
    SopDefinition,
    Unit,
    create_plugin_manager,
    hookimpl,
    loads_definition,
)
from alur.core.durations import Duration
from alur.core.engine import Action, Claim, Complete, Decide
from alur.core.monitoring.spans import CANCELLED, StepSpan, spans_of
from alur.tenants.cases.rows import event_from_row
from alur.tenants.cases.service import TenantService
from alur.tenants.cases.snapshots import pinned_definitions
from alur.tenants.cases.store import StoredCase
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.monitoring import projection, source
from alur.tenants.monitoring.projection import calendar_fingerprint, refresh
from alur.tenants.offices.admin import TenantAdmin
from alur.tenants.offices.provisioning import calendar_for, create_tenant
from alur.tenants.sop_life.moving import CaseMoves
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Case, Event, SpanProgress, StepSpanRow, Tenant
from tests.kinerja.kinerja_helpers import Clock

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]

SOP = "uji-alur"
UNITS = ("bidang-a", "bidang-b")
TOML = """
[sop]
id = "uji-alur"
version = "1"
repeatable = true

[header]
nomor = "003/SOP/2026"
nama = "Uji Alur"

[[roles]]
id = "staf"
name = "Staf"
rank = 1

[[roles]]
id = "kabid"
name = "Kabid"
rank = 3
per_unit = true

[[roles]]
id = "kepala"
name = "Kepala"
rank = 5

[[steps]]
number = 1
kegiatan = "Menyiapkan bahan"
actor = "staf"
kind = "start"
waktu = "2 jam"

[[steps]]
number = 2
kegiatan = "Mengisi data bidang"
actor = "kabid"
per_unit = true
waktu = "1 hari"

[[steps]]
number = 3
kegiatan = "Memeriksa data bidang"
actor = "staf"
kind = "decision"
per_unit = true
waktu = "1 jam"
[steps.gate]
question = "Data bidang sudah benar?"
ya = 4
tidak = 2

[[steps]]
number = 4
kegiatan = "Menyetujui"
actor = "kepala"
kind = "end"
waktu = "1 hari"
"""


@dataclass
class Office:
    db: Database
    plugins: AlurPlugins
    tenant_id: int
    slug: str
    clock: Clock = field(default_factory=Clock)
    users: dict[str, int] = field(default_factory=dict)

    async def service(self) -> TenantService:
        return await TenantService.open(self.db, self.plugins, self.slug, self.clock)

    async def start(self) -> StoredCase:
        svc = await self.service()
        return await svc.start_case(self.users["staf"], SOP, "Triwulan IV 2026")


@pytest.fixture
def plugins() -> AlurPlugins:
    definition = loads_definition(TOML, source="uji-alur.toml")
    module = ModuleType("alur_test_uji_alur")
    hooks = {
        "alur_institution": lambda: Institution(slug="dinas-alur", name="Dinas Alur"),
        "alur_roles": lambda: list(definition.roles),
        "alur_units": lambda: [Unit(u, u.replace("-", " ").title()) for u in UNITS],
        "alur_sop_definitions": lambda: [definition],
    }
    for name, function in hooks.items():
        setattr(module, name, hookimpl(function))
    manager = create_plugin_manager(load_entrypoints=False, environ={})
    loaded = manager.register(module, name="uji", version="1.0")
    assert loaded.ok, loaded.errors
    return manager


async def make_office(database: Database, plugins: AlurPlugins, slug: str) -> Office:
    tenant = await create_tenant(plugins, slug, f"Dinas {slug}", "uji")
    office = Office(database, plugins, tenant.id, slug)
    roles = {r.id: r for r in plugins.get("uji").roles}
    for key, role, unit in [
        ("admin", None, None),
        ("staf", "staf", None),
        ("kabid_a", "kabid", "bidang-a"),
        ("kabid_b", "kabid", "bidang-b"),
        ("kepala", "kepala", None),
    ]:
        user = await create_user(f"{slug}.{key}", key.title(), "x" * 12)
        await add_membership(
            tenant.id, user.id, roles[role] if role else None, unit, administrator=role is None
        )
        office.users[key] = user.id
    return office


@pytest.fixture
async def office(database: Database, plugins: AlurPlugins) -> Office:
    return await make_office(database, plugins, "dinas-alur")


async def act(office: Office, who: str, key: str, step: int, unit: str | None, what: str) -> None:
    """``who`` acts on the case's open task at ``step`` (and ``unit``), at the clock's time."""
    svc = await office.service()
    case = await svc.case(key)
    (task,) = [t.id for t in case.state.open_tasks.values() if (t.step, t.unit) == (step, unit)]
    action: Action = {
        "claim": Claim(task),
        "complete": Complete(task, ""),
        "ya": Decide(task, Answer.YA, ""),
        "tidak": Decide(task, Answer.TIDAK, "perbaiki"),
    }[what]
    await svc.act(office.users[who], key, action)


async def recomputed(tenant_id: int) -> list[StepSpan]:
    """Every span of the office's cases, straight from the events."""
    tenant = await Tenant.select().where(Tenant.id == tenant_id).first()
    calendar = await calendar_for(tenant)
    spans: list[StepSpan] = []
    for case in (
        await Case.select(Case.id, Case.key).where(Case.tenant == tenant_id).order_by(Case.id)
    ):
        rows = await Event.select().where(Event.case == case["id"]).order_by(Event.seq)
        events = [event_from_row(r) for r in rows]
        hashes = {str(e.payload.get(k, "")) for e in events for k in ("definition_hash", "to")}
        definitions = await pinned_definitions(sorted(h for h in hashes if h))
        spans += spans_of(case["key"], events, definitions, calendar)
    return spans


async def projected(tenant_id: int) -> list[StepSpan]:
    rows = (
        await StepSpanRow.select(StepSpanRow.all_columns(), StepSpanRow.case.key)
        .where(StepSpanRow.tenant == tenant_id)
        .order_by(StepSpanRow.case)
        .order_by(StepSpanRow.task_no)
    )
    return [
        StepSpan(
            case=r["case.key"],
            task=r["task_no"],
            step=r["step"],
            unit=r["unit"],
            role=r["role"],
            opened_at=r["opened_at"],
            claimed_at=r["claimed_at"],
            closed_at=r["closed_at"],
            outcome=r["outcome"],
            actor=r["actor"],
            actor_name=r["actor_name"],
            round=r["round"],
            total=r["total"],
            waiting=r["waiting"],
            working=r["working"],
            standard=r["standard"],
        )
        for r in rows
    ]


async def assert_matches_events(office: Office) -> list[StepSpan]:
    spans = await projected(office.tenant_id)
    assert spans == await recomputed(office.tenant_id)
    return spans


async def test_new_events_are_projected_and_only_changed_cases_recomputed(office: Office) -> None:
    first = await office.start()  # Monday 23 November 2026, 09:00 WIB
    second = await office.start()
    done = await refresh(office.tenant_id)
    assert (done.cases, done.lost) == (2, 0)
    assert [s.step for s in await assert_matches_events(office)] == [1, 1]
    assert (await refresh(office.tenant_id)).cases == 0  # nothing moved: nothing to do

    office.clock.now += timedelta(hours=1)
    await act(office, "staf", first.key, 1, None, "claim")
    office.clock.now += timedelta(hours=1)
    await act(office, "staf", first.key, 1, None, "complete")
    done = await refresh(office.tenant_id)
    assert done.cases == 1  # only the case that moved
    spans = await assert_matches_events(office)
    step1 = next(s for s in spans if s.case == first.key and s.step == 1)
    assert (step1.total, step1.waiting, step1.working) == (120, 60, 60)
    assert step1.standard == 120  # "2 jam"
    assert {(s.case, s.step, s.unit) for s in spans if s.closed_at is None} == {
        (second.key, 1, None),
        (first.key, 2, "bidang-a"),
        (first.key, 2, "bidang-b"),
    }

    # A return at the gate, and the rework after it, on the next working days.
    office.clock.now = datetime(2026, 11, 27, 15, 0, tzinfo=office.clock.now.tzinfo)  # Friday
    await act(office, "kabid_a", first.key, 2, "bidang-a", "complete")
    await act(office, "staf", first.key, 3, "bidang-a", "tidak")
    office.clock.now = datetime(2026, 11, 30, 8, 0, tzinfo=office.clock.now.tzinfo)  # Monday
    await act(office, "kabid_a", first.key, 2, "bidang-a", "complete")
    assert (await refresh(office.tenant_id)).cases == 1
    spans = await assert_matches_events(office)
    rounds = [(s.step, s.round) for s in spans if s.case == first.key and s.unit == "bidang-a"]
    assert rounds == [(2, 0), (3, 0), (2, 1), (3, 1)]  # step 3 opened again for bidang-a
    # The report reads the finished ones from the table.
    start, end = (
        datetime(2026, 11, 23, tzinfo=office.clock.now.tzinfo),
        datetime(2026, 12, 1, tzinfo=office.clock.now.tzinfo),
    )
    finished = (await source.office_spans(office.tenant_id, SOP, start, end))[SOP]
    assert finished == [s for s in spans if s.finished]


async def test_a_cancelled_case(office: Office) -> None:
    case = await office.start()
    await act(office, "staf", case.key, 1, None, "complete")
    await refresh(office.tenant_id)
    office.clock.now += timedelta(hours=3)
    svc = await office.service()
    await svc.cancel_case(office.users["kepala"], case.key, "Tidak jadi dilaksanakan.")
    assert (await refresh(office.tenant_id)).cases == 1
    spans = await assert_matches_events(office)
    assert [s.outcome for s in spans] == ["done", CANCELLED, CANCELLED]
    start = datetime(2026, 11, 23, tzinfo=office.clock.now.tzinfo)
    found = await source.office_spans(office.tenant_id, SOP, start, start + timedelta(days=7))
    assert [s.step for s in found[SOP]] == [1]  # cancelled spans count nowhere


async def test_a_case_moved_to_another_definition_midway(office: Office) -> None:
    case = await office.start()
    await act(office, "staf", case.key, 1, None, "complete")
    await refresh(office.tenant_id)
    service = await office.service()
    old: SopDefinition = service.sop(SOP)
    steps = tuple(
        replace(s, waktu=Duration.parse("2 hari")) if s.number == 2 else s for s in old.steps
    )
    service._in_force[SOP] = ("uji", replace(old, version="2", steps=steps))
    office.clock.tick()
    (moved,) = await CaseMoves(service, office.users["admin"]).move([case.key])
    assert moved.moved, moved.reasons
    office.clock.now += timedelta(hours=2)
    await act(office, "kabid_a", case.key, 2, "bidang-a", "complete")
    assert (await refresh(office.tenant_id)).cases == 1
    spans = await assert_matches_events(office)
    step2 = next(s for s in spans if (s.step, s.unit) == (2, "bidang-a"))
    minutes_per_day = (await calendar_for(service.tenant)).minutes_per_day
    assert step2.standard == 2 * minutes_per_day  # the definition it closed under


async def test_a_change_of_office_hours_or_days_off_recomputes(office: Office) -> None:
    case = await office.start()  # Monday 09:00
    other = await office.start()
    office.clock.now += timedelta(days=1)  # Tuesday 09:00
    await act(office, "staf", case.key, 1, None, "complete")
    await refresh(office.tenant_id)
    before = await assert_matches_events(office)
    assert before[0].total == 510  # 07:30–16:00: Monday 09:00 → Tuesday 09:00 is 8.5 hours

    admin = TenantAdmin(await office.service(), office.users["admin"])
    await admin.set_office_hours("08:00", "15:00")
    assert (await refresh(office.tenant_id)).cases == 2  # every case of the office
    assert (await assert_matches_events(office))[0].total == 420  # 09:00 → 15:00, 08:00 → 09:00

    await admin.add_day_off(date(2026, 11, 23), "Cuti bersama")
    assert (await refresh(office.tenant_id)).cases == 2
    assert (await assert_matches_events(office))[0].total == 60  # Monday no longer counts
    assert (await refresh(office.tenant_id)).cases == 0
    assert other.key in {s.case for s in await projected(office.tenant_id)}


async def test_a_stale_refresh_never_overwrites_a_newer_one(office: Office) -> None:
    """Refresh A reads the stale cases and computes their spans; meanwhile a transition
    happens and refresh B projects it; A's write must lose (compare-and-set on the progress
    marker), or A would put back the older spans."""
    cases = [await office.start() for _ in range(3)]
    await refresh(office.tenant_id)
    await act(office, "staf", cases[0].key, 1, None, "complete")
    tenant = await Tenant.select().where(Tenant.id == office.tenant_id).first()
    calendar = await calendar_for(tenant)
    fingerprint = calendar_fingerprint(calendar)
    read_by_a = await projection._stale_cases(office.tenant_id, fingerprint, 0, 10)
    assert [c["key"] for c in read_by_a] == [cases[0].key]
    await act(office, "kabid_a", cases[0].key, 2, "bidang-a", "complete")  # a newer event
    assert (await refresh(office.tenant_id)).cases == 1  # refresh B
    late = await projection._project(office.tenant_id, read_by_a, calendar, fingerprint)
    assert (late.cases, late.lost) == (0, 1)
    spans = await assert_matches_events(office)
    assert any(s.step == 2 and s.unit == "bidang-a" and s.finished for s in spans)

    # Never projected yet: the first marker written wins, the other refresh's insert loses.
    fresh = await office.start()
    read_by_a = await projection._stale_cases(office.tenant_id, fingerprint, 0, 10)
    assert [c["key"] for c in read_by_a] == [fresh.key]
    assert (await refresh(office.tenant_id)).cases == 1
    late = await projection._project(office.tenant_id, read_by_a, calendar, fingerprint)
    assert (late.cases, late.lost) == (0, 1)
    await assert_matches_events(office)


async def test_two_refreshes_at_once(office: Office) -> None:
    cases = [await office.start() for _ in range(6)]
    for case in cases[:3]:
        await act(office, "staf", case.key, 1, None, "complete")
    a, b = await asyncio.gather(
        refresh(office.tenant_id, batch=2), refresh(office.tenant_id, batch=2)
    )
    assert a.cases + b.cases == len(cases)  # each case written by exactly one of them
    await assert_matches_events(office)
    assert await SpanProgress.count().where(SpanProgress.tenant == office.tenant_id) == len(cases)


async def test_a_deleted_case_takes_its_rows_along(office: Office) -> None:
    case = await office.start()
    kept = await office.start()
    await refresh(office.tenant_id)
    row = await Case.select(Case.id).where(Case.key == case.key).first()
    await Case.raw("DELETE FROM alur_case WHERE id = {}", row["id"])
    assert not await StepSpanRow.exists().where(StepSpanRow.case == row["id"])
    assert not await SpanProgress.exists().where(SpanProgress.case == row["id"])
    assert {s.case for s in await assert_matches_events(office)} == {kept.key}


async def test_offboarding_removes_it_and_an_import_rebuilds_it(office: Office, tmp_path) -> None:
    """The archive does not carry the projection (derived); deleting the office removes its
    rows; the imported office (new case ids) is projected by its first refresh."""
    from alur.tenants.audit.keys import audit_keys
    from alur.tenants.offices.export import export_office
    from alur.tenants.offices.importing import import_office
    from alur.tenants.offices.offboarding import delete_office, suspend_office

    case = await office.start()
    office.clock.now += timedelta(hours=1)
    await act(office, "staf", case.key, 1, None, "complete")
    assert (await refresh(office.tenant_id)).rows == 3
    await suspend_office(office.db, office.slug, actor="operator:uji")
    path = tmp_path / "office.zip"
    await export_office(office.db, office.plugins, office.slug, path, actor="operator:uji")
    await delete_office(office.db, office.slug, confirm=office.slug, actor="operator:uji")
    for table in (StepSpanRow, SpanProgress):
        assert await table.count().where(table.tenant == office.tenant_id) == 0

    imported = await import_office(
        office.db, office.plugins, path, audit_keys(), actor="operator:uji"
    )
    tenant = await Tenant.select(Tenant.id).where(Tenant.slug == imported.slug).first()
    assert await StepSpanRow.count().where(StepSpanRow.tenant == tenant["id"]) == 0
    assert (await refresh(tenant["id"])).cases == 1
    office.tenant_id = tenant["id"]
    spans = await assert_matches_events(office)
    assert [(s.step, s.total) for s in spans if s.finished] == [(1, 60)]


async def test_the_worker_round_keeps_it_warm(office: Office) -> None:
    """``alur worker --once`` (and the ``alur.monitoring`` job every 5 minutes) refreshes
    every office, so the refresh a report makes first has nothing left to do."""
    from alur.tenants.clock.jobs import run_round
    from alur.tenants.notify.settings import DeliverySettings

    case = await office.start()
    await act(office, "staf", case.key, 1, None, "complete")
    settings = DeliverySettings.from_env({})
    report = await run_round(office.db, office.plugins, office.clock.now, {}, settings)
    assert report.spans_projected == 1
    assert "Mutu baku cases projected 1" in report.summary()
    await assert_matches_events(office)
    assert (await refresh(office.tenant_id)).cases == 0
