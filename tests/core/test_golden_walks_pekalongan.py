"""Golden walks: Kesbangpol Kota Pekalongan, "Pengumpulan dan Pengolahan Data Kinerja".

1 Kepala Dinas orders (5 menit) -> 2 Sekretaris orders the Kasubbag Renval (5 menit)
-> 3 Kasubbag coordinates (1 jam) -> 4 Petugas makes the format (1 hari) -> 5 Kasubbag
verifies it (1 hari) -> 6 Petugas hands it out (5 menit) -> 7 each Kepala Bidang collects
(per bidang, 30 menit) -> 8 Petugas verifies each bidang (per-bidang gate, 1 hari,
tidak -> 7) -> 9 Petugas processes (join, 5 hari) -> 10 Petugas reports (15 menit)
-> 11 Kasubbag verifies (1 hari) -> 12 Sekretaris validates (1 hari) -> 13 Kepala Dinas
receives (end, 5 menit).

Office hours 07:30-16:00 WIB; "n hari" from a time inside office hours falls due at the
same time n working days later. Every due time below is worked out by hand.
"""

from __future__ import annotations

from alur.core import DataAction
from alur.core.engine import Actor, CaseStatus, Delegation, EventKind, Membership, replay

PLUGIN, SOP = "kesbangpol_pekalongan", "pengumpulan-pengolahan-data-kinerja"
UNITS = ("ideologi", "politik", "ketahanan")

KEPALA = Actor("u-kepala", "Kepala Badan", (Membership("kepala_dinas"),))
SEKRETARIS = Actor("u-sekretaris", "Sekretaris", (Membership("sekretaris"),))
KASUBBAG = Actor("u-kasubbag", "Kasubbag Renval", (Membership("kasubbag_renval"),))
PETUGAS = Actor("u-petugas", "Petugas Pengelola Data Kinerja", (Membership("petugas"),))
KABID = {u: Actor(f"u-kabid-{u}", f"Kabid {u}", (Membership("kepala_bidang", u),)) for u in UNITS}
# The post of Kepala is vacant: a Plt holds it (acting for nobody).
PLT_KEPALA = Actor(
    "u-plt", "Hendra (Plt. Kepala)", (Membership("kepala_dinas", None, Delegation.PLT),)
)

NEXT = "task_completed task_opened"
DECIDED = "gate_decided task_opened"
JOINED = "gate_decided unit_joined"
LAST_JOINED = "gate_decided unit_joined task_opened"
FAN_OUT = "task_completed fan_out_opened" + " task_opened" * len(UNITS)
FINISHED = "task_completed case_finished"


def test_units_are_the_plugins_bidang(installed) -> None:
    assert tuple(u.id for u in installed.get(PLUGIN).units) == UNITS


def test_receiving_the_result_is_not_a_signature(installed) -> None:
    """Step 13 "menerima hasil … dan memerintahkan sekretaris untuk laporan kinerja": the
    Kepala receives the result; the document names no tanda tangan (README, "Data kinerja
    bindings"). So no step signs the recap and every step may be done by a Plt/Plh."""
    d = installed.sop(PLUGIN, SOP)
    assert d.step(13).data is None
    assert [s.number for s in d.steps if s.data is DataAction.SIGN] == []
    assert all(s.delegable for s in d.steps)


def test_happy_path_across_hut_ri_and_maulid(walk, wib) -> None:
    """Fri 14 Aug to Tue 1 Sep 2026. Not working days: weekends, Mon 17 Aug (Hari
    Kemerdekaan), Tue 25 Aug (Maulid Nabi)."""
    w = walk(
        PLUGIN,
        SOP,
        KEPALA,
        wib(2026, 8, 14, 14, 0),
        case_id="kbp-s1",
        period="Semester I 2026",
        units=UNITS,
    )
    assert [e.kind for e in w.events] == [EventKind.CASE_STARTED, EventKind.TASK_OPENED]

    assert w.do(1, None, "complete", KEPALA, wib(2026, 8, 14, 14, 3)) == NEXT
    assert w.do(2, None, "complete", SEKRETARIS, wib(2026, 8, 14, 15, 30)) == NEXT
    assert w.do(3, None, "complete", KASUBBAG, wib(2026, 8, 18, 9, 0)) == NEXT
    assert w.do(4, None, "complete", PETUGAS, wib(2026, 8, 19, 11, 0)) == NEXT
    assert w.do(5, None, "complete", KASUBBAG, wib(2026, 8, 20, 10, 0)) == NEXT
    assert w.do(6, None, "complete", PETUGAS, wib(2026, 8, 20, 10, 5)) == FAN_OUT
    assert w.waiting == [(7, u) for u in UNITS]

    assert w.do(7, "ideologi", "complete", KABID["ideologi"], wib(2026, 8, 20, 10, 30)) == NEXT
    assert w.do(7, "politik", "complete", KABID["politik"], wib(2026, 8, 20, 15, 45)) == NEXT
    assert w.do(7, "ketahanan", "complete", KABID["ketahanan"], wib(2026, 8, 21, 7, 15)) == NEXT
    assert w.do(8, "ideologi", "ya", PETUGAS, wib(2026, 8, 21, 8, 0)) == JOINED
    assert w.do(8, "politik", "ya", PETUGAS, wib(2026, 8, 21, 9, 0)) == JOINED
    assert w.do(8, "ketahanan", "ya", PETUGAS, wib(2026, 8, 21, 15, 0)) == LAST_JOINED

    assert w.do(9, None, "complete", PETUGAS, wib(2026, 8, 28, 14, 0)) == NEXT
    assert w.do(10, None, "complete", PETUGAS, wib(2026, 8, 28, 14, 10)) == NEXT
    assert w.do(11, None, "complete", KASUBBAG, wib(2026, 8, 31, 10, 0)) == NEXT
    assert w.do(12, None, "complete", SEKRETARIS, wib(2026, 9, 1, 13, 0)) == NEXT
    assert w.do(13, None, "complete", KEPALA, wib(2026, 9, 1, 13, 4)) == FINISHED

    seven = [(7, u, wib(2026, 8, 20, 10, 5), wib(2026, 8, 20, 10, 35)) for u in UNITS]
    assert w.opened() == [
        # step, unit, opened at, due
        (1, None, wib(2026, 8, 14, 14, 0), wib(2026, 8, 14, 14, 5)),
        (2, None, wib(2026, 8, 14, 14, 3), wib(2026, 8, 14, 14, 8)),
        (3, None, wib(2026, 8, 14, 15, 30), wib(2026, 8, 18, 8, 0)),  # 30 min Fri + 30 min Tue
        (4, None, wib(2026, 8, 18, 9, 0), wib(2026, 8, 19, 9, 0)),
        (5, None, wib(2026, 8, 19, 11, 0), wib(2026, 8, 20, 11, 0)),
        (6, None, wib(2026, 8, 20, 10, 0), wib(2026, 8, 20, 10, 5)),
        *seven,
        (8, "ideologi", wib(2026, 8, 20, 10, 30), wib(2026, 8, 21, 10, 30)),
        (8, "politik", wib(2026, 8, 20, 15, 45), wib(2026, 8, 21, 15, 45)),
        (8, "ketahanan", wib(2026, 8, 21, 7, 15), wib(2026, 8, 21, 16, 0)),  # from 07:30
        # 5 hari: Mon 24, (Tue 25 off) Wed 26, Thu 27, Fri 28, Mon 31
        (9, None, wib(2026, 8, 21, 15, 0), wib(2026, 8, 31, 15, 0)),
        (10, None, wib(2026, 8, 28, 14, 0), wib(2026, 8, 28, 14, 15)),
        (11, None, wib(2026, 8, 28, 14, 10), wib(2026, 8, 31, 14, 10)),
        (12, None, wib(2026, 8, 31, 10, 0), wib(2026, 9, 1, 10, 0)),
        (13, None, wib(2026, 9, 1, 13, 0), wib(2026, 9, 1, 13, 5)),
    ]
    assert w.state.status is CaseStatus.FINISHED
    assert (w.events[-2].step, w.events[-1].kind) == (13, EventKind.CASE_FINISHED)
    assert replay(w.events) == w.state


def test_returns_one_bidang_with_a_plt_kepala(walk, wib) -> None:
    """Tue 12 May to Fri 29 May 2026, across Thu 14 May (Kenaikan Yesus Kristus), two
    weekends and Wed 27 May (Idul Adha). Fri 15 and Thu 28 May are cuti bersama, which
    tenants declare themselves: working days here. The Petugas returns only Politik's data
    once."""
    w = walk(
        PLUGIN,
        SOP,
        PLT_KEPALA,
        wib(2026, 5, 12, 10, 0),
        case_id="kbp-apr",
        period="April 2026",
        units=UNITS,
    )
    assert w.do(1, None, "complete", PLT_KEPALA, wib(2026, 5, 12, 10, 4)) == NEXT
    plt = w.events[-2]
    assert (plt.actor, plt.role, plt.delegation, plt.acting_for) == (
        "u-plt",
        "kepala_dinas",
        "Plt",
        None,
    )
    assert w.do(2, None, "complete", SEKRETARIS, wib(2026, 5, 12, 10, 30)) == NEXT
    assert w.do(3, None, "complete", KASUBBAG, wib(2026, 5, 12, 11, 0)) == NEXT
    assert w.do(4, None, "complete", PETUGAS, wib(2026, 5, 13, 15, 0)) == NEXT
    assert w.do(5, None, "complete", KASUBBAG, wib(2026, 5, 15, 9, 0)) == NEXT
    assert w.do(6, None, "complete", PETUGAS, wib(2026, 5, 15, 9, 5)) == FAN_OUT
    assert w.do(7, "ideologi", "complete", KABID["ideologi"], wib(2026, 5, 15, 9, 30)) == NEXT
    assert w.do(7, "politik", "complete", KABID["politik"], wib(2026, 5, 15, 10, 0)) == NEXT
    assert w.do(7, "ketahanan", "complete", KABID["ketahanan"], wib(2026, 5, 15, 13, 0)) == NEXT

    before = {t.unit: t for t in w.state.open_tasks.values()}
    note = "Capaian IKU 2 tanpa data dukung"
    assert w.do(8, "politik", "tidak", PETUGAS, wib(2026, 5, 18, 8, 0), note) == DECIDED
    back = w.task(7, "politik")
    assert (back.returned_from, back.return_note) == (8, note)
    assert w.waiting == [(8, "ideologi"), (8, "ketahanan"), (7, "politik")]
    assert w.state.open_tasks[before["ideologi"].id] == before["ideologi"]
    assert w.state.open_tasks[before["ketahanan"].id] == before["ketahanan"]

    assert w.do(8, "ideologi", "ya", PETUGAS, wib(2026, 5, 18, 8, 30)) == JOINED
    assert w.do(7, "politik", "complete", KABID["politik"], wib(2026, 5, 18, 15, 50)) == NEXT
    assert w.do(8, "ketahanan", "ya", PETUGAS, wib(2026, 5, 19, 8, 0)) == JOINED
    assert w.do(8, "politik", "ya", PETUGAS, wib(2026, 5, 19, 9, 0)) == LAST_JOINED
    assert w.do(9, None, "complete", PETUGAS, wib(2026, 5, 25, 11, 0)) == NEXT
    assert w.do(10, None, "complete", PETUGAS, wib(2026, 5, 25, 11, 15)) == NEXT
    assert w.do(11, None, "complete", KASUBBAG, wib(2026, 5, 26, 14, 0)) == NEXT
    assert w.do(12, None, "complete", SEKRETARIS, wib(2026, 5, 28, 15, 58)) == NEXT
    # Receiving the result is not a signature: the Plt may do it, and it is recorded so.
    assert w.do(13, None, "complete", PLT_KEPALA, wib(2026, 5, 29, 8, 0)) == FINISHED
    assert (w.events[-2].step, w.events[-2].delegation) == (13, "Plt")

    seven = [(7, u, wib(2026, 5, 15, 9, 5), wib(2026, 5, 15, 9, 35)) for u in UNITS]
    assert w.opened() == [
        (1, None, wib(2026, 5, 12, 10, 0), wib(2026, 5, 12, 10, 5)),
        (2, None, wib(2026, 5, 12, 10, 4), wib(2026, 5, 12, 10, 9)),
        (3, None, wib(2026, 5, 12, 10, 30), wib(2026, 5, 12, 11, 30)),
        (4, None, wib(2026, 5, 12, 11, 0), wib(2026, 5, 13, 11, 0)),
        (5, None, wib(2026, 5, 13, 15, 0), wib(2026, 5, 15, 15, 0)),  # Thu 14 off
        (6, None, wib(2026, 5, 15, 9, 0), wib(2026, 5, 15, 9, 5)),
        *seven,
        (8, "ideologi", wib(2026, 5, 15, 9, 30), wib(2026, 5, 18, 9, 30)),
        (8, "politik", wib(2026, 5, 15, 10, 0), wib(2026, 5, 18, 10, 0)),
        (8, "ketahanan", wib(2026, 5, 15, 13, 0), wib(2026, 5, 18, 13, 0)),
        (7, "politik", wib(2026, 5, 18, 8, 0), wib(2026, 5, 18, 8, 30)),  # returned
        (8, "politik", wib(2026, 5, 18, 15, 50), wib(2026, 5, 19, 15, 50)),
        (9, None, wib(2026, 5, 19, 9, 0), wib(2026, 5, 26, 9, 0)),  # Wed..Fri, Mon, Tue
        (10, None, wib(2026, 5, 25, 11, 0), wib(2026, 5, 25, 11, 15)),
        (11, None, wib(2026, 5, 25, 11, 15), wib(2026, 5, 26, 11, 15)),
        (12, None, wib(2026, 5, 26, 14, 0), wib(2026, 5, 28, 14, 0)),  # Wed 27 off
        (13, None, wib(2026, 5, 28, 15, 58), wib(2026, 5, 29, 7, 33)),  # 2 min + 3 min
    ]
    assert w.state.status is CaseStatus.FINISHED
    assert replay(w.events) == w.state
