"""Parsing the waktu column of the seeds, and refusing what it cannot read."""

import pytest

from alur.core import Duration, DurationError, TimeUnit


@pytest.mark.parametrize(
    ("text", "amount", "unit"),
    [
        ("10 menit", 10, TimeUnit.MENIT),
        ("10 Menit", 10, TimeUnit.MENIT),
        ("120 Menit", 120, TimeUnit.MENIT),
        ("2 hari", 2, TimeUnit.HARI),
        ("1 Hari", 1, TimeUnit.HARI),
        ("2 Hari", 2, TimeUnit.HARI),
        ("1 jam", 1, TimeUnit.JAM),
        ("1,5 jam", 1.5, TimeUnit.JAM),
        ("3 hari kerja", 3, TimeUnit.HARI),
        ("1 (satu) hari", 1, TimeUnit.HARI),
        ("  15 menit ", 15, TimeUnit.MENIT),
    ],
)
def test_parses_every_form_of_the_seeds(text: str, amount: float, unit: TimeUnit) -> None:
    d = Duration.parse(text)
    assert (d.amount, d.unit) == (amount, unit)
    assert d.text == text  # the original text is kept for display
    assert not d.determined_at_start


@pytest.mark.parametrize(
    "text",
    ["Sesuai dengan waktu yang ditentukan", "sesuai waktu yang ditetapkan"],
)
def test_time_determined_at_case_start(text: str) -> None:
    d = Duration.parse(text)
    assert d.determined_at_start
    assert d.office_minutes(510) is None
    assert str(d) == text


@pytest.mark.parametrize("text", ["", "menit", "10", "sepuluh menit", "2 minggu", "-1 hari"])
def test_unreadable_waktu_is_an_error_naming_the_text(text: str) -> None:
    with pytest.raises(DurationError) as info:
        Duration.parse(text)
    assert f'"{text}"' in str(info.value)


def test_office_minutes() -> None:
    assert Duration.parse("2 jam").office_minutes(510) == 120
    assert Duration.parse("120 Menit").office_minutes(510) == 120
    assert Duration.parse("2 hari").office_minutes(510) == 1020
    assert Duration.parse("1,5 jam").office_minutes(510) == 90
