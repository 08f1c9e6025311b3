"""Saving a bound step's form and completing its task in one press (issue 14, point 1), and
the step an attachment is labelled with (point 11), on SQLite and PostgreSQL.

:meth:`KinerjaService.save_format_and_complete` and :meth:`save_data_and_complete` run the
save and the completion in one transaction: a refusal of either stores nothing of both.
"""

from __future__ import annotations

import pytest

from alur.core.engine import Complete, EventKind
from alur.tenants.errors import InvalidInput
from alur.tenants.kinerja.data import set_hash
from alur.tenants.kinerja.service import Upload
from tests.kinerja.kinerja_helpers import (
    PERIOD,
    ROWS,
    Office,
    design,
    fill,
    kinerja_record,
    start,
    task_no,
)
from tests.kinerja.test_kinerja_store import PDF, counts

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]

EXE = Upload("virus.exe", "application/x-msdownload", b"MZ")
VALUES = {
    "IKU-1": {"realisasi": "80", "explanation": "sesuai rencana"},
    "IKU-2": {"realisasi": "8", "explanation": "sesuai rencana"},
}


async def test_the_format_is_saved_and_the_step_completed_in_one_press(office: Office) -> None:
    case = await start(office)
    k = await office.kinerja()
    t = task_no(case, 1)
    done = await k.save_format_and_complete(
        office.users["staf"], case.key, t, ROWS, Complete(t, "Format awal."), language="id"
    )
    assert t not in done.state.open_tasks
    saved = await k.indicator_set(PERIOD)
    assert [i.code for i in saved.indicators] == ["IKU-1", "IKU-2"]
    events = await (await office.service()).history(case.key)
    (record,) = kinerja_record(events, 1, EventKind.TASK_COMPLETED)
    assert record == {"set_hash": set_hash(saved)}
    (completed,) = [e for e in events if e.kind is EventKind.TASK_COMPLETED]
    assert completed.note == "Format awal."


async def test_a_refused_save_or_completion_stores_nothing_of_both(office: Office) -> None:
    case = await start(office)
    k = await office.kinerja()
    staf, t = office.users["staf"], task_no(case, 1)
    bad = [dict(ROWS[0], target="delapan puluh"), ROWS[1]]
    with pytest.raises(InvalidInput) as refused:
        await k.save_format_and_complete(staf, case.key, t, bad, Complete(t, ""), language="id")
    assert set(refused.value.errors) == {"0.target"}
    # The completion is refused (a file that may not be attached): the format is not saved.
    with pytest.raises(InvalidInput) as refused:
        await k.save_format_and_complete(
            staf, case.key, t, ROWS, Complete(t, ""), [EXE], language="id"
        )
    assert set(refused.value.errors) == {"attachment"}
    # Nothing typed but "Complete": the completion's rule refuses, nothing is replaced.
    with pytest.raises(InvalidInput) as refused:
        await k.save_format_and_complete(staf, case.key, t, [], Complete(t, ""), language="id")
    assert set(refused.value.errors) == {"indicators"}
    assert await k.indicator_set(PERIOD) is None
    assert t in (await (await office.service()).case(case.key)).state.open_tasks


async def test_the_units_data_is_saved_and_its_step_completed_in_one_press(office) -> None:
    case = await start(office)
    await design(office, case)
    k = await office.kinerja()
    kabid = office.users["kabid_b"]
    t = task_no(await (await office.service()).case(case.key), 2, "bidang-b")
    with pytest.raises(InvalidInput) as refused:  # the completion's file: nothing stored
        await k.save_data_and_complete(
            kabid,
            case.key,
            t,
            VALUES,
            Complete(t, "Data bidang."),
            [EXE],
            evidence={"IKU-1": [PDF]},
            language="id",
        )
    assert set(refused.value.errors) == {"attachment"}
    assert await counts(case) == (0, 0)

    done = await k.save_data_and_complete(
        kabid,
        case.key,
        t,
        VALUES,
        Complete(t, "Data bidang."),
        [("rekap.csv", "text/csv", b"iku,realisasi\n1,80\n")],
        evidence={"IKU-1": [PDF]},
        language="id",
    )
    assert t not in done.state.open_tasks
    assert await counts(case) == (1, 2)  # the version, its evidence and the completion's file
    events = await (await office.service()).history(case.key)
    (record,) = kinerja_record(events, 2, EventKind.TASK_COMPLETED)
    assert record["version"] == 1


async def test_complete_after_save_makes_no_second_identical_version(office: Office) -> None:
    case = await start(office)
    await design(office, case)
    await fill(office, case.key, "bidang-b", {"IKU-1": "80", "IKU-2": "8"}, {"IKU-1": [PDF]})
    k = await office.kinerja()
    t = task_no(await (await office.service()).case(case.key), 2, "bidang-b")
    await k.save_data_and_complete(
        office.users["kabid_b"], case.key, t, VALUES, Complete(t, ""), language="id"
    )
    assert [s.version for s in (await k.submissions(case.key))["bidang-b"]] == [1]


async def test_attachments_are_labelled_with_the_step_they_were_uploaded_at(office) -> None:
    """Task numbers count the case's tasks, not its steps: bidang B's fill task is not task
    2 — the label is its step."""
    case = await start(office)
    await design(office, case)
    await fill(office, case.key, "bidang-b", {"IKU-1": "80", "IKU-2": "8"}, {"IKU-1": [PDF]})
    service = await office.service()
    (info,) = await service.attachments(case.key)
    assert info.task_no == task_no(await service.case(case.key), 2, "bidang-b")
    assert info.task_no != 2
    assert info.step == 2
    found, _content = await service.attachment(office.users["staf"], case.key, info.id)
    assert found.step == 2
