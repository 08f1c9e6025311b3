"""The actions people take on a case; each is plain data handed to the state machine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from alur.core.calendar import WorkingCalendar
from alur.core.durations import Duration
from alur.core.engine.actors import Actor
from alur.core.model import Answer


@dataclass(frozen=True, slots=True)
class Context:
    """Who acts, when, and the calendar that gives due times (a fake clock is just a value)."""

    actor: Actor
    now: datetime
    calendar: WorkingCalendar


@dataclass(frozen=True, slots=True)
class StartCase:
    """Start a case of a SOP for a period, fanning out over ``units``.

    ``durations`` fixes the time of every step whose waktu is "Sesuai dengan waktu yang
    ditentukan" (step number → "3 hari" or a :class:`Duration`).
    """

    case_id: str
    period: str
    units: tuple[str, ...] = ()
    durations: Mapping[int, str | Duration] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Claim:
    task: int


@dataclass(frozen=True, slots=True)
class Unclaim:
    """Give a claimed task back: it is open to everyone holding its role again."""

    task: int


@dataclass(frozen=True, slots=True)
class Complete:
    """Complete a start, process or end step, with the output note and data."""

    task: int
    note: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Decide:
    """Answer a gate. "tidak" needs a note; when it returns into a fan-out from a step after
    the join, ``units`` names the units whose work goes back (default: all). ``data`` is
    recorded in the event like :class:`Complete`'s (e.g. the recap a "ya" approves)."""

    task: int
    answer: Answer
    note: str = ""
    units: tuple[str, ...] | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Reassign:
    """Give a task to someone else who holds the step's role (for the task's unit)."""

    task: int
    to: Actor


@dataclass(frozen=True, slots=True)
class Cancel:
    note: str


Action = Claim | Unclaim | Complete | Decide | Reassign | Cancel
