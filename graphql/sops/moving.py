"""Moving running cases to the revision of their SOP in force: ``previewCaseMove`` (the dry
run) and ``moveCases``.

Both go through :class:`~alur.tenants.sop_life.moving.CaseMoves` as the person the write
token acts for, who must be an administrator of the office (else ``Forbidden``). A case of
another office is ``NotFound``; wrong input is ``InvalidInput`` naming ``cases`` or
``mapping``. A case that cannot move is not an error of the whole call: its plan lists the
``refusals`` and ``moveCases`` reports it as not moved, with the reasons.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry

from alur.core.errors import AlurError
from alur.graphql.cases.mutations import acting_service
from alur.graphql.errors import Forbidden, InvalidInput, NotFound, from_error
from alur.graphql.permissions import writing
from alur.graphql.types import Info
from alur.tenants.sop_life.moving import CaseMovePlan as Plan
from alur.tenants.sop_life.moving import CaseMoves, parse_mapping


@strawberry.input(description="Step `from` of the case's definition is step `to` of the new one.")
class StepMapInput:
    from_step: int = strawberry.field(name="from")
    to: int


@strawberry.type(description="One step of the mapping a move uses (automatic or given).")
class StepMap:
    from_step: int = strawberry.field(name="from")
    to: int


@strawberry.type(description="An open task the move keeps: same number, unit and assignee.")
class KeptTask:
    task: int
    unit: str | None
    from_step: int
    step: int
    kegiatan: str
    role: str
    role_name: str
    due_before: datetime | None
    due: datetime | None = strawberry.field(
        description="Recomputed from when the task opened, with the new step's waktu."
    )


@strawberry.type(description="An open task the move closes: its step is now another role's.")
class ClosedTask:
    task: int
    step: int
    kegiatan: str
    unit: str | None
    role: str
    role_name: str
    due: datetime | None


@strawberry.type(description="A task the move opens (in place of a closed one), due from now.")
class OpenedTask:
    step: int
    kegiatan: str
    unit: str | None
    role: str
    role_name: str
    due: datetime | None
    instead_of: int = strawberry.field(description="The number of the task it replaces.")


@strawberry.type(description="What moving one case to the revision in force does (a dry run).")
class CaseMovePlan:
    case: str = strawberry.field(description="The case's key.")
    period: str
    sop: str
    from_hash: str
    to_hash: str
    from_revision: int | None = strawberry.field(
        description="The office's revision number the case runs (null: the plugin's own)."
    )
    to_revision: int | None
    from_version: str
    to_version: str
    can_move: bool
    refusals: list[str] = strawberry.field(description="Why it cannot move (empty if it can).")
    mapping: list[StepMap]
    kept: list[KeptTask]
    closed: list[ClosedTask]
    opened: list[OpenedTask]


@strawberry.type(description="The dry run of each case asked, in the order asked.")
class CaseMovePreview:
    plans: list[CaseMovePlan]


@strawberry.type(description="What happened to one case.")
class CaseMoved:
    case: str
    moved: bool
    reasons: list[str] = strawberry.field(description="Why it was not moved.")
    plan: CaseMovePlan


@strawberry.type(description="The result of each case asked, in the order asked.")
class CasesMoved:
    results: list[CaseMoved]


PreviewCaseMoveResult = Annotated[
    CaseMovePreview | Forbidden | NotFound | InvalidInput,
    strawberry.union("PreviewCaseMoveResult"),
]
MoveCasesResult = Annotated[
    CasesMoved | Forbidden | NotFound | InvalidInput, strawberry.union("MoveCasesResult")
]
SopArg = Annotated[str, strawberry.argument(description="The SOP id of the cases.")]
CasesArg = Annotated[list[str], strawberry.argument(description="The case keys (at most 100).")]
MappingArg = Annotated[
    list[StepMapInput] | None,
    strawberry.argument(
        description="Explicit step mappings; steps that keep their number and kegiatan map "
        "by themselves."
    ),
]


def plan_node(p: Plan) -> CaseMovePlan:
    def role(r: str) -> str:
        return p.roles.get(r, r)

    return CaseMovePlan(
        case=p.key,
        period=p.period,
        sop=p.sop_id,
        from_hash=p.from_hash,
        to_hash=p.to_hash,
        from_revision=p.from_revision,
        to_revision=p.to_revision,
        from_version=p.from_version,
        to_version=p.to_version,
        can_move=p.ok,
        refusals=list(p.refusals),
        mapping=[StepMap(from_step=a, to=b) for a, b in sorted(p.mapping.items())],
        kept=[
            KeptTask(
                task=k.task,
                unit=k.unit,
                from_step=k.from_step,
                step=k.step,
                kegiatan=p.steps_after.get(k.step, ""),
                role=k.role,
                role_name=role(k.role),
                due_before=k.due_before,
                due=k.due,
            )
            for k in p.kept
        ],
        closed=[
            ClosedTask(
                task=c.task,
                step=c.step,
                kegiatan=p.steps_before.get(c.step, ""),
                unit=c.unit,
                role=c.role,
                role_name=role(c.role),
                due=c.due,
            )
            for c in p.closed
        ],
        opened=[
            OpenedTask(
                step=o.step,
                kegiatan=p.steps_after.get(o.step, ""),
                unit=o.unit,
                role=o.role,
                role_name=role(o.role),
                due=o.due,
                instead_of=o.instead_of,
            )
            for o in p.opened
        ],
    )


async def _moves(info: Info, mapping: list[StepMapInput] | None) -> tuple[CaseMoves, Any]:
    service, user_id = await acting_service(info)
    pairs = parse_mapping((m.from_step, m.to) for m in mapping or [])
    return CaseMoves(service, user_id), pairs


@strawberry.type
class MovingMutation:
    @strawberry.mutation(
        description="The dry run of moving running cases to the revision of their SOP in "
        "force: per case, the tasks kept (with new due times), closed and opened, or why it "
        "cannot move. Changes nothing. Office administrators only.",
        extensions=writing(),
    )
    async def preview_case_move(
        self, info: Info, sop: SopArg, cases: CasesArg, mapping: MappingArg = None
    ) -> PreviewCaseMoveResult:
        try:
            moves, pairs = await _moves(info, mapping)
            plans = await moves.preview(cases, pairs, sop_id=sop)
        except AlurError as exc:
            return from_error(exc)  # type: ignore[return-value]
        return CaseMovePreview(plans=[plan_node(p) for p in plans])

    @strawberry.mutation(
        description="Move running cases to the revision of their SOP in force, each on its "
        "own (a `case_migrated` event on its history); a case that cannot move is reported "
        "and left as it was. Office administrators only.",
        extensions=writing(),
    )
    async def move_cases(
        self, info: Info, sop: SopArg, cases: CasesArg, mapping: MappingArg = None
    ) -> MoveCasesResult:
        try:
            moves, pairs = await _moves(info, mapping)
            results = await moves.move(cases, pairs, sop_id=sop)
        except AlurError as exc:
            return from_error(exc)  # type: ignore[return-value]
        return CasesMoved(
            results=[
                CaseMoved(
                    case=r.key, moved=r.moved, reasons=list(r.reasons), plan=plan_node(r.plan)
                )
                for r in results
            ]
        )
