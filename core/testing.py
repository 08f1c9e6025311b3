"""Conformance checks for plugin authors: load a plugin, validate it, walk every path.

:func:`check_plugin` registers a plugin (a module or object with ``@hookimpl`` functions)
with a fresh plugin manager, as Alur does at start-up, and collects *every* loading and
validation error. Then, for each SOP, it walks the case through the pure engine
(:mod:`alur.core.engine`) with fake people — one per role, and one per role and unit for a
per-unit role — and a fake clock, taking every gate answer: "ya", and "tidak" (after a join
back into a fan-out, once for all units and once for the first unit only). Each walk must
end in a finished case, and together the walks must reach every step. Along the way the
plugin's own case hooks are asked as the service layer asks them: its
``alur_validate_step_data`` must accept the data of each completion (give it with
``step_data``), and its event hooks must not raise.

Every walk terminates: each gate's "tidak" is taken at most once per walk, a walk has a
bounded number of actions, and at most ``max_walks`` walks are made per SOP (a report says
when that bound cut the search short). Nothing here does I/O beyond what the plugin's own
hooks do while it loads::

    from alur.core.testing import assert_conformant
    import alur_diskominfo_contoh

    def test_conformant():
        assert_conformant(alur_diskominfo_contoh, name="diskominfo_contoh")
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from alur.core.calendar import JAKARTA, WorkingCalendar
from alur.core.engine import (
    Action,
    Actor,
    CaseState,
    CaseStatus,
    Complete,
    Context,
    Decide,
    EventKind,
    Membership,
    StartCase,
    Task,
    Transition,
    act,
    start,
    tidak_names_units,
)
from alur.core.errors import ActionError
from alur.core.model import Answer, SopDefinition, Step, StepKind
from alur.core.plugins import AlurPlugins, LoadedPlugin, create_plugin_manager

__all__ = [
    "DEFAULT_MAX_WALKS",
    "FAKE_UNITS",
    "ConformanceReport",
    "SopReport",
    "StepData",
    "assert_conformant",
    "check_plugin",
]

DEFAULT_MAX_WALKS = 500
FAKE_UNITS = ("unit-a", "unit-b")  # when the plugin declares no units of its own
START_AT = datetime(2026, 1, 5, 8, 0, tzinfo=JAKARTA)  # a Monday, inside office hours
TICK = timedelta(minutes=7)  # the fake clock moves on this much per action
MAX_FINDINGS = 20  # per SOP: the first ones say enough

StepData = Callable[[SopDefinition, Step, "str | None"], Mapping[str, Any]]
"""``step_data(definition, step, unit)``: the data a walk submits when it completes
``step`` for ``unit`` (``None`` for a step that runs once); ask it of your
``alur_validate_step_data``."""


@dataclass(frozen=True)
class SopReport:
    """What the walks of one SOP found."""

    sop: str
    walks: int  # walks made (finished or not)
    finished: int  # walks that ended in a finished case
    reached: frozenset[int]  # steps opened in at least one walk
    unreached: tuple[int, ...]
    truncated: bool  # ``max_walks`` stopped the search before every path was walked
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class ConformanceReport:
    """The outcome of :func:`check_plugin`; ``str(report)`` is a readable summary."""

    plugin: str
    loaded: LoadedPlugin
    sops: tuple[SopReport, ...] = ()
    problems: tuple[str, ...] = ()  # every problem: loading, validation and walks

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def walks(self) -> int:
        return sum(s.walks for s in self.sops)

    @property
    def message(self) -> str:
        if self.ok:
            return (
                f'plugin "{self.plugin}" is conformant: {len(self.sops)} SOP(s), '
                f"{self.walks} walk(s), every walk finished and every step was reached"
            )
        lines = [f'plugin "{self.plugin}" is not conformant ({len(self.problems)} problem(s)):']
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.message


def check_plugin(
    plugin: object,
    *,
    name: str | None = None,
    units: Sequence[str] | None = None,
    step_data: StepData | None = None,
    max_walks: int = DEFAULT_MAX_WALKS,
) -> ConformanceReport:
    """Load ``plugin`` as ``name`` (default: its module name), validate it and walk each
    of its SOPs; see the module docstring. ``units`` are the units a case fans out over
    (default: the plugin's own, else :data:`FAKE_UNITS`)."""
    name = name or getattr(plugin, "__name__", "") or type(plugin).__name__
    manager = create_plugin_manager(load_entrypoints=False, environ={})
    loaded = manager.register(plugin, name)
    if not loaded.ok:
        problems = [str(p) for e in loaded.errors for p in (e.problems or (e,))]
        return ConformanceReport(name, loaded, problems=tuple(problems))
    fan_out = tuple(units) if units is not None else tuple(u.id for u in loaded.units)
    walker = _Walker(manager, name, fan_out or FAKE_UNITS, step_data, max_walks)
    reports = tuple(walker.walk_all(d) for d in sorted(loaded.sops.values(), key=lambda d: d.id))
    problems = tuple(p for r in reports for p in r.problems)
    if not reports:
        problems = ("the plugin has no SOP definitions (alur_sop_definitions)",)
    return ConformanceReport(name, loaded, reports, problems)


def assert_conformant(plugin: object, **options: Any) -> ConformanceReport:
    """:func:`check_plugin` for pytest: raises ``AssertionError`` with the report's message
    unless the plugin is conformant; returns the report."""
    report = check_plugin(plugin, **options)
    if not report.ok:
        raise AssertionError(report.message)
    return report


# --- the walks ---------------------------------------------------------------------------


@dataclass
class _Walk:
    """One walk in progress: the case, the gates that already said "tidak", the choices."""

    state: CaseState
    refused: frozenset[int]
    path: tuple[str, ...]
    actions: int = 0


@dataclass
class _Findings:
    walks: int = 0
    finished: int = 0
    reached: set[int] = field(default_factory=set)
    problems: dict[str, str] = field(default_factory=dict)  # message -> with its first walk

    def add(self, sop: str, message: str, path: Sequence[str] = ()) -> None:
        """Record a problem once, with the first walk that met it."""
        if len(self.problems) < MAX_FINDINGS:
            walk = f" (walk: {', '.join(path)})" if path else ""
            self.problems.setdefault(message, f"SOP {sop}: {message}{walk}")


class _Walker:
    def __init__(
        self,
        manager: AlurPlugins,
        plugin: str,
        units: tuple[str, ...],
        step_data: StepData | None,
        max_walks: int,
    ) -> None:
        self.manager = manager
        self.plugin = plugin
        self.units = units
        self.step_data = step_data
        self.max_walks = max_walks
        self.calendar = WorkingCalendar()

    def walk_all(self, d: SopDefinition) -> SopReport:
        found = _Findings()
        people = _people(d, self.units)
        units = self.units if any(s.per_unit for s in d.steps) else ()
        durations = dict.fromkeys(d.needs_duration_at_start(), "1 hari")
        starter = people[(d.start_step.actor, None)]
        try:
            t = start(d, StartCase("conformance", "Walk", units, durations), self._ctx(starter, 0))
        except ActionError as exc:
            found.add(d.id, f"the case cannot start: {exc}")
            return self._report(d, found, truncated=False)
        self._notify(d, t, found, ())
        limit = 4 * len(d.steps) * (len(units) + 1) * (len(d.steps) + 1)
        stack = [_Walk(t.state, frozenset(), ())]
        while stack and found.walks < self.max_walks:
            walk = stack.pop()
            found.reached.update(task.step for task in walk.state.open_tasks.values())
            if walk.state.status is CaseStatus.FINISHED:
                found.walks += 1
                found.finished += 1
                continue
            if not walk.state.open_tasks or walk.actions >= limit:
                found.walks += 1
                why = "no task is open" if not walk.state.open_tasks else f"{limit} actions"
                found.add(d.id, f"the case did not finish ({why})", walk.path)
                continue
            task = min(walk.state.open_tasks.values(), key=lambda t: t.id)
            nexts = list(self._choices(d, walk, task, people, found))
            if not nexts:
                found.walks += 1  # a refusal ended this walk; it is in the findings
            stack.extend(reversed(nexts))  # "ya" (the happy path) first
        return self._report(d, found, truncated=bool(stack))

    def _choices(
        self,
        d: SopDefinition,
        walk: _Walk,
        task: Task,
        people: Mapping[tuple[str, str | None], Actor],
        found: _Findings,
    ) -> Iterator[_Walk]:
        step = d.step(task.step)
        role = d.roles_by_id[step.actor]
        actor = people[(role.id, task.unit if role.per_unit else None)]
        label = f"{step.number}" + (f"[{task.unit}]" if task.unit else "")
        options: list[tuple[str, Action, frozenset[int]]] = []
        if step.kind is StepKind.DECISION:
            assert step.gate is not None
            assert step.gate.tidak is not None
            options.append((f"{label} ya", Decide(task.id, Answer.YA), walk.refused))
            if step.number not in walk.refused:
                refused = walk.refused | {step.number}
                note = "Perbaiki (uji kesesuaian)"
                options.append((f"{label} tidak", Decide(task.id, Answer.TIDAK, note), refused))
                if tidak_names_units(d, step.number) and self.units:
                    first = self.units[:1]
                    only = Decide(task.id, Answer.TIDAK, note, units=first)
                    options.append((f"{label} tidak→{first[0]}", only, refused))
        else:
            data = dict(self.step_data(d, step, task.unit)) if self.step_data else {}
            note = f"Selesai: {step.output or step.kegiatan}"[:200]
            messages = self.manager.validate_step_data(
                # the shape both doors send (docs/plugins.md): the output note under "output"
                d,
                step,
                task.unit,
                {**data, "output": note},
                plugin=self.plugin,
            )
            if messages:
                found.add(
                    d.id,
                    f"step {step.number}: alur_validate_step_data refuses the data {data!r}: "
                    + " ".join(messages),
                    (*walk.path, label),
                )
                return
            options.append((label, Complete(task.id, note, data), walk.refused))
        for text, action, refused in options:
            path = (*walk.path, text)
            try:
                t = act(d, walk.state, action, self._ctx(actor, walk.actions + 1))
            except ActionError as exc:
                found.add(d.id, f"step {step.number}: the engine refused {text!r}: {exc}", path)
                continue
            self._notify(d, t, found, path)
            yield _Walk(t.state, refused, path, walk.actions + 1)

    def _ctx(self, actor: Actor, actions: int) -> Context:
        return Context(actor, START_AT + actions * TICK, self.calendar)

    def _notify(
        self, d: SopDefinition, t: Transition, found: _Findings, path: Sequence[str]
    ) -> None:
        """Call the plugin's event hooks as the service layer does after saving."""
        hooks, owner = self.manager, {"plugin": self.plugin}
        for e in t.events:
            if e.kind is EventKind.CASE_STARTED:
                errors = hooks.case_started(t.state, d, e, **owner)
            elif e.kind is EventKind.TASK_COMPLETED:
                errors = hooks.step_completed(t.state, d, d.step(e.step), e, **owner)
            elif e.kind is EventKind.GATE_DECIDED:
                answer = Answer(e.payload["answer"])
                errors = hooks.gate_decided(t.state, d, d.step(e.step), answer, e, **owner)
            else:
                continue
            for error in errors:
                found.add(d.id, f"{e.kind}: {error}", path)

    def _report(self, d: SopDefinition, found: _Findings, *, truncated: bool) -> SopReport:
        unreached = tuple(s.number for s in d.steps if s.number not in found.reached)
        problems = list(found.problems.values())
        if unreached and found.walks:
            steps = ", ".join(map(str, unreached))
            bound = f" (stopped at max_walks={self.max_walks})" if truncated else ""
            problems.append(
                f"SOP {d.id}: no walk reached step(s) {steps} in {found.walks} walk(s){bound}"
            )
        return SopReport(
            sop=d.id,
            walks=found.walks,
            finished=found.finished,
            reached=frozenset(found.reached),
            unreached=unreached,
            truncated=truncated,
            problems=tuple(problems),
        )


def _people(d: SopDefinition, units: Sequence[str]) -> dict[tuple[str, str | None], Actor]:
    """One fake person per role, and per role and unit for a per-unit role."""
    people: dict[tuple[str, str | None], Actor] = {}
    for r in d.roles:
        for unit in units if r.per_unit else (None,):
            who = f"{r.id}-{unit}" if unit else r.id
            people[(r.id, unit)] = Actor(
                f"fake-{who}", f"{r.name} (uji)", (Membership(r.id, unit),)
            )
    return people
