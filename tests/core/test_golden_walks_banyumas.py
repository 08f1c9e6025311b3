"""Golden walks: Satpol PP Banyumas, "Mekanisme Pengumpulan Data Kinerja", end to end.

1 Staf drafts (2 hari) -> 2 Kasubag Perencanaan corrects (gate, 10 menit, tidak -> 1)
-> 3 Staf copies to the Kabid (1 Hari) -> 4 each Kabid fills in (per bidang, 3 hari)
-> 5 Staf verifies each bidang (per-bidang gate, 1 hari, tidak -> 4) -> 6 Staf enters
(join, 2 hari) -> 7 Kasubag validates (10 menit) -> 8 Sekretaris initials (10 Menit)
-> 9 Kepala Satuan signs (end, 10 menit, no Plt/Plh).

Office hours 07:30-16:00 WIB; "n hari" from a time inside office hours falls due at the
same time n working days later. Every due time below is worked out by hand.
"""

from __future__ import annotations

import pytest

from alur.core.engine import Actor, CaseStatus, Delegation, EventKind, Membership, replay
from alur.core.errors import DelegationRefused

PLUGIN, SOP = "satpolpp_banyumas", "pengumpulan-data-kinerja"
TIB = "tibumtranmas"
UNITS = ("gakperda", TIB, "linmas", "sda")

STAF = Actor("u-staf", "Sri (Staf)", (Membership("staf"),))
KASUBAG = Actor("u-kasubag", "Kus (Kasubag Perencanaan)", (Membership("kasubag_perencanaan"),))
SEKRETARIS = Actor("u-sekretaris", "Setyo (Sekretaris)", (Membership("sekretaris"),))
KEPALA = Actor("u-kepala", "Heru (Kepala Satuan)", (Membership("kepala_satuan"),))
KABID = {u: Actor(f"u-kabid-{u}", f"Kabid {u}", (Membership("kabid", u),)) for u in UNITS}
# The Sekretaris stands in for the Kepala Satuan while he is away (Plh).
SEKRETARIS_PLH_KEPALA = Actor(
    "u-sekretaris",
    "Setyo (Sekretaris)",
    (
        Membership("sekretaris"),
        Membership("kepala_satuan", None, Delegation.PLH, "u-kepala", "Heru (Kepala Satuan)"),
    ),
)
# A Kasi stands in for the Kabid Linmas (Plh).
PLH_KABID_LINMAS = Actor(
    "u-kasi-linmas",
    "Lina (Kasi Linmas)",
    (Membership("kabid", "linmas", Delegation.PLH, "u-kabid-linmas", "Kabid linmas"),),
)

NEXT = "task_completed task_opened"
DECIDED = "gate_decided task_opened"
JOINED = "gate_decided unit_joined"
LAST_JOINED = "gate_decided unit_joined task_opened"
FAN_OUT = "task_completed fan_out_opened" + " task_opened" * len(UNITS)
FINISHED = "task_completed case_finished"


def test_units_are_the_plugins_bidang(installed) -> None:
    assert tuple(u.id for u in installed.get(PLUGIN).units) == UNITS


def test_happy_path_across_natal_tahun_baru_and_isra_miraj(walk, wib) -> None:
    """Thu 24 Dec 2026 to Fri 8 Jan 2027. Not working days: Fri 25 Dec (Natal), Sat-Sun,
    Fri 1 Jan 2027 (Tahun Baru), Tue 5 Jan 2027 (Isra Mi'raj, SKB 3 Menteri 2027). Thu 24
    Dec is cuti bersama, which tenants declare themselves: a working day here."""
    w = walk(
        PLUGIN,
        SOP,
        STAF,
        wib(2026, 12, 24, 9, 0),
        case_id="bms-tw4",
        period="Triwulan IV 2026",
        units=UNITS,
    )
    assert [e.kind for e in w.events] == [EventKind.CASE_STARTED, EventKind.TASK_OPENED]

    assert w.do(1, None, "claim", STAF, wib(2026, 12, 24, 9, 5)) == "task_claimed"
    assert w.task(1).assignee == STAF.id
    assert w.do(1, None, "complete", STAF, wib(2026, 12, 28, 13, 0)) == NEXT
    assert w.do(2, None, "ya", KASUBAG, wib(2026, 12, 28, 13, 10)) == DECIDED
    assert w.do(3, None, "complete", STAF, wib(2026, 12, 29, 15, 0)) == FAN_OUT
    assert w.waiting == [(4, u) for u in UNITS]

    assert w.do(4, "gakperda", "complete", KABID["gakperda"], wib(2026, 12, 30, 10, 0)) == NEXT
    assert w.do(5, "gakperda", "ya", STAF, wib(2026, 12, 31, 8, 0)) == JOINED
    assert w.do(4, TIB, "complete", KABID[TIB], wib(2026, 12, 31, 15, 30)) == NEXT
    assert w.do(4, "linmas", "complete", KABID["linmas"], wib(2027, 1, 4, 7, 0)) == NEXT
    assert w.do(5, TIB, "ya", STAF, wib(2027, 1, 4, 9, 0)) == JOINED
    assert w.do(5, "linmas", "ya", STAF, wib(2027, 1, 4, 10, 0)) == JOINED
    assert w.state.fan_out.waiting_for == ("sda",)
    assert w.do(4, "sda", "complete", KABID["sda"], wib(2027, 1, 4, 17, 0)) == NEXT  # late
    assert w.do(5, "sda", "ya", STAF, wib(2027, 1, 6, 8, 0)) == LAST_JOINED
    assert w.state.fan_out is None

    assert w.do(6, None, "complete", STAF, wib(2027, 1, 7, 14, 0)) == NEXT
    assert w.do(7, None, "complete", KASUBAG, wib(2027, 1, 7, 15, 55)) == NEXT
    assert w.do(8, None, "complete", SEKRETARIS, wib(2027, 1, 8, 9, 0)) == NEXT
    assert w.do(9, None, "complete", KEPALA, wib(2027, 1, 8, 9, 5)) == FINISHED

    four = [(4, u, wib(2026, 12, 29, 15, 0), wib(2027, 1, 4, 15, 0)) for u in UNITS]
    assert w.opened() == [
        # step, unit, opened at, due
        (1, None, wib(2026, 12, 24, 9, 0), wib(2026, 12, 29, 9, 0)),  # 2 hari: Mon 28, Tue 29
        (2, None, wib(2026, 12, 28, 13, 0), wib(2026, 12, 28, 13, 10)),
        (3, None, wib(2026, 12, 28, 13, 10), wib(2026, 12, 29, 13, 10)),
        *four,  # 3 hari from Tue 15:00: Wed 30, Thu 31, (Fri 1 Jan, weekend) Mon 4
        (5, "gakperda", wib(2026, 12, 30, 10, 0), wib(2026, 12, 31, 10, 0)),
        (5, TIB, wib(2026, 12, 31, 15, 30), wib(2027, 1, 4, 15, 30)),
        (5, "linmas", wib(2027, 1, 4, 7, 0), wib(2027, 1, 4, 16, 0)),  # from 07:30, to closing
        (5, "sda", wib(2027, 1, 4, 17, 0), wib(2027, 1, 6, 16, 0)),  # after hours, Tue 5 off
        (6, None, wib(2027, 1, 6, 8, 0), wib(2027, 1, 8, 8, 0)),
        (7, None, wib(2027, 1, 7, 14, 0), wib(2027, 1, 7, 14, 10)),
        (8, None, wib(2027, 1, 7, 15, 55), wib(2027, 1, 8, 7, 35)),  # 5 min Thu + 5 min Fri
        (9, None, wib(2027, 1, 8, 9, 0), wib(2027, 1, 8, 9, 10)),
    ]
    assert w.state.status is CaseStatus.FINISHED
    assert w.events[-1].kind is EventKind.CASE_FINISHED
    assert w.events[-2].step == 9
    assert all(e.delegation is None for e in w.events)
    assert replay(w.events) == w.state


def test_returns_a_draft_and_one_bidang_and_refuses_a_plh_signature(walk, wib) -> None:
    """Thu 2 Apr to Tue 14 Apr 2026, across Fri 3 Apr (Wafat Yesus Kristus) and a weekend.
    The Kasubag returns the draft once; the Staf returns only Gakperda's data once."""
    w = walk(
        PLUGIN,
        SOP,
        STAF,
        wib(2026, 4, 2, 10, 0),
        case_id="bms-tw1",
        period="Triwulan I 2026",
        units=UNITS,
    )
    assert w.do(1, None, "complete", STAF, wib(2026, 4, 2, 15, 0)) == NEXT
    note = "Kolom target IKU belum ada"
    assert w.do(2, None, "tidak", KASUBAG, wib(2026, 4, 2, 15, 40), note) == DECIDED
    draft = w.task(1)
    assert (draft.returned_from, draft.return_note) == (2, note)
    assert w.do(1, None, "complete", STAF, wib(2026, 4, 6, 9, 0)) == NEXT
    assert w.do(2, None, "ya", KASUBAG, wib(2026, 4, 6, 9, 30)) == DECIDED
    assert w.do(3, None, "complete", STAF, wib(2026, 4, 6, 14, 0)) == FAN_OUT

    assert w.do(4, "gakperda", "complete", KABID["gakperda"], wib(2026, 4, 7, 10, 0)) == NEXT
    assert w.do(4, TIB, "complete", KABID[TIB], wib(2026, 4, 7, 11, 0)) == NEXT
    before = {t.unit: t for t in w.state.open_tasks.values()}
    note = "Realisasi triwulan I tidak sesuai DPA"
    assert w.do(5, "gakperda", "tidak", STAF, wib(2026, 4, 8, 9, 0), note) == DECIDED
    back = w.task(4, "gakperda")
    assert (back.returned_from, back.return_note) == (5, note)
    assert w.waiting == [(4, "linmas"), (4, "sda"), (5, TIB), (4, "gakperda")]
    assert all(w.state.open_tasks[t.id] == t for u, t in before.items() if u != "gakperda")
    assert w.state.fan_out.waiting_for == UNITS

    assert w.do(5, TIB, "ya", STAF, wib(2026, 4, 8, 9, 30)) == JOINED
    # A Plh Kabid may fill in the bidang's data: recorded as Plh, acting for the Kabid.
    assert w.do(4, "linmas", "complete", PLH_KABID_LINMAS, wib(2026, 4, 8, 13, 0)) == NEXT
    plh = next(e for e in w.events if e.actor == PLH_KABID_LINMAS.id)
    assert (plh.kind, plh.role, plh.delegation) == (EventKind.TASK_COMPLETED, "kabid", "Plh")
    assert (plh.acting_for, plh.acting_for_name) == ("u-kabid-linmas", "Kabid linmas")
    assert w.do(5, "linmas", "ya", STAF, wib(2026, 4, 9, 8, 0)) == JOINED
    assert w.do(4, "sda", "complete", KABID["sda"], wib(2026, 4, 9, 13, 30)) == NEXT
    assert w.do(4, "gakperda", "complete", KABID["gakperda"], wib(2026, 4, 9, 15, 30)) == NEXT
    assert w.do(5, "sda", "ya", STAF, wib(2026, 4, 10, 8, 0)) == JOINED
    assert w.do(5, "gakperda", "ya", STAF, wib(2026, 4, 10, 10, 0)) == LAST_JOINED

    assert w.do(6, None, "complete", STAF, wib(2026, 4, 13, 14, 0)) == NEXT
    assert w.do(7, None, "complete", KASUBAG, wib(2026, 4, 13, 14, 30)) == NEXT
    assert w.do(8, None, "complete", SEKRETARIS_PLH_KEPALA, wib(2026, 4, 13, 15, 0)) == NEXT
    # The signature is the Kepala Satuan's own: his Plh is refused and nothing changes.
    state, count = w.state, len(w.events)
    with pytest.raises(DelegationRefused):
        w.do(9, None, "complete", SEKRETARIS_PLH_KEPALA, wib(2026, 4, 13, 15, 5))
    assert (w.state, len(w.events)) == (state, count)
    assert w.do(9, None, "complete", KEPALA, wib(2026, 4, 14, 8, 0)) == FINISHED

    four = [(4, u, wib(2026, 4, 6, 14, 0), wib(2026, 4, 9, 14, 0)) for u in UNITS]
    assert w.opened() == [
        (1, None, wib(2026, 4, 2, 10, 0), wib(2026, 4, 7, 10, 0)),  # Fri 3 off: Mon 6, Tue 7
        (2, None, wib(2026, 4, 2, 15, 0), wib(2026, 4, 2, 15, 10)),
        (1, None, wib(2026, 4, 2, 15, 40), wib(2026, 4, 7, 15, 40)),  # returned
        (2, None, wib(2026, 4, 6, 9, 0), wib(2026, 4, 6, 9, 10)),
        (3, None, wib(2026, 4, 6, 9, 30), wib(2026, 4, 7, 9, 30)),
        *four,
        (5, "gakperda", wib(2026, 4, 7, 10, 0), wib(2026, 4, 8, 10, 0)),
        (5, TIB, wib(2026, 4, 7, 11, 0), wib(2026, 4, 8, 11, 0)),
        (4, "gakperda", wib(2026, 4, 8, 9, 0), wib(2026, 4, 13, 9, 0)),  # returned: Thu, Fri, Mon
        (5, "linmas", wib(2026, 4, 8, 13, 0), wib(2026, 4, 9, 13, 0)),
        (5, "sda", wib(2026, 4, 9, 13, 30), wib(2026, 4, 10, 13, 30)),
        (5, "gakperda", wib(2026, 4, 9, 15, 30), wib(2026, 4, 10, 15, 30)),
        (6, None, wib(2026, 4, 10, 10, 0), wib(2026, 4, 14, 10, 0)),  # over the weekend
        (7, None, wib(2026, 4, 13, 14, 0), wib(2026, 4, 13, 14, 10)),
        (8, None, wib(2026, 4, 13, 14, 30), wib(2026, 4, 13, 14, 40)),
        (9, None, wib(2026, 4, 13, 15, 0), wib(2026, 4, 13, 15, 10)),
    ]
    assert w.state.status is CaseStatus.FINISHED
    assert replay(w.events) == w.state
