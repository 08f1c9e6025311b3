"""Office minutes as people write them: "2 hari 3 jam", "45 menit".

A working day is the office's ``minutes_per_day`` (07:30–16:00 is 510), so "1 hari" of an
SOP's waktu and a measured 510 office minutes are the same thing. The text is in the reader's
language (gettext): "2 hari 3 jam" in Indonesian, "2 days 3 hours" in English.
"""

from __future__ import annotations

from alur.core.i18n import format_message

# Two message ids per unit rather than ngettext: the catalog has no plural entries
# (Indonesian has one form); web/leaders/view.py uses the same hour and minute ids.


def _days(n: int) -> str:
    return format_message("{n} day", n=n) if n == 1 else format_message("{n} days", n=n)


def _hours(n: int) -> str:
    return format_message("{n} hour", n=n) if n == 1 else format_message("{n} hours", n=n)


def _minutes(n: int) -> str:
    return format_message("{n} minute", n=n) if n == 1 else format_message("{n} minutes", n=n)


def office_time_text(minutes: float | None, minutes_per_day: int) -> str:
    """``minutes`` office minutes as days, hours and minutes (the largest two parts that are
    not zero; minutes are rounded to the nearest whole one). ``None`` gives "" (no data)."""
    if minutes is None:
        return ""
    total = max(0, round(minutes))
    days, rest = divmod(total, minutes_per_day) if minutes_per_day > 0 else (0, total)
    hours, mins = divmod(rest, 60)
    parts: list[str] = []
    if days:
        parts.append(_days(days))
    if hours:
        parts.append(_hours(hours))
    if mins and not days:
        parts.append(_minutes(mins))
    return " ".join(parts[:2]) or _minutes(0)
