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
* copying a format from an earlier period; the audit still verifies.

The recap, approvals and archive: test_kinerja_store_recap.py.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from alur.core.engine import EventKind
from alur.core.kinerja.changes import Change
from alur.core.kinerja.model import Direction, IndicatorSet
from alur.tenants.cases.store import StoredCase
from alur.tenants.errors import Forbidden, InvalidInput, NotFound
from alur.tenants.kinerja.data import set_hash
from alur.tenants.kinerja.service import Upload
from alur.tenants.storage.tables import Attachment, IndicatorRow, SubmissionRow
from tests.kinerja.kinerja_helpers import (
    PERIOD,
    ROWS,
    Office,
    design,
    do,
    fill,
    kinerja_record,
    make_office,
    start,
    task_no,
)

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]


PDF = ("bukti.pdf", "application/pdf", b"%PDF-1.4 bukti penegakan perda")


async def counts(case: StoredCase) -> tuple[int, int]:
    return (
        await SubmissionRow.count().where(SubmissionRow.case == case.id),
        await Attachment.count().where(Attachment.case == case.id),
    )


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
