"""The case page's view model: open tasks (with what *I* may do), the step overview, the
timeline read from the event log, the attachments, and the data kinerja panels of my open
tasks at bound steps (:mod:`alur.web.kinerja.view`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from alur.core.calendar import WorkingCalendar
from alur.core.engine import EventKind, may_act, may_cancel, step_progress, tidak_names_units
from alur.core.errors import N_
from alur.core.i18n import format_message, gettext
from alur.core.model import SopDefinition, StepKind
from alur.core.monitoring.office_time import office_time_text
from alur.core.monitoring.spans import StepSpan
from alur.tenants.cases.service import AttachmentInfo, TenantService
from alur.tenants.cases.takers import TaskChoices, office_holders, task_choices
from alur.tenants.identity.people import users_by_id
from alur.tenants.monitoring.report import MutuBakuReports
from alur.web.deps import Viewer
from alur.web.kinerja.view import KinerjaPanel, kinerja_panels
from alur.web.sops.office_sheet import office_document_html

EVENT_LABELS = {
    EventKind.CASE_STARTED: N_("started the case"),
    EventKind.TASK_OPENED: N_("task opened"),
    EventKind.TASK_CLAIMED: N_("claimed the task"),
    EventKind.TASK_UNCLAIMED: N_("gave the task back"),
    EventKind.TASK_REASSIGNED: N_("handed the task over"),
    EventKind.TASK_COMPLETED: N_("completed"),
    EventKind.GATE_DECIDED: N_("decided"),
    EventKind.UNIT_JOINED: N_("finished the unit's part"),
    EventKind.FAN_OUT_OPENED: N_("sent to the units"),
    EventKind.TASK_CANCELLED: N_("task cancelled"),
    EventKind.CASE_FINISHED: N_("case finished"),
    EventKind.CASE_CANCELLED: N_("cancelled the case"),
    EventKind.CASE_MIGRATED: N_("moved the case to another revision of the SOP"),
}
# Why a clock event was written (its payload's ``reason``, alur.core.clock.TimerKind).
REMIND_REASONS = {
    "remind_before": N_("before the due time"),
    "remind_due": N_("due now"),
}
CHANNEL_NAMES = {"app": N_("in Alur"), "email": N_("email"), "webhook": N_("webhook")}


@dataclass(frozen=True)
class TaskView:
    id: int
    step: int
    kegiatan: str
    output: str
    unit: str | None
    unit_name: str
    role_name: str
    due: datetime | None
    overdue: bool
    assignee_name: str | None
    mine: bool
    claimed_by_me: bool
    is_decision: bool
    question: str
    return_note: str
    people: list[dict] = field(default_factory=list)
    # the role an escalation put it before ("perlu perhatian"), by name; "" if none
    attention_of: str = ""
    # (slug, name) of the units a "tidak" may send back: a gate after a join whose "tidak"
    # returns into the per-unit steps (empty: the answer takes no units)
    return_units: list[tuple[str, str]] = field(default_factory=list)
    # what the engine would accept from me on it: claim, give back, hand over (to ``people``)
    choices: TaskChoices = field(default_factory=TaskChoices)


@dataclass(frozen=True)
class StepView:
    number: int
    kegiatan: str
    role_name: str
    kind: str
    state: str  # done | current | returned | partial | todo (alur.core.engine.progress)
    returned: bool = False  # current because a "tidak" sent the work back here
    done_units: int = 0  # a per-unit step: units done, of ``units`` taking part
    units: int = 0
    waktu: str = ""  # its mutu baku as written
    # its finished tasks' actual office time (alur.tenants.monitoring): text, unit, kept?
    times: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class CaseView:
    key: str
    sop_id: str
    sop_name: str
    period: str
    status: str
    started_at: datetime
    units: list[str]
    tasks: list[TaskView]
    steps: list[StepView]
    timeline: list[dict[str, Any]]
    attachments: list[AttachmentInfo]
    flowchart: Markup = field(default_factory=Markup)
    error: str | None = None
    error_code: str | None = None  # the error's stable code (data-error-code)
    error_task: int | None = None
    draft: dict[str, Any] = field(default_factory=dict)
    kinerja: dict[int, KinerjaPanel] = field(default_factory=dict)  # by task id
    has_kinerja: bool = False  # the SOP binds steps to data kinerja
    may_cancel: bool = False  # the engine lets me cancel the case (it is active)
    cancel_error: str | None = None  # a refused cancellation, shown by its reason field
    cancel_reason: str = ""  # the reason typed, kept on refusal
    cancel_code: str | None = None  # the refusal's stable code (data-error-code)

    @property
    def draft_rows(self) -> list[tuple[str, str]]:
        """The data rows (name, value) of the form sent back with an error, filled ones."""
        names = self.draft.get("data_name") or []
        values = self.draft.get("data_value") or []
        rows = zip(names, [*values, *[""] * (len(names) - len(values))], strict=False)
        return [(n, v) for n, v in rows if n.strip() or v.strip()]

    @property
    def my_tasks(self) -> list[TaskView]:
        return [t for t in self.tasks if t.mine]


async def case_view(tenant: TenantService, viewer: Viewer, key: str) -> CaseView:
    case = await tenant.case_for(viewer.user_id, key)  # who may read it: as every download
    d = await tenant.definition_of(case)
    history = await tenant.history_of(case)
    units = {u["slug"]: u["name"] for u in await tenant.units()}
    now = datetime.now(UTC)
    today = now.astimezone(ZoneInfo(tenant.tenant["timezone"])).date()
    assert viewer.user_id is not None  # case_for refuses anyone else
    actor = (await tenant.context(viewer.user_id)).actor
    holders = (
        await office_holders(tenant.ref.id, today)
        if actor is not None and case.state.open_tasks
        else []
    )
    tasks = []
    for t in sorted(case.state.open_tasks.values(), key=lambda t: (t.step, t.unit or "")):
        step = d.step(t.step)
        mine = (
            actor is not None
            and may_act(actor, d, step, t.unit)
            and (t.assignee is None or t.assignee == actor.id)
        )
        choices = task_choices(d, t, actor, holders) if actor is not None else TaskChoices()
        tasks.append(
            TaskView(
                id=t.id,
                step=t.step,
                kegiatan=step.kegiatan,
                output=step.output,
                unit=t.unit,
                unit_name=units.get(t.unit or "", t.unit or ""),
                role_name=d.role(step.actor).name,
                due=t.due,
                overdue=t.is_overdue(now),
                assignee_name=t.assignee_name,
                mine=mine,
                claimed_by_me=actor is not None and t.assignee == actor.id,
                is_decision=step.kind is StepKind.DECISION,
                question=step.gate.question if step.gate else "",
                return_note=t.return_note,
                people=choices.people,
                attention_of=_role_name(d, t.escalated_to) if t.escalated_to else "",
                return_units=[(u, units.get(u, u)) for u in case.state.units]
                if tidak_names_units(d, t.step)
                else [],
                choices=choices,
            )
        )
    context = await tenant.context(viewer.user_id)
    spans = await MutuBakuReports(tenant).case_spans(case, history, context.calendar)
    steps = _steps(d, history, case.state.units, step_times(spans, units, context.calendar))
    return CaseView(
        key=case.key,
        sop_id=case.sop_id,
        sop_name=d.header.nama,
        period=case.period,
        status=case.status,
        started_at=case.started_at,
        units=[units.get(u, u) for u in case.state.units],
        tasks=tasks,
        steps=steps,
        timeline=_timeline(
            d,
            history,
            units,
            await _names_told(history),
            context.calendar,
        ),
        attachments=await tenant.attachments_of(case),
        flowchart=with_flow_marks(document_html(d, tenant), steps),
        kinerja=await kinerja_panels(
            tenant, case, d, [(t.id, t.step, t.unit) for t in tasks if t.mine]
        ),
        has_kinerja=d.binds_data,
        may_cancel=case.status == "active" and actor is not None and may_cancel(d, actor),
    )


def _steps(
    d: SopDefinition,
    history: list,
    units: tuple[str, ...],
    times: dict[int, tuple[dict[str, Any], ...]] | None = None,
) -> list[StepView]:
    """The step list: each step's state as :func:`alur.core.engine.step_progress` tells it,
    with the actual time of its finished tasks beside its mutu baku."""
    return [
        StepView(
            p.number,
            s.kegiatan,
            d.role(s.actor).name,
            str(s.kind),
            p.state,
            p.returned,
            p.done_units,
            p.units,
            s.waktu.text,
            (times or {}).get(s.number, ()),
        )
        for s, p in zip(d.steps, step_progress(d, units, history), strict=True)
    ]


def step_times(
    spans: list[StepSpan], units: dict[str, str], calendar: WorkingCalendar
) -> dict[int, tuple[dict[str, Any], ...]]:
    """Per step number, its finished tasks in the order they closed: the actual office time
    as people write it, the unit's name ("" for an office-wide step), whether it kept the
    mutu baku (None without one) and its round (1 or more: rework after a "tidak")."""
    times: dict[int, list[dict[str, Any]]] = {}
    for span in sorted((s for s in spans if s.finished), key=lambda s: s.closed_at or s.opened_at):
        times.setdefault(span.step, []).append(
            {
                "text": office_time_text(span.total, calendar.minutes_per_day),
                "minutes": span.total,
                "unit": units.get(span.unit or "", span.unit or ""),
                "within": span.within,
                "round": span.round,
            }
        )
    return {step: tuple(found) for step, found in times.items()}


# A flowchart row of the SOP document (web/templates/sop/document.html).
_FLOW_ROW = re.compile(r'<tr class="sop-row ([^"]*)" data-step="(\d+)"')


def with_flow_marks(document: Markup, steps: list[StepView]) -> Markup:
    """The case's flowchart with its done, current, returned and partly done rows marked by
    class (``flow-<state>``), so they show without JavaScript (static/alur.js keeps them up
    to date after htmx actions)."""
    marks = {str(s.number): f" flow-{s.state}" for s in steps if s.state != "todo"}

    def mark(row: re.Match[str]) -> str:
        classes, step = row.groups()
        return f'<tr class="sop-row {classes}{marks.get(step, "")}" data-step="{step}"'

    return Markup(_FLOW_ROW.sub(mark, document))


def _role_name(d: SopDefinition, role: str) -> str:
    found = d.roles_by_id.get(role)
    return found.name if found is not None else role


async def _names_told(history: list) -> dict[str, str]:
    """The names of the people the case's clock events told (user ids as text)."""
    ids = sorted(
        {
            int(i)
            for e in history
            if e.kind in (EventKind.TASK_REMINDED, EventKind.TASK_ESCALATED)
            for i in e.payload.get("to", [])
            if str(i).isdigit()
        }
    )
    return {str(r["id"]): r["name"] for r in await users_by_id(ids) if r is not None}


def _late(at: datetime, due: datetime | None, calendar: WorkingCalendar) -> str:
    """How late a task is at ``at``, in office time ("1 hari kerja", "3 jam kerja")."""
    if due is None or at <= due:
        return ""
    minutes = calendar.office_minutes_between(due, at)
    if minutes >= calendar.minutes_per_day:
        return format_message("{days} working day(s)", days=minutes // calendar.minutes_per_day)
    if minutes >= 60:
        return format_message("{hours} office hour(s)", hours=minutes // 60)
    return format_message("{minutes} minute(s)", minutes=max(minutes, 1))


def _clock_entry(
    d: SopDefinition, e: Any, names: dict[str, str], due: datetime | None, cal: WorkingCalendar
) -> str:
    """What a task_reminded / task_escalated event says in the case's history."""
    told = ", ".join(names.get(str(i), str(i)) for i in e.payload.get("to", []))
    channels = ", ".join(
        gettext(CHANNEL_NAMES[c]) if c in CHANNEL_NAMES else c
        for c in e.payload.get("channels", [])
    )
    if e.kind is EventKind.TASK_ESCALATED:
        late = _late(e.at, due, cal)
        text = format_message(
            "Escalated to {role}", role=_role_name(d, e.payload.get("to_role", ""))
        )
        if late:
            text += " — " + format_message("overdue by {late}", late=late)
        if told:
            text += " · " + format_message(
                "told {names} ({channels})", names=told, channels=channels
            )
        return text
    reason = str(e.payload.get("reason", ""))
    why = gettext(REMIND_REASONS[reason]) if reason in REMIND_REASONS else reason
    text = format_message(
        "Reminder sent to {names} ({channels})", names=told or "—", channels=channels or "—"
    )
    return f"{text} — {why}" if why else text


def _timeline(
    d: SopDefinition,
    history: list,
    units: dict[str, str],
    names: dict[str, str] | None = None,
    calendar: WorkingCalendar | None = None,
) -> list[dict[str, Any]]:
    clock = (EventKind.TASK_REMINDED, EventKind.TASK_ESCALATED)
    dues = {e.task: e.due for e in history if e.kind is EventKind.TASK_OPENED}
    shown = (
        *clock,
        EventKind.CASE_STARTED,
        EventKind.TASK_CLAIMED,
        EventKind.TASK_UNCLAIMED,
        EventKind.TASK_REASSIGNED,
        EventKind.TASK_COMPLETED,
        EventKind.GATE_DECIDED,
        EventKind.CASE_FINISHED,
        EventKind.CASE_CANCELLED,
        EventKind.CASE_MIGRATED,
    )
    entries = []
    for e in reversed(history):
        if e.kind not in shown:
            continue
        role = d.roles_by_id.get(e.role or "")
        entries.append(
            {
                "at": e.at,
                "who": e.actor_name,
                "role": role.name if role else "",
                "delegation": e.delegation,
                "acting_for": e.acting_for_name,
                "what": _clock_entry(d, e, names or {}, dues.get(e.task), calendar)
                if e.kind in clock and calendar is not None
                else gettext(EVENT_LABELS.get(e.kind, str(e.kind))),
                "kind": str(e.kind),
                "step": e.step,
                # (a step of a moved case's earlier definition may be gone from its own)
                "kegiatan": d.steps_by_number[e.step].kegiatan
                if e.step in d.steps_by_number
                else "",
                "unit": units.get(e.unit or "", e.unit or ""),
                "note": e.note,
                "answer": e.payload.get("answer"),
                "to": e.payload.get("to_name"),
            }
        )
    return entries


def document_html(d: SopDefinition, tenant: TenantService) -> Markup:
    """The SOP sheet of a definition as the office prints it
    (:func:`alur.web.sops.office_sheet.office_document_html`), with "Revisi ke-n" when it is
    one of the office's approved revisions."""
    return office_document_html(tenant, d, tenant.revision_number(d))
