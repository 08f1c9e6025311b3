"""An office (tenant) as every request needs it: its row, its days off and its units.

A web page or API request needs all three (and the office's approved SOP revisions, to know
which definition of each SOP is in force, and the plugins it may adopt SOPs from) — the row to authorise and to name the office,
the days off for the working calendar (due times, overdue marks), the units to name them —
and they change rarely but must never be stale. :func:`load_office` reads them in one
statement (the days off and units aggregated as JSON in subqueries, written once per
backend) instead of three.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from alur.core.sop_life.revisions import RevisionRef, RevisionState
from alur.tenants.storage.tables import Tenant

_SQLITE = """
SELECT t.*,
  (SELECT json_group_array(d.day) FROM alur_day_off d WHERE d.tenant = t.id) AS alur_days_off,
  (SELECT json_group_array(json_object('id', u.id, 'slug', u.slug, 'name', u.name,
                                        'active', u.active))
     FROM (SELECT * FROM alur_unit WHERE tenant = t.id ORDER BY id) u) AS alur_units,
  (SELECT json_group_array(json_object('sop_id', r.sop_id, 'number', r.number, 'plugin', r.plugin,
                                        'state', r.state, 'effective_on', r.effective_on,
                                        'content_hash', r.content_hash))
     FROM alur_sop_revision r WHERE r.tenant = t.id AND r.state IN ('disahkan', 'berlaku'))
    AS alur_revisions,
  (SELECT json_group_array(p.plugin) FROM alur_office_plugin p WHERE p.tenant = t.id)
    AS alur_office_plugins
FROM alur_tenant t WHERE t.slug = {}
"""

_POSTGRES = """
SELECT t.*,
  COALESCE((SELECT json_agg(d.day) FROM alur_day_off d WHERE d.tenant = t.id), '[]')
    AS alur_days_off,
  COALESCE((SELECT json_agg(json_build_object('id', u.id, 'slug', u.slug, 'name', u.name,
                                              'active', u.active) ORDER BY u.id)
              FROM alur_unit u WHERE u.tenant = t.id), '[]') AS alur_units,
  COALESCE((SELECT json_agg(json_build_object('sop_id', r.sop_id, 'number', r.number,
                                              'plugin', r.plugin,
                                              'state', r.state, 'effective_on', r.effective_on,
                                              'content_hash', r.content_hash))
              FROM alur_sop_revision r
              WHERE r.tenant = t.id AND r.state IN ('disahkan', 'berlaku')), '[]')
    AS alur_revisions,
  COALESCE((SELECT json_agg(p.plugin) FROM alur_office_plugin p WHERE p.tenant = t.id), '[]')
    AS alur_office_plugins
FROM alur_tenant t WHERE t.slug = {}
"""


@dataclass(frozen=True)
class Office:
    """A tenant row (as ``Tenant.select()`` gives it), its days off, its units (``id``,
    ``slug``, ``name``, ``active``, in creation order) and its approved SOP revisions (those
    that can be in force: :mod:`alur.tenants.sop_life.revisions`) and the plugins it may adopt
    SOPs from besides its own (:mod:`alur.tenants.sop_life.adoption`)."""

    row: dict[str, Any]
    days_off: frozenset[date]
    units: tuple[dict[str, Any], ...]
    revisions: tuple[RevisionRef, ...] = ()
    # The plugins an operator allowed it besides its own (alur.tenants.sop_life.adoption).
    allowed_plugins: tuple[str, ...] = ()


async def load_office(slug: str, *, sqlite: bool) -> Office | None:
    rows = await Tenant.raw(_SQLITE if sqlite else _POSTGRES, slug)
    if not rows:
        return None
    row = dict(rows[0])
    days = _json(row.pop("alur_days_off"))
    units = _json(row.pop("alur_units"))
    revisions = _json(row.pop("alur_revisions"))
    allowed = _json(row.pop("alur_office_plugins"))
    return Office(
        row=row,
        days_off=frozenset(date.fromisoformat(str(d)[:10]) for d in days),
        units=tuple(
            {"id": u["id"], "slug": u["slug"], "name": u["name"], "active": bool(u["active"])}
            for u in units
        ),
        revisions=tuple(
            RevisionRef(
                r["sop_id"],
                r["number"],
                RevisionState(r["state"]),
                date.fromisoformat(str(r["effective_on"])[:10]) if r["effective_on"] else None,
                r["content_hash"],
                r.get("plugin", ""),
            )
            for r in revisions
        ),
        allowed_plugins=tuple(sorted(str(p) for p in allowed)),
    )


def _json(value: Any) -> list[Any]:
    return json.loads(value) if isinstance(value, str | bytes) else list(value or [])
