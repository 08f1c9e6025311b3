"""What changed between two definitions of the same SOP, step by step and field by field.

Used for the comparison of two revisions of an office's SOP, and to show an office what a
newer plugin base changes. Text is compared exactly as written (SOP text is the
institution's): a change of case or spacing is a change.
"""

from __future__ import annotations

from dataclasses import dataclass

from alur.core.model import Official, SopDefinition, Step
from alur.core.sop_life.part import HEADER_FIELDS

# Step fields compared, in the order a sheet shows them; the procedure's structure (actor,
# kind, next, gate, per unit, data binding) too, for a newer base.
STEP_COMPARED = (
    "kegiatan",
    "actor",
    "kind",
    "kelengkapan",
    "waktu",
    "output",
    "keterangan",
    "next",
    "gate",
    "per_unit",
    "delegable",
    "data",
)


@dataclass(frozen=True)
class Change:
    """One difference: ``where`` is ``"header"`` or ``"step"``; ``step`` the step number
    (``None`` in the header); ``field`` the field name (``""`` for a whole step added or
    removed); ``before`` / ``after`` the values as text (``""`` for none)."""

    where: str
    field: str
    before: str
    after: str
    step: int | None = None

    @property
    def path(self) -> str:
        """``header.nomor``, ``steps.3.waktu``, ``steps.7`` (a step added or removed)."""
        if self.where == "header":
            return f"header.{self.field}"
        return f"steps.{self.step}" + (f".{self.field}" if self.field else "")


def compare(before: SopDefinition, after: SopDefinition) -> list[Change]:
    """Every difference from ``before`` to ``after``: header fields in the sheet's order,
    then steps by number (a step present on one side only is one change with
    ``field == ""``)."""
    changes: list[Change] = []
    for name in HEADER_FIELDS:
        a, b = _text(getattr(before.header, name)), _text(getattr(after.header, name))
        if a != b:
            changes.append(Change("header", name, a, b))
    numbers = sorted(set(before.steps_by_number) | set(after.steps_by_number))
    for n in numbers:
        old, new = before.steps_by_number.get(n), after.steps_by_number.get(n)
        if old is None or new is None:
            changes.append(Change("step", "", _step_text(old), _step_text(new), step=n))
            continue
        for name in STEP_COMPARED:
            a, b = _text(getattr(old, name)), _text(getattr(new, name))
            if a != b:
                changes.append(Change("step", name, a, b, step=n))
    return changes


def _step_text(step: Step | None) -> str:
    return "" if step is None else f"{step.number}. {step.kegiatan}"


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Official):
        return " / ".join(p for p in (value.nama, value.jabatan, value.nip) if p)
    if isinstance(value, tuple | list):
        return "\n".join(str(v) for v in value)
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    gate = getattr(value, "question", None)
    if gate is not None:
        return f"{gate} (ya → {value.ya or '-'}, tidak → {value.tidak or '-'})"  # type: ignore[attr-defined]
    return str(getattr(value, "text", value))
