"""Reading the data kinerja forms: the format (indicator set) and a unit's realisasi.

Both readers take the texts of a submitted form, check everything, and either return the
model objects or raise :class:`~alur.core.errors.InvalidInput` with *every* problem at once,
one message per field in the current language (:mod:`alur.core.i18n`), so nothing is ever
half-saved. Numbers are read with :func:`parse_number` (notation of the form's language, see
:mod:`alur.core.kinerja.numbers`).

The format (:func:`read_indicator_set`), one row per indicator; error keys are
``"{row}.{field}"`` with the 0-based row index of ``rows``, plus ``"indicators"`` for the
set as a whole:

- a row whose fields are all empty is ignored (a spare row of the form);
- ``code``: required, letters, digits, ".", "_", "-", at most 32 characters, starting with a
  letter or digit; unique in the set, ignoring case (a later duplicate is the error);
- ``sasaran``, ``text`` (the indicator), ``unit_of_measure``: required, at most
  :data:`MAX_TEXT` / :data:`MAX_TEXT` / :data:`MAX_UNIT_OF_MEASURE` characters;
- ``target``: required number; negative only when ``allow_negative``;
- ``direction``: "higher" (the default when empty) or "lower";
- ``units``: unit slugs separated by commas or spaces, each a known unit; empty = every unit;
- ``allow_negative``: empty, "off", "false" or "0" is no; "on", "true" or "1" is yes;
- the set needs at least one and at most :data:`MAX_INDICATORS` indicators.

A unit's realisasi (:func:`read_entries`), keys ``"{code}.realisasi"`` and
``"{code}.explanation"``:

- ``realisasi``: required number; negative only when the indicator allows it;
- ``explanation``: at most :data:`MAX_EXPLANATION` characters; *required* when the unit's
  capaian of that indicator (as shown, rounded to two decimals by
  :func:`alur.core.kinerja.recap.capaian`) is below 100 % or cannot be computed because the
  target is 0; optional otherwise.

Evidence attachments are not read here: the storage layer adds them to the entries.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal

from alur.core.errors import InvalidInput, InvalidNumber
from alur.core.i18n import error_message, format_message, gettext
from alur.core.kinerja.model import Direction, Entry, Indicator, IndicatorSet
from alur.core.kinerja.numbers import parse_number
from alur.core.kinerja.recap import capaian
from alur.core.limits import SHORT, text_problem

__all__ = [
    "INDICATOR_FIELDS",
    "InvalidNumber",
    "parse_number",
    "read_entries",
    "read_indicator_set",
]

INDICATOR_FIELDS = (
    "code",
    "sasaran",
    "text",
    "unit_of_measure",
    "target",
    "direction",
    "units",
    "allow_negative",
)
MAX_TEXT = 500  # sasaran and indicator text
MAX_UNIT_OF_MEASURE = 50
MAX_INDICATORS = 500
MAX_ROWS = 2 * MAX_INDICATORS  # rows of the format editor (blank spare rows included)
MAX_EXPLANATION = 2000

_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
_UNIT_SEPARATORS = re.compile(r"[\s,]+")
_YES = {"on", "true", "1"}
_NO = {"", "off", "false", "0"}


def read_indicator_set(
    period: str,
    rows: Sequence[Mapping[str, str]],
    *,
    known_units: Collection[str],
    language: str,
) -> IndicatorSet:
    """The format data kinerja of ``period`` from the rows of the form (module docstring)."""
    errors: dict[str, str] = {}
    indicators: list[Indicator] = []
    seen_codes: set[str] = set()
    filled = 0
    for index, row in enumerate(rows):
        fields = {name: (row.get(name) or "").strip() for name in INDICATOR_FIELDS}
        if not any(fields.values()):
            continue
        filled += 1
        row_errors: dict[str, str] = {}
        indicator = _read_row(fields, row_errors, known_units, language)
        code_key = fields["code"].casefold()
        if "code" not in row_errors and code_key in seen_codes:
            row_errors["code"] = format_message(
                'the code "{code}" is used more than once', code=fields["code"]
            )
        seen_codes.add(code_key)
        errors.update(
            {f"{index}.{name}": row_errors[name] for name in INDICATOR_FIELDS if name in row_errors}
        )
        if indicator is not None and not row_errors:
            indicators.append(indicator)
    if filled == 0:
        errors["indicators"] = gettext("add at least one indicator")
    elif filled > MAX_INDICATORS:
        errors["indicators"] = format_message(
            "use at most {count} indicators", count=MAX_INDICATORS
        )
    if errors:
        raise InvalidInput(errors)
    return IndicatorSet(period=period.strip(), indicators=tuple(indicators))


def _read_row(
    fields: Mapping[str, str],
    errors: dict[str, str],
    known_units: Collection[str],
    language: str,
) -> Indicator | None:
    for name in INDICATOR_FIELDS:  # control characters or broken text, in any field
        problem = text_problem(fields[name], max(len(fields[name]), SHORT), multiline=False)
        if problem is not None:
            errors[name] = problem
    code = fields["code"]
    if "code" in errors:
        pass
    elif not code:
        errors["code"] = gettext("enter a code")
    elif not _CODE.fullmatch(code):
        errors["code"] = gettext(
            'a code has letters, digits, ".", "_" or "-" '
            "(at most 32, starting with a letter or digit)"
        )
    _required_text(fields, "sasaran", MAX_TEXT, gettext("enter the sasaran"), errors)
    _required_text(fields, "text", MAX_TEXT, gettext("enter the indicator"), errors)
    _required_text(
        fields,
        "unit_of_measure",
        MAX_UNIT_OF_MEASURE,
        gettext("enter the unit of measure"),
        errors,
    )
    allow_negative = False
    flag = fields["allow_negative"].casefold()
    if flag in _YES:
        allow_negative = True
    elif flag not in _NO:
        errors["allow_negative"] = gettext("choose yes or no")
    target = _number(fields["target"], gettext("enter the target"), allow_negative, language)
    if isinstance(target, str):
        errors.setdefault("target", target)
    direction = Direction.HIGHER
    if fields["direction"]:
        try:
            direction = Direction(fields["direction"].casefold())
        except ValueError:
            errors["direction"] = gettext("choose whether higher or lower is better")
    units = tuple(dict.fromkeys(u for u in _UNIT_SEPARATORS.split(fields["units"]) if u))
    unknown = [u for u in units if u not in known_units]
    if unknown:
        errors["units"] = format_message(
            "not units of this office: {units}", units=", ".join(unknown)
        )
    if errors or not isinstance(target, Decimal):
        return None
    return Indicator(
        code=code,
        sasaran=fields["sasaran"],
        text=fields["text"],
        unit_of_measure=fields["unit_of_measure"],
        target=target,
        direction=direction,
        units=units,
        allow_negative=allow_negative,
    )


def _required_text(
    fields: Mapping[str, str], name: str, limit: int, missing: str, errors: dict[str, str]
) -> None:
    if name in errors:
        return
    if not fields[name]:
        errors[name] = missing
    elif len(fields[name]) > limit:
        errors[name] = format_message("use at most {count} characters", count=limit)


def _number(text: str, missing: str, allow_negative: bool, language: str) -> Decimal | str:
    """The number in ``text``, or the error message to show for it."""
    if not text:
        return missing
    try:
        value = parse_number(text, language)
    except InvalidNumber as exc:
        return error_message(exc)
    if value < 0 and not allow_negative:
        return gettext("may not be negative")
    return value


def read_entries(
    indicators: Sequence[Indicator],
    values: Mapping[str, Mapping[str, str]],
    *,
    language: str,
) -> tuple[Entry, ...]:
    """A unit's entries for ``indicators`` (in their order) from ``values``: indicator code →
    {"realisasi": text, "explanation": text}. Codes not among ``indicators`` are ignored."""
    errors: dict[str, str] = {}
    entries: list[Entry] = []
    for indicator in indicators:
        given = values.get(indicator.code) or {}
        text = (given.get("realisasi") or "").strip()
        explanation = (given.get("explanation") or "").strip()
        realisasi = _number(
            text, gettext("enter the realisasi"), indicator.allow_negative, language
        )
        if isinstance(realisasi, str):
            errors[f"{indicator.code}.realisasi"] = realisasi
        problem = _explanation_problem(indicator, realisasi, explanation)
        if problem:
            errors[f"{indicator.code}.explanation"] = problem
        if isinstance(realisasi, Decimal):
            entries.append(Entry(indicator.code, realisasi, explanation))
    if errors:
        raise InvalidInput(errors)
    return tuple(entries)


def _explanation_problem(
    indicator: Indicator, realisasi: Decimal | str, explanation: str
) -> str | None:
    problem = text_problem(explanation, MAX_EXPLANATION, multiline=True)
    if problem is not None:
        return problem
    if explanation or not isinstance(realisasi, Decimal):
        return None
    result = capaian(indicator.target, realisasi, indicator.direction)
    if result.value is None:
        return gettext("the target is 0, so no capaian can be computed: explain the realisasi")
    if result.value < 100:
        return gettext("explain why the capaian is below target")
    return None
