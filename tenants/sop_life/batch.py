"""Batched reads of offices' SOP revisions, for the GraphQL DataLoaders (one statement for
every office of an answer, never one per office).

Like :mod:`alur.tenants.cases.batch`, each function takes the request's ``scope``: for an
office's token only that office's rows are read (:func:`~alur.tenants.cases.batch.in_scope`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from alur.core.sop_life.revisions import APPROVED, RevisionRef, RevisionState
from alur.tenants.cases.batch import in_scope, many_each
from alur.tenants.storage.tables import SopRevision


async def revision_refs_of(
    tenant_ids: Sequence[int], *, scope: int | None
) -> list[list[RevisionRef]]:
    """Each office's approved revisions (those that can be in force), as refs — what
    :func:`alur.tenants.sop_life.revisions.office_revision_refs` reads for one office."""
    rows = await SopRevision.select(
        SopRevision.tenant,
        SopRevision.sop_id,
        SopRevision.number,
        SopRevision.state,
        SopRevision.effective_on,
        SopRevision.content_hash,
    ).where(
        *in_scope(SopRevision.tenant, tenant_ids, scope),
        SopRevision.state.is_in([str(s) for s in APPROVED]),
    )
    return [[_ref(r) for r in found] for found in many_each(tenant_ids, rows, "tenant")]


def _ref(row: dict) -> RevisionRef:
    effective = row["effective_on"]
    if isinstance(effective, str):
        effective = date.fromisoformat(effective[:10])
    return RevisionRef(
        row["sop_id"], row["number"], RevisionState(row["state"]), effective, row["content_hash"]
    )
