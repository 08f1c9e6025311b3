"""The pure core of data kinerja, reading what people type: numbers in Indonesian and
English notation, the format (indicator set) and a unit's realisasi, with per-field errors.

Capaian, the recap and changes between versions: tests/core/test_kinerja_recap.py.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from alur.core.errors import InvalidInput, InvalidNumber, NumberTooLarge, TooManyDecimals
from alur.core.i18n import current_language
from alur.core.kinerja.forms import parse_number, read_entries, read_indicator_set
from alur.core.kinerja.model import (
    Direction,
    Entry,
    Indicator,
    IndicatorSet,
)
from alur.core.kinerja.numbers import decimal_text

D = Decimal
HIGHER, LOWER = Direction.HIGHER, Direction.LOWER
UNITS = ("bidang-a", "bidang-b")


@pytest.fixture
def english():
    token = current_language.set("en")
    yield
    current_language.reset(token)


@pytest.fixture
def indonesian():
    token = current_language.set("id")
    yield
    current_language.reset(token)


# --- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "value"),
    [
        ("1.234,5", "id", "1234.5"),
        ("12,5", "id", "12.5"),
        ("12,50", "id", "12.50"),
        ("1.234", "id", "1234"),  # looks like thousands grouping: 1234, not 1.234
        ("1.234.567", "id", "1234567"),
        ("12.5", "id", "12.5"),  # a canonical decimal, unambiguous in Indonesian
        ("1234.56", "id", "1234.56"),
        ("0.5", "id", "0.5"),
        ("87,5 %", "id", "87.5"),
        (" 1 234 ", "id", "1234"),
        ("−3", "id", "-3"),
        ("+7", "id", "7"),
        ("-0", "id", "0"),
        ("1,234.5", "en", "1234.5"),
        ("12.5", "en", "12.5"),
        ("1.234", "en", "1.234"),
        (".5", "en", "0.5"),
        ("99.5%", "en", "99.5"),
        ("1,000,000", "en", "1000000"),
        ("0,000001", "id", "0.000001"),
        ("1.0000000", "en", "1"),  # trailing zeros are not decimals that count
        ("1000000000000000", "en", "1000000000000000"),
    ],
)
def test_parse_number(text: str, language: str, value: str) -> None:
    assert parse_number(text, language) == D(value)


def test_parse_number_keeps_the_decimals_typed() -> None:
    assert str(parse_number("12,50", "id")) == "12.50"


@pytest.mark.parametrize(
    ("text", "language", "error"),
    [
        ("", "id", InvalidNumber),
        ("abc", "id", InvalidNumber),
        ("12,5", "en", InvalidNumber),
        ("1,234.5", "id", InvalidNumber),
        ("1.2.3", "id", InvalidNumber),
        ("1e5", "en", InvalidNumber),
        ("NaN", "en", InvalidNumber),
        ("Infinity", "id", InvalidNumber),
        ("--5", "en", InvalidNumber),
        ("5-", "en", InvalidNumber),
        ("%", "en", InvalidNumber),
        ("0,0000001", "id", TooManyDecimals),
        ("1000000000000000.5", "en", NumberTooLarge),
        ("-2.000.000.000.000.000", "id", NumberTooLarge),
    ],
)
def test_parse_number_refuses(text: str, language: str, error: type[InvalidNumber]) -> None:
    with pytest.raises(error) as info:
        parse_number(text, language)
    assert type(info.value) is error


def test_number_errors_say_what_was_typed(english) -> None:
    with pytest.raises(InvalidNumber) as info:
        parse_number(" dua ", "id")
    assert str(info.value) == '"dua" is not a number'
    with pytest.raises(TooManyDecimals) as decimals:
        parse_number("0.1234567", "en")
    assert str(decimals.value) == '"0.1234567" has more than 6 decimals'


decimals = st.decimals(
    min_value=D("-1e15"), max_value=D("1e15"), places=6, allow_nan=False, allow_infinity=False
)


@given(decimals)
def test_a_number_formatted_in_either_language_reads_back(value: Decimal) -> None:
    for language, locale in (("id", "id_ID"), ("en", "en_US")):
        text = format_decimal(value, format="#,##0.######", locale=locale)
        assert parse_number(text, language) == value, (text, language)
    assert parse_number(decimal_text(value), "en") == value


def test_decimal_text_is_canonical() -> None:
    assert [decimal_text(D(v)) for v in ("12.50", "1E+3", "-0.0", "0.000001")] == [
        "12.5",
        "1000",
        "0",
        "0.000001",
    ]


# --- the format (indicator set) --------------------------------------------------------------


def row(**fields: str) -> dict[str, str]:
    base = {
        "code": "IKU-1",
        "sasaran": "Meningkatnya ketertiban umum",
        "text": "Persentase penegakan Perda",
        "unit_of_measure": "%",
        "target": "80",
        "direction": "higher",
        "units": "",
        "allow_negative": "",
    }
    return {**base, **fields}


def read_set(rows: list[dict[str, str]], language: str = "id") -> IndicatorSet:
    return read_indicator_set(" Triwulan III 2026 ", rows, known_units=UNITS, language=language)


def errors_of(rows: list[dict[str, str]], language: str = "id") -> dict[str, str]:
    with pytest.raises(InvalidInput) as info:
        read_set(rows, language)
    return info.value.errors


def test_read_indicator_set(english) -> None:
    s = read_set(
        [
            row(target="1.234,5"),
            {},  # a spare row of the form
            row(code="IKU-2", direction="lower", units="bidang-b, bidang-a bidang-b", target="0"),
            row(code="IKU-3", direction="", target="-2,5", allow_negative="on", sasaran="Lain"),
        ]
    )
    assert s.period == "Triwulan III 2026"
    assert [i.code for i in s.indicators] == ["IKU-1", "IKU-2", "IKU-3"]
    first, second, third = s.indicators
    assert first == Indicator(
        "IKU-1", "Meningkatnya ketertiban umum", "Persentase penegakan Perda", "%", D("1234.5")
    )
    assert (second.direction, second.units, second.target) == (LOWER, ("bidang-b", "bidang-a"), 0)
    assert (third.direction, third.target, third.allow_negative) == (HIGHER, D("-2.5"), True)
    assert s.sasaran() == ("Meningkatnya ketertiban umum", "Lain")


def test_every_problem_of_the_format_at_once(english) -> None:
    found = errors_of(
        [
            row(code="IKU 1", sasaran="", target="banyak", direction="naik", units="bidang-z, x"),
            {"code": "   "},  # blank: ignored, its index still counts
            row(code="iku-2", text="", unit_of_measure="", target="-1", allow_negative="mungkin"),
            row(code="IKU-2", target=""),
        ]
    )
    assert found == {
        "0.code": 'a code has letters, digits, ".", "_" or "-" '
        "(at most 32, starting with a letter or digit)",
        "0.sasaran": "enter the objective",
        "0.target": '"banyak" is not a number',
        "0.direction": "choose whether higher or lower is better",
        "0.units": "not units of this office: bidang-z, x",
        "2.text": "enter the indicator",
        "2.unit_of_measure": "enter the unit of measure",
        "2.target": "may not be negative",
        "2.allow_negative": "choose yes or no",
        "3.code": 'the code "IKU-2" is used more than once',
        "3.target": "enter the target",
    }


def test_format_limits(english) -> None:
    found = errors_of(
        [
            row(code="A" * 33),
            row(code="-x"),
            row(code="B" * 32, sasaran="s" * 501, text="t" * 501, unit_of_measure="u" * 51),
        ]
    )
    assert set(found) == {"0.code", "1.code", "2.sasaran", "2.text", "2.unit_of_measure"}
    assert found["2.sasaran"] == "use at most 500 characters"
    assert found["2.unit_of_measure"] == "use at most 50 characters"


def test_a_format_needs_an_indicator(english) -> None:
    assert errors_of([]) == {"indicators": "add at least one indicator"}
    assert errors_of([{}, {"code": "", "target": " "}]) == {
        "indicators": "add at least one indicator"
    }


def test_a_format_has_at_most_500_indicators(english) -> None:
    rows = [row(code=f"IKU-{n}") for n in range(501)]
    assert errors_of(rows) == {"indicators": "use at most 500 indicators"}
    assert len(read_set(rows[:500]).indicators) == 500


def test_format_numbers_follow_the_language(english) -> None:
    assert read_set([row(target="1,234.5")], "en").indicators[0].target == D("1234.5")
    assert errors_of([row(target="1,234.5")], "id") == {"0.target": '"1,234.5" is not a number'}


def test_format_errors_in_indonesian(indonesian) -> None:
    found = errors_of([row(code="", target="x", direction="naik")])
    assert set(found) == {"0.code", "0.target", "0.direction"}
    assert all(message.strip() for message in found.values())


# --- a unit's realisasi ---------------------------------------------------------------------

IKU1 = Indicator("IKU-1", "S1", "Persentase penegakan Perda", "%", D("80"))
IKU2 = Indicator("IKU-2", "S1", "Jumlah aduan", "kasus", D("10"), LOWER, ("bidang-a",))
IKU3 = Indicator("IKU-3", "S2", "Pertumbuhan", "%", D("0"), allow_negative=True)


def entries(values: dict[str, dict[str, str]], language: str = "id") -> tuple[Entry, ...]:
    return read_entries((IKU1, IKU2, IKU3), values, language=language)


def entry_errors(values: dict[str, dict[str, str]]) -> dict[str, str]:
    with pytest.raises(InvalidInput) as info:
        entries(values)
    return info.value.errors


def test_read_entries() -> None:
    got = entries(
        {
            "IKU-1": {"realisasi": "80", "explanation": ""},  # on target: no explanation needed
            "IKU-2": {"realisasi": "7,5"},  # lower is better, below target: 125 %
            "IKU-3": {"realisasi": "-1,5", "explanation": " target 0 "},
            "IKU-9": {"realisasi": "bukan indikator unit ini"},  # not asked: ignored
        }
    )
    assert got == (
        Entry("IKU-1", D("80")),
        Entry("IKU-2", D("7.5")),
        Entry("IKU-3", D("-1.5"), "target 0"),
    )


def test_every_problem_of_the_entries_at_once(english) -> None:
    found = entry_errors(
        {
            "IKU-1": {"realisasi": "79,99"},  # below target without explanation
            "IKU-2": {"realisasi": "-1"},
        }
    )
    assert found == {
        "IKU-1.explanation": "explain why the capaian is below target",
        "IKU-2.realisasi": "may not be negative",
        "IKU-3.realisasi": "enter the realisasi",
    }


@pytest.mark.parametrize(
    ("code", "realisasi", "required"),
    [
        ("IKU-1", "79,99", True),  # 99.99 %
        ("IKU-1", "79,996", False),  # 99.995 % shows as 100.00 %
        ("IKU-1", "80", False),
        ("IKU-1", "120", False),
        ("IKU-2", "10,01", True),  # lower is better: above the target is below 100 %
        ("IKU-2", "10", False),
        ("IKU-2", "0", False),
        ("IKU-3", "5", True),  # target 0: no capaian, always explained
    ],
)
def test_explanation_is_required_below_target(
    english, code: str, realisasi: str, required: bool
) -> None:
    values = {
        "IKU-1": {"realisasi": "80"},
        "IKU-2": {"realisasi": "5"},
        "IKU-3": {"realisasi": "1", "explanation": "target 0"},
    }
    values[code] = {"realisasi": realisasi}
    if not required:
        assert entries(values)
        return
    found = entry_errors(values)
    assert list(found) == [f"{code}.explanation"]
    if code == "IKU-3":
        assert "target is 0" in found[f"{code}.explanation"]


def test_explanation_has_a_limit(english) -> None:
    values = {
        "IKU-1": {"realisasi": "90", "explanation": "x" * 2001},
        "IKU-2": {"realisasi": "5"},
        "IKU-3": {"realisasi": "1", "explanation": "y" * 2000},
    }
    assert entry_errors(values) == {"IKU-1.explanation": "use at most 2000 characters"}


def test_entry_errors_in_indonesian(indonesian) -> None:
    found = entry_errors({"IKU-1": {"realisasi": "satu"}, "IKU-2": {"realisasi": "-1"}})
    assert set(found) == {"IKU-1.realisasi", "IKU-2.realisasi", "IKU-3.realisasi"}
    assert all(message.strip() for message in found.values())
    assert "satu" in found["IKU-1.realisasi"]
