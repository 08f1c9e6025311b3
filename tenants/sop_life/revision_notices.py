"""Telling people about a revision waiting for them: the pengesah when a draft is submitted,
the person who submitted it when it is returned or approved.

A notice is written in the transaction of the change it tells of
(:func:`~alur.tenants.notify.records.record_notices`: in the app's list, and by email or a
plugin channel when the person chose one; the worker's sweep sends the deliveries), with an
idempotency key per revision, version and person. Only people holding the pengesah role in
their own right are told of a submission: a Plt/Plh cannot approve it.
"""

from __future__ import annotations

from collections.abc import Sequence

from alur.core.engine import Context
from alur.core.model import SopDefinition
from alur.tenants.cases.rows import from_json
from alur.tenants.notify.records import Notice, record_notices
from alur.tenants.storage.tables import Event, Membership

SUBMITTED = "sop_revision_submitted"
RETURNED = "sop_revision_returned"
APPROVED = "sop_revision_approved"
KINDS = (SUBMITTED, RETURNED, APPROVED)


async def tell_pengesah(
    tenant_id: int, ctx: Context, d: SopDefinition, number: int, version: int
) -> None:
    """Tell every holder of ``d``'s pengesah role that revision ``number`` awaits them."""
    role = d.pengesah_role
    if role is None:
        return
    rows = await Membership.select(Membership.user).where(
        (Membership.tenant == tenant_id) & (Membership.role == role.id)
    )
    users = sorted({r["user"] for r in rows})
    await _record(tenant_id, ctx, SUBMITTED, users, d, number, version)


async def tell_submitter(
    tenant_id: int,
    ctx: Context,
    kind: str,
    d: SopDefinition,
    number: int,
    version: int,
    note: str = "",
) -> None:
    """Tell the person who last submitted revision ``number`` that it was returned or
    approved (``kind``)."""
    rows = (
        await Event.select(Event.actor, Event.payload)
        .where(
            (Event.tenant == tenant_id) & (Event.kind == "office_changed") & Event.case.is_null()
        )
        .order_by(Event.chain_seq, ascending=False)
        .limit(500)
    )
    for r in rows:
        payload = from_json(r["payload"]) or {}
        if (payload.get("change"), payload.get("sop"), payload.get("number")) == (
            SUBMITTED,
            d.id,
            number,
        ):
            if str(r["actor"] or "").isascii() and str(r["actor"] or "").isdigit():
                await _record(tenant_id, ctx, kind, [int(r["actor"])], d, number, version, note)
            return


async def _record(
    tenant_id: int,
    ctx: Context,
    kind: str,
    users: Sequence[int],
    d: SopDefinition,
    number: int,
    version: int,
    note: str = "",
) -> None:
    body = {"sop": d.id, "sop_name": d.header.nama, "number": number, "note": note}
    notices = [
        Notice(
            kind=kind,
            user_id=user,
            key=f"{kind}:{tenant_id}:{d.id}:{number}:{version}:{user}",
            body=body,
        )
        for user in users
        if str(user) != ctx.actor.id  # not the person acting
    ]
    await record_notices(tenant_id, notices, now=ctx.now, calendar=ctx.calendar)
