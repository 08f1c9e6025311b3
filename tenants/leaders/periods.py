"""The periods cases run for, as dates: "Triwulan III 2026", "Semester I 2026", "Tahun 2026".

A case's period is text (the office types or chooses it); the leaders' view needs to know
which period contains today. :func:`span` reads the usual forms — ``Triwulan I``–``IV``
(also ``TW``), ``Semester I``–``II``, ``Tahun`` and a bare year, with roman or arabic
numbers, any letter case — and anything else has no span (such a period is still listed,
after the ones with dates). Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

_NUMBERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_FORM = re.compile(
    r"^\s*(?:(?P<kind>triwulan|tw|semester|tahun)\s*(?P<no>iv|iii|ii|i|[1-4])?\s*)?"
    r"(?P<year>\d{4})\s*$",
    re.IGNORECASE,
)
_MONTHS = {"triwulan": 3, "tw": 3, "semester": 6}


def span(period: str) -> tuple[date, date] | None:
    """The first and last day of ``period``, or ``None`` when it is not one of the forms
    above (or names a quarter or half that does not exist, e.g. "Semester III 2026")."""
    found = _FORM.match(period)
    if found is None:
        return None
    year = int(found["year"])
    kind = (found["kind"] or "tahun").lower()
    if kind == "tahun":
        return (date(year, 1, 1), date(year, 12, 31)) if found["no"] is None else None
    months = _MONTHS[kind]
    number = _NUMBERS.get((found["no"] or "").lower())
    if number is None or number > 12 // months:
        return None
    first = date(year, (number - 1) * months + 1, 1)
    last_month = number * months
    last = date(year + 1, 1, 1) if last_month == 12 else date(year, last_month + 1, 1)
    return first, date.fromordinal(last.toordinal() - 1)


def ordered(periods: Iterable[str]) -> list[str]:
    """``periods`` without repeats, the latest ending first (a shorter period before a longer
    one ending the same day), then those without a span, by name."""
    known = []
    unknown = []
    for p in dict.fromkeys(periods):
        s = span(p)
        if s is None:
            unknown.append(p)
        else:
            known.append((s, p))
    known.sort(key=lambda k: (-k[0][1].toordinal(), -k[0][0].toordinal(), k[1]))
    return [p for _, p in known] + sorted(unknown)


def current(periods: Iterable[str], today: date) -> str | None:
    """The period of ``periods`` that is "this period" on ``today``: the shortest one that
    contains today (a triwulan before its semester, a semester before its year); when none
    does, the latest that has ended; when none has dates, ``None``."""
    containing = []
    ended = []
    for p in dict.fromkeys(periods):
        s = span(p)
        if s is None:
            continue
        first, last = s
        if first <= today <= last:
            containing.append((last - first, p))
        elif last < today:
            ended.append((last, -first.toordinal(), p))
    if containing:
        return min(containing)[1]
    if ended:
        return max(ended)[2]
    return None
