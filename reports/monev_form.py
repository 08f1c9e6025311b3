"""The SOP monitoring form (monev) laid out once for both prints (:mod:`.monev_pdf`,
:mod:`.monev_xlsx`).

The layout is Permenpan RB 35/2012's "Tabel 7 Monitoring Pelaksanaan SOP AP": No | Prosedur
| Penilaian terhadap penerapan (two columns, "Berjalan dengan baik" and "Tidak berjalan
dengan baik", the chosen one marked ✓) | Catatan hasil penilaian | Tindakan yang harus
diambil | Paraf penilai. Above it the office's kop (:class:`~alur.tenants.offices.letterhead.
Letterhead`, the same one the signed data kinerja report prints) and the SOP's name, nomor
and the monitoring period; below it the place and date and "Dinilai oleh" with the
assessor's paraf (:class:`MonevParaf`) — or "BELUM DIPARAF".

The catatan column prints the assessor's catatan; Alur's evidence (the measured figures
behind the proposal) follows it, marked as such, unless the catatan already contains it. A
paraf holds for the exact form it initialled (:meth:`MonevParaf.valid_for`, the form's
content hash): a paraf given on other content prints as "tidak berlaku: isi formulir berubah"
and the form as not initialled. The content hash is printed in the footer.

Labels are translated with :mod:`alur.core.i18n`: call inside
:func:`alur.reports.table.in_language`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date

from alur.core.errors import N_
from alur.core.i18n import format_message, gettext
from alur.core.monitoring.monev import BAIK, TIDAK, MonevForm
from alur.core.officials import format_nip
from alur.reports.approvals import format_time
from alur.reports.letter import place_and_date

MARK = "✓"  # the chosen judgement's column
DATE_BLANK = "...................."  # the date to be written by hand on an unsigned form

LABELS = {
    "title": N_("SOP implementation monitoring"),
    "sop_name": N_("SOP name"),
    "sop_nomor": N_("SOP number"),
    "period": N_("Monitoring period"),
    "no": N_("No."),
    "prosedur": N_("Procedure"),
    "penilaian": N_("Assessment of the implementation"),
    "baik": N_("Running well"),
    "tidak": N_("Not running well"),
    "catatan": N_("Notes on the assessment"),
    "tindakan": N_("Action to be taken"),
    "paraf": N_("Assessor's paraf"),
    "assessed_by": N_("Assessed by"),
    "not_initialled": N_("NOT INITIALLED"),
    "form_hash": N_("Form content hash"),
    "evidence": N_("Alur data"),
}
INITIALLED = N_("Initialled electronically in Alur on {time}")
PARAF_CHANGED = N_("The paraf given on {time} is no longer valid: the form changed after it.")


@dataclass(frozen=True, slots=True)
class MonevParaf:
    """The assessor's paraf on a monev form: who (name, jabatan, NIP), when, and the content
    hash of the form initialled (``form_hash``; empty: not checked)."""

    name: str
    jabatan: str = ""
    nip: str = ""
    at: datetime | None = None
    form_hash: str = ""

    def valid_for(self, form: MonevForm) -> bool:
        return not self.form_hash or self.form_hash == form.content_hash()


@dataclass(frozen=True, slots=True)
class FormRow:
    number: int  # the kegiatan's step number
    kegiatan: str
    baik: str  # MARK or ""
    tidak: str
    catatan: str
    evidence: str  # Alur's evidence when the catatan does not already state it
    tindakan: str
    paraf: str  # the assessor's initials once initialled


@dataclass(frozen=True, slots=True)
class Closing:
    """What stands under the table."""

    place_and_date: str
    jabatan: str
    name: str
    nip: str  # spaced
    note: str  # "Diparaf secara elektronik di Alur pada …"
    initialled: bool
    changed: str  # the sentence saying a paraf no longer holds, else ""


@dataclass(frozen=True, slots=True)
class FormLayout:
    labels: dict[str, str]
    sop_name: str
    sop_nomor: str
    period: str
    rows: tuple[FormRow, ...]
    closing: Closing
    content_hash: str


def initials(name: str) -> str:
    """ "Andi Setiawan, S.Kom." → "AS": the first letters of the name's words before any
    comma (academic degrees), titles written with a dot ("Drs.", "H.") left out; at most 3."""
    words = name.split(",")[0].split()
    letters = [w[0].upper() for w in words if not w.endswith(".") and w[:1].isalpha()]
    return "".join(letters[:3])


def period_text(start: date, end: date, language: str) -> str:
    """ "1 Januari 2026 – 30 Juni 2026"."""
    locale = "id_ID" if language == "id" else "en_US"
    return f"{format_date(start, 'd MMMM y', locale=locale)} – {format_date(end, 'd MMMM y', locale=locale)}"


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _closing(
    form: MonevForm, place: str, paraf: MonevParaf | None, language: str, timezone: str
) -> Closing:
    valid = paraf is not None and paraf.valid_for(form)
    changed = ""
    if paraf is not None and not valid:
        changed = format_message(PARAF_CHANGED, time=format_time(paraf.at, language, timezone))
    if paraf is None or not valid:
        where = f"{place.strip()}, {DATE_BLANK}" if place.strip() else DATE_BLANK
        return Closing(where, "", "", "", "", False, changed)
    day = None
    if paraf.at is not None:
        at = paraf.at
        day = (at.astimezone(ZoneInfo(timezone)) if at.tzinfo else at).date()
    where = place_and_date(place, day, language) if day else f"{place.strip()}, {DATE_BLANK}"
    note = ""
    if paraf.at is not None:
        note = format_message(INITIALLED, time=format_time(paraf.at, language, timezone))
    return Closing(
        place_and_date=where,
        jabatan=paraf.jabatan.strip(),
        name=paraf.name.strip(),
        nip=format_nip(paraf.nip),
        note=note,
        initialled=True,
        changed="",
    )


def form_layout(
    form: MonevForm,
    *,
    place: str,
    paraf: MonevParaf | None,
    language: str,
    timezone: str,
) -> FormLayout:
    """``form`` as the printed form shows it (labels in the current language)."""
    closing = _closing(form, place, paraf, language, timezone)
    mark = initials(closing.name) if closing.initialled else ""
    rows = []
    for row in form.rows:
        evidence = row.evidence.strip()
        if evidence and _flat(evidence) in _flat(row.catatan):
            evidence = ""
        rows.append(
            FormRow(
                number=row.step,
                kegiatan=row.kegiatan,
                baik=MARK if row.judgement == BAIK else "",
                tidak=MARK if row.judgement == TIDAK else "",
                catatan=row.catatan.strip(),
                evidence=evidence,
                tindakan=row.tindakan.strip(),
                paraf=mark,
            )
        )
    return FormLayout(
        labels={key: gettext(message) for key, message in LABELS.items()},
        sop_name=form.sop_name,
        sop_nomor=form.sop_nomor,
        period=period_text(form.start, form.end, language),
        rows=tuple(rows),
        closing=closing,
        content_hash=form.content_hash(),
    )
