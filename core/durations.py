"""Parsing the *waktu* column of an SOP ("10 menit", "2 Hari", "Sesuai dengan waktu …").

A :class:`Duration` keeps the original text for display and its meaning: an amount of
minutes, hours or working days, or "determined when the case starts". How a duration turns
into a due time is the working calendar's business (:mod:`alur.core.calendar`).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from alur.core.errors import DurationError


class TimeUnit(enum.StrEnum):
    MENIT = "menit"  # office minutes
    JAM = "jam"  # office hours
    HARI = "hari"  # working days


_UNIT_WORDS: dict[str, TimeUnit] = {
    "menit": TimeUnit.MENIT,
    "mnt": TimeUnit.MENIT,
    "minute": TimeUnit.MENIT,
    "minutes": TimeUnit.MENIT,
    "min": TimeUnit.MENIT,
    "jam": TimeUnit.JAM,
    "hour": TimeUnit.JAM,
    "hours": TimeUnit.JAM,
    "hari": TimeUnit.HARI,
    "hr": TimeUnit.HARI,
    "day": TimeUnit.HARI,
    "days": TimeUnit.HARI,
}

# "2 hari", "120 Menit", "1,5 jam", "3 hari kerja", "1 (satu) hari"
_AMOUNT = re.compile(
    r"^\s*(?P<amount>\d+(?:[.,]\d+)?)\s*(?:\([^)]*\)\s*)?(?P<unit>[a-z]+)(?:\s+kerja)?\s*\.?\s*$",
    re.IGNORECASE,
)
# "Sesuai dengan waktu yang ditentukan", "sesuai waktu yang ditetapkan"
_DETERMINED = re.compile(r"^\s*sesuai\b.*\b(ditentukan|ditetapkan)\b", re.IGNORECASE)

MINUTES_PER_UNIT = {TimeUnit.MENIT: 1, TimeUnit.JAM: 60}


@dataclass(frozen=True, slots=True)
class Duration:
    """A step's standard time.

    ``amount``/``unit`` are ``None`` when the SOP says the time is set per case
    ("Sesuai dengan waktu yang ditentukan"); the case then supplies a fixed duration.
    """

    text: str
    amount: float | None
    unit: TimeUnit | None

    @classmethod
    def parse(cls, text: str) -> Duration:
        """Parse a waktu cell; raises :class:`DurationError` with the offending text."""
        if not isinstance(text, str):
            raise DurationError(text=repr(text))
        if _DETERMINED.match(text):
            return cls(text=text, amount=None, unit=None)
        m = _AMOUNT.match(text)
        if m is None:
            raise DurationError(text=text)
        unit = _UNIT_WORDS.get(m["unit"].lower())
        if unit is None:
            raise DurationError(text=text)
        amount = float(m["amount"].replace(",", "."))
        if amount.is_integer():
            amount = int(amount)
        return cls(text=text, amount=amount, unit=unit)

    @property
    def determined_at_start(self) -> bool:
        return self.unit is None

    def office_minutes(self, minutes_per_day: int) -> int | None:
        """The duration in office minutes; a working day counts ``minutes_per_day``.

        ``None`` for a duration determined at case start.
        """
        if self.unit is None or self.amount is None:
            return None
        if self.unit is TimeUnit.HARI:
            return round(self.amount * minutes_per_day)
        return round(self.amount * MINUTES_PER_UNIT[self.unit])

    def __str__(self) -> str:
        return self.text
