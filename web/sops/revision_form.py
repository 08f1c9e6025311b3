"""The SOP revision editor's form (:mod:`alur.web.sops.revisions`): a draft's effective
values (base ⊕ part) as form fields named by their field paths (``header.nomor``,
``header.dasar_hukum``, ``steps.3.waktu`` — the keys :class:`~alur.tenants.errors.InvalidInput`
uses, so every problem lands next to its field), and a posted form back into an office part.

A posted form becomes the *smallest* part (:func:`~alur.core.sop_life.part.part_between`):
a field left as the base has it stays following the base. Values that cannot be applied (a
waktu that does not parse, text too long) are kept in the part as typed, so the service
names each of them; nothing here decides what is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from alur.core.errors import N_
from alur.core.model import SopDefinition
from alur.core.sop_life.part import (
    DEFAULT_EDITABLE,
    HEADER_LISTS,
    HEADER_TEXT,
    STEP_FIELDS,
    OfficePart,
    apply_part,
    check_part,
    merged,
    part_between,
    step_fixed,
)

# What each field is called on the page (msgids; the template translates them). Domain
# terms (kegiatan, mutu baku, keterangan, pelaksana) stay Indonesian in English too.
FIELD_LABELS = {
    "nomor": N_("SOP number"),
    "nama": N_("SOP name"),
    "tanggal_pembuatan": N_("Date made"),
    "tanggal_revisi": N_("Revision date"),
    "tanggal_efektif": N_("Tanggal efektif as printed"),
    "disahkan_oleh": N_("Approved by"),
    "dasar_hukum": N_("Legal basis"),
    "kualifikasi_pelaksana": N_("Qualifications of the pelaksana"),
    "keterkaitan": N_("Related SOPs"),
    "peralatan_perlengkapan": N_("Equipment and supplies"),
    "peringatan": N_("Warnings"),
    "pencatatan_pendataan": N_("Records and data"),
    "kegiatan": N_("Kegiatan"),
    "kelengkapan": N_("Kelengkapan"),
    "waktu": N_("Waktu"),
    "output": N_("Output"),
    "keterangan": N_("Keterangan"),
    "actor": N_("Pelaksana"),
    "kind": N_("Kind of step"),
    "next": N_("Next step"),
    "gate": N_("Decision"),
    "per_unit": N_("Per unit"),
    "delegable": N_("Plt/Plh may act"),
    "data": N_("Data kinerja"),
}

# The longest value read from one posted field (the service's own limits are smaller).
MAX_FIELD_CHARS = 20_000


@dataclass(frozen=True)
class Field:
    """One field of the editor: its path (the form name), its value, whether the office
    may change it, and its element ids."""

    path: str
    value: str
    editable: bool

    @property
    def id(self) -> str:
        return "f-" + self.path.replace(".", "-")

    @property
    def error_id(self) -> str:
        return "e-" + self.path.replace(".", "-")


def editable_paths(base: SopDefinition) -> frozenset[str]:
    """What the plugin lets offices change in this SOP (``header.x``, ``steps.x``)."""
    if base.office is not None and base.office.editable is not None:
        return frozenset(base.office.editable)
    return DEFAULT_EDITABLE


def is_editable(base: SopDefinition, path: str) -> bool:
    allowed = editable_paths(base)
    if path.startswith("header."):
        return path in allowed
    _, number, name = path.split(".", 2)
    return f"steps.{name}" in allowed and name not in step_fixed(base, int(number))


def form_values(d: SopDefinition) -> dict[str, str]:
    """Every field of the editor with ``d``'s value as text (lists: one line per entry)."""
    values = {f"header.{n}": getattr(d.header, n) for n in HEADER_TEXT}
    values.update({f"header.{n}": "\n".join(getattr(d.header, n)) for n in HEADER_LISTS})
    for s in d.steps:
        for name in STEP_FIELDS:
            value = getattr(s, name)
            values[f"steps.{s.number}.{name}"] = value.text if name == "waktu" else value
    return values


def fields(base: SopDefinition, values: Mapping[str, str]) -> dict[str, Field]:
    """The editor's fields, by path, with ``values`` (effective or as typed)."""
    return {path: Field(path, value, is_editable(base, path)) for path, value in values.items()}


def posted_values(base: SopDefinition, data: Mapping[str, Any]) -> dict[str, str]:
    """The editable fields of a posted form, as typed (line ends made ``\\n``); a field the
    form did not send is left out, so it keeps its saved value."""
    out: dict[str, str] = {}
    for path in form_values(base):
        if path not in data or not is_editable(base, path):
            continue
        value = data[path]
        if isinstance(value, list):
            value = value[-1] if value else ""
        out[path] = str(value)[:MAX_FIELD_CHARS].replace("\r\n", "\n").replace("\r", "\n")
    return out


def form_part(base: SopDefinition, saved: OfficePart, typed: Mapping[str, str]) -> OfficePart:
    """The part a posted form asks for: the saved part with the typed fields set over it
    (so what the form does not show, like *disahkan oleh*, is kept), reduced to what
    differs from ``base``; fields that cannot be applied are kept as typed."""
    header: dict[str, Any] = {}
    steps: dict[int, dict[str, str]] = {}
    for path, text in typed.items():
        kind, rest = path.split(".", 1)
        if kind == "header":
            if rest in HEADER_LISTS:
                header[rest] = tuple(line.strip() for line in text.split("\n") if line.strip())
            else:
                header[rest] = text.strip()
        else:
            number, name = rest.split(".", 1)
            steps.setdefault(int(number), {})[name] = text.strip()
    full = merged(saved, OfficePart(header=header, steps=steps))
    problems = check_part(base, full)
    good, bad = _split(full, problems)
    return merged(part_between(base, apply_part(base, good)), bad)


def _split(part: OfficePart, problems: Mapping[str, str]) -> tuple[OfficePart, OfficePart]:
    """``part`` as (the fields without problems, the fields with one)."""

    def bad(path: str) -> bool:
        return any(p == path or p.startswith(path + ".") for p in problems)

    good_header = {k: v for k, v in part.header.items() if not bad(f"header.{k}")}
    bad_header = {k: v for k, v in part.header.items() if bad(f"header.{k}")}
    good_steps: dict[int, dict[str, str]] = {}
    bad_steps: dict[int, dict[str, str]] = {}
    for number, values in part.steps.items():
        whole = f"steps.{number}" in problems
        for name, value in values.items():
            target = bad_steps if whole or bad(f"steps.{number}.{name}") else good_steps
            target.setdefault(number, {})[name] = value
    return (
        OfficePart(header=good_header, steps=good_steps),
        OfficePart(header=bad_header, steps=bad_steps),
    )


def messages_for(path: str, problems: Mapping[str, str]) -> str:
    """The problems of the field ``path`` (and of its parts: a list's lines, an official's
    nama/jabatan/nip), as one message."""
    return " ".join(m for p, m in problems.items() if p == path or p.startswith(path + "."))


def other_problems(shown: set[str], problems: Mapping[str, str]) -> list[str]:
    """The problems that belong to no field of the form (so none is ever lost)."""
    return [
        m for p, m in problems.items() if not any(p == s or p.startswith(s + ".") for s in shown)
    ]
