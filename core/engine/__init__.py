"""The state machine: cases, tasks, events and the actions that move them (moving a running
case to another definition: :mod:`alur.core.engine.migration`).

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
    Unclaim,
)
from alur.core.engine.actors import Actor, Delegation, Membership, may_act, membership_for
from alur.core.engine.events import Event, EventKind
from alur.core.engine.machine import Transition, act, start
from alur.core.engine.progress import StepProgress, step_progress
from alur.core.engine.queries import (
    check_cancel,
    check_reassign,
    may_cancel,
    may_reassign,
    open_tasks_for,
    reassign_targets,
    takers,
    tidak_names_units,
)
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
    "StepProgress",
    "Task",
    "Transition",
    "Unclaim",
    "act",
    "apply_event",
    "check_cancel",
    "check_reassign",
    "may_act",
    "may_cancel",
    "may_reassign",
    "membership_for",
    "open_tasks_for",
    "reassign_targets",
    "replay",
    "start",
    "step_progress",
    "takers",
    "tidak_names_units",
]
