"""Jinja environment: autoescape, gettext, and the filters the templates share."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from jinja2 import Environment, select_autoescape

from alur.core.i18n import current_language

JAKARTA = ZoneInfo("Asia/Jakarta")
MONTHS = {
    "id": ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}
ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def when(value: datetime | None, zone: str = "Asia/Jakarta") -> str:
    """``23 Nov 2026 09.30 WIB`` (Indonesian) / ``23 Nov 2026 09:30 WIB`` (English)."""
    if value is None:
        return "—"
    local = value.astimezone(ZoneInfo(zone))
    lang = current_language.get()
    months = MONTHS.get(lang, MONTHS["en"])
    sep = "." if lang == "id" else ":"
    label = ZONE_NAMES.get(zone, zone)
    return f"{local.day} {months[local.month - 1]} {local.year} {local:%H}{sep}{local:%M} {label}"


def filesize(size: int) -> str:
    """``512 B``, ``12.3 KB``, ``4.5 MB``."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def configure_environment(
    env: Environment, gettext: Callable[[str], str], ngettext: Callable[[str, str, int], str]
) -> None:
    env.autoescape = select_autoescape(["html", "xml"], default_for_string=True, default=True)
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["when"] = when
    env.filters["filesize"] = filesize
    env.globals["current_language"] = current_language.get
