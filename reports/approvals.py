"""Paraf and tanda tangan as the exports show them.

An approval holds for the exact recap it approved (:meth:`Approval.valid_for` its content
hash). The exports list every approval with its status, so a change of the data after a
paraf is visible on paper ("tidak berlaku: data berubah"), and sign the report only with the
newest tanda tangan that still holds (:func:`valid_signature`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from alur.core.errors import N_
from alur.core.i18n import gettext
from alur.core.kinerja.model import Approval, ApprovalKind
from alur.core.officials import format_nip

KIND_LABELS = {ApprovalKind.PARAF: N_("Paraf"), ApprovalKind.SIGN: N_("Tanda tangan")}
VALID = N_("valid")
INVALIDATED = N_("not valid: the data changed")
ZONE_NAMES = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


@dataclass(frozen=True, slots=True)
class ApprovalLine:
    """One row of the approvals list, translated."""

    kind: str
    name: str
    jabatan: str  # with "Plh. " / "Plt. " when acting
    nip: str
    at: str
    valid: bool
    status: str


def jabatan_line(approval: Approval) -> str:
    """The position signed as: ``Plh. Kepala Dinas`` for an acting official."""
    if approval.acting in ("Plh", "Plt") and approval.jabatan:
        return f"{approval.acting}. {approval.jabatan}"
    return approval.jabatan


def format_time(value: datetime | None, language: str, timezone: str) -> str:
    """``12 Okt 2026 09.30 WIB``; naive times are taken as already local."""
    if value is None:
        return ""
    zone = ZoneInfo(timezone)
    local = value.astimezone(zone) if value.tzinfo else value.replace(tzinfo=zone)
    locale = "id_ID" if language == "id" else "en_US"
    pattern = "d MMM y HH.mm" if language == "id" else "d MMM y HH:mm"
    text = format_datetime(local, pattern, locale=locale)
    return f"{text} {ZONE_NAMES.get(timezone, timezone)}"


def approval_lines(
    approvals: Sequence[Approval], recap_hash: str, *, language: str, timezone: str
) -> tuple[ApprovalLine, ...]:
    """Every approval in the order given, each marked valid or invalidated."""
    lines = []
    for approval in approvals:
        valid = approval.valid_for(recap_hash)
        lines.append(
            ApprovalLine(
                kind=gettext(KIND_LABELS[approval.kind]),
                name=approval.name,
                jabatan=jabatan_line(approval),
                nip=format_nip(approval.nip),
                at=format_time(approval.at, language, timezone),
                valid=valid,
                status=gettext(VALID if valid else INVALIDATED),
            )
        )
    return tuple(lines)


def valid_signature(approvals: Sequence[Approval], recap_hash: str) -> Approval | None:
    """The last tanda tangan of ``approvals`` that holds for ``recap_hash``, if any."""
    for approval in reversed(approvals):
        if approval.kind is ApprovalKind.SIGN and approval.valid_for(recap_hash):
            return approval
    return None
