"""Capaian, the recap and its content hash, and the changes between submission versions:
the formulas with hand-computed figures and as properties."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alur.core.kinerja.changes import Change, changes_between
from alur.core.kinerja.model import (
    Capaian,
    CapaianProblem,
    Direction,
    Entry,
    Evidence,
    Indicator,
    IndicatorSet,
    Submission,
)
from alur.core.kinerja.recap import build_recap, capaian

D = Decimal
HIGHER, LOWER = Direction.HIGHER, Direction.LOWER
UNITS = ("bidang-a", "bidang-b")

# --- capaian -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "realisasi", "direction", "expected"),
    [
        ("80", "72.5", HIGHER, "90.63"),  # 90.625: HALF_UP, not banker's 90.62
        ("80", "100", HIGHER, "125.00"),
        ("3", "1", HIGHER, "33.33"),
        ("3", "2", HIGHER, "66.67"),
        ("10", "5", LOWER, "150.00"),  # (20 - 5) / 10
        ("10", "0", LOWER, "200.00"),
        ("10", "12.5", LOWER, "75.00"),
        ("10", "25", LOWER, "-50.00"),  # above 2 × target: not clamped
        ("8", "0.0004", HIGHER, "0.01"),  # 0.005
        ("-10", "-5", HIGHER, "50.00"),  # a negative target: the formula as written
    ],
)
def test_capaian_formulas(target: str, realisasi: str, direction: Direction, expected: str) -> None:
    result = capaian(D(target), D(realisasi), direction)
    assert result == Capaian(D(expected))
    assert str(result.value) == expected  # always two decimals


def test_capaian_without_a_figure() -> None:
    assert capaian(D(0), D(5), HIGHER) == Capaian(None, CapaianProblem.ZERO_TARGET)
    assert capaian(D(0), D(5), LOWER) == Capaian(None, CapaianProblem.ZERO_TARGET)
    assert capaian(D(80), None, HIGHER) == Capaian(None, CapaianProblem.NOT_REPORTED)
    assert capaian(D(0), None, HIGHER) == Capaian(None, CapaianProblem.NOT_REPORTED)


positive = st.decimals(min_value=D("0.001"), max_value=D("1e9"), places=3)
any_realisasi = st.decimals(min_value=D("-1e9"), max_value=D("1e9"), places=3)
directions = st.sampled_from(list(Direction))


@given(positive, directions)
def test_realisasi_on_target_is_100(target: Decimal, direction: Direction) -> None:
    assert capaian(target, target, direction) == Capaian(D("100.00"))


@given(positive, any_realisasi, directions, st.integers(min_value=1, max_value=10**6))
def test_capaian_does_not_depend_on_the_scale(
    target: Decimal, realisasi: Decimal, direction: Direction, factor: int
) -> None:
    assert capaian(target * factor, realisasi * factor, direction) == capaian(
        target, realisasi, direction
    )


@given(positive, any_realisasi, any_realisasi)
def test_higher_is_better_grows_and_lower_is_better_shrinks(
    target: Decimal, a: Decimal, b: Decimal
) -> None:
    low, high = sorted((a, b))
    assert capaian(target, low, HIGHER).value <= capaian(target, high, HIGHER).value  # type: ignore[operator]
    assert capaian(target, low, LOWER).value >= capaian(target, high, LOWER).value  # type: ignore[operator]


# --- the recap --------------------------------------------------------------------------------

A = Indicator("A", "S1", "Persentase penegakan Perda", "%", D("80"))
B = Indicator("B", "S1", "Jumlah aduan", "kasus", D("10"), LOWER, ("bidang-a",))
C = Indicator("C", "S2", "Pertumbuhan", "%", D("0"), allow_negative=True)
E = Indicator("E", "S2", "Jumlah layanan", "layanan", D("50"), units=("bidang-b",))
SET = IndicatorSet("Triwulan III 2026", (A, B, C, E))
PDF = Evidence("bukti.pdf", "a" * 64)


def latest() -> dict[str, Submission]:
    return {
        "bidang-a": Submission(
            "bidang-a",
            2,
            (Entry("A", D("72.5"), "kurang personel"), Entry("B", D("5")), Entry("C", D("3"))),
        ),
        "bidang-b": Submission(
            "bidang-b", 1, (Entry("A", D("88")), Entry("C", D("0"), "", (PDF,)))
        ),
    }


def test_recap_figures_by_hand() -> None:
    recap = build_recap(SET, UNITS, latest())
    assert (recap.period, recap.units, recap.complete) == ("Triwulan III 2026", UNITS, False)
    s1, s2 = recap.sasaran
    a, b = s1.indicators
    assert [(r.unit, r.realisasi, r.capaian.value, r.version) for r in a.results] == [
        ("bidang-a", D("72.5"), D("90.63"), 2),  # 90.625
        ("bidang-b", D("88"), D("110.00"), 1),
    ]
    assert a.results[0].explanation == "kurang personel"
    assert a.capaian == Capaian(D("100.31"))  # (90.625 + 110) / 2 = 100.3125
    assert [(r.unit, r.capaian.value) for r in b.results] == [("bidang-a", D("150.00"))]
    assert b.capaian == Capaian(D("150.00"))
    assert (s1.sasaran, s1.total, s1.average, s1.counted) == ("S1", D("250.31"), D("125.16"), 2)
    c, e = s2.indicators
    assert [r.capaian for r in c.results] == [Capaian(None, CapaianProblem.ZERO_TARGET)] * 2
    assert c.results[1].evidence == (PDF,)
    assert c.capaian == Capaian(None, CapaianProblem.ZERO_TARGET)
    (only,) = e.results
    assert (only.unit, only.realisasi, only.version) == ("bidang-b", None, None)
    assert only.capaian == e.capaian == Capaian(None, CapaianProblem.NOT_REPORTED)
    assert (s2.total, s2.average, s2.counted) == (D("0.00"), None, 0)


def test_recap_is_complete_when_every_unit_reported_everything() -> None:
    submissions = latest()
    b = submissions["bidang-b"]
    submissions["bidang-b"] = replace(b, version=2, entries=(*b.entries, Entry("E", D("50"))))
    assert build_recap(SET, UNITS, submissions).complete
    del submissions["bidang-a"]
    assert not build_recap(SET, UNITS, submissions).complete
    assert not build_recap(IndicatorSet("TW"), UNITS, {}).complete  # nothing to recap


def test_recap_ignores_units_outside_the_case() -> None:
    submissions = latest()
    only_a = build_recap(SET, ("bidang-a",), submissions)
    a_indicator = only_a.sasaran[0].indicators[0]
    assert [r.unit for r in a_indicator.results] == ["bidang-a"]
    assert a_indicator.capaian == Capaian(D("90.63"))
    assert only_a.sasaran[1].indicators[1].results == ()  # E is reported by bidang-b only


def test_capaian_is_rounded_once_from_exact_figures() -> None:
    tiny = Indicator("T", "S", "t", "x", D("1000"))
    recap = build_recap(
        IndicatorSet("TW", (tiny,)),
        UNITS,
        {"bidang-a": Submission("bidang-a", 1, (Entry("T", D("0.05")),)),
         "bidang-b": Submission("bidang-b", 1, (Entry("T", D("0")),))},
    )  # fmt: skip
    (t,) = recap.sasaran[0].indicators
    assert [r.capaian.value for r in t.results] == [D("0.01"), D("0.00")]  # 0.005 and 0
    assert t.capaian.value == D("0.00")  # the exact mean 0.0025, not the mean of 0.01 and 0
    thirds = tuple(Indicator(f"K{n}", "S", "k", "x", D("3")) for n in range(3))
    one = Submission("bidang-a", 1, tuple(Entry(i.code, D("1")) for i in thirds))
    (s,) = build_recap(IndicatorSet("TW", thirds), ("bidang-a",), {"bidang-a": one}).sasaran
    assert [i.capaian.value for i in s.indicators] == [D("33.33")] * 3
    assert (s.total, s.average) == (D("100.00"), D("33.33"))  # 3 × 33.333…, not 99.99


def _with_entry(code: str, unit: str = "bidang-a", **changes: object):
    def change(indicator_set: IndicatorSet, submissions: dict[str, Submission]):
        s = submissions[unit]
        entries = tuple(replace(e, **changes) if e.indicator == code else e for e in s.entries)
        return indicator_set, {**submissions, unit: replace(s, entries=entries)}

    return change


def _with_indicator(code: str, **changes: object):
    def change(indicator_set: IndicatorSet, submissions: dict[str, Submission]):
        indicators = tuple(
            replace(i, **changes) if i.code == code else i for i in indicator_set.indicators
        )
        return replace(indicator_set, indicators=indicators), submissions

    return change


CHANGES = {
    "realisasi": _with_entry("A", realisasi=D("72.6")),
    "explanation": _with_entry("A", explanation="kurang personel dan anggaran"),
    "evidence added": _with_entry("A", evidence=(PDF,)),
    "evidence content": _with_entry("C", "bidang-b", evidence=(replace(PDF, sha256="b" * 64),)),
    "evidence name": _with_entry("C", "bidang-b", evidence=(replace(PDF, name="lain.pdf"),)),
    "target": _with_indicator("A", target=D("81")),
    "indicator text": _with_indicator("A", text="Persentase penegakan Perda dan Perkada"),
    "sasaran": _with_indicator("B", sasaran="S1 baru"),
    "unit of measure": _with_indicator("B", unit_of_measure="aduan"),
    "direction": _with_indicator("A", direction=LOWER),
    "reporting units": _with_indicator("C", units=("bidang-a",)),
    "allow negative": _with_indicator("A", allow_negative=True),
    "version": lambda s, subs: (s, {**subs, "bidang-b": replace(subs["bidang-b"], version=2)}),
    "period": lambda s, subs: (replace(s, period="Triwulan IV 2026"), subs),
}


@pytest.mark.parametrize("what", sorted(CHANGES))
def test_any_change_changes_the_recap_hash(what: str) -> None:
    before = build_recap(SET, UNITS, latest())
    changed_set, changed = CHANGES[what](SET, latest())
    assert build_recap(changed_set, UNITS, changed).content_hash != before.content_hash


def test_the_recap_hash_is_stable() -> None:
    submissions = latest()
    first = build_recap(SET, UNITS, submissions)
    assert build_recap(SET, UNITS, dict(reversed(submissions.items()))) == first
    assert len(first.content_hash) == 64
    # the same number typed with other trailing zeros is the same recap
    typed = _with_entry("A", realisasi=D("72.50"))(SET, submissions)[1]
    assert build_recap(SET, UNITS, typed).content_hash == first.content_hash
    # reordering evidence files is no change; reordering the case's units is
    two = _with_entry("A", evidence=(PDF, replace(PDF, name="b.pdf")))(SET, submissions)[1]
    owt = _with_entry("A", evidence=(replace(PDF, name="b.pdf"), PDF))(SET, submissions)[1]
    assert build_recap(SET, UNITS, two).content_hash == build_recap(SET, UNITS, owt).content_hash
    assert build_recap(SET, ("bidang-b", "bidang-a"), submissions).content_hash != (
        first.content_hash
    )


@given(
    st.lists(st.decimals(min_value=0, max_value=10**6, places=2), min_size=3, max_size=3),
    st.integers(min_value=0, max_value=2),
    st.decimals(min_value=D("0.01"), max_value=100, places=2),
)
def test_changing_any_realisasi_changes_the_hash(
    values: list[Decimal], which: int, delta: Decimal
) -> None:
    indicators = tuple(Indicator(f"I{n}", "S", "i", "x", D(10)) for n in range(3))
    indicator_set = IndicatorSet("TW", indicators)

    def recap(numbers: list[Decimal]):
        entries = tuple(Entry(i.code, v) for i, v in zip(indicators, numbers, strict=True))
        return build_recap(indicator_set, ("u",), {"u": Submission("u", 1, entries)})

    changed = list(values)
    changed[which] += delta
    assert recap(changed).content_hash != recap(values).content_hash


# --- changes between versions -----------------------------------------------------------------


def test_changes_between_versions() -> None:
    old_pdf, new_pdf = Evidence("bukti.pdf", "1" * 64), Evidence("bukti.pdf", "2" * 64)
    photo, memo = Evidence("foto.jpg", "3" * 64), Evidence("nota.pdf", "4" * 64)
    before = Submission(
        "bidang-a",
        1,
        (
            Entry("A", D("72.5"), "kurang", (old_pdf, photo)),
            Entry("B", D("5")),
            Entry("C", D("3"), "dihapus"),
        ),
    )
    after = Submission(
        "bidang-a",
        2,
        (
            Entry("B", D("5.00")),  # the same number: no change
            Entry("A", D("75"), "kurang personel", (new_pdf, memo)),
            Entry("E", D("1"), "baru", (memo,)),
        ),
    )
    assert changes_between(before, after) == (
        Change("A", "realisasi", "72.5", "75"),
        Change("A", "explanation", "kurang", "kurang personel"),
        Change("A", "evidence", "bukti.pdf (11111111)", "bukti.pdf (22222222)"),
        Change("A", "evidence", "foto.jpg", ""),
        Change("A", "evidence", "", "nota.pdf"),
        Change("E", "realisasi", "", "1"),
        Change("E", "explanation", "", "baru"),
        Change("E", "evidence", "", "nota.pdf"),
        Change("C", "realisasi", "3", ""),
        Change("C", "explanation", "dihapus", ""),
    )


def test_changes_from_nothing_and_to_the_same() -> None:
    first = latest()["bidang-b"]
    assert changes_between(None, first) == (
        Change("A", "realisasi", "", "88"),
        Change("C", "realisasi", "", "0"),
        Change("C", "evidence", "", "bukti.pdf"),
    )
    assert changes_between(first, replace(first, version=2)) == ()
