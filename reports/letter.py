"""The parts of an official letter in the signed report: kop, place and date, the signature
block and its verification (QR code).

- :func:`place_and_date`: ``Purwokerto, 2 Desember 2026`` (the date alone without a place);
- :func:`signature_block`: the signer as a letter prints them — the full jabatan
  (:func:`alur.core.officials.full_jabatan`, "Plh. " for an acting official), the name (the
  template underlines it), the pangkat/golongan when known, ``NIP. 19771107 201801 3 001``;
- :func:`verification`: the QR code (``segno``, an SVG as a ``data:`` URL — the only URLs the
  PDF's fetcher reads) holding the public page's address for the recap hash, and the short line
  printed beside it with the code a person can type there;
- :func:`logo_data_url`: the office's uploaded logo as a ``data:`` URL.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date

import segno
from babel.dates import format_date

from alur.core.errors import N_
from alur.core.i18n import format_message
from alur.core.kinerja.codes import VERIFY_PATH, printed_code, verify_url
from alur.core.kinerja.model import Approval
from alur.core.officials import format_nip, full_jabatan
from alur.reports.approvals import format_time

QR_ERROR_LEVEL = "m"  # 15 % of the code may be damaged (a fold, a stamp) and still read


@dataclass(frozen=True, slots=True)
class SignatureBlock:
    jabatan: str
    name: str
    pangkat: str
    nip: str  # spaced
    note: str  # "Ditandatangani secara elektronik di Alur pada …"


@dataclass(frozen=True, slots=True)
class Verification:
    qr: str  # data: URL of the SVG
    url: str  # what the QR code holds
    code: str  # 3F2A-9C1B-77D0-12AB
    line: str  # the sentence printed beside the QR code


def place_and_date(place: str, day: date, language: str) -> str:
    text = format_date(day, "d MMMM y", locale="id_ID" if language == "id" else "en_US")
    return f"{place.strip()}, {text}" if place.strip() else text


def signature_block(
    approval: Approval, office: str, *, language: str, timezone: str
) -> SignatureBlock:
    title = full_jabatan(approval.jabatan, office)
    if approval.acting in ("Plh", "Plt") and title:
        title = f"{approval.acting}. {title}"
    note = ""
    if approval.at is not None:
        note = format_message(
            N_("Signed electronically in Alur on {time}"),
            time=format_time(approval.at, language, timezone),
        )
    return SignatureBlock(
        jabatan=title,
        name=approval.name,
        pangkat=approval.pangkat.strip(),
        nip=format_nip(approval.nip),
        note=note,
    )


def qr_data_url(text: str) -> str:
    """``text`` as a QR code: an SVG ``data:`` URL (black modules, no quiet zone: the
    template's margin is the quiet zone)."""
    return segno.make(text, error=QR_ERROR_LEVEL).svg_data_uri(scale=1, border=0)


def verification(base_url: str, recap_hash: str) -> Verification:
    url = verify_url(base_url, recap_hash)
    code = printed_code(recap_hash)
    line = format_message(
        N_(
            "Check that this document is genuine: scan the QR code, or open {page} and "
            "enter the code {code}."
        ),
        page=f"{base_url.rstrip('/')}{VERIFY_PATH}",
        code=code,
    )
    return Verification(qr=qr_data_url(url), url=url, code=code, line=line)


def logo_data_url(content: bytes | None, media_type: str) -> str:
    if not content or media_type not in ("image/png", "image/jpeg"):
        return ""
    return f"data:{media_type};base64,{base64.b64encode(content).decode('ascii')}"
