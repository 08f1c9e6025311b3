"""The SOP monitoring form (monev, Permenpan RB 35/2012): per kegiatan of an SOP in force,
whether it "berjalan dengan baik" or not, a catatan, the tindakan to take, and the assessor's
paraf.

Alur pre-fills it from the measured figures (:mod:`alur.core.monitoring.figures`): for each
kegiatan a *proposed* judgement and an *evidence* text stating what was measured; the
assessor confirms or changes each ``judgement`` and writes the ``tindakan``. The content hash
binds a paraf to exactly what was initialled (like a data kinerja approval).

Pure: no I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date

from alur.core.i18n import format_message, gettext
from alur.core.model import SopDefinition
from alur.core.monitoring.figures import StepFigures, figures_of
from alur.core.monitoring.office_time import office_time_text
from alur.core.snapshot import canonical_json

BAIK, TIDAK = "baik", "tidak"
"""A kegiatan "berjalan dengan baik" / "tidak berjalan dengan baik"."""
JUDGEMENTS = (BAIK, TIDAK)


@dataclass(frozen=True)
class MonevRow:
    """One kegiatan of the form. ``proposed``: Alur's proposal from the figures (``None``:
    belum ada data); ``evidence``: the figures behind it, as text; ``judgement``: the
    assessor's (``None`` until chosen); ``catatan`` and ``tindakan``: the assessor's text."""

    step: int
    kegiatan: str
    proposed: str | None = None
    evidence: str = ""
    judgement: str | None = None
    catatan: str = ""
    tindakan: str = ""


@dataclass(frozen=True)
class MonevForm:
    """The monitoring form of one SOP for one period (``start``–``end``, office dates)."""

    sop_id: str
    sop_name: str
    sop_nomor: str
    start: date
    end: date
    rows: tuple[MonevRow, ...] = ()

    def to_dict(self) -> dict:
        data = asdict(self)
        data["start"] = self.start.isoformat()
        data["end"] = self.end.isoformat()
        data["rows"] = [asdict(r) for r in self.rows]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> MonevForm:
        return cls(
            sop_id=str(data["sop_id"]),
            sop_name=str(data.get("sop_name", "")),
            sop_nomor=str(data.get("sop_nomor", "")),
            start=date.fromisoformat(str(data["start"])),
            end=date.fromisoformat(str(data["end"])),
            rows=tuple(MonevRow(**r) for r in data.get("rows") or ()),
        )

    def content_hash(self) -> str:
        """SHA-256 of the form's canonical JSON: what a paraf binds to."""
        return hashlib.sha256(canonical_json(self.to_dict()).encode("utf-8")).hexdigest()

    @property
    def complete(self) -> bool:
        """Every kegiatan has the assessor's judgement (the form may be initialled)."""
        return bool(self.rows) and all(r.judgement in JUDGEMENTS for r in self.rows)


# --- the proposal ------------------------------------------------------------------------

WITHIN_AT_LEAST = 0.8
"""A kegiatan is proposed "berjalan dengan baik" when at least this share of its finished
spans (of those with a mutu baku in time) kept the mutu baku…"""
RETURNED_AT_MOST = 0.2
"""…and at most this share of them was returned ("tidak" at its gate)."""


def proposed_judgement(figures: StepFigures) -> str | None:
    """Alur's proposal for one kegiatan from its figures over the period: ``None`` without a
    finished span (belum ada data); :data:`BAIK` when at least 80 % kept the mutu baku (a
    kegiatan whose waktu is not a fixed time is judged on its returns alone) and at most
    20 % were returned; else :data:`TIDAK`.

    Why these numbers: four in five on time is the usual "sebagian besar" of the SOP
    guidelines' language and leaves room for the odd late case in a small office (with five
    cases one late one still passes, two do not); one return in five is where a gate stops
    being a check and starts being a pattern. Both bounds are inclusive."""
    if not figures.has_data:
        return None
    share = figures.within_share
    on_time = share is None or share >= WITHIN_AT_LEAST
    returns_ok = figures.returned <= RETURNED_AT_MOST * figures.count
    return BAIK if on_time and returns_ok else TIDAK


def evidence_text(step: int, figures: StepFigures, minutes_per_day: int) -> str:
    """What was measured for kegiatan ``step``, in the reader's language, e.g. "median 2 hari
    3 jam terhadap mutu baku 1 hari; 9 dari 12 dalam mutu baku; 4 dari 12 dikembalikan di
    kegiatan 5"; "belum ada data" without a finished span."""
    if not figures.has_data:
        return gettext("no data yet")
    median = office_time_text(figures.median, minutes_per_day)
    if figures.standard is not None:
        parts = [
            format_message(
                "median {median} against a mutu baku of {standard}",
                median=median,
                standard=office_time_text(figures.standard, minutes_per_day),
            )
        ]
    else:
        parts = [format_message("median {median} (no mutu baku in time)", median=median)]
    if figures.with_standard:
        parts.append(
            format_message(
                "{within} of {count} within the mutu baku",
                within=figures.within,
                count=figures.with_standard,
            )
        )
    if figures.returned:
        parts.append(
            format_message(
                "{returned} of {count} returned at kegiatan {step}",
                returned=figures.returned,
                count=figures.count,
                step=step,
            )
        )
    if figures.rework:
        parts.append(format_message("{rework} done again after a return", rework=figures.rework))
    return "; ".join(parts)


def propose_rows(
    definition: SopDefinition,
    figures_by_step: Mapping[int, StepFigures],
    minutes_per_day: int,
) -> tuple[MonevRow, ...]:
    """One row per kegiatan of ``definition``, in its order, with Alur's proposal and the
    evidence behind it (:func:`proposed_judgement`, :func:`evidence_text`); the assessor's
    judgement, catatan and tindakan empty."""
    rows = []
    for step in definition.steps:
        figures = figures_by_step.get(step.number) or figures_of(step.number, ())
        rows.append(
            MonevRow(
                step=step.number,
                kegiatan=step.kegiatan,
                proposed=proposed_judgement(figures),
                evidence=evidence_text(step.number, figures, minutes_per_day),
            )
        )
    return tuple(rows)
