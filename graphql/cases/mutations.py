"""The write side: start or cancel a case, claim / unclaim / complete / decide / reassign a
task.

Every mutation goes through the same service layer as the web UI
(:class:`~alur.tenants.cases.service.TenantService`: ``start_case``, ``cancel_case``,
``act``, ``reassign``),
**as the person the write token was created for** — their roles, units and Plt/Plh
delegations decide what they may do, and every event names them. Read and platform tokens
get ``Forbidden``. Refusals are typed results (``NotFound``, ``Forbidden``, ``Conflict``,
``InvalidInput``, ``ActionRefused``); a success returns the case and the events the action
wrote (``CaseChanged``).
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from alur.core import model
from alur.core.engine import Action, Claim, Complete, Decide, Unclaim
from alur.core.errors import AlurError
from alur.core.i18n import format_message, gettext
from alur.graphql.cases.types import Case, Event, case_node, event_node
from alur.graphql.errors import (
    ActionRefused,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    from_error,
    invalid,
)
from alur.graphql.permissions import writing
from alur.graphql.types import Info
from alur.tenants.cases.rules import check_action
from alur.tenants.cases.service import TenantService
from alur.tenants.cases.store import StoredCase
from alur.tenants.errors import Forbidden as ForbiddenError
from alur.tenants.errors import InvalidInput as InvalidInputError
from alur.tenants.errors import NotFound as NotFoundError
from alur.tenants.identity import people

# A paraf/tanda tangan is confirmed by the person's password, asked again (an API token
# alone cannot approve: alur.tenants.kinerja.signing).
PASSWORD_HELP = (
    "The password of the person the token acts for: required to complete (or answer "
    '"ya" at) a paraf or tanda tangan step; a wrong one counts as a failed sign-in.'
)


@strawberry.enum(description='A decision\'s answer: "ya" continues, "tidak" returns the work.')
class Answer(enum.Enum):
    YA = "ya"
    TIDAK = "tidak"


@strawberry.input(description='The time of a step whose waktu is "Sesuai dengan waktu …".')
class StepDurationInput:
    step: int
    waktu: str = strawberry.field(description='E.g. "3 hari", "120 menit".')


@strawberry.input(description="A new case of one of the office's SOPs.")
class StartCaseInput:
    sop: str = strawberry.field(description="The SOP id.")
    period: str = strawberry.field(
        description="Triwulan I–IV, Semester I–II or Tahun, and the year: "
        '"Triwulan III 2026", "Semester I 2026", "Tahun 2026". A second case of an SOP '
        "for a period already started is refused unless the SOP is repeatable."
    )
    units: list[str] | None = strawberry.field(
        default=None, description="Units to fan out over (default: every active unit)."
    )
    durations: list[StepDurationInput] | None = strawberry.field(
        default=None, description="Required for the steps whose time is set per case."
    )


@strawberry.type(description="The action was applied: the case now, and the events it wrote.")
class CaseChanged:
    case: Case
    events: list[Event]


StartCaseResult = Annotated[
    CaseChanged | Forbidden | NotFound | InvalidInput | ActionRefused,
    strawberry.union("StartCaseResult"),
]
TaskActionResult = Annotated[
    CaseChanged | Forbidden | NotFound | Conflict | InvalidInput | ActionRefused,
    strawberry.union("TaskActionResult"),
]

Run = Callable[[TenantService, int], Awaitable[StoredCase]]
CaseKey = Annotated[str, strawberry.argument(description="The case's key.")]
TaskNumber = Annotated[int, strawberry.argument(description="The task's number in its case.")]


async def acting_service(info: Info) -> tuple[TenantService, int]:
    """The token's office and person; :class:`ForbiddenError` if the person may no longer
    act there, ``TenantSuspended`` if the office is suspended."""
    identity = info.context.identity
    assert identity is not None
    assert identity.user_id is not None
    service = await info.context.tenant_service()
    try:
        await service.context(identity.user_id)
    except NotFoundError:
        raise ForbiddenError(
            what=gettext("act in this office: the token's person is no longer a member here")
        ) from None
    return service, identity.user_id


async def changed(info: Info, case_id: int, after_seq: int) -> CaseChanged:
    loaders = info.context.loaders
    loaders.forget_case(case_id)
    row = await loaders.cases.load(case_id)
    assert row is not None
    events = [event_node(e) for e in await loaders.events.load(case_id) if e["seq"] > after_seq]
    return CaseChanged(case=case_node(row), events=events)


async def on_task(info: Info, case_key: str, run: Run, action: Action | None = None) -> Any:
    """Run a task action: its input's limits first (``action``, before any lookup), then the
    case (another office's key is ``NotFound``), then the person, then the service; expected
    errors become results."""
    try:
        if action is not None:
            check_action(action)
        service = await info.context.tenant_service()
        before = await service.case(case_key)
        service, user_id = await acting_service(info)
        stored = await run(service, user_id)
    except AlurError as exc:
        return from_error(exc)
    return await changed(info, stored.id, before.last_seq)


def start_fields(exc: AlurError) -> dict[str, str]:
    """The mutation's names of the service's fields: every step's duration is ``durations``."""
    errors = exc.errors if isinstance(exc, InvalidInputError) else {}
    return {k: "durations" for k in errors if k.startswith("duration_")}


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Start a case of an SOP for a period.", extensions=writing())
    async def start_case(self, info: Info, input: StartCaseInput) -> StartCaseResult:
        try:
            service, user_id = await acting_service(info)
            durations = {d.step: d.waktu for d in input.durations or []}
            units = tuple(input.units) if input.units is not None else None
            stored = await service.start_case(user_id, input.sop, input.period, durations, units)
        except AlurError as exc:
            return from_error(exc, field_names=start_fields(exc))
        return await changed(info, stored.id, 0)

    @strawberry.mutation(description="Take an open task: it becomes yours.", extensions=writing())
    async def claim_task(self, info: Info, case_key: CaseKey, task: TaskNumber) -> TaskActionResult:
        return await on_task(info, case_key, lambda s, u: s.act(u, case_key, Claim(task)))

    @strawberry.mutation(
        description="Give a task you claimed back: anyone holding its role may take it again.",
        extensions=writing(),
    )
    async def unclaim_task(
        self, info: Info, case_key: CaseKey, task: TaskNumber
    ) -> TaskActionResult:
        return await on_task(info, case_key, lambda s, u: s.act(u, case_key, Unclaim(task)))

    @strawberry.mutation(
        description="Cancel an active case, saying why. Allowed to the official who starts "
        "the SOP, the head of the office and administrators.",
        extensions=writing(),
    )
    async def cancel_case(
        self,
        info: Info,
        case_key: CaseKey,
        reason: Annotated[str, strawberry.argument(description="Why (kept in the history).")],
    ) -> TaskActionResult:
        return await on_task(info, case_key, lambda s, u: s.cancel_case(u, case_key, reason))

    @strawberry.mutation(
        description="Complete a start, process or end step, with its output note and data.",
        extensions=writing(),
    )
    async def complete_task(
        self,
        info: Info,
        case_key: CaseKey,
        task: TaskNumber,
        note: str = "",
        data: Annotated[
            JSON | None,
            strawberry.argument(description="The step's output as named values (an object)."),
        ] = None,
        password: Annotated[
            str | None,
            strawberry.argument(description=PASSWORD_HELP),
        ] = None,
    ) -> TaskActionResult:
        if data is not None and not isinstance(data, dict):
            return invalid({"data": gettext("give the data as an object of named values")})
        action = Complete(task, note.strip(), dict(data or {}))
        return await on_task(
            info, case_key, lambda s, u: s.act(u, case_key, action, password=password), action
        )

    @strawberry.mutation(
        description='Answer a decision step: "ya", or "tidak" with a note saying what to fix.',
        extensions=writing(),
    )
    async def decide_gate(
        self,
        info: Info,
        case_key: CaseKey,
        task: TaskNumber,
        answer: Answer,
        note: str = "",
        units: Annotated[
            list[str] | None,
            strawberry.argument(
                description='A "tidak" from after the join back into the per-unit steps '
                "returns the work of these units (default: all)."
            ),
        ] = None,
        password: Annotated[
            str | None,
            strawberry.argument(description=PASSWORD_HELP),
        ] = None,
    ) -> TaskActionResult:
        action = Decide(
            task,
            model.Answer(answer.value),
            note.strip(),
            tuple(units) if units is not None else None,
        )
        return await on_task(
            info, case_key, lambda s, u: s.act(u, case_key, action, password=password), action
        )

    @strawberry.mutation(
        description="Give a task to someone else who holds its role (for its unit).",
        extensions=writing(),
    )
    async def reassign_task(
        self,
        info: Info,
        case_key: CaseKey,
        task: TaskNumber,
        to: Annotated[str, strawberry.argument(description="The username to give it to.")],
    ) -> TaskActionResult:
        async def run(service: TenantService, user_id: int) -> StoredCase:
            target = await people.user_id(to)
            try:
                if target is None:
                    raise NotFoundError(what=gettext("user"))
                return await service.reassign(user_id, case_key, task, target)
            except NotFoundError:  # the case and the acting person were found: it is `to`
                raise InvalidInputError(
                    {"to": format_message('no user "{username}" in this office', username=to)}
                ) from None

        return await on_task(info, case_key, run)
