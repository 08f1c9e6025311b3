"""The working calendar: when a step that takes "2 hari" or "30 menit" falls due.

Rules (DESIGN.md):

* Working days are Monday–Friday (configurable), minus Indonesian public holidays from the
  ``holidays`` package and the tenant's own days off (cuti bersama, local holidays).
* Office hours default to 07:30–16:00 Asia/Jakarta, per tenant.
* Minutes and hours count office time only. A working day ("hari") is one full office day of
  office time, so "1 hari" started on Monday 10:00 is due Tuesday 10:00, and started at
  Monday's opening it is due at Monday's closing.
* Time before opening or after closing counts from the next opening. A due time that falls
  exactly at closing stays at closing (it is not moved to the next morning).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import holidays as holidays_lib

from alur.core.durations import Duration

JAKARTA = ZoneInfo("Asia/Jakarta")


@dataclass(frozen=True)
class WorkingCalendar:
    """Office hours, working weekdays and days off of one tenant."""

    office_start: time = time(7, 30)
    office_end: time = time(16, 0)
    timezone: ZoneInfo = JAKARTA
    workdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday=0
    days_off: frozenset[date] = frozenset()
    public_holidays: bool = True
    country: str = "ID"
    _cache: dict[date, bool] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.office_end <= self.office_start:
            raise ValueError("office hours must end after they start")
        if not self.workdays or not self.workdays <= set(range(7)):
            raise ValueError("workdays must be a non-empty set of weekday numbers 0..6")

    @cached_property
    def _holidays(self) -> holidays_lib.HolidayBase:
        return holidays_lib.country_holidays(self.country)

    @property
    def minutes_per_day(self) -> int:
        start = self.office_start.hour * 60 + self.office_start.minute
        end = self.office_end.hour * 60 + self.office_end.minute
        return end - start

    def holiday_name(self, day: date) -> str | None:
        """The public holiday or tenant day off on ``day``, if any."""
        if day in self.days_off:
            return "Hari libur instansi"
        if self.public_holidays:
            return self._holidays.get(day)
        return None

    def is_working_day(self, day: date) -> bool:
        cached = self._cache.get(day)
        if cached is not None:
            return cached
        working = day.weekday() in self.workdays and (
            day not in self.days_off and not (self.public_holidays and day in self._holidays)
        )
        self._cache[day] = working
        return working

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        day += timedelta(days=1)
        for _ in range(366 * 2):
            if self.is_working_day(day):
                return day
            day += timedelta(days=1)
        raise ValueError("no working day within two years; check the calendar")

    def _open(self, day: date) -> datetime:
        return datetime.combine(day, self.office_start, tzinfo=self.timezone)

    def _close(self, day: date) -> datetime:
        return datetime.combine(day, self.office_end, tzinfo=self.timezone)

    def add_office_minutes(self, start: datetime, minutes: int) -> datetime:
        """``start`` plus ``minutes`` of office time, in the calendar's time zone."""
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        if minutes < 0:
            raise ValueError("minutes must not be negative")
        local = start.astimezone(self.timezone)
        day = local.date()
        # Move to the first moment of office time at or after ``start``.
        if not self.is_working_day(day) or local >= self._close(day):
            day = self.next_working_day(day)
            cursor = self._open(day)
        elif local < self._open(day):
            cursor = self._open(day)
        else:
            cursor = local
        remaining = timedelta(minutes=minutes)
        while True:
            left_today = self._close(day) - cursor
            if remaining <= left_today:
                return cursor + remaining
            remaining -= left_today
            day = self.next_working_day(day)
            cursor = self._open(day)

    def due(
        self, start: datetime, duration: Duration, *, override: Duration | None = None
    ) -> datetime | None:
        """When a step of ``duration`` opened at ``start`` falls due.

        ``override`` is the duration fixed at case start for a step whose waktu is
        "Sesuai dengan waktu yang ditentukan"; without it such a step has no due time.
        """
        effective = override if duration.determined_at_start else duration
        if effective is None:
            return None
        minutes = effective.office_minutes(self.minutes_per_day)
        if minutes is None:
            return None
        return self.add_office_minutes(start, minutes)

    def office_minutes_between(self, start: datetime, end: datetime) -> int:
        """Office minutes from ``start`` to ``end`` (0 if ``end`` is not later)."""
        if end <= start:
            return 0
        local_start = start.astimezone(self.timezone)
        local_end = end.astimezone(self.timezone)
        total = timedelta()
        day = local_start.date()
        while day <= local_end.date():
            if self.is_working_day(day):
                lo = max(self._open(day), local_start)
                hi = min(self._close(day), local_end)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return int(total.total_seconds() // 60)

    def with_days_off(self, days: Iterable[date]) -> WorkingCalendar:
        return WorkingCalendar(
            office_start=self.office_start,
            office_end=self.office_end,
            timezone=self.timezone,
            workdays=self.workdays,
            days_off=self.days_off | frozenset(days),
            public_holidays=self.public_holidays,
            country=self.country,
        )
