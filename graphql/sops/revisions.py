"""An office's SOP revisions through GraphQL: the queries ``sopRevisions``, ``sopRevision``
and ``sopComparison``, and the mutations ``startSopDraft``, ``saveSopDraft``,
``submitSopRevision``, ``returnSopRevision``, ``approveSopRevision`` and
``revokeSopRevision``.

Every rule is the service's (:class:`~alur.tenants.sop_life.revisions.SopRevisions`, the
same the web pages call): who may draft, approve or revoke, the states, the version read
(`stale_revision`), the part's every problem by field path. A resolver parses its
arguments, calls one method and renders the revision or the typed error.

Revisions are read as the token's person sees them: the token must be an office's token
bound to a person who is a member of the office today (a read or a write token); a token
bound to no person, or a platform token, gets ``Forbidden``. Mutations, like every
mutation, need a write token; they act as its person.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from alur.core import limits
from alur.core.errors import AlurError
from alur.core.i18n import gettext
from alur.core.sop_life.compare import compare
from alur.graphql.cases.mutations import acting_service
from alur.graphql.errors import Conflict, Forbidden, InvalidInput, NotFound, from_error
from alur.graphql.permissions import authenticated, writing
from alur.graphql.sops.revision_types import (
    SopComparison,
    SopRevision,
    SopRevisionChanged,
    SopRevisionList,
    change_node,
    revision_node,
)
from alur.graphql.types import Info
from alur.tenants.errors import Forbidden as ForbiddenError
from alur.tenants.errors import InvalidInput as InvalidInputError
from alur.tenants.sop_life.revisions import Revision, SopRevisions

SopRevisionsResult = Annotated[
    SopRevisionList | Forbidden | NotFound, strawberry.union("SopRevisionsResult")
]
SopRevisionResult = Annotated[
    SopRevision | Forbidden | NotFound, strawberry.union("SopRevisionResult")
]
SopComparisonResult = Annotated[
    SopComparison | Forbidden | NotFound | InvalidInput, strawberry.union("SopComparisonResult")
]
SopRevisionActionResult = Annotated[
    SopRevisionChanged | Forbidden | NotFound | InvalidInput | Conflict,
    strawberry.union("SopRevisionActionResult"),
]

Sop = Annotated[str, strawberry.argument(description="The SOP's id.")]
Number = Annotated[int, strawberry.argument(description="The revision's number (0: the first).")]
Version = Annotated[
    int,
    strawberry.argument(
        description="The revision's `version` as read: refused (`stale_revision`) if it "
        "changed since."
    ),
]
# The service's field names that are named differently here (the mutation's arguments).
FIELD_NAMES = {"effective_on": "effectiveOn"}


async def _revisions(info: Info) -> SopRevisions:
    """The token's office and person, as the service's :class:`SopRevisions`; a token with
    no person of an office is :class:`ForbiddenError`."""
    identity = info.context.identity
    assert identity is not None
    if identity.platform or identity.tenant_id is None or identity.user_id is None:
        raise ForbiddenError(
            what=gettext(
                "read the office's SOP revisions with this token: use a token of the office "
                "bound to a person"
            )
        )
    service, user_id = await acting_service(info)
    return SopRevisions(service, user_id)


async def _guarded(run: Callable[[], Awaitable[Any]]) -> Any:
    try:
        return await run()
    except AlurError as exc:
        return from_error(exc, field_names=FIELD_NAMES)


async def _acted(
    info: Info, act: Callable[[SopRevisions], Awaitable[Revision]]
) -> SopRevisionActionResult:
    async def run() -> SopRevisionChanged:
        revisions = await _revisions(info)
        return SopRevisionChanged(revision=revision_node(await act(revisions), revisions))

    return await _guarded(run)


@strawberry.type
class SopRevisionQuery:
    @strawberry.field(
        description="The office's SOP revisions (of `sop`, when given), newest first per SOP.",
        extensions=authenticated(),
    )
    async def sop_revisions(
        self,
        info: Info,
        sop: Annotated[str | None, strawberry.argument(description="An SOP's id.")] = None,
    ) -> SopRevisionsResult:
        async def run() -> SopRevisionList:
            revisions = await _revisions(info)
            found = await revisions.list(sop)
            return SopRevisionList(revisions=[revision_node(r, revisions) for r in found])

        return await _guarded(run)

    @strawberry.field(description="One revision of an office's SOP.", extensions=authenticated())
    async def sop_revision(self, info: Info, sop: Sop, number: Number) -> SopRevisionResult:
        async def run() -> SopRevision:
            revisions = await _revisions(info)
            return revision_node(await revisions.get(sop, number), revisions)

        return await _guarded(run)

    @strawberry.field(
        description="What changed between two definitions of an SOP: revision `from` (or, with "
        "`fromBase`, the plugin definition the revision `from` — else `to` — builds on) to "
        "revision `to` (or, without `to`, the plugin's definition as it ships now: with "
        "`from` and `fromBase`, what a newer plugin version changes).",
        extensions=authenticated(),
    )
    async def sop_comparison(
        self,
        info: Info,
        sop: Sop,
        from_: Annotated[
            int | None, strawberry.argument(name="from", description="A revision's number.")
        ] = None,
        to: Annotated[
            int | None,
            strawberry.argument(
                description="A revision's number; null: the plugin's current definition."
            ),
        ] = None,
        from_base: Annotated[
            bool,
            strawberry.argument(
                description="Compare from the plugin definition a revision builds on."
            ),
        ] = False,
    ) -> SopComparisonResult:
        async def run() -> SopComparison:
            revisions = await _revisions(info)
            return await _comparison(revisions, sop, from_, to, from_base=from_base)

        return await _guarded(run)


async def _comparison(
    revisions: SopRevisions, sop: str, from_: int | None, to: int | None, *, from_base: bool
) -> SopComparison:
    if from_ is None and (to is None or not from_base):
        raise InvalidInputError(
            {
                "from": gettext("give the number of the revision to compare from")
                if not from_base
                else gettext("give the number of a revision (from or to)")
            }
        )
    later = await revisions.get(sop, to) if to is not None else None
    if later is not None:
        after = await revisions.definition(later)
    else:
        after = revisions.service.plugin_definition(sop)[1]
    if from_ is not None:
        earlier = await revisions.get(sop, from_)
        before = await (revisions.base(earlier) if from_base else revisions.definition(earlier))
    else:
        assert later is not None
        before = await revisions.base(later)
    return SopComparison(
        sop=sop,
        from_number=None if from_base else from_,
        from_hash=before.content_hash,
        to_number=to,
        to_hash=after.content_hash,
        changes=[change_node(c) for c in compare(before, after)],
    )


@strawberry.type
class SopRevisionMutation:
    @strawberry.mutation(
        description="Start a draft of an SOP: a copy of the revision in force (or, for the "
        "office's first, of the plugin's definition); with `onNewerBase`, on the plugin's "
        "current definition. Office administrators and the SOP's penyusun.",
        extensions=writing(),
    )
    async def start_sop_draft(
        self,
        info: Info,
        sop: Sop,
        on_newer_base: Annotated[
            bool,
            strawberry.argument(description="Build on the plugin's current definition."),
        ] = False,
    ) -> SopRevisionActionResult:
        return await _acted(info, lambda r: r.start_draft(sop, on_newer_base=on_newer_base))

    @strawberry.mutation(
        description="Save a draft's part and tanggal efektif. Every problem is listed at once, "
        "by field path (`header.nomor`, `steps.3.waktu`, `effectiveOn`).",
        extensions=writing(),
    )
    async def save_sop_draft(
        self,
        info: Info,
        sop: Sop,
        number: Number,
        part: Annotated[
            JSON,
            strawberry.argument(
                description='The office\'s whole part: `{"header": {...}, "steps": '
                '[{"number": 3, "waktu": "2 hari"}]}` (what it does not name follows the base).'
            ),
        ],
        version: Version,
        effective_on: Annotated[
            str | None,
            strawberry.argument(description='The tanggal efektif, "YYYY-MM-DD"; empty: none yet.'),
        ] = None,
    ) -> SopRevisionActionResult:
        if problem := limits.json_problem(part):
            return from_error(InvalidInputError({"part": problem}))  # type: ignore[return-value]
        return await _acted(
            info,
            lambda r: r.save_draft(sop, number, part, effective_on=effective_on, version=version),
        )

    @strawberry.mutation(
        description="Submit a draft for approval (diajukan): it needs a tanggal efektif.",
        extensions=writing(),
    )
    async def submit_sop_revision(
        self, info: Info, sop: Sop, number: Number, version: Version
    ) -> SopRevisionActionResult:
        return await _acted(info, lambda r: r.submit(sop, number, version=version))

    @strawberry.mutation(
        description="Return a submission to draf with a note saying what to change (the "
        "official who approves the SOP).",
        extensions=writing(),
    )
    async def return_sop_revision(
        self, info: Info, sop: Sop, number: Number, note: str
    ) -> SopRevisionActionResult:
        return await _acted(info, lambda r: r.return_to_draft(sop, number, note))

    @strawberry.mutation(
        description="Pengesahan: approve the submission as read (`version`). Only a holder "
        "of the SOP's signing role in their own right (not as Plt/Plh) with a recorded NIP; "
        "their name, jabatan and NIP become its disahkan oleh. In force from its tanggal "
        "efektif; running cases keep their definition.",
        extensions=writing(),
    )
    async def approve_sop_revision(
        self,
        info: Info,
        sop: Sop,
        number: Number,
        version: Version,
        password: Annotated[
            str | None,
            strawberry.argument(
                description="The password of the person the token acts for, asked again: "
                "required (a token alone cannot approve an SOP); a wrong one is InvalidInput "
                "on `password` and counts as a failed sign-in."
            ),
        ] = None,
    ) -> SopRevisionActionResult:
        return await _acted(
            info, lambda r: r.approve(sop, number, version=version, password=password)
        )

    @strawberry.mutation(
        description="Revoke (dicabut) a revision, saying why: a draft or submission by its "
        "drafters, an approved or in-force one by the official who approves the SOP.",
        extensions=writing(),
    )
    async def revoke_sop_revision(
        self, info: Info, sop: Sop, number: Number, note: str = ""
    ) -> SopRevisionActionResult:
        return await _acted(info, lambda r: r.revoke(sop, number, note))
