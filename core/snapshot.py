"""The canonical, serialisable form of a definition, and its content hash.

A running case pins its definition as this snapshot. The mapping form is the same shape as
the TOML files plugins ship (see ``docs/sop-format.md``), so a snapshot or an export can be
loaded back with :func:`alur.core.loader.definition_from_mapping` and gives an equal
definition.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import tomli_w

from alur.core.model import OfficeRules, Role, SopDefinition, Step


def definition_to_dict(
    d: SopDefinition, *, minutes_per_day: int | None = None, with_hash: bool = False
) -> dict[str, Any]:
    """The mapping form of ``d``.

    With ``minutes_per_day`` each step also states ``waktu_menit`` (office minutes, a working
    day counting ``minutes_per_day``), omitted where the time is set when the case starts.
    With ``with_hash`` the ``[sop]`` table states the content hash. Both are informational
    and ignored when loading.
    """
    h = d.header
    sop: dict[str, Any] = {"id": d.id, "version": d.version}
    if d.repeatable:  # only when set, so definitions without it keep their hash
        sop["repeatable"] = True
    if d.office is not None:  # only when set, so definitions without it keep their hash
        sop["office"] = _office_to_dict(d.office)
    if with_hash:
        sop["content_hash"] = d.content_hash
    return {
        "sop": sop,
        "header": {
            "nomor": h.nomor,
            "nama": h.nama,
            "tanggal_pembuatan": h.tanggal_pembuatan,
            "tanggal_revisi": h.tanggal_revisi,
            "tanggal_efektif": h.tanggal_efektif,
            "disahkan_oleh": {
                "nama": h.disahkan_oleh.nama,
                "jabatan": h.disahkan_oleh.jabatan,
                "nip": h.disahkan_oleh.nip,
            },
            "dasar_hukum": list(h.dasar_hukum),
            "kualifikasi_pelaksana": list(h.kualifikasi_pelaksana),
            "keterkaitan": list(h.keterkaitan),
            "peralatan_perlengkapan": list(h.peralatan_perlengkapan),
            "peringatan": list(h.peringatan),
            "pencatatan_pendataan": list(h.pencatatan_pendataan),
        },
        "roles": [_role_to_dict(r) for r in d.roles],
        "steps": [_step_to_dict(s, minutes_per_day) for s in d.steps],
    }


def _office_to_dict(o: OfficeRules) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if o.editable is not None:  # an empty list is a choice: offices change nothing
        out["editable"] = sorted(o.editable)
    if o.penyusun is not None:
        out["penyusun"] = o.penyusun
    if o.pengesah is not None:
        out["pengesah"] = o.pengesah
    return out


def _role_to_dict(r: Role) -> dict[str, Any]:
    out: dict[str, Any] = {"id": r.id, "name": r.name, "rank": r.rank, "per_unit": r.per_unit}
    if r.atasan is not None:  # only when set, so definitions without one keep their hash
        out["atasan"] = r.atasan
    return out


def _step_to_dict(s: Step, minutes_per_day: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "number": s.number,
        "kegiatan": s.kegiatan,
        "actor": s.actor,
        "kind": str(s.kind),
        "kelengkapan": s.kelengkapan,
        "waktu": s.waktu.text,
    }
    if minutes_per_day is not None:
        minutes = s.waktu.office_minutes(minutes_per_day)
        if minutes is not None:
            out["waktu_menit"] = minutes
    out["output"] = s.output
    out["keterangan"] = s.keterangan
    if s.next is not None:
        out["next"] = s.next
    out["per_unit"] = s.per_unit
    out["delegable"] = s.delegable
    if s.data is not None:  # only when bound, so unbound definitions keep their hash
        out["data"] = str(s.data)
    if s.gate is not None:
        gate: dict[str, Any] = {"question": s.gate.question}
        if s.gate.ya is not None:
            gate["ya"] = s.gate.ya
        if s.gate.tidak is not None:
            gate["tidak"] = s.gate.tidak
        out["gate"] = gate
    if s.clock is not None:  # only when set, so definitions without one keep their hash
        out["clock"] = s.clock.to_mapping()
    if s.office_fixed:  # only when set, so definitions without it keep their hash
        out["office_fixed"] = sorted(s.office_fixed)
    return out


def canonical_json(data: Any) -> str:
    """Deterministic JSON: sorted keys, no insignificant whitespace, UTF-8 kept."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def definition_hash(d: SopDefinition) -> str:
    """SHA-256 (hex) of the canonical JSON form of ``d``."""
    return hashlib.sha256(canonical_json(definition_to_dict(d)).encode("utf-8")).hexdigest()


def definition_to_json(d: SopDefinition, *, minutes_per_day: int | None = None) -> str:
    data = definition_to_dict(d, minutes_per_day=minutes_per_day, with_hash=True)
    return json.dumps(data, ensure_ascii=False, indent=2)


def definition_to_toml(d: SopDefinition, *, minutes_per_day: int | None = None) -> str:
    data = definition_to_dict(d, minutes_per_day=minutes_per_day, with_hash=True)
    return tomli_w.dumps(data, multiline_strings=False)
