"""The periods a case runs for: Triwulan I–IV, Semester I–II or Tahun, with a year.

A case's period is one of these texts, always written the same way ("Triwulan III 2026",
"Semester I 2026", "Tahun 2026"), so two cases of the same period are recognised as such.
Both doors use this module: the web form offers :data:`PARTS` and :func:`years` as choices
and :func:`compose`\\ s the text, GraphQL's ``startCase`` and the service :func:`parse` the
text given and refuse anything else with :class:`PeriodError`. Pure (no I/O).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from alur.core.errors import N_, AlurError

# The parts of a year a case may run for, in the order the form offers them.
PARTS = (
    "Triwulan I",
    "Triwulan II",
    "Triwulan III",
    "Triwulan IV",
    "Semester I",
    "Semester II",
    "Tahun",
)
FIRST_YEAR, LAST_YEAR = 2000, 2100  # a year outside these is a typing error
_BY_LOWER = {p.lower(): p for p in PARTS}


class PeriodError(AlurError, ValueError):
    code = "period_unreadable"
    template = N_(
        "choose the period as Triwulan I–IV, Semester I–II or Tahun with the year, e.g. "
        '"Triwulan III 2026" (not "{text}")'
    )


@dataclass(frozen=True, slots=True)
class Period:
    part: str  # one of PARTS
    year: int

    @property
    def text(self) -> str:
        return f"{self.part} {self.year}"

    def __str__(self) -> str:
        return self.text

    @property
    def span(self) -> tuple[date, date]:
        """The period's first and last day."""
        if self.part == "Tahun":
            return date(self.year, 1, 1), date(self.year, 12, 31)
        kind, number = self.part.split()
        months = 3 if kind == "Triwulan" else 6
        index = ("I", "II", "III", "IV").index(number)
        first = date(self.year, index * months + 1, 1)
        end = index * months + months
        after = date(self.year + 1, 1, 1) if end == 12 else date(self.year, end + 1, 1)
        return first, date.fromordinal(after.toordinal() - 1)


def compose(part: str, year: int | str) -> Period:
    """The period of a form's two choices (``part`` of :data:`PARTS`, ``year``)."""
    found = _BY_LOWER.get(" ".join(str(part).split()).lower())
    y = str(year).strip()
    if found is None or not y.isdecimal() or not FIRST_YEAR <= int(y) <= LAST_YEAR:
        raise PeriodError(text=f"{part} {year}".strip())
    return Period(found, int(y))


def parse(text: str) -> Period:
    """The period ``text`` names — case and spacing aside ("triwulan  iii 2026" reads as
    "Triwulan III 2026") — or :class:`PeriodError`."""
    words = str(text).split()
    if len(words) < 2:
        raise PeriodError(text=str(text).strip())
    try:
        return compose(" ".join(words[:-1]), words[-1])
    except PeriodError:
        raise PeriodError(text=" ".join(words)) from None


def normalised(text: str) -> str:
    """The one way of writing the period ``text`` (:func:`parse`)."""
    return parse(text).text


def split(text: str) -> tuple[str, str]:
    """``(part, year)`` of a period text, for refilling a form; ``("", "")`` if unreadable."""
    try:
        p = parse(text)
    except PeriodError:
        return "", ""
    return p.part, str(p.year)


def years(today: date, back: int = 2, ahead: int = 1) -> list[int]:
    """The years a form offers around ``today``: ``back`` years before to ``ahead`` after."""
    return list(range(today.year - back, today.year + ahead + 1))


def current(today: date) -> Period:
    """The quarter ``today`` falls in (the form's default choice)."""
    return Period(PARTS[(today.month - 1) // 3], today.year)
