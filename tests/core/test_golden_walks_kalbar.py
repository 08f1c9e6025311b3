"""Golden walks: Biro Organisasi Setda Kalimantan Barat, "Perbaikan Data Kinerja".

1 Karo Organisasi orders (20 Menit) -> 2 each Kabag sends the corrections of the bagian
(per bagian, "Sesuai dengan waktu yang ditentukan": 3 hari in these cases) -> 3 Kasubbag TU
receives (join, 20 Menit) -> 4 Pelaksana analyses (20 Menit) -> 5 Kasubbag TU drafts
(120 Menit) -> 6 Kabag Tatalaksana checks (gate, 30 Menit, tidak -> 5) -> 7 Karo checks and
signs (gate, 240 Menit, tidak -> 6, no Plt/Plh) -> 8 Kabag Tatalaksana receives (30 Menit)
-> 9 Kasubbag TU orders archiving (15 Menit) -> 10 Arsiparis archives (end, 25 Menit).

Office hours 07:30-16:00 WIB; minutes count office time only. Every due time below is
worked out by hand.
"""

from __future__ import annotations

import pytest

from alur.core.engine import Actor, CaseStatus, Delegation, EventKind, Membership, replay
from alur.core.errors import DelegationRefused

PLUGIN, SOP = "biro_organisasi_kalbar", "perbaikan-data-kinerja"
RB = "reformasi-birokrasi"
UNITS = ("kelembagaan", RB, "tatalaksana")
DURATIONS = {2: "3 hari"}

KARO = Actor("u-karo", "Karo Organisasi", (Membership("karo_organisasi"),))
KASUBBAG_TU = Actor("u-kasubbag-tu", "Kasubbag TU", (Membership("kasubbag_tu"),))
PELAKSANA = Actor("u-pelaksana", "Pelaksana", (Membership("pelaksana"),))
ARSIPARIS = Actor("u-arsiparis", "Arsiparis", (Membership("arsiparis"),))
# The Kabag Tatalaksana is also the Kabag of the Bagian Tatalaksana in step 2.
KABAG_TATALAKSANA = Actor(
    "u-kabag-tl",
    "Kabag Tatalaksana",
    (Membership("kabag_tatalaksana"), Membership("kabag", "tatalaksana")),
)
KABAG = {
    "kelembagaan": Actor("u-kabag-kl", "Kabag Kelembagaan", (Membership("kabag", "kelembagaan"),)),
    RB: Actor("u-kabag-rb", "Kabag Reformasi Birokrasi", (Membership("kabag", RB),)),
    "tatalaksana": KABAG_TATALAKSANA,
}
# While the Karo is away, the Kabag Kelembagaan is Plh Karo.
PLH_KARO = Actor(
    "u-kabag-kl",
    "Kabag Kelembagaan",
    (
        Membership("kabag", "kelembagaan"),
        Membership("karo_organisasi", None, Delegation.PLH, "u-karo", "Karo Organisasi"),
    ),
)

NEXT = "task_completed task_opened"
DECIDED = "gate_decided task_opened"
JOINED = "task_completed unit_joined"
LAST_JOINED = "task_completed unit_joined task_opened"
FAN_OUT = "task_completed fan_out_opened" + " task_opened" * len(UNITS)
FINISHED = "task_completed case_finished"


def test_units_are_the_plugins_bagian(installed) -> None:
    assert tuple(u.id for u in installed.get(PLUGIN).units) == UNITS


def test_happy_path_across_tahun_baru_and_isra_miraj(walk, wib) -> None:
    """Thu 31 Dec 2026 to Mon 11 Jan 2027. Not working days: Fri 1 Jan (Tahun Baru),
    weekends, Tue 5 Jan (Isra Mi'raj, SKB 3 Menteri 2027)."""
    w = walk(
        PLUGIN,
        SOP,
        KARO,
        wib(2026, 12, 31, 14, 0),
        case_id="kb-1",
        period="Triwulan IV 2026",
        units=UNITS,
        durations=DURATIONS,
    )
    assert w.events[0].payload["durations"] == {"2": "3 hari"}

    assert w.do(1, None, "complete", KARO, wib(2026, 12, 31, 14, 15)) == FAN_OUT
    assert w.waiting == [(2, u) for u in UNITS]
    assert (
        w.do(2, "kelembagaan", "complete", KABAG["kelembagaan"], wib(2027, 1, 4, 10, 0)) == JOINED
    )
    assert w.do(2, "tatalaksana", "complete", KABAG_TATALAKSANA, wib(2027, 1, 6, 9, 0)) == JOINED
    assert w.do(2, RB, "complete", KABAG[RB], wib(2027, 1, 6, 15, 50)) == LAST_JOINED
    assert w.do(3, None, "complete", KASUBBAG_TU, wib(2027, 1, 7, 8, 0)) == NEXT
    assert w.do(4, None, "complete", PELAKSANA, wib(2027, 1, 7, 10, 0)) == NEXT
    assert w.do(5, None, "complete", KASUBBAG_TU, wib(2027, 1, 7, 14, 30)) == NEXT
    assert w.do(6, None, "ya", KABAG_TATALAKSANA, wib(2027, 1, 7, 15, 0)) == DECIDED
    assert w.do(7, None, "ya", KARO, wib(2027, 1, 8, 10, 0)) == DECIDED
    assert w.do(8, None, "complete", KABAG_TATALAKSANA, wib(2027, 1, 8, 15, 50)) == NEXT
    assert w.do(9, None, "complete", KASUBBAG_TU, wib(2027, 1, 11, 8, 0)) == NEXT
    assert w.do(10, None, "complete", ARSIPARIS, wib(2027, 1, 11, 9, 0)) == FINISHED

    # The Kabag Tatalaksana acted under the role each step asks for.
    roles = [(e.step, e.role) for e in w.events if e.actor == "u-kabag-tl" and e.role]
    assert roles == [(2, "kabag"), (6, "kabag_tatalaksana"), (8, "kabag_tatalaksana")]

    two = [(2, u, wib(2026, 12, 31, 14, 15), wib(2027, 1, 7, 14, 15)) for u in UNITS]
    assert w.opened() == [
        # step, unit, opened at, due
        (1, None, wib(2026, 12, 31, 14, 0), wib(2026, 12, 31, 14, 20)),
        *two,  # 3 hari (set at start): Mon 4, (Tue 5 off) Wed 6, Thu 7
        (3, None, wib(2027, 1, 6, 15, 50), wib(2027, 1, 7, 7, 40)),  # 10 min Wed + 10 min Thu
        (4, None, wib(2027, 1, 7, 8, 0), wib(2027, 1, 7, 8, 20)),
        (5, None, wib(2027, 1, 7, 10, 0), wib(2027, 1, 7, 12, 0)),
        (6, None, wib(2027, 1, 7, 14, 30), wib(2027, 1, 7, 15, 0)),
        (7, None, wib(2027, 1, 7, 15, 0), wib(2027, 1, 8, 10, 30)),  # 60 min Thu + 180 min Fri
        (8, None, wib(2027, 1, 8, 10, 0), wib(2027, 1, 8, 10, 30)),
        (9, None, wib(2027, 1, 8, 15, 50), wib(2027, 1, 11, 7, 35)),  # 10 min Fri + 5 min Mon
        (10, None, wib(2027, 1, 11, 8, 0), wib(2027, 1, 11, 8, 25)),
    ]
    assert w.state.status is CaseStatus.FINISHED
    assert (w.events[-2].step, w.events[-1].kind) == (10, EventKind.CASE_FINISHED)
    assert replay(w.events) == w.state


def test_returns_twice_and_the_plh_karo_may_order_but_not_sign(walk, wib) -> None:
    """Thu 28 May to Mon 8 Jun 2026, across two weekends and Mon 1 Jun (Hari Lahir
    Pancasila). Thu 28 May is cuti bersama, which tenants declare themselves: a working day
    here. The Kabag Tatalaksana returns the draft to the Kasubbag TU, then the Karo returns
    it to the Kabag Tatalaksana."""
    w = walk(
        PLUGIN,
        SOP,
        PLH_KARO,
        wib(2026, 5, 28, 9, 0),
        case_id="kb-2",
        period="April 2026",
        units=UNITS,
        durations=DURATIONS,
    )
    assert w.do(1, None, "complete", PLH_KARO, wib(2026, 5, 28, 9, 15)) == FAN_OUT
    order = next(e for e in w.events if e.kind is EventKind.TASK_COMPLETED)
    assert (order.role, order.delegation, order.acting_for) == ("karo_organisasi", "Plh", "u-karo")
    assert w.do(2, "kelembagaan", "complete", PLH_KARO, wib(2026, 5, 29, 14, 0)) == JOINED
    assert (w.events[-2].role, w.events[-2].delegation) == ("kabag", None)  # in person
    assert w.do(2, "tatalaksana", "complete", KABAG_TATALAKSANA, wib(2026, 6, 2, 10, 0)) == JOINED
    assert w.do(2, RB, "complete", KABAG[RB], wib(2026, 6, 2, 13, 0)) == LAST_JOINED
    assert w.do(3, None, "complete", KASUBBAG_TU, wib(2026, 6, 2, 13, 15)) == NEXT
    assert w.do(4, None, "complete", PELAKSANA, wib(2026, 6, 2, 15, 0)) == NEXT
    assert w.do(5, None, "complete", KASUBBAG_TU, wib(2026, 6, 3, 8, 30)) == NEXT

    note = "Rekap Bagian Kelembagaan belum memuat IKU 3"
    assert w.do(6, None, "tidak", KABAG_TATALAKSANA, wib(2026, 6, 3, 9, 0), note) == DECIDED
    assert (w.task(5).returned_from, w.task(5).return_note) == (6, note)
    assert w.do(5, None, "complete", KASUBBAG_TU, wib(2026, 6, 3, 10, 45)) == NEXT
    assert w.do(6, None, "ya", KABAG_TATALAKSANA, wib(2026, 6, 3, 11, 15)) == DECIDED

    # Step 7 ends in the Karo's signature: his Plh is refused and nothing changes.
    state, count = w.state, len(w.events)
    with pytest.raises(DelegationRefused):
        w.do(7, None, "ya", PLH_KARO, wib(2026, 6, 3, 14, 0))
    assert (w.state, len(w.events)) == (state, count)

    note = "Lampirkan data dukung capaian"
    assert w.do(7, None, "tidak", KARO, wib(2026, 6, 4, 8, 0), note) == DECIDED
    assert (w.task(6).returned_from, w.task(6).return_note) == (7, note)
    assert w.do(6, None, "ya", KABAG_TATALAKSANA, wib(2026, 6, 4, 9, 0)) == DECIDED
    assert w.do(7, None, "ya", KARO, wib(2026, 6, 4, 15, 30)) == DECIDED
    assert w.do(8, None, "complete", KABAG_TATALAKSANA, wib(2026, 6, 5, 8, 0)) == NEXT
    assert w.do(9, None, "complete", KASUBBAG_TU, wib(2026, 6, 5, 15, 50)) == NEXT
    assert w.do(10, None, "complete", ARSIPARIS, wib(2026, 6, 8, 9, 0)) == FINISHED

    two = [(2, u, wib(2026, 5, 28, 9, 15), wib(2026, 6, 3, 9, 15)) for u in UNITS]
    assert w.opened() == [
        (1, None, wib(2026, 5, 28, 9, 0), wib(2026, 5, 28, 9, 20)),
        *two,  # 3 hari: Fri 29, (weekend, Mon 1 Jun off) Tue 2, Wed 3
        (3, None, wib(2026, 6, 2, 13, 0), wib(2026, 6, 2, 13, 20)),
        (4, None, wib(2026, 6, 2, 13, 15), wib(2026, 6, 2, 13, 35)),
        (5, None, wib(2026, 6, 2, 15, 0), wib(2026, 6, 3, 8, 30)),  # 60 min Tue + 60 min Wed
        (6, None, wib(2026, 6, 3, 8, 30), wib(2026, 6, 3, 9, 0)),
        (5, None, wib(2026, 6, 3, 9, 0), wib(2026, 6, 3, 11, 0)),  # returned
        (6, None, wib(2026, 6, 3, 10, 45), wib(2026, 6, 3, 11, 15)),
        (7, None, wib(2026, 6, 3, 11, 15), wib(2026, 6, 3, 15, 15)),
        (6, None, wib(2026, 6, 4, 8, 0), wib(2026, 6, 4, 8, 30)),  # returned
        (7, None, wib(2026, 6, 4, 9, 0), wib(2026, 6, 4, 13, 0)),
        (8, None, wib(2026, 6, 4, 15, 30), wib(2026, 6, 4, 16, 0)),  # at closing, stays
        (9, None, wib(2026, 6, 5, 8, 0), wib(2026, 6, 5, 8, 15)),
        (10, None, wib(2026, 6, 5, 15, 50), wib(2026, 6, 8, 7, 45)),  # 10 min Fri + 15 min Mon
    ]
    assert w.state.status is CaseStatus.FINISHED
    assert replay(w.events) == w.state
