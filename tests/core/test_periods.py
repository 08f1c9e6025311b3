"""Periods (alur.core.periods): Triwulan I–IV, Semester I–II or Tahun with a year, written
one way; anything else is a PeriodError with one message for both doors."""

from __future__ import annotations

from datetime import date

import pytest

from alur.core.periods import PARTS, Period, PeriodError, compose, current, parse, split, years


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("Triwulan III 2026", "Triwulan III 2026"),
        ("triwulan  iv 2026", "Triwulan IV 2026"),
        (" Semester I 2027 ", "Semester I 2027"),
        ("TAHUN 2026", "Tahun 2026"),
    ],
)
def test_a_period_is_read_and_written_one_way(text: str, written: str) -> None:
    assert parse(text).text == written


@pytest.mark.parametrize(
    "text", ["", "2026", "April 2026", "TW III 2026", "Triwulan V 2026", "Triwulan 3 2026",
             "Semester III 2026", "Tahun", "Tahun 26", "Triwulan I 1999", "Tahun 2026 ekstra"]
)  # fmt: skip
def test_anything_else_is_refused_with_the_form_to_use(text: str) -> None:
    with pytest.raises(PeriodError, match="Triwulan I–IV, Semester I–II or Tahun") as exc:
        parse(text)
    assert exc.value.code == "period_unreadable"


def test_the_form_composes_its_two_choices() -> None:
    assert [compose(p, 2026).text for p in PARTS][:2] == ["Triwulan I 2026", "Triwulan II 2026"]
    assert compose("Tahun", "2026") == Period("Tahun", 2026)
    with pytest.raises(PeriodError):
        compose("Bulan", 2026)
    assert split("Semester II 2026") == ("Semester II", "2026")
    assert split("nonsense") == ("", "")


def test_the_choices_around_today() -> None:
    assert years(date(2026, 12, 3)) == [2024, 2025, 2026, 2027]
    assert current(date(2026, 12, 3)).text == "Triwulan IV 2026"
    assert current(date(2027, 1, 1)).text == "Triwulan I 2027"
