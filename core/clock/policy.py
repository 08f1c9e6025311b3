"""Who is told what, and when: an office's clock policy and an SOP step's override of it.

An office has one :class:`ClockPolicy` (edited by its administrator); an SOP may override any
of its fields for one step with a ``clock`` table in its TOML (:class:`StepClock`, see
``docs/sop-format.md``)::

    [[steps]]
    number = 5
    ...
    [steps.clock]
    remind_before = "50%"       # or false
    remind_at_due = true
    escalate_after = "1 hari"   # office time overdue, or false
    escalate_to = "sekretaris"  # default: the atasan of the step's role

:func:`parse_step_clock` and :func:`parse_office_policy` read both forms and report *every*
problem at once, each with a ``code`` and the ``field`` it concerns, so the loader can name the
file and step and a form can put the message next to the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from alur.core.durations import Duration
from alur.core.errors import DurationError, Problem

#: The keys of a step's ``clock`` table.
STEP_CLOCK_KEYS = ("remind_before", "remind_at_due", "escalate_after", "escalate_to")
#: The keys of an office policy (a step's keys, plus the office-wide ones).
OFFICE_POLICY_KEYS = (*STEP_CLOCK_KEYS, "remind_before_min", "digest")

_ONE_DAY = Duration.parse("1 hari")  # immutable, so safe to share as a default
_PERCENT = re.compile(r"^\s*(\d{1,2})\s*%\s*$")


@dataclass(frozen=True, slots=True)
class ClockPolicy:
    """When the holders of a task are reminded and when it escalates.

    ``remind_before_percent``: remind when this share of the step's office time has passed
    (``None``: never), only for steps whose time is at least ``remind_before_min``.
    ``remind_at_due``: remind at the due time. ``escalate_after``: office time overdue after
    which the task is escalated (``None``: never) to ``escalate_to`` (a role id of the SOP;
    ``None``: the atasan of the holder's role). ``digest``: a daily digest at opening time.
    """

    remind_before_percent: int | None = 50
    remind_before_min: Duration = _ONE_DAY
    remind_at_due: bool = True
    escalate_after: Duration | None = _ONE_DAY
    escalate_to: str | None = None
    digest: bool = True

    def with_step(self, override: StepClock | None) -> ClockPolicy:
        """This policy with a step's override applied field by field."""
        if override is None:
            return self
        changes: dict[str, Any] = {}
        if override.remind_before is not None:
            changes["remind_before_percent"] = override.remind_before or None
        if override.remind_at_due is not None:
            changes["remind_at_due"] = override.remind_at_due
        if override.escalate_after is not None:
            changes["escalate_after"] = override.escalate_after or None
        if override.escalate_to is not None:
            changes["escalate_to"] = override.escalate_to
        return replace(self, **changes)

    def to_mapping(self) -> dict[str, Any]:
        """The stored (and TOML-like) form; :func:`parse_office_policy` reads it back."""
        return {
            "remind_before": f"{self.remind_before_percent}%"
            if self.remind_before_percent
            else False,
            "remind_before_min": self.remind_before_min.text,
            "remind_at_due": self.remind_at_due,
            "escalate_after": self.escalate_after.text if self.escalate_after else False,
            "escalate_to": self.escalate_to or "",
            "digest": self.digest,
        }


DEFAULT_POLICY = ClockPolicy()


@dataclass(frozen=True, slots=True)
class StepClock:
    """A step's override of the office policy; ``None`` fields keep the office's value.

    ``remind_before`` is a percentage, or ``0`` for "never"; ``escalate_after`` a duration, or
    ``False`` for "never".
    """

    remind_before: int | None = None
    remind_at_due: bool | None = None
    escalate_after: Duration | bool | None = None
    escalate_to: str | None = None

    def to_mapping(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.remind_before is not None:
            out["remind_before"] = f"{self.remind_before}%" if self.remind_before else False
        if self.remind_at_due is not None:
            out["remind_at_due"] = self.remind_at_due
        if self.escalate_after is not None:
            after = self.escalate_after
            out["escalate_after"] = after.text if isinstance(after, Duration) else False
        if self.escalate_to is not None:
            out["escalate_to"] = self.escalate_to
        return out


class _Reader:
    def __init__(self, table: Mapping[str, Any], step: int | None) -> None:
        self.table = table
        self.step = step
        self.problems: list[Problem] = []

    def problem(self, field: str, message: str, code: str) -> None:
        self.problems.append(Problem(f"clock.{field}: {message}", code=code, step=self.step))

    def percent(self, key: str) -> int | None:
        if key not in self.table:
            return None
        value = self.table[key]
        if value is False:
            return 0
        m = _PERCENT.match(value) if isinstance(value, str) else None
        if m is None or not 1 <= int(m[1]) <= 99:
            self.problem(
                key,
                f'must be a share of the step\'s time such as "50%", or false (not {value!r})',
                "clock_bad_percent",
            )
            return None
        return int(m[1])

    def flag(self, key: str) -> bool | None:
        if key not in self.table:
            return None
        value = self.table[key]
        if not isinstance(value, bool):
            self.problem(key, f"must be true or false (not {value!r})", "clock_bad_flag")
            return None
        return value

    def duration(self, key: str, *, may_be_off: bool) -> Duration | bool | None:
        if key not in self.table:
            return None
        value = self.table[key]
        if value is False and may_be_off:
            return False
        try:
            if not isinstance(value, str):
                raise DurationError(text=repr(value))
            d = Duration.parse(value)
        except DurationError:
            off = ", or false" if may_be_off else ""
            self.problem(
                key,
                f'must be an office time such as "1 hari" or "4 jam"{off} (not {value!r})',
                "clock_bad_duration",
            )
            return None
        if d.determined_at_start or not d.amount or d.amount < 0:
            self.problem(
                key,
                f"must be a fixed office time longer than zero (not {value!r})",
                "clock_bad_duration",
            )
            return None
        return d

    def role(self, key: str) -> str | None:
        if key not in self.table:
            return None
        value = self.table[key]
        if not isinstance(value, str):
            self.problem(key, f"must be a role id (not {value!r})", "clock_bad_role")
            return None
        return value.strip() or None

    def unknown(self, known: tuple[str, ...]) -> None:
        for key in self.table:
            if key not in known:
                self.problem(
                    key, f"unknown key (known keys: {', '.join(known)})", "clock_unknown_key"
                )


def parse_step_clock(table: Any, step: int | None = None) -> tuple[StepClock | None, list[Problem]]:
    """A step's ``clock`` table as a :class:`StepClock`, and every problem found in it."""
    if not isinstance(table, Mapping):
        return None, [Problem('"clock" must be a table of the step', code="wrong_type", step=step)]
    r = _Reader(table, step)
    r.unknown(STEP_CLOCK_KEYS)
    after = r.duration("escalate_after", may_be_off=True)
    clock = StepClock(
        remind_before=r.percent("remind_before"),
        remind_at_due=r.flag("remind_at_due"),
        escalate_after=after,
        escalate_to=r.role("escalate_to"),
    )
    return clock, r.problems


def parse_office_policy(mapping: Mapping[str, Any]) -> tuple[ClockPolicy, list[Problem]]:
    """An office policy from its stored or submitted form: missing keys keep the defaults.

    Returns the policy (with the defaults where a field was wrong) and every problem, each
    prefixed ``clock.<field>:`` and coded so a form can show it next to its field.
    """
    r = _Reader(mapping, None)
    r.unknown(OFFICE_POLICY_KEYS)
    p = DEFAULT_POLICY
    percent = r.percent("remind_before")
    minimum = r.duration("remind_before_min", may_be_off=False)
    at_due = r.flag("remind_at_due")
    after = r.duration("escalate_after", may_be_off=True)
    to = r.role("escalate_to") if "escalate_to" in mapping else p.escalate_to
    digest = r.flag("digest")
    policy = ClockPolicy(
        remind_before_percent=p.remind_before_percent if percent is None else (percent or None),
        remind_before_min=minimum if isinstance(minimum, Duration) else p.remind_before_min,
        remind_at_due=p.remind_at_due if at_due is None else at_due,
        escalate_after=p.escalate_after
        if after is None
        else (after if isinstance(after, Duration) else None),
        escalate_to=to,
        digest=p.digest if digest is None else digest,
    )
    return policy, r.problems


def problem_field(problem: Problem) -> str:
    """The field a clock problem concerns (``"escalate_to"`` for ``clock.escalate_to: …``)."""
    head = problem.message.split(":", 1)[0]
    return head.removeprefix("clock.") if head.startswith("clock.") else ""
