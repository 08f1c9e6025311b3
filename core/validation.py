"""Checking a :class:`SopDefinition` for everything that would make it unrunnable.

:func:`validate_definition` returns *every* problem at once (never stops at the first), each
with the step number and a message that tells the plugin author what to change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from alur.core.errors import DefinitionError, Problem
from alur.core.model import DataAction, SopDefinition, Step, StepKind
from alur.core.segments import fan_out_segments
from alur.core.sop_life.part import EDITABLE_FIELDS, STEP_FIELDS


def validate_definition(definition: SopDefinition) -> list[Problem]:
    """All problems of ``definition`` (an empty list means it can run)."""
    problems: list[Problem] = []
    problems += _check_roles(definition)
    problems += _check_steps(definition)
    problems += _check_office(definition)
    if not any(p.code == "duplicate_step" for p in problems):
        problems += _check_graph(definition)
        problems += _check_data_bindings(definition)
    return [p.located(file=definition.source, sop=definition.id) for p in problems]


def ensure_valid(definition: SopDefinition) -> SopDefinition:
    """Return ``definition`` or raise :class:`DefinitionError` listing all its problems."""
    problems = validate_definition(definition)
    if problems:
        raise DefinitionError(problems)
    return definition


def _check_roles(d: SopDefinition) -> Iterable[Problem]:
    if not d.roles:
        yield Problem("the SOP declares no roles (pelaksana)", code="no_roles")
    for role_id, n in Counter(r.id for r in d.roles).items():
        if n > 1:
            yield Problem(f'role "{role_id}" is declared {n} times', code="duplicate_role")
    for r in d.roles:
        if not r.id.strip():
            yield Problem("a role has an empty id", code="role_id_missing")
        if not r.name.strip():
            yield Problem(f'role "{r.id}" has no name', code="role_name_missing")
    yield from _check_atasan(d)


def _check_atasan(d: SopDefinition) -> Iterable[Problem]:
    """Every ``atasan`` names another declared role, and following them never loops."""
    roles = d.roles_by_id
    known = ", ".join(sorted(roles)) or "none"
    for r in d.roles:
        if r.atasan is None:
            continue
        if r.atasan == r.id:
            yield Problem(f'role "{r.id}" names itself as its atasan', code="atasan_self")
        elif r.atasan not in roles:
            yield Problem(
                f'the atasan of role "{r.id}" is "{r.atasan}", which is not a declared role '
                f"(declared: {known})",
                code="unknown_atasan",
            )
    for r in d.roles:
        seen = [r.id]
        current = roles.get(r.atasan) if r.atasan and r.atasan != r.id else None
        while current is not None:
            if current.id in seen:
                if current.id == r.id:
                    chain = " → ".join([*seen, r.id])
                    yield Problem(f"the atasan of the roles loop: {chain}", code="atasan_cycle")
                break
            seen.append(current.id)
            current = roles.get(current.atasan) if current.atasan else None


# Step keys of the SOP file that are the institution's procedure: never an office's.
_PROCEDURE = (
    "number", "actor", "kind", "next", "gate", "per_unit", "delegable", "data", "clock",
    "office_fixed",
)  # fmt: skip


def _check_office(d: SopDefinition) -> Iterable[Problem]:
    """``[sop.office]`` and each step's ``office_fixed`` (docs/sop-format.md, "What an
    office may change"): known field paths only, never the procedure; declared roles."""
    rules = d.office
    if rules is not None:
        for path in sorted(rules.editable or ()):
            kind, _, name = path.partition(".")
            if kind == "steps" and name in _PROCEDURE:
                yield Problem(
                    f'[sop.office] editable: "{path}" can never be opened to offices: actors, '
                    "gates, the per-unit structure and data bindings are the institution's "
                    "procedure",
                    code="office_never_editable",
                )
            elif path not in EDITABLE_FIELDS:
                known = ", ".join(sorted(EDITABLE_FIELDS))
                yield Problem(
                    f'[sop.office] editable: unknown field "{path}" (known: {known})',
                    code="office_unknown_field",
                )
        roles = d.roles_by_id
        declared = ", ".join(sorted(roles)) or "none"
        for key in ("penyusun", "pengesah"):
            role_id = getattr(rules, key)
            if role_id is None:
                continue
            role = roles.get(role_id)
            if role is None:
                yield Problem(
                    f'[sop.office] {key}: "{role_id}" is not a declared role '
                    f"(declared: {declared})",
                    code="office_unknown_role",
                )
            elif key == "pengesah" and role.per_unit:
                yield Problem(
                    f'[sop.office] pengesah: "{role_id}" works per unit; the SOP is approved '
                    "for the whole office by a role that is not per unit",
                    code="office_pengesah_per_unit",
                )
    for s in d.steps:
        for name in sorted(s.office_fixed):
            if name not in STEP_FIELDS:
                yield Problem(
                    f'office_fixed: "{name}" is not a field an office could change '
                    f"(fields: {', '.join(STEP_FIELDS)})",
                    code="office_fixed_unknown",
                    step=s.number,
                )


def _check_steps(d: SopDefinition) -> Iterable[Problem]:
    if not d.steps:
        yield Problem("the SOP has no steps", code="no_steps")
        return
    for number, n in Counter(s.number for s in d.steps).items():
        if n > 1:
            yield Problem(
                f"step number {number} is used {n} times; every step needs its own number",
                code="duplicate_step",
                step=number,
            )
    numbers = {s.number for s in d.steps}
    roles = d.roles_by_id
    starts = [s for s in d.steps if s.kind is StepKind.START]
    if len(starts) != 1:
        yield Problem(
            f'the SOP needs exactly one step with kind = "start" (found {len(starts)})',
            code="start_count",
        )
    elif starts[0].number != min(numbers):
        yield Problem(
            "the start step must be the first step of the table",
            code="start_not_first",
            step=starts[0].number,
        )
    if not any(s.kind is StepKind.END for s in d.steps):
        yield Problem('the SOP has no step with kind = "end"', code="no_end")
    for s in d.steps:
        yield from _check_step(s, numbers, roles)


def _check_step(s: Step, numbers: set[int], roles: dict) -> Iterable[Problem]:
    def problem(message: str, code: str) -> Problem:
        return Problem(message, code=code, step=s.number)

    if not s.kegiatan.strip():
        yield problem("kegiatan (the activity text) is empty", "kegiatan_missing")
    if s.clock is not None and s.clock.escalate_to is not None and s.clock.escalate_to not in roles:
        known = ", ".join(sorted(roles)) or "none"
        yield problem(
            f'clock.escalate_to: "{s.clock.escalate_to}" is not a declared role '
            f"(declared: {known})",
            "clock_unknown_role",
        )
    role = roles.get(s.actor)
    if role is None:
        known = ", ".join(sorted(roles)) or "none"
        yield problem(
            f'actor "{s.actor}" is not a declared role (declared: {known})', "unknown_actor"
        )
    elif role.per_unit and not s.per_unit:
        yield problem(
            f'actor "{s.actor}" works per unit but the step runs once; set per_unit = true '
            "or give the step a role that is not per unit",
            "per_unit_role_on_single_step",
        )
    if s.kind is StepKind.DECISION:
        if s.gate is None:
            yield problem('a decision step needs a [gate] with "ya" and "tidak"', "gate_missing")
        else:
            if s.next is not None:
                yield problem(
                    'a decision step continues through its gate; remove "next"', "gate_and_next"
                )
            for branch in ("ya", "tidak"):
                target = getattr(s.gate, branch)
                if target is None:
                    yield problem(f'the gate has no "{branch}" branch', "gate_branch_missing")
                elif target not in numbers:
                    yield problem(
                        f'the "{branch}" branch goes to step {target}, which does not exist',
                        "dangling_next",
                    )
            if s.gate.tidak is not None and s.gate.tidak >= s.number:
                yield problem(
                    f'"tidak" must return to an earlier step, not to step {s.gate.tidak}',
                    "tidak_not_earlier",
                )
    else:
        if s.gate is not None:
            yield problem(
                f'only a decision step can have a gate (this one is kind = "{s.kind}")',
                "gate_on_non_decision",
            )
        if s.kind is StepKind.END:
            if s.next is not None:
                yield problem('an end step cannot have "next"', "end_with_next")
        elif s.next is None:
            yield problem(
                'the step has no "next"; give one or mark it kind = "end"', "next_missing"
            )
        elif s.next not in numbers:
            yield problem(f"next goes to step {s.next}, which does not exist", "dangling_next")
        elif s.next == s.number:
            yield problem("next points at the step itself", "self_loop")


def _check_graph(d: SopDefinition) -> Iterable[Problem]:
    by_number = d.steps_by_number
    starts = [s for s in d.steps if s.kind is StepKind.START]
    if not starts:
        return
    reached = _reach({starts[0].number}, lambda n: by_number[n].successors(), by_number)
    for s in d.steps:
        if s.number not in reached:
            yield Problem(
                "no path from the start step reaches this step", code="unreachable", step=s.number
            )
    predecessors: dict[int, list[int]] = {n: [] for n in by_number}
    for s in d.steps:
        for t in s.successors():
            if t in predecessors:
                predecessors[t].append(s.number)
    ends = {s.number for s in d.steps if s.kind is StepKind.END}
    can_finish = _reach(ends, lambda n: predecessors[n], by_number)
    for s in d.steps:
        if s.number in reached and s.number not in can_finish:
            yield Problem(
                "no path leads from this step to an end step", code="no_path_to_end", step=s.number
            )
    for message, step in fan_out_segments(d).problems:
        yield Problem(message, code="fan_out", step=step)


# Bindings that work on filled data, so they must come after the fill step.
_AFTER_FILL = (
    DataAction.VERIFY,
    DataAction.RECAP,
    DataAction.PARAF,
    DataAction.SIGN,
    DataAction.ARCHIVE,
)


def _check_data_bindings(d: SopDefinition) -> Iterable[Problem]:
    """The rules of ``data = "..."`` (see docs/sop-format.md).

    A definition without any binding is always fine. Otherwise: ``fill`` is on at most one
    step, a per_unit process step (each unit fills its own data, saved when the step
    completes); every ``verify``, ``recap``, ``paraf``, ``sign`` and ``archive`` step needs
    that fill step and must be reachable from it along the flow (they work on filled data).
    ``design`` may be anywhere; ``paraf``/``sign`` on a decision step approve with "ya".
    """
    fills = [s for s in d.steps if s.data == DataAction.FILL]
    for s in fills:
        if not s.per_unit:
            yield Problem(
                'data = "fill" needs per_unit = true: every unit fills in its own data',
                code="fill_not_per_unit",
                step=s.number,
            )
        if s.kind is StepKind.DECISION:
            yield Problem(
                'data = "fill" cannot be on a decision step: the data is saved when the '
                "step is completed",
                code="fill_on_decision",
                step=s.number,
            )
    for s in fills[1:]:
        yield Problem(
            f'only one step may have data = "fill" (step {fills[0].number} already has it)',
            code="fill_twice",
            step=s.number,
        )
    needs_fill = [s for s in d.steps if s.data in _AFTER_FILL]
    if not fills:
        for s in needs_fill:
            yield Problem(
                f'data = "{s.data}" works on filled data, but no step has data = "fill"',
                code="fill_missing",
                step=s.number,
            )
        return
    fill = fills[0]
    by_number = d.steps_by_number
    after = _reach(set(fill.successors()), lambda n: by_number[n].successors(), by_number)
    for s in needs_fill:
        if s.number not in after:
            yield Problem(
                f'data = "{s.data}" must come after the fill step (step {fill.number}); '
                "no path leads from there to this step",
                code="data_before_fill",
                step=s.number,
            )


def _reach(seeds: set[int], edges, by_number: dict[int, Step]) -> set[int]:
    seen = set()
    stack = [n for n in seeds if n in by_number]
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        stack.extend(t for t in edges(n) if t in by_number and t not in seen)
    return seen
