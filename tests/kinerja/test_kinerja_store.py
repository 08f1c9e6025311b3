"""Data kinerja storage and rules (alur.tenants.kinerja.service) on SQLite and PostgreSQL.

A small SOP binds every data action: 1 design (start) -> 2 fill (per unit) -> 3 verify
(per-unit gate, tidak -> 2) -> 4 recap -> 5 paraf (gate, tidak -> 4) -> 6 sign (gate, tidak
-> 2, back into the fan-out) -> 7 archive (end). What is proved here:

* who may write: only at an open task of the bound step, by someone the engine lets act on
  it (wrong step, wrong role, wrong unit: Forbidden; another tenant's case: NotFound);
* nothing is half-saved: one bad value or one bad file among good ones stores no version
  and no attachment;
* versions, evidence carried over, and the changes a verifier sees after a "tidak";
* the rules when a bound step is done, and what its event records;
* approvals carry the recap hash, are invalidated by a later change, show a Plh, cannot be
  forged; the archive needs a valid tanda tangan;
* copying a format from an earlier period; the audit still verifies.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import ModuleType
from typing import Any

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
from alur.core.calendar import JAKARTA
from alur.core.engine import Action, Claim, Complete, Decide, EventKind
from alur.core.kinerja.changes import Change
from alur.core.kinerja.model import ApprovalKind, Direction, IndicatorSet
from alur.tenants.cases.service import TenantService
from alur.tenants.cases.store import CaseStore, StoredCase, TenantRef
from alur.tenants.errors import Forbidden, InvalidInput, NotFound
from alur.tenants.identity.memberships import add_delegation, add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.kinerja.data import set_hash
from alur.tenants.kinerja.service import KinerjaService, Upload
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Attachment, IndicatorRow, SubmissionRow

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]

UNITS = ("bidang-a", "bidang-b")
PERIOD = "Triwulan III 2026"

KINERJA_TOML = """
[sop]
id = "uji-kinerja"
version = "1"

[header]
nomor = "002/SOP/2026"
nama = "Uji Data Kinerja"

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
id = "kasubag"
name = "Kasubag Perencanaan"
rank = 2

[[roles]]
id = "kepala"
name = "Kepala"
rank = 5

[[steps]]
number = 1
kegiatan = "Menyusun format data kinerja"
actor = "staf"
kind = "start"
waktu = "1 hari"
data = "design"

[[steps]]
number = 2
kegiatan = "Mengisi data kinerja"
actor = "kabid"
per_unit = true
waktu = "1 hari"
data = "fill"

[[steps]]
number = 3
kegiatan = "Memverifikasi data kinerja bidang"
actor = "staf"
kind = "decision"
per_unit = true
waktu = "1 hari"
data = "verify"
[steps.gate]
question = "Data bidang sudah benar?"
ya = 4
tidak = 2

[[steps]]
number = 4
kegiatan = "Merekap data kinerja"
actor = "staf"
waktu = "1 hari"
data = "recap"

[[steps]]
number = 5
kegiatan = "Memaraf rekap data kinerja"
actor = "kasubag"
kind = "decision"
waktu = "1 hari"
data = "paraf"
[steps.gate]
question = "Rekap sudah benar?"
ya = 6
tidak = 4

[[steps]]
number = 6
kegiatan = "Menandatangani data kinerja"
actor = "kepala"
kind = "decision"
waktu = "1 hari"
data = "sign"
[steps.gate]
question = "Data kinerja disetujui?"
ya = 7
tidak = 2

[[steps]]
number = 7
kegiatan = "Mengarsipkan data kinerja"
actor = "staf"
kind = "end"
waktu = "1 hari"
data = "archive"
"""

ROWS = [
    {
        "code": "IKU-1",
        "sasaran": "Meningkatnya ketertiban umum",
        "text": "Persentase perda yang ditegakkan",
        "unit_of_measure": "%",
        "target": "80",
        "direction": "higher",
        "units": "",
        "allow_negative": "",
    },
    {
        "code": "IKU-2",
        "sasaran": "Meningkatnya ketertiban umum",
        "text": "Jumlah pengaduan masyarakat",
        "unit_of_measure": "kasus",
        "target": "10",
        "direction": "lower",
        "units": "bidang-b",
        "allow_negative": "",
    },
]
PDF = ("bukti.pdf", "application/pdf", b"%PDF-1.4 bukti penegakan perda")


# --- the office ---------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 9, 0, 0, 123456, tzinfo=JAKARTA)

    def __call__(self) -> datetime:
        return self.now

    def tick(self) -> None:
        self.now += timedelta(minutes=7, microseconds=654321)


@pytest.fixture(scope="module")
def definition() -> SopDefinition:
    return loads_definition(KINERJA_TOML, source="uji-kinerja.toml")


@pytest.fixture
def plugins(definition: SopDefinition) -> AlurPlugins:
    module = ModuleType("alur_test_uji")
    hooks = {
        "alur_institution": lambda: Institution(slug="dinas-uji", name="Dinas Uji"),
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

    async def kinerja(self) -> KinerjaService:
        return KinerjaService(await self.service())

    async def person(self, key: str, role: str | None, unit: str | None = None) -> int:
        roles = {r.id: r for r in self.plugins.get("uji").roles}
        user = await create_user(
            f"{self.slug}.{key}",
            f"{key.title()} {self.slug}",
            "x" * 12,
            nip=f"19800101 200601 1 {len(self.users):03d}",
            jabatan=f"Jabatan {key.title()}",
        )
        await add_membership(self.tenant_id, user.id, roles[role] if role else None, unit)
        self.users[key] = user.id
        return user.id


async def make_office(db: Database, plugins: AlurPlugins, slug: str = "dinas-uji") -> Office:
    tenant = await create_tenant(plugins, slug, f"Dinas {slug}", "uji")
    office = Office(db, plugins, tenant.id, slug)
    for key, role, unit in [
        ("staf", "staf", None),
        ("kasubag", "kasubag", None),
        ("kabid_a", "kabid", "bidang-a"),
        ("kabid_b", "kabid", "bidang-b"),
        ("kepala", "kepala", None),
        ("sekretaris", "kasubag", None),
    ]:
        await office.person(key, role, unit)
    # The Sekretaris stands in for the Kepala this week (Plh).
    await add_delegation(
        office.tenant_id,
        office.users["sekretaris"],
        office.users["kepala"],
        "kepala",
        None,
        "Plh",
        date(2026, 11, 23),
        date(2026, 11, 27),
    )
    return office


@pytest.fixture
async def office(database: Database, plugins: AlurPlugins) -> Office:
    return await make_office(database, plugins)


def task_no(case: StoredCase, step: int, unit: str | None = None) -> int:
    (found,) = [t.id for t in case.state.open_tasks.values() if (t.step, t.unit) == (step, unit)]
    return found


async def do(
    office: Office,
    who: str,
    key: str,
    step: int,
    unit: str | None,
    what: str,
    note: str = "",
    data: dict | None = None,
) -> StoredCase:
    office.clock.tick()
    svc = await office.service()
    task = task_no(await svc.case(key), step, unit)
    action: Action = {
        "claim": Claim(task),
        "complete": Complete(task, note, data or {}),
        "ya": Decide(task, Answer.YA, note, data=data or {}),
        "tidak": Decide(task, Answer.TIDAK, note or "perbaiki", data=data or {}),
    }[what]
    return await svc.act(office.users[who], key, action)


async def start(office: Office, period: str = PERIOD) -> StoredCase:
    svc = await office.service()
    return await svc.start_case(office.users["staf"], "uji-kinerja", period)


async def design(office: Office, case: StoredCase, rows: list[dict] | None = None) -> None:
    k = await office.kinerja()
    await k.save_indicator_set(
        office.users["staf"], case.key, task_no(case, 1), rows or ROWS, language="id"
    )
    await do(office, "staf", case.key, 1, None, "complete")


async def fill(
    office: Office,
    key: str,
    unit: str,
    values: dict[str, str],
    evidence: dict | None = None,
    **kwargs: Any,
):
    office.clock.tick()
    k = await office.kinerja()
    case = await (await office.service()).case(key)
    who = "kabid_a" if unit == "bidang-a" else "kabid_b"
    return await k.save_submission(
        office.users[who],
        key,
        task_no(case, 2, unit),
        {code: {"realisasi": v, "explanation": "sesuai rencana"} for code, v in values.items()},
        evidence or {},
        language="id",
        **kwargs,
    )


async def counts(case: StoredCase) -> tuple[int, int]:
    return (
        await SubmissionRow.count().where(SubmissionRow.case == case.id),
        await Attachment.count().where(Attachment.case == case.id),
    )


def kinerja_record(case_events: list, step: int, kind: EventKind) -> list[dict]:
    return [
        e.payload["data"]["kinerja"]
        for e in case_events
        if e.step == step and e.kind is kind and "data" in e.payload
    ]


# --- the format ----------------------------------------------------------------------------


async def test_the_format_is_saved_at_the_design_task_only(office: Office) -> None:
    case = await start(office)
    k = await office.kinerja()
    design_task = task_no(case, 1)
    with pytest.raises(Forbidden):  # Kabid does not hold the design step's role
        await k.save_indicator_set(
            office.users["kabid_a"], case.key, design_task, ROWS, language="id"
        )
    with pytest.raises(NotFound):  # no such open task
        await k.save_indicator_set(office.users["staf"], case.key, 99, ROWS, language="id")
    assert await k.indicator_set(PERIOD) is None

    saved = await k.save_indicator_set(
        office.users["staf"], case.key, design_task, ROWS, language="id"
    )
    stored = await k.indicator_set(PERIOD)
    assert stored == saved
    assert [(i.code, i.target, i.direction, i.units) for i in stored.indicators] == [
        ("IKU-1", Decimal(80), Direction.HIGHER, ()),
        ("IKU-2", Decimal(10), Direction.LOWER, ("bidang-b",)),
    ]
    assert await k.periods() == [PERIOD]

    # A claimed task is its claimant's only.
    await office.person("staf_2", "staf")
    await do(office, "staf", case.key, 1, None, "claim")
    with pytest.raises(Forbidden, match="claimed"):
        await k.save_indicator_set(
            office.users["staf_2"], case.key, design_task, ROWS, language="id"
        )


async def test_a_bad_row_saves_nothing_and_a_new_format_replaces_the_old(office: Office) -> None:
    case = await start(office)
    k = await office.kinerja()
    staf, t = office.users["staf"], task_no(case, 1)
    await k.save_indicator_set(staf, case.key, t, ROWS, language="id")
    bad = [dict(ROWS[0], target="delapan puluh"), dict(ROWS[1], code="IKU-9", units="gudang")]
    with pytest.raises(InvalidInput) as refused:
        await k.save_indicator_set(staf, case.key, t, bad, language="id")
    assert set(refused.value.errors) == {"0.target", "1.units"}
    assert [i.code for i in (await k.indicator_set(PERIOD)).indicators] == ["IKU-1", "IKU-2"]

    await k.save_indicator_set(
        staf, case.key, t, [dict(ROWS[1], code="IKU-3", target="12,5")], language="id"
    )
    (only,) = (await k.indicator_set(PERIOD)).indicators
    assert (only.code, only.target) == ("IKU-3", Decimal("12.5"))
    assert await IndicatorRow.count() == 1


async def test_design_completion_needs_indicators_and_records_the_set_hash(office: Office) -> None:
    case = await start(office)
    with pytest.raises(InvalidInput) as refused:
        await do(office, "staf", case.key, 1, None, "complete")
    assert set(refused.value.errors) == {"indicators"}

    await design(office, case)
    k = await office.kinerja()
    events = await (await office.service()).history(case.key)
    (record,) = kinerja_record(events, 1, EventKind.TASK_COMPLETED)
    assert record == {"set_hash": set_hash(await k.indicator_set(PERIOD))}


async def test_copying_the_format_of_an_earlier_period(office: Office) -> None:
    first = await start(office, "Triwulan II 2026")
    await design(office, first)
    k = await office.kinerja()
    case = await start(office)
    staf, t = office.users["staf"], task_no(case, 1)
    with pytest.raises(InvalidInput) as refused:
        await k.copy_indicator_set(staf, case.key, t, "Triwulan I 2026")
    assert set(refused.value.errors) == {"from_period"}
    with pytest.raises(Forbidden):
        await k.copy_indicator_set(office.users["kepala"], case.key, t, "Triwulan II 2026")

    copied = await k.copy_indicator_set(staf, case.key, t, "Triwulan II 2026")
    earlier = await k.indicator_set("Triwulan II 2026")
    assert copied == IndicatorSet(PERIOD, earlier.indicators)
    assert await k.indicator_set(PERIOD) == copied
    assert await k.periods() == [PERIOD, "Triwulan II 2026"]
    # Editing the copy leaves the earlier period alone.
    await k.save_indicator_set(staf, case.key, t, ROWS[:1], language="id")
    assert len((await k.indicator_set("Triwulan II 2026")).indicators) == 2


# --- filling -------------------------------------------------------------------------------


async def test_only_the_units_own_fill_task_takes_its_data(database, plugins, office) -> None:
    case = await start(office)
    await design(office, case)
    case = await (await office.service()).case(case.key)
    k = await office.kinerja()
    values = {"IKU-1": {"realisasi": "85"}}
    a_task = task_no(case, 2, "bidang-a")
    with pytest.raises(Forbidden, match="Kabid"):  # Kabid B on bidang A's task
        await k.save_submission(office.users["kabid_b"], case.key, a_task, values, language="id")
    with pytest.raises(Forbidden):  # the staf does not fill in
        await k.save_submission(office.users["staf"], case.key, a_task, values, language="id")
    other = await make_office(database, plugins, "dinas-lain")
    with pytest.raises(NotFound):  # another office cannot even see the case
        await (await other.kinerja()).save_submission(
            other.users["kabid_a"], case.key, a_task, values, language="id"
        )
    with pytest.raises(NotFound):
        await (await other.kinerja()).submissions(case.key)
    # A design task cannot take data, and a fill task cannot take a format.
    next_case = await start(office, "Triwulan IV 2026")
    with pytest.raises(Forbidden):
        await k.save_submission(
            office.users["staf"], next_case.key, task_no(next_case, 1), values, language="id"
        )
    with pytest.raises(Forbidden):
        await k.save_indicator_set(office.users["kabid_a"], case.key, a_task, ROWS, language="id")
    assert await counts(case) == (0, 0)

    saved = await k.save_submission(
        office.users["kabid_a"], case.key, a_task, values, language="id"
    )
    assert (saved.unit, saved.version, saved.entries[0].realisasi) == ("bidang-a", 1, Decimal(85))


async def test_one_bad_value_or_one_bad_file_saves_nothing(office: Office) -> None:
    case = await start(office)
    await design(office, case)
    good = {"IKU-1": "80", "IKU-2": "8"}
    with pytest.raises(InvalidInput) as refused:
        await fill(
            office, case.key, "bidang-b", {"IKU-1": "80", "IKU-2": "delapan"}, {"IKU-1": [PDF]}
        )
    assert set(refused.value.errors) == {"IKU-2.realisasi"}
    assert await counts(case) == (0, 0)

    exe = Upload("virus.exe", "application/x-msdownload", b"MZ")
    with pytest.raises(InvalidInput) as refused:
        await fill(office, case.key, "bidang-b", good, {"IKU-1": [PDF], "IKU-2": [exe]})
    assert set(refused.value.errors) == {"IKU-2.evidence"}
    assert "virus.exe" in refused.value.errors["IKU-2.evidence"]
    assert await counts(case) == (0, 0)

    with pytest.raises(InvalidInput) as refused:  # bidang A does not report IKU-2
        await fill(office, case.key, "bidang-a", {"IKU-1": "90"}, {"IKU-2": [PDF]})
    assert set(refused.value.errors) == {"IKU-2.evidence"}
    assert await counts(case) == (0, 0)

    saved = await fill(office, case.key, "bidang-b", good, {"IKU-1": [PDF, PDF]})
    assert saved.version == 1
    (evidence,) = saved.entry("IKU-1").evidence  # the same file twice is stored once
    assert evidence.name == "bukti.pdf"
    assert await counts(case) == (1, 1)
    k = await office.kinerja()
    assert (await k.latest(case.key))["bidang-b"] == saved


async def test_codes_given_twice_or_not_reported_are_refused(office: Office) -> None:
    """The rule of the codes is the service's, whatever door sent them (the web form used
    to drop them silently; GraphQL checked them itself)."""
    case = await start(office)
    await design(office, case)
    k = await office.kinerja()
    task = task_no(await (await office.service()).case(case.key), 2, "bidang-b")
    value = {"realisasi": "80", "explanation": "sesuai rencana"}
    pairs = [("IKU-1", value), ("IKU-2", value), ("IKU-1", {"realisasi": "1"}), ("IKU-9", value)]
    with pytest.raises(InvalidInput) as refused:
        await k.save_submission(office.users["kabid_b"], case.key, task, pairs, language="id")
    assert refused.value.errors == {
        "IKU-1.code": 'the code "IKU-1" is used more than once',
        "IKU-9.code": "IKU-9 is not an indicator bidang-b reports",
    }
    with pytest.raises(InvalidInput) as refused:  # bidang A does not report IKU-2
        await fill(office, case.key, "bidang-a", {"IKU-1": "90", "IKU-2": "8"})
    assert set(refused.value.errors) == {"IKU-2.code"}
    assert await counts(case) == (0, 0)


async def test_fill_completion_needs_every_indicator_and_records_the_version(office) -> None:
    case = await start(office)
    await design(office, case)
    with pytest.raises(InvalidInput) as refused:
        await do(office, "kabid_b", case.key, 2, "bidang-b", "complete")
    assert set(refused.value.errors) == {"IKU-1.realisasi", "IKU-2.realisasi"}
    await fill(office, case.key, "bidang-b", {"IKU-1": "80", "IKU-2": "8"})
    await fill(office, case.key, "bidang-b", {"IKU-1": "81", "IKU-2": "8"})
    await do(office, "kabid_b", case.key, 2, "bidang-b", "complete")
    events = await (await office.service()).history(case.key)
    (record,) = kinerja_record(events, 2, EventKind.TASK_COMPLETED)
    assert record == {"unit": "bidang-b", "version": 2, "sha256": record["sha256"]}
    assert len(record["sha256"]) == 64  # the stored version's hash, for the audit


async def test_saves_at_the_same_moment_get_one_version_each(office: Office) -> None:
    """Five saves of one unit's form at once: versions 1 to 5, none lost or doubled."""
    case = await start(office)
    await design(office, case)
    k = await office.kinerja()
    t = task_no(await (await office.service()).case(case.key), 2, "bidang-a")
    saves = [
        k.save_submission(
            office.users["kabid_a"],
            case.key,
            t,
            {"IKU-1": {"realisasi": f"{80 + i}"}},
            language="id",
        )
        for i in range(5)
    ]
    saved = await asyncio.gather(*saves)
    assert sorted(s.version for s in saved) == [1, 2, 3, 4, 5]
    history = (await k.submissions(case.key))["bidang-a"]
    assert [(s.version, s.entries) for s in history] == sorted(
        (s.version, s.entries) for s in saved
    )
    await do(office, "kabid_a", case.key, 2, "bidang-a", "complete")
    with pytest.raises(NotFound):  # the task is done: no more versions through it
        await k.save_submission(
            office.users["kabid_a"], case.key, t, {"IKU-1": {"realisasi": "99"}}, language="id"
        )


async def test_versions_and_the_changes_after_a_tidak(office: Office) -> None:
    case = await start(office)
    await design(office, case)
    k = await office.kinerja()
    first = await fill(
        office, case.key, "bidang-b", {"IKU-1": "80", "IKU-2": "8"}, {"IKU-1": [PDF]}
    )
    await do(office, "kabid_b", case.key, 2, "bidang-b", "complete")
    assert await k.verification_changes(case.key, "bidang-b") == ()
    await do(office, "staf", case.key, 3, "bidang-b", "tidak", "IKU-2 belum sesuai")

    (pdf,) = first.entry("IKU-1").evidence
    photo = ("foto.png", "image/png", b"\x89PNG foto kegiatan")
    await fill(office, case.key, "bidang-b", {"IKU-1": "80,0", "IKU-2": "6"}, {"IKU-2": [photo]})
    third = await fill(
        office,
        case.key,
        "bidang-b",
        {"IKU-1": "80", "IKU-2": "7"},
        remove_evidence={"IKU-1": [pdf.sha256]},
    )
    assert third.version == 3
    assert third.entry("IKU-1").evidence == ()
    assert [e.name for e in third.entry("IKU-2").evidence] == ["foto.png"]  # carried over
    history = (await k.submissions(case.key))["bidang-b"]
    assert [s.version for s in history] == [1, 2, 3]
    assert history[0] == first
    assert history[2].submitted_by == "Kabid_B dinas-uji"

    # The verifier compares with version 1, which the returned fill completion recorded.
    changes = await k.verification_changes(case.key, "bidang-b")
    assert [(c.indicator, c.field) for c in changes] == [
        ("IKU-1", "evidence"),
        ("IKU-2", "realisasi"),
        ("IKU-2", "evidence"),
    ]
    assert changes[1] == Change("IKU-2", "realisasi", "8", "7")
    assert await k.verification_changes(case.key, "bidang-a") == ()
    # The evidence file stays downloadable from the case.
    svc = await office.service()
    names = sorted(a.filename for a in await svc.attachments(case.key))
    assert names == ["bukti.pdf", "foto.png"]


# --- the recap, approvals, archive -----------------------------------------------------------


async def through_verification(office: Office, key: str, versions: dict[str, dict]) -> None:
    for unit, values in versions.items():
        await fill(office, key, unit, values)
        who = "kabid_a" if unit == "bidang-a" else "kabid_b"
        await do(office, who, key, 2, unit, "complete")
        await do(office, "staf", key, 3, unit, "ya")


async def test_approvals_hold_until_the_data_changes(office: Office) -> None:
    case = await start(office)
    await design(office, case)
    k = await office.kinerja()
    await fill(office, case.key, "bidang-a", {"IKU-1": "90"})
    await do(office, "kabid_a", case.key, 2, "bidang-a", "complete")
    await do(office, "staf", case.key, 3, "bidang-a", "ya")
    # Bidang B has not reported: the recap cannot be completed yet... once it arrives it can.
    await through_verification(office, case.key, {"bidang-b": {"IKU-1": "80", "IKU-2": "8"}})
    recap = await k.recap(case.key)
    assert recap.complete
    await do(office, "staf", case.key, 4, None, "complete")

    # A forged approval on a "tidak" is dropped; the real paraf records the recap hash.
    forged = {"kinerja": {"approval": "sign", "recap_hash": recap.content_hash}, "x": 1}
    await do(office, "kasubag", case.key, 5, None, "tidak", "cek lagi", data=forged)
    assert await k.approvals(case.key) == []
    events = await (await office.service()).history(case.key)
    assert events[-2].payload["data"] == {"x": 1, "attachments": []}
    await do(office, "staf", case.key, 4, None, "complete")
    await do(office, "kasubag", case.key, 5, None, "ya")
    (paraf,) = await k.approvals(case.key)
    assert (paraf.kind, paraf.step, paraf.recap_hash) == (ApprovalKind.PARAF, 5, recap.content_hash)
    assert (paraf.name, paraf.jabatan, paraf.acting) == (
        "Kasubag dinas-uji",
        "Jabatan Kasubag",
        "",
    )
    assert paraf.valid_for(recap.content_hash)

    # The Kepala sends bidang A's data back: a new version invalidates the paraf.
    case = await do(office, "kepala", case.key, 6, None, "tidak", "IKU-1 bidang A", data=None)
    await fill(office, case.key, "bidang-a", {"IKU-1": "88"})
    changed = await k.recap(case.key)
    assert changed.content_hash != recap.content_hash
    assert not paraf.valid_for(changed.content_hash)
    await do(office, "kabid_a", case.key, 2, "bidang-a", "complete")
    await do(office, "staf", case.key, 3, "bidang-a", "ya")
    await do(office, "kabid_b", case.key, 2, "bidang-b", "complete")
    await do(office, "staf", case.key, 3, "bidang-b", "ya")
    await do(office, "staf", case.key, 4, None, "complete")
    await do(office, "kasubag", case.key, 5, None, "ya")
    # The Sekretaris signs as Plh. Kepala.
    await do(office, "sekretaris", case.key, 6, None, "ya")
    old_paraf, new_paraf, sign = await k.approvals(case.key)
    assert old_paraf == paraf
    assert [a.valid_for(changed.content_hash) for a in (old_paraf, new_paraf, sign)] == [
        False,
        True,
        True,
    ]
    assert sign.kind is ApprovalKind.SIGN
    assert (sign.name, sign.nip, sign.acting, sign.acting_for, sign.jabatan) == (
        "Sekretaris dinas-uji",
        "19800101 200601 1 005",
        "Plh",
        "Kepala dinas-uji",
        "Jabatan Kepala",  # the position signed as: the official's
    )

    # Another case of the same period changes the shared format: the signature no longer
    # holds, and the archive refuses until it is signed again.
    other = await start(office)
    await (await office.kinerja()).save_indicator_set(
        office.users["staf"],
        other.key,
        task_no(other, 1),
        [*ROWS, dict(ROWS[0], code="IKU-3")],
        language="id",
    )
    with pytest.raises(InvalidInput) as refused:
        await do(office, "staf", case.key, 7, None, "complete")
    assert set(refused.value.errors) == {"approvals"}
    await (await office.kinerja()).save_indicator_set(
        office.users["staf"], other.key, task_no(other, 1), ROWS, language="id"
    )
    done = await do(office, "staf", case.key, 7, None, "complete")
    assert done.status == "finished"

    # The audit still verifies: hash chain and stored state.
    store = CaseStore(office.db)
    ref = TenantRef(office.tenant_id, office.slug)
    report = await store.verify_chain(ref)
    assert report.ok, str(report)
    assert await store.verify_cases(ref) == []


async def test_the_recap_step_needs_a_complete_recap(office: Office) -> None:
    case = await start(office)
    await design(office, case)
    k = await office.kinerja()
    assert not (await k.recap(case.key)).complete
    await through_verification(
        office,
        case.key,
        {"bidang-a": {"IKU-1": "90"}, "bidang-b": {"IKU-1": "80", "IKU-2": "8"}},
    )
    # The format changes after the units filled in: IKU-3 has no realisasi yet.
    other = await start(office)
    await k.save_indicator_set(
        office.users["staf"],
        other.key,
        task_no(other, 1),
        [*ROWS, dict(ROWS[0], code="IKU-3")],
        language="id",
    )
    with pytest.raises(InvalidInput) as refused:
        await do(office, "staf", case.key, 4, None, "complete")
    assert set(refused.value.errors) == {"recap"}
    await k.save_indicator_set(
        office.users["staf"], other.key, task_no(other, 1), ROWS, language="id"
    )
    await do(office, "staf", case.key, 4, None, "complete")
    events = await (await office.service()).history(case.key)
    assert kinerja_record(events, 4, EventKind.TASK_COMPLETED) == [
        {"recap_hash": (await k.recap(case.key)).content_hash}
    ]


async def test_an_empty_case_has_an_empty_recap(office: Office) -> None:
    case = await start(office)
    recap = await (await office.kinerja()).recap(case.key)
    assert (recap.period, recap.units, recap.sasaran, recap.complete) == (
        PERIOD,
        UNITS,
        (),
        False,
    )
    assert await (await office.kinerja()).latest(case.key) == {}
