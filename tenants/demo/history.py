"""The demo's history: finished cases over the past months, so the Mutu baku page, GraphQL's
``mutuBaku`` and ``alur report mutu-baku`` show real figures on a fresh demo.

:class:`HistoryDriver` carries :data:`HISTORY_CASES` cases of each SOP of a demo office from
start to finish through the real service (rules, events, data kinerja, paraf and tanda
tangan), one after the other over the :data:`MONTHS_BACK` months before the stories of
:mod:`alur.tenants.demo.cases`, on a fake clock. The times are varied and realistic, and
deterministic (a :class:`random.Random` seeded with the office and SOP, so every demo shows
the same figures for the same ``now``):

* each task is done after some share of its step's waktu — most in time, some late (a
  log-normal spread; one step of each SOP is slower: the bottleneck the page shows), and
  often first claimed (waiting, then working);
* some cases start after office hours or on a weekend, and some work is done after hours;
* a gate answers "tidak" now and then (at most twice a case), so work is returned and done
  again (rework).

Each case runs for a period no other case of the office's SOP uses (the stories' periods
are left free), since the demo SOPs allow one case per period.
"""

from __future__ import annotations

import heapq
import math
import random
from datetime import datetime, timedelta

from alur.core.calendar import WorkingCalendar
from alur.core.engine import Claim, Complete, Decide
from alur.core.engine.state import CaseState, Task
from alur.core.model import Answer, SopDefinition, StepKind
from alur.core.periods import PARTS
from alur.tenants.cases.service import TenantService
from alur.tenants.demo.cases import MAX_ACTIONS, RETURN_NOTE, DemoCase, StoryDriver
from alur.tenants.demo.kinerja_samples import fill_in_sample
from alur.tenants.kinerja.service import KinerjaService

HISTORY = "riwayat"  # the story of a history case
HISTORY_CASES = 5  # finished cases per SOP of a demo office
MONTHS_BACK = 6
STORY_GAP_DAYS = 35  # the history ends this many days before ``now`` (the stories' time)
RETURN_CHANCE = 0.12  # of a gate answering "tidak" (at most MAX_RETURNS a case)
MAX_RETURNS = 2
AFTER_HOURS_CHANCE = 0.1  # of a piece of work done after office hours
CLAIM_CHANCE = 0.7  # of a task being claimed before it is done


def history_periods(taken: set[str], year: int) -> list[str]:
    """Periods for the history's cases, newest first, none of ``taken``: those of the year
    before ``year`` first (the periods of ``year`` stay free for the stories and for
    whoever tries the demo)."""
    found = []
    for y in range(year - 1, year - 6, -1):
        for part in reversed(PARTS):
            text = f"{part} {y}"
            if text not in taken:
                found.append(text)
    return found


class HistoryDriver(StoryDriver):
    """Finished cases of one SOP over the past months (module docstring)."""

    def __init__(self, *args: object, seed: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.random = random.Random(seed)
        numbers = [s.number for s in self.d.steps if s.kind is not StepKind.START]
        self.slow_step = self.random.choice(numbers) if numbers else None

    async def run_history(self, taken: set[str]) -> list[DemoCase]:
        """:data:`HISTORY_CASES` finished cases, oldest first, ending before the stories."""
        end = self.now - timedelta(days=STORY_GAP_DAYS)
        start = self.now - timedelta(days=MONTHS_BACK * 30)
        step = (end - start) / HISTORY_CASES
        periods = history_periods(taken, end.year)
        cases = []
        at = start
        for i in range(HISTORY_CASES):
            planned = start + step * i + timedelta(hours=self.random.uniform(0, 48))
            at = self._opening(max(at, planned))
            if at >= end or i >= len(periods):
                break
            found = await self._one(at, periods[i])
            if found is None:
                break
            cases.append(found)
            at = self.at + timedelta(days=self.random.uniform(1, 6))
        return cases

    def _opening(self, when: datetime) -> datetime:
        """When a case starts: mostly in office hours, sometimes after them or on a
        weekend (office time then counts from the next opening)."""
        tz = self.calendar.timezone
        local = when.astimezone(tz)
        roll = self.random.random()
        if roll < 0.1:  # a Saturday morning
            days = (5 - local.weekday()) % 7
            return (local + timedelta(days=days)).replace(hour=9, minute=15)
        if roll < 0.2:  # an evening
            return local.replace(hour=19, minute=self.random.randrange(60))
        return self.calendar.add_office_minutes(local, self.random.randrange(0, 300))

    async def _one(self, at: datetime, period: str) -> DemoCase | None:
        d = self.d
        self.at = at
        starter = self.users.get((d.start_step.actor, None), self.admin_id)
        durations = dict.fromkeys(d.needs_duration_at_start(), "3 hari")
        case = await self.service.start_case(starter, d.id, period, durations)
        self.key = case.key
        returns = 0
        queue: list[tuple[datetime, int, str]] = []  # (when, task, "claim" | "act")
        planned: set[int] = set()
        state = case.state
        for _ in range(MAX_ACTIONS):
            if state.status != "active":
                break
            for task in sorted(state.open_tasks.values(), key=lambda t: t.id):
                if task.id not in planned:
                    planned.add(task.id)
                    self._plan(task, queue)
            if not queue:
                break
            when, task_no, kind = heapq.heappop(queue)
            task = state.open_tasks.get(task_no)
            if task is None:
                continue
            self.at = max(self.at, when)
            user = self._user(task)
            if user is None:
                return None
            if kind == "claim":
                state = (await self.service.act(user, self.key, Claim(task.id))).state
                continue
            returning = (
                d.step(task.step).gate is not None
                and returns < MAX_RETURNS
                and self.random.random() < RETURN_CHANCE
            )
            returns += returning
            state = await self._done(user, task, returning)
        final = await self.service.case(self.key)
        return DemoCase(final.key, d.id, final.period, final.status, HISTORY)

    def _plan(self, task: Task, queue: list[tuple[datetime, int, str]]) -> None:
        """When the task is claimed (maybe) and done: a log-normal share of its waktu."""
        standard = 60
        if task.due is not None:
            standard = max(5, self.calendar.office_minutes_between(task.opened_at, task.due))
        median = 0.55 * (2.5 if task.step == self.slow_step else 1.0)
        minutes = max(3, round(standard * median * math.exp(self.random.gauss(0, 0.8))))
        minutes = min(minutes, 8 * self.calendar.minutes_per_day)
        done = self._maybe_after_hours(self.calendar.add_office_minutes(task.opened_at, minutes))
        if self.random.random() < CLAIM_CHANCE:
            wait = round(minutes * self.random.uniform(0.1, 0.6))
            claimed = self.calendar.add_office_minutes(task.opened_at, wait)
            heapq.heappush(queue, (claimed, task.id, "claim"))
        heapq.heappush(queue, (max(done, task.opened_at), task.id, "act"))

    def _maybe_after_hours(self, when: datetime) -> datetime:
        if self.random.random() >= AFTER_HOURS_CHANCE:
            return when
        local = when.astimezone(self.calendar.timezone)
        return local.replace(hour=18, minute=self.random.randrange(60))

    async def _done(self, user: int, task: Task, returning: bool) -> CaseState:
        step = self.d.step(task.step)
        await fill_in_sample(KinerjaService(self.service), user, self.key, task.id)
        if step.kind is StepKind.DECISION:
            answer = Answer.TIDAK if returning else Answer.YA
            note = RETURN_NOTE if returning else "Sudah sesuai."
            action: Decide | Complete = Decide(task.id, answer, note)
        else:
            if task.unit is not None and step.kind is StepKind.PROCESS:
                await self._attach(user, task)
            action = Complete(task.id, step.output or "Selesai.")
        stored = await self.service.act(user, self.key, action, password=self.password)
        return stored.state


async def demo_history(
    service: TenantService,
    d: SopDefinition,
    users: dict[tuple[str, str | None], int],
    admin_id: int,
    calendar: WorkingCalendar,
    now: datetime,
    password: str | None,
    taken: set[str],
) -> list[DemoCase]:
    """The history of SOP ``d`` in the office of ``service`` (module docstring)."""
    driver = HistoryDriver(
        service,
        d,
        users,
        admin_id,
        calendar,
        now,
        password,
        seed=f"{service.ref.slug}:{d.id}",
    )
    return await driver.run_history(taken)
