"""The periods cases run for, as dates: "Triwulan III 2026", "Semester I 2026", "Tahun 2026".

A case's period is text (the office types or chooses it); the leaders' view needs to know
which period contains today. :func:`span` reads the forms of :mod:`alur.core.periods`
(Triwulan I–IV, Semester I–II, Tahun, with the year); anything else (a period typed before
periods were chosen from a list) has no span and is listed after the ones with dates. Pure:
no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from alur.core.periods import PeriodError, parse


def span(period: str) -> tuple[date, date] | None:
    """The first and last day of ``period`` (:func:`alur.core.periods.parse`), or ``None``
    when it is not one of the period forms (a case started before periods were chosen)."""
    try:
        return parse(period).span
    except PeriodError:
        return None


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
