"""``alur report mutu-baku`` on SQLite and PostgreSQL: its CSV equals a recomputation
straight from the events — the test reads the office's ``alur_event`` rows itself, computes
the spans (``spans_of``) and the figures (``figures_of``) and compares every number — with
a step returned at a gate, a case cancelled midway (its open task does not count) and a case
moved to a revision midway (its later work counts under the revision, with its mutu baku);
JSON gives the same rows; bad options are named, exit 2, no traceback."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import anyio
import pytest

from alur.core import AlurPlugins
from alur.core.calendar import JAKARTA
from alur.core.engine import Claim, Complete, Decide
from alur.core.model import Answer
from alur.core.monitoring.figures import figures_of, percentile
from alur.core.monitoring.spans import spans_of
from alur.tenants.cases.rows import event_from_row
from alur.tenants.cases.service import TenantService
from alur.tenants.cases.snapshots import pinned_definitions
from alur.tenants.demo.kinerja_samples import fill_in_sample
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.kinerja.service import KinerjaService
from alur.tenants.monitoring.rows import COLUMNS
from alur.tenants.offices.provisioning import calendar_for
from alur.tenants.sop_life.moving import CaseMoves
from alur.tenants.sop_life.revisions import SopRevisions
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.storage.tables import Case, Event, Tenant
from tests.cli.cli_helpers import ok, usage_error
from tests.sop_life.test_revisions import SOP, office

pytestmark = pytest.mark.usefixtures("cheap_hasher")

MONDAY = datetime(2027, 1, 4, 9, 0, tzinfo=JAKARTA)
PERIOD = (date(2027, 1, 1), date(2027, 1, 31))
REPORT = f"report mutu-baku --tenant satpolpp-cilacap --sop {SOP} --from 2027-01-01 --to 2027-01-31"


def at(days: int, hour: float) -> datetime:
    return MONDAY.replace(hour=0) + timedelta(days=days, hours=hour)


async def build(url: str, installed: AlurPlugins) -> None:
    """Three cases of the Banyumas SOP in a Cilacap office, on a fake clock."""
    db = await open_database(url, run_migrations=False)
    try:
        slug, admin, kepala, staf = await office(installed, db)
        kasubag = (await create_user("kasubag.cilacap", "Kasubag", "rahasia-2026")).id
        tenant = await Tenant.select(Tenant.id).where(Tenant.slug == slug).first()
        roles = {r.id: r for r in installed.get("satpolpp_banyumas").roles}
        await add_membership(tenant["id"], kasubag, roles["kasubag_perencanaan"])
        clock = {"now": MONDAY}

        async def service() -> TenantService:
            return await TenantService.open(db, installed, slug, clock=lambda: clock["now"])

        async def do(when: datetime, who: int, key: str, make: Any) -> None:
            clock["now"] = when
            s = await service()
            (task,) = (await s.case(key)).state.open_tasks.values()
            await fill_in_sample(KinerjaService(s), who, key, task.id)
            await s.act(who, key, make(task.id))

        s = await service()
        # Case 1: step 1 claimed at 10:00, done 13:00; returned by step 2 on Tuesday 14:00;
        # done again Friday 15:00; step 2 "ya" on Monday 08:00 after the weekend.
        clock["now"] = at(0, 9)
        one = (await s.start_case(staf, SOP, "Triwulan I 2027")).key
        await do(at(0, 10), staf, one, Claim)
        await do(at(0, 13), staf, one, lambda t: Complete(t, "Format"))
        await do(at(1, 14), kasubag, one, lambda t: Decide(t, Answer.TIDAK, "Belum benar."))
        await do(at(4, 15), staf, one, lambda t: Complete(t, "Format"))
        await do(at(7, 8), kasubag, one, lambda t: Decide(t, Answer.YA, "Sudah."))
        # Case 2: step 1 done at 11:30, then the case is cancelled at step 2.
        clock["now"] = at(0, 10)
        two = (await (await service()).start_case(staf, SOP, "Triwulan II 2027")).key
        await do(at(0, 11.5), staf, two, lambda t: Complete(t, "Format"))
        clock["now"] = at(1, 9)
        await (await service()).cancel_case(admin, two, "Salah periode.")
        # Case 3: step 1 done at 15:00; a revision (step 2 in "1 hari") takes effect on
        # Tuesday; the case moves to it at 09:00 and step 2 is decided at 10:00.
        clock["now"] = at(0, 11)
        three = (await (await service()).start_case(staf, SOP, "Triwulan III 2027")).key
        await do(at(0, 15), staf, three, lambda t: Complete(t, "Format"))
        clock["now"] = at(1, 8)
        drafts = SopRevisions(await service(), admin)
        draft = await drafts.start_draft(SOP)
        draft = await drafts.save_draft(
            SOP, 0, {"steps": [{"number": 2, "waktu": "1 hari"}]},
            effective_on="2027-01-05", version=draft.version,
        )  # fmt: skip
        draft = await drafts.submit(SOP, 0, version=draft.version)
        await SopRevisions(await service(), kepala).approve(
            SOP, 0, version=draft.version, password="rahasia-2026"
        )
        clock["now"] = at(1, 9)
        (moved,) = await CaseMoves(await service(), admin).move([three])
        assert moved.moved, moved.reasons
        await do(at(1, 10), kasubag, three, lambda t: Decide(t, Answer.YA, "Sudah."))
    finally:
        await close_database(db)


async def recompute(url: str) -> dict[tuple[int, str], dict[str, object]]:
    """The CSV's rows computed straight from the office's events."""
    db = await open_database(url, run_migrations=False)
    try:
        tenant = await Tenant.select().where(Tenant.slug == "satpolpp-cilacap").first()
        calendar = await calendar_for(tenant)
        # newest case first: the figures must not depend on the order of the spans
        cases = (
            await Case.select(Case.id, Case.key)
            .where(Case.tenant == tenant["id"])
            .order_by(Case.id, ascending=False)
        )
        start = datetime(2027, 1, 1, tzinfo=JAKARTA).astimezone(UTC)
        end = datetime(2027, 2, 1, tzinfo=JAKARTA).astimezone(UTC)
        spans = []
        for c in cases:
            rows = await Event.select().where(Event.case == c["id"]).order_by(Event.seq)
            events = [event_from_row(r) for r in rows]
            hashes = {str(e.payload.get("definition_hash", "")) for e in events}
            hashes |= {str(e.payload.get(k, "")) for e in events for k in ("from", "to")}
            definitions = await pinned_definitions(sorted(h for h in hashes if h))
            for s in spans_of(c["key"], events, definitions, calendar):
                if s.finished and s.closed_at is not None and start <= s.closed_at < end:
                    spans.append(s)
        expected = {}
        for step in sorted({s.step for s in spans}):
            group = [s for s in spans if s.step == step]
            f = figures_of(step, group)
            expected[(step, "")] = {
                "count": f.count,
                "median_minutes": f.median,
                "p75_minutes": f.p75,
                "p90_minutes": f.p90,
                "waiting_median_minutes": f.waiting_median,
                "working_median_minutes": f.working_median,
                "standard_minutes": f.standard,
                "within": f.within,
                "with_standard": f.with_standard,
                "within_share": f.within_share,
                "returned": f.returned,
                "rework": f.rework,
                "held_minutes": f.held,
                # the only office of the family: the province median is its own median
                "province_median_minutes": percentile([s.total for s in group], 50),
            }
        return expected
    finally:
        await close_database(db)


def number(text: str) -> object:
    if text == "":
        return None
    return float(text) if "." in text else int(text)


def test_the_csv_equals_a_recomputation_from_the_events(
    run, database_url: str, installed: AlurPlugins
) -> None:
    anyio.run(build, database_url, installed)
    result = ok(run(f"{REPORT} --format csv", url=database_url))
    table = list(csv.reader(io.StringIO(result.stdout)))
    assert tuple(table[0]) == COLUMNS
    rows = [dict(zip(COLUMNS, r, strict=True)) for r in table[1:]]
    assert [int(r["step"]) for r in rows] == list(range(1, 10))  # every step, no unit rows
    expected = anyio.run(recompute, database_url)
    assert set(expected) == {(1, ""), (2, "")}
    for r in rows:
        key = (int(r["step"]), r["unit"])
        assert r["sop_id"] == SOP
        if key not in expected:  # belum ada data: count 0, every figure an empty cell
            assert r["count"] == "0"
            assert {c for c in COLUMNS[5:] if r[c] != ""} == set(), r
            continue
        for column, value in expected[key].items():
            assert number(r[column]) == value, (key, column)

    # What the counting rule gives, by hand: step 1 closed four times (case 1 twice, cases
    # 2 and 3); step 2 three times (case 1's "tidak" and "ya", case 3's "ya" after its move),
    # case 2's step 2 was cancelled and does not count.
    one, two = expected[(1, "")], expected[(2, "")]
    assert (one["count"], one["rework"]) == (4, 1)
    assert (two["count"], two["returned"]) == (3, 1)
    # Case 3's step 2 kept the 1 hari of the revision it closed under (60 minutes: within);
    # case 1's stayed on 10 menit (570 and 510 minutes: late).
    assert (two["within"], two["with_standard"]) == (1, 3)
    assert two["standard_minutes"] == 10  # the mutu baku of the span that closed last

    as_json = json.loads(ok(run(f"{REPORT} --format json", url=database_url)).stdout)
    assert (as_json["office"], as_json["from"], as_json["to"]) == (
        "satpolpp-cilacap",
        "2027-01-01",
        "2027-01-31",
    )
    assert as_json["columns"] == list(COLUMNS)
    assert [{c: "" if v is None else str(v) for c, v in r.items()} for r in as_json["rows"]] == rows


def test_bad_options_are_named(run, database_url: str, installed: AlurPlugins) -> None:
    base = "report mutu-baku --tenant satpolpp-cilacap"
    missing = run(f"{base} --format csv", url=database_url)
    usage_error(missing, "satpolpp-cilacap")
    anyio.run(build, database_url, installed)
    usage_error(run(f"{base} --from 2027-13-01", url=database_url), "--from")
    usage_error(run(f"{base} --from 2027-02-01 --to 2027-01-01", url=database_url), "--to")
    usage_error(run(f"{base} --sop tidak-ada --unit zzz", url=database_url), "--sop", "--unit")
    for bad in ("--from 2027-13-01", "--sop tidak-ada"):
        assert "Traceback" not in run(f"{base} {bad}", url=database_url).output
    # An empty period: every step listed, no figures (never zeros).
    empty = ok(run(f"{base} --sop {SOP} --from 2026-01-01 --to 2026-06-30", url=database_url))
    rows = list(csv.DictReader(io.StringIO(empty.stdout)))
    assert rows
    assert all(r["count"] == "0" and r["median_minutes"] == "" for r in rows)
