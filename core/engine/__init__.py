"""The state machine: cases, tasks, events and the actions that move them.

Pure functions over plain data: ``start(definition, StartCase(...), ctx)`` and
``act(definition, state, action, ctx)`` return a :class:`Transition` (new state and the
events it produced) or raise a typed :class:`~alur.core.errors.ActionError`.
"""

from alur.core.engine.actions import (
    Action,
    Cancel,
    Claim,
    Complete,
    Context,
    Decide,
    Reassign,
    StartCase,
)
from alur.core.engine.actors import Actor, Delegation, Membership, may_act, membership_for
from alur.core.engine.events import Event, EventKind
from alur.core.engine.machine import Transition, act, start
from alur.core.engine.queries import open_tasks_for, tidak_names_units
from alur.core.engine.state import CaseState, CaseStatus, FanOut, Task, apply_event, replay

__all__ = [
    "Action",
    "Actor",
    "Cancel",
    "CaseState",
    "CaseStatus",
    "Claim",
    "Complete",
    "Context",
    "Decide",
    "Delegation",
    "Event",
    "EventKind",
    "FanOut",
    "Membership",
    "Reassign",
    "StartCase",
    "Task",
    "Transition",
    "act",
    "apply_event",
    "may_act",
    "membership_for",
    "open_tasks_for",
    "replay",
    "start",
    "tidak_names_units",
]
