"""Due times on the working calendar: office hours, weekends, public holidays, days off."""

from datetime import date, datetime, time

import pytest

from alur.core import Duration, WorkingCalendar


def due(cal: WorkingCalendar, start: datetime, waktu: str) -> datetime | None:
    return cal.due(start, Duration.parse(waktu))


def test_minutes_within_the_office_day(calendar, wib) -> None:
    assert due(calendar, wib(2026, 11, 23, 9, 0), "10 menit") == wib(2026, 11, 23, 9, 10)
    assert due(calendar, wib(2026, 11, 23, 9, 0), "2 jam") == wib(2026, 11, 23, 11, 0)


def test_minutes_carry_over_to_the_next_working_day(calendar, wib) -> None:
    # Monday 15:30 + 120 menit: 30 minutes on Monday, 90 from Tuesday 07:30.
    assert due(calendar, wib(2026, 11, 23, 15, 30), "120 Menit") == wib(2026, 11, 24, 9, 0)


def test_due_at_closing_stays_at_closing(calendar, wib) -> None:
    assert due(calendar, wib(2026, 11, 23, 15, 0), "1 jam") == wib(2026, 11, 23, 16, 0)
    assert due(calendar, wib(2026, 11, 23, 7, 30), "1 hari") == wib(2026, 11, 23, 16, 0)


def test_start_before_opening_counts_from_opening(calendar, wib) -> None:
    assert due(calendar, wib(2026, 11, 23, 6, 0), "30 menit") == wib(2026, 11, 23, 8, 0)


def test_start_after_closing_counts_from_next_opening(calendar, wib) -> None:
    assert due(calendar, wib(2026, 11, 23, 18, 0), "30 menit") == wib(2026, 11, 24, 8, 0)


def test_hari_are_working_days_skipping_the_weekend(calendar, wib) -> None:
    # Friday 27 Nov 2026 10:00 + 1 hari -> Monday 30 Nov 10:00.
    assert due(calendar, wib(2026, 11, 27, 10, 0), "1 hari") == wib(2026, 11, 30, 10, 0)
    # Saturday start counts from Monday opening.
    assert due(calendar, wib(2026, 11, 28, 10, 0), "2 hari") == wib(2026, 12, 1, 16, 0)


def test_public_holidays_are_skipped(calendar, wib) -> None:
    # 25 Dec 2026 (Hari Raya Natal) is a Friday.
    assert calendar.holiday_name(date(2026, 12, 25))
    assert not calendar.is_working_day(date(2026, 12, 25))
    assert due(calendar, wib(2026, 12, 24, 10, 0), "1 hari") == wib(2026, 12, 28, 10, 0)
    # 17 Aug 2026 (Hari Kemerdekaan) is a Monday.
    assert due(calendar, wib(2026, 8, 14, 10, 0), "1 hari") == wib(2026, 8, 18, 10, 0)


def test_tenant_days_off_are_skipped(wib) -> None:
    cal = WorkingCalendar(days_off=frozenset({date(2026, 11, 24)}))
    assert cal.holiday_name(date(2026, 11, 24)) == "Hari libur instansi"
    assert due(cal, wib(2026, 11, 23, 10, 0), "1 hari") == wib(2026, 11, 25, 10, 0)
    assert cal.with_days_off([date(2026, 11, 25)]).days_off == {
        date(2026, 11, 24),
        date(2026, 11, 25),
    }


def test_office_hours_are_configurable(wib) -> None:
    cal = WorkingCalendar(office_start=time(8, 0), office_end=time(12, 0))
    assert cal.minutes_per_day == 240
    assert due(cal, wib(2026, 11, 23, 11, 0), "2 jam") == wib(2026, 11, 24, 9, 0)
    assert due(cal, wib(2026, 11, 23, 8, 0), "1 hari") == wib(2026, 11, 23, 12, 0)


def test_other_time_zones_are_converted(calendar, wib) -> None:
    from zoneinfo import ZoneInfo

    start = datetime(2026, 11, 23, 2, 0, tzinfo=ZoneInfo("UTC"))  # 09:00 WIB
    assert due(calendar, start, "10 menit") == wib(2026, 11, 23, 9, 10)


def test_determined_duration_uses_the_case_override(calendar, wib) -> None:
    ditentukan = Duration.parse("Sesuai dengan waktu yang ditentukan")
    assert calendar.due(wib(2026, 11, 23, 9, 0), ditentukan) is None
    got = calendar.due(wib(2026, 11, 23, 9, 0), ditentukan, override=Duration.parse("3 hari"))
    assert got == wib(2026, 11, 26, 9, 0)


def test_office_minutes_between(calendar, wib) -> None:
    assert (
        calendar.office_minutes_between(wib(2026, 11, 27, 15, 0), wib(2026, 11, 30, 8, 30)) == 120
    )
    assert calendar.office_minutes_between(wib(2026, 11, 23, 10), wib(2026, 11, 23, 9)) == 0


def test_rejects_naive_datetimes_and_bad_settings(calendar) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.add_office_minutes(datetime(2026, 11, 23, 9, 0), 10)
    with pytest.raises(ValueError, match="end after"):
        WorkingCalendar(office_start=time(16, 0), office_end=time(8, 0))
    with pytest.raises(ValueError, match="workdays"):
        WorkingCalendar(workdays=frozenset())
