"""The public check of a signed report: was a document with this recap hash signed, by whom,
when, in which office.

The signed report (:mod:`alur.reports.pdf`) prints a QR code and a short verification code; both
lead to the installation's public page (``/verifikasi/{code}``, no sign-in, no session), which
calls :func:`check_document`. The code is the recap's content hash (64 hex digits, in the QR) or
its first 16 hex digits (printed, typed by a person): :mod:`alur.core.kinerja.codes`.

The events are the record: the lookup finds candidate events by ``alur_event.approval_hash`` (an
index, copied from the event's own ``data.kinerja`` record when it is written — see
:func:`alur.tenants.cases.rows.approval_hash`) and then reads the approvals exactly as the report
does (:func:`alur.tenants.kinerja.rules.approvals`: only events of steps bound to paraf/sign in
the case's pinned definition count, so a client-sent record on another step proves nothing).

What is shown is only: signed or not, each valid tanda tangan's name, jabatan and time, and the
office's name. Nothing else of the case (its key, period, data, paraf) leaves the office.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from alur.core.kinerja.codes import normalise_code
from alur.core.kinerja.model import ApprovalKind
from alur.core.officials import full_jabatan
from alur.core.plugins import AlurPlugins
from alur.tenants.cases.service import TenantService
from alur.tenants.errors import NotFound
from alur.tenants.kinerja.rules import approvals
from alur.tenants.offices.letterhead import office_name
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Case, Event, Tenant

MAX_EVENTS = 20  # approvals read for one code (a recap is approved a handful of times)


@dataclass(frozen=True, slots=True)
class Signature:
    name: str
    jabatan: str  # in full, with "Plh. "/"Plt. " when acting
    at: datetime | None


@dataclass(frozen=True, slots=True)
class DocumentCheck:
    """A known document: ``signed`` with its ``signatures``, or approved so far only by
    paraf (``signed`` false, no signatures)."""

    office: str
    signed: bool
    signatures: tuple[Signature, ...]
    timezone: str = "Asia/Jakarta"  # the office's, for the times shown


async def check_document(db: Database, plugins: AlurPlugins, code: str) -> DocumentCheck | None:
    """What the public page shows for ``code``; ``None`` when no document has it (an unknown
    or malformed code alike)."""
    wanted = normalise_code(code)
    if wanted is None:
        return None
    # A prefix as a range, so that both databases use the index (no LIKE collation issues).
    rows = (
        await Event.select(Event.tenant, Event.case, Event.approval_hash)
        .where(Event.approval_hash >= wanted)
        .where(Event.approval_hash < wanted + "g")
        .order_by(Event.id)
        .limit(MAX_EVENTS)
    )
    if not rows:
        return None
    # Each hash the code matches counts only when its events are real approvals of a case
    # (read back by the report's own rules, approvals()); a code two real documents share
    # answers nothing (the QR's full code tells them apart).
    by_hash: dict[str, set[tuple[int, int]]] = {}
    for r in rows:
        by_hash.setdefault(r["approval_hash"], set()).add((r["tenant"], r["case"]))
    documents: dict[str, list[tuple[str, list[Signature], bool, str]]] = {}
    for recap_hash, cases in sorted(by_hash.items()):
        for tenant_id, case_id in sorted(cases):
            result = await _case_signatures(db, plugins, tenant_id, case_id, recap_hash)
            if result is not None:
                documents.setdefault(recap_hash, []).append(result)
    if len(documents) != 1:
        return None
    (found,) = documents.values()
    signed = [f for f in found if f[2]]
    office, signatures, is_signed, zone = (signed or found)[0]
    return DocumentCheck(office, is_signed, tuple(signatures), zone)


async def _case_signatures(
    db: Database, plugins: AlurPlugins, tenant_id: int, case_id: int, recap_hash: str
) -> tuple[str, list[Signature], bool, str] | None:
    tenant = await Tenant.select(Tenant.slug).where(Tenant.id == tenant_id).first()
    case = await Case.select(Case.key).where(Case.id == case_id).first()
    if tenant is None or case is None:
        return None
    try:
        service = await TenantService.open(db, plugins, tenant["slug"])
        stored = await service.case(case["key"])
        d = await service.definition_of(stored)
    except NotFound:
        return None
    office = office_name(service)
    mine = [a for a in await approvals(service, stored, d) if a.recap_hash == recap_hash]
    if not mine:
        return None
    signatures = [
        Signature(
            name=a.name,
            jabatan=(f"{a.acting}. " if a.acting in ("Plh", "Plt") else "")
            + full_jabatan(a.jabatan, office),
            at=a.at,
        )
        for a in mine
        if a.kind is ApprovalKind.SIGN
    ]
    return office, signatures, bool(signatures), service.tenant["timezone"]
