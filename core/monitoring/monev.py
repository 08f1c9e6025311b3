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
from dataclasses import asdict, dataclass
from datetime import date

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
