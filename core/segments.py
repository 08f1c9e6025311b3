"""Fan-out segments: runs of per-unit steps, with one entry and one join.

A *segment* is a connected group of ``per_unit`` steps. Flow enters it at its entry step,
which opens one task per unit; each unit then moves through the segment on its own (a
"tidak" inside the segment returns only that unit's work); the join is the single step
after the segment, opened once every unit has arrived there.

Rules checked here (reported by validation): a segment has exactly one entry reached by
"next"/"ya" from outside, exactly one join, no end step inside, and a "tidak" of a per-unit
gate stays inside its own segment. A "tidak" from a step after the segment may return into
it; the engine then re-opens the segment for the units the decider names (default: all).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from alur.core.model import SopDefinition, StepKind


@dataclass(frozen=True, slots=True)
class Segment:
    steps: frozenset[int]
    entry: int | None
    join: int | None


@dataclass(frozen=True, slots=True)
class Segments:
    by_step: dict[int, Segment] = field(default_factory=dict)
    problems: tuple[tuple[str, int | None], ...] = ()


def fan_out_segments(d: SopDefinition) -> Segments:
    by_number = d.steps_by_number
    unit_steps = {s.number for s in d.steps if s.per_unit}
    problems: list[tuple[str, int | None]] = []
    # Undirected connectivity among per-unit steps.
    neighbours: dict[int, set[int]] = {n: set() for n in unit_steps}
    for n in unit_steps:
        for t in by_number[n].successors():
            if t in unit_steps:
                neighbours[n].add(t)
                neighbours[t].add(n)
    seen: set[int] = set()
    by_step: dict[int, Segment] = {}
    for n in sorted(unit_steps):
        if n in seen:
            continue
        group: set[int] = set()
        stack = [n]
        while stack:
            m = stack.pop()
            if m in group:
                continue
            group.add(m)
            stack.extend(neighbours[m] - group)
        seen |= group
        entries: set[int] = set()
        for s in d.steps:
            if s.number in group:
                continue
            forward = [s.next] if s.gate is None else [s.gate.ya]
            entries.update(t for t in forward if t in group)
        joins: set[int] = set()
        for m in group:
            step = by_number[m]
            forward = [step.next] if step.gate is None else [step.gate.ya]
            joins.update(t for t in forward if t is not None and t in by_number and t not in group)
            if step.kind is StepKind.END:
                problems.append(("an end step cannot run per unit", m))
            back = step.gate.tidak if step.gate is not None else None
            if back is not None and back in by_number and back not in group:
                problems.append(
                    (
                        f'a per-unit gate must return ("tidak") to a per-unit step of its own '
                        f"fan-out (steps {_fmt(group)}), not to step {back}",
                        m,
                    )
                )
        first = min(group)
        if len(entries) > 1:
            problems.append(
                (
                    f"the fan-out over steps {_fmt(group)} is entered at several steps "
                    f"({_fmt(entries)}); it must have one entry",
                    first,
                )
            )
        if len(joins) > 1:
            problems.append(
                (
                    f"the fan-out over steps {_fmt(group)} leads to several steps "
                    f"({_fmt(joins)}); all units must join at one step",
                    first,
                )
            )
        segment = Segment(
            steps=frozenset(group),
            entry=min(entries) if entries else None,
            join=min(joins) if joins else None,
        )
        for m in group:
            by_step[m] = segment
    return Segments(by_step=by_step, problems=tuple(problems))


def _fmt(numbers: set[int]) -> str:
    return ", ".join(str(n) for n in sorted(numbers))
