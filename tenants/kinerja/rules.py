"""The data kinerja rules of bound steps, and what their events record.

A step bound with ``data = "..."`` (:class:`~alur.core.model.DataAction`) is held to a rule
when it is *done*: completed, or answered "ya" for a gate. :func:`with_step_data` is called
by :meth:`alur.tenants.cases.service.TenantService.act` before a transition is stored; it refuses
the action with :class:`~alur.core.errors.InvalidInput` or adds, under ``data["kinerja"]``,
what the step did, so that the hash-chained event log is the record:

=========  ==============================================  =====================================
binding    done only when                                  records
=========  ==============================================  =====================================
design     the period's format has indicators              ``{"set_hash"}``
fill       the unit's latest submission has every          ``{"unit", "version", "sha256"}``
           indicator the unit reports                      (the stored version's
                                                           :func:`submission_hash`; ``version``
                                                           null when it reports none)
verify     (no rule)                                       nothing
recap      the recap is complete                           ``{"recap_hash"}``
paraf      the actor confirms (:mod:`.signing`: today     ``{"approval": "paraf", "recap_hash",
           the password asked again)                       "method"}``
sign       the actor confirms, as for paraf                ``{"approval": "sign", "recap_hash",
                                                           "method"}``
archive    a tanda tangan holds for the current recap      ``{"recap_hash"}``
=========  ==============================================  =====================================

A "tidak" records nothing, and a ``kinerja`` key sent by a client is dropped on every step
(on a bound one replaced by the record), so it cannot be forged; readers trust only events of
steps bound to the matching action. Unbound steps are otherwise untouched.

:func:`approvals` and :func:`verification_changes` read those records back;
:func:`values_by_code` is the rule of the codes a unit's data may name (both doors send what
they were given, so both refuse alike), :func:`recap_of` the one way a recap is assembled.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from alur.core import limits
from alur.core.engine import Action, Complete, Decide, EventKind, membership_for
from alur.core.engine.events import Event
from alur.core.engine.state import Task
from alur.core.errors import N_, ActionError
from alur.core.i18n import error_message, format_message, gettext
from alur.core.kinerja.changes import Change, changes_between
from alur.core.kinerja.model import Approval, ApprovalKind, IndicatorSet, Recap, Submission
from alur.core.kinerja.recap import build_recap
from alur.core.model import Answer, DataAction, SopDefinition, Step
from alur.tenants.cases.store import StoredCase
from alur.tenants.errors import Forbidden, InvalidInput, NotFound
from alur.tenants.kinerja import signing
from alur.tenants.kinerja.data import (
    KEY,
    latest_submissions,
    load_indicator_set,
    load_submissions,
    set_hash,
    stored_submissions,
    submission_hash,
)
from alur.tenants.storage.tables import User

if TYPE_CHECKING:
    from alur.tenants.cases.service import TenantService

_WRONG_STEP = {
    DataAction.DESIGN: N_(
        "edit the format data kinerja at task {task}: step {step} is not where the format "
        "is designed"
    ),
    DataAction.FILL: N_(
        "enter data kinerja at task {task}: step {step} is not where the units fill in their data"
    ),
}


# --- who may write -------------------------------------------------------------------------


async def bound_task(
    service: TenantService,
    user_id: int,
    case: StoredCase,
    d: SopDefinition,
    task_no: int,
    action: DataAction,
) -> Task:
    """The open task ``task_no`` of ``case`` if it is at a step bound to ``action`` and
    ``user_id`` may act on it now (the engine's rule: the step's role, for the task's unit,
    Plt/Plh where the step allows; a claimed task only by its claimant).

    Raises :class:`NotFound` (no such open task) or :class:`Forbidden`.
    """
    task = case.state.open_tasks.get(task_no)
    if task is None:
        raise NotFound(
            what=format_message("open task {task} of case {case}", task=task_no, case=case.key)
        )
    step = d.step(task.step)
    if step.data is not action:
        raise Forbidden(what=format_message(_WRONG_STEP[action], task=task_no, step=step.number))
    ctx = await service.context(user_id)
    try:
        membership_for(ctx.actor, d, step, task.unit)
    except ActionError as exc:
        raise Forbidden(
            what=format_message(
                "act on task {task}: {reason}", task=task_no, reason=error_message(exc)
            )
        ) from exc
    if task.assignee is not None and task.assignee != ctx.actor.id:
        raise Forbidden(
            what=format_message(
                "act on task {task}: {name} has claimed it",
                task=task_no,
                name=task.assignee_name or task.assignee,
            )
        )
    return task


# --- what a unit's data may name -------------------------------------------------------------

GivenValues = Mapping[str, Mapping[str, str]] | Sequence[tuple[str, Mapping[str, str]]]


def values_by_code(
    values: GivenValues, reported: Collection[str], unit: str
) -> tuple[dict[str, Mapping[str, str]], dict[str, str]]:
    """A unit's values by indicator code (the first of a code given twice), and the
    problems of the codes, under ``"{code}.code"``: a code given more than once, or one
    that is not an indicator ``unit`` reports (``reported``). ``values`` is what was sent,
    in order: code → ``{"realisasi", "explanation"}``, or (code, fields) pairs."""
    pairs = list(values.items()) if isinstance(values, Mapping) else list(values)
    by_code: dict[str, Mapping[str, str]] = {}
    errors: dict[str, str] = {}
    for code, given in pairs:
        shown = code[: limits.SHORT]
        if code in by_code:
            errors[f"{code}.code"] = format_message(
                'the code "{code}" is used more than once', code=shown
            )
        elif code not in reported:
            errors[f"{code}.code"] = format_message(
                "{code} is not an indicator {unit} reports", code=shown, unit=unit
            )
        by_code.setdefault(code, given)
    return by_code, errors


# --- reading the case's data ------------------------------------------------------------------


async def case_set(service: TenantService, case: StoredCase) -> IndicatorSet:
    """The format of the case's period (empty when there is none yet)."""
    found = await load_indicator_set(service.ref.id, case.period)
    return IndicatorSet.or_empty(found, case.period)


def recap_of(
    period: str,
    units: Sequence[str],
    indicator_set: IndicatorSet | None,
    latest: Mapping[str, Submission],
) -> Recap:
    """The recap of a case of ``period`` over its ``units``: the period's format (``None``
    while it has none: then the recap has no sasaran and is not complete) and each unit's
    latest data (:func:`~alur.core.kinerja.recap.build_recap`).

    The one assembly of a recap: the service (:func:`case_recap`, the rules of bound steps),
    the web pages and their XLSX/PDF exports and GraphQL's ``Case.kinerja`` all call it,
    each with the rows it has read (its own per-request cache or DataLoaders)."""
    return build_recap(IndicatorSet.or_empty(indicator_set, period), tuple(units), latest)


async def case_recap(service: TenantService, case: StoredCase) -> Recap:
    """The recap of ``case`` (:func:`recap_of`), read from the database."""
    found = await load_indicator_set(service.ref.id, case.period)
    latest = await latest_submissions(service.ref.id, case.id)
    return recap_of(case.period, case.state.units, found, latest)


def _record(e: Event) -> dict[str, Any]:
    data = e.payload.get("data")
    record = data.get(KEY) if isinstance(data, dict) else None
    return record if isinstance(record, dict) else {}


def _done(e: Event) -> bool:
    """Whether ``e`` completed its step: a completion, or "ya" at a gate."""
    if e.kind is EventKind.TASK_COMPLETED:
        return True
    return e.kind is EventKind.GATE_DECIDED and e.payload.get("answer") == str(Answer.YA)


def _bound(d: SopDefinition, *actions: DataAction) -> set[int]:
    return {s.number for s in d.steps if s.data in actions}


async def approvals(service: TenantService, case: StoredCase, d: SopDefinition) -> list[Approval]:
    """Every paraf and tanda tangan of the case, oldest first, from its event log.

    The name and NIP are the acting person's (their ``alur_user`` row); ``jabatan`` is the
    position signed as: for a Plt/Plh the official's, otherwise the person's own — the
    step's role name when the user row has none.
    """
    steps = _bound(d, DataAction.PARAF, DataAction.SIGN)
    found = [
        (e, r)
        for e in await service.history_of(case)
        if e.step in steps and _done(e) and (r := _record(e)).get("recap_hash")
    ]
    users = await _users({x for e, _ in found for x in (e.actor, e.acting_for) if x})
    result = []
    for e, r in found:
        step = d.step(e.step)  # type: ignore[arg-type]
        actor = users.get(e.actor or "")
        official = users.get(e.acting_for or "") if e.delegation else None
        holder = official if e.delegation else actor
        role = d.roles_by_id.get(e.role or step.actor)
        result.append(
            Approval(
                kind=ApprovalKind(str(step.data)),
                step=step.number,
                recap_hash=r["recap_hash"],
                name=actor["name"] if actor else e.actor_name,
                jabatan=(holder["jabatan"] if holder else "") or (role.name if role else ""),
                nip=actor["nip"] if actor else "",
                pangkat=actor["pangkat"] if actor else "",
                acting=e.delegation or "",
                acting_for=(official["name"] if official else e.acting_for_name or "")
                if e.delegation
                else "",
                at=e.at,
            )
        )
    return result


async def _users(ids: set[str]) -> dict[str, dict[str, Any]]:
    """The ``alur_user`` rows of event actors (user ids as text), by id."""
    numbers = [int(i) for i in ids if i.isdigit()]
    if not numbers:
        return {}
    rows = await User.select(User.id, User.name, User.nip, User.jabatan, User.pangkat).where(
        User.id.is_in(numbers)
    )
    return {str(r["id"]): r for r in rows}


async def verification_changes(
    service: TenantService, case: StoredCase, d: SopDefinition, unit: str
) -> tuple[Change, ...]:
    """What ``unit`` changed since its data was last sent back at verification.

    The most recent "tidak" at a verify-bound step for ``unit`` (or at a verify step that is
    not per unit and returned this unit) is found in the event log; the version compared
    against is the one recorded by the unit's last fill completion before it, and the other
    side is the unit's latest submission. Empty when there was no such "tidak" or no
    submission.
    """
    verify = _bound(d, DataAction.VERIFY)
    fill = _bound(d, DataAction.FILL)
    events = await service.history_of(case)
    tidak = None
    for e in events:
        if (
            e.kind is EventKind.GATE_DECIDED
            and e.step in verify
            and e.payload.get("answer") == str(Answer.TIDAK)
            and (e.unit == unit or (e.unit is None and unit in e.payload.get("units", [unit])))
        ):
            tidak = e
    if tidak is None:
        return ()
    version = None
    for e in events:
        if e.seq >= tidak.seq:
            break
        if e.kind is EventKind.TASK_COMPLETED and e.step in fill and e.unit == unit:
            version = _record(e).get("version")
    history = (await load_submissions(service.ref.id, case.id, unit)).get(unit, [])
    if not history:
        return ()
    before = next((s for s in history if s.version == version), None)
    return changes_between(before, history[-1])


# --- the rules of bound steps -------------------------------------------------------------


async def with_step_data(
    service: TenantService,
    d: SopDefinition,
    case: StoredCase,
    action: Action,
    *,
    user_id: int | None = None,
    password: str | None = None,
) -> Action:
    """``action`` with its step's kinerja record added, or a refusal (module docstring).

    Returns ``action`` itself when the step is not bound or the action is not a completion
    or a gate answer. ``user_id`` and ``password`` are the actor and the credential it gave
    (checked only for a paraf/tanda tangan, by :func:`.signing.confirm`).
    """
    if not isinstance(action, Complete | Decide):
        return action
    task = case.state.open_tasks.get(action.task)
    step = d.step(task.step) if task is not None else None
    data = {k: v for k, v in action.data.items() if k != KEY}
    if task is None or step is None or step.data is None:
        # a client's own ``kinerja`` record is dropped on every step, bound or not: only
        # these rules write one (the verification page trusts no other)
        return action if data == dict(action.data) else dataclasses.replace(action, data=data)
    if isinstance(action, Complete) or Answer(action.answer) is Answer.YA:
        record = await _rule(service, d, case, step, task, (user_id, password))
        if record is not None:
            data[KEY] = record
    if data == dict(action.data):
        return action
    return dataclasses.replace(action, data=data)


async def _rule(
    service: TenantService,
    d: SopDefinition,
    case: StoredCase,
    step: Step,
    task: Task,
    credential: tuple[int | None, str | None] = (None, None),
) -> dict[str, Any] | None:
    binding = step.data
    if binding is DataAction.DESIGN:
        indicator_set = await case_set(service, case)
        if not indicator_set.indicators:
            raise InvalidInput(
                {
                    "indicators": format_message(
                        "the format data kinerja of {period} has no indicators yet",
                        period=case.period,
                    )
                }
            )
        return {"set_hash": set_hash(indicator_set)}
    if binding is DataAction.FILL:
        return await _fill_rule(service, case, task)
    if binding is DataAction.VERIFY:
        return None
    recap = await case_recap(service, case)
    if binding is DataAction.RECAP:
        if not recap.complete:
            raise InvalidInput(
                {
                    "recap": gettext(
                        "the recap is not complete: every unit must first enter every "
                        "indicator it reports"
                    )
                }
            )
        return {"recap_hash": recap.content_hash}
    if binding in (DataAction.PARAF, DataAction.SIGN):
        user_id, password = credential
        method = await signing.confirm(service, user_id, binding, password, recap.content_hash)
        return {**method, "approval": str(binding), "recap_hash": recap.content_hash}
    # ARCHIVE
    signed = [
        a
        for a in await approvals(service, case, d)
        if a.kind is ApprovalKind.SIGN and a.valid_for(recap.content_hash)
    ]
    if not signed:
        raise InvalidInput(
            {
                "approvals": gettext(
                    "the current recap has no valid tanda tangan: it must be signed "
                    "(again) before it is archived"
                )
            }
        )
    return {"recap_hash": recap.content_hash}


async def _fill_rule(service: TenantService, case: StoredCase, task: Task) -> dict[str, Any] | None:
    unit = task.unit
    if unit is None:  # validation keeps fill on per-unit steps
        return None
    indicators = (await case_set(service, case)).for_unit(unit, case.state.units)
    history = (await load_submissions(service.ref.id, case.id, unit)).get(unit, [])
    latest = history[-1] if history else None
    missing = {
        f"{i.code}.realisasi": gettext(
            "no realisasi saved yet: save the form before completing the step"
        )
        for i in indicators
        if latest is None or latest.entry(i.code) is None
    }
    if missing:
        raise InvalidInput(missing)
    if latest is None:
        return {"unit": unit, "version": None}
    rows = await stored_submissions(service.ref.id, case.id, unit)
    row = next(r for r in rows if r["version"] == latest.version)
    return {"unit": unit, "version": latest.version, "sha256": submission_hash(row)}
