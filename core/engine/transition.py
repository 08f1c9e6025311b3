"""A transition's result, and the log that builds it event by event."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from alur.core.engine.actions import Context
from alur.core.engine.actors import Membership
from alur.core.engine.events import Event, EventKind
from alur.core.engine.state import CaseState, apply_event


@dataclass(frozen=True, slots=True)
class Transition:
    state: CaseState
    events: tuple[Event, ...]


class TransitionLog:
    """Collects the events of one transition, folding each into the state as it goes."""

    __slots__ = ("ctx", "events", "state")

    def __init__(self, state: CaseState | None, ctx: Context) -> None:
        self.state = state
        self.ctx = ctx
        self.events: list[Event] = []

    def emit(self, kind: EventKind, m: Membership | None = None, **fields: Any) -> None:
        seq = (self.state.last_seq if self.state is not None else 0) + 1
        actor = self.ctx.actor
        if m is not None:
            fields.setdefault("role", m.role)
            if m.delegation is not None:
                fields["delegation"] = str(m.delegation)
                fields["acting_for"] = m.acting_for
                fields["acting_for_name"] = m.acting_for_name
        e = Event(seq, kind, self.ctx.now, actor.id, actor.name, **fields)
        self.state = apply_event(self.state, e)
        self.events.append(e)

    def done(self) -> Transition:
        assert self.state is not None
        return Transition(self.state, tuple(self.events))
