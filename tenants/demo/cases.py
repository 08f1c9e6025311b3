"""Demo cases: each SOP of a new demo office carried to the state one story shows.

:class:`StoryDriver` drives one case through :class:`~alur.tenants.cases.service.TenantService`
(the real rules and events) on a fake clock that starts on a recent working day, acting as
the demo users :mod:`alur.tenants.demo.offices` created: "baru dimulai" (just started),
"menunggu bidang" (waiting at a fan-out with some units done), "dikembalikan" (returned at a
gate with a note) and "selesai" (finished).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from alur.core.calendar import WorkingCalendar
from alur.core.engine import Complete, Decide
from alur.core.engine.state import CaseState, Task
from alur.core.model import Answer, SopDefinition, StepKind
from alur.tenants.cases.service import TenantService
from alur.tenants.demo.kinerja_samples import fill_in_sample
from alur.tenants.kinerja.service import KinerjaService

MAX_ACTIONS = 200  # per case: a guard against an SOP that never reaches the wanted state
RETURN_NOTE = (
    "Belum sesuai: kolom target dan realisasi IKU belum lengkap; mohon diperbaiki lalu "
    "diajukan kembali."
)
ROMAN = ("I", "II", "III", "IV")
STORIES = ("selesai", "menunggu bidang", "dikembalikan", "baru dimulai")
DAYS_BACK = {"selesai": 20, "menunggu bidang": 8, "dikembalikan": 3, "baru dimulai": 0}


@dataclass(frozen=True)
class DemoCase:
    key: str
    sop_id: str
    period: str
    status: str
    story: str  # what the case shows: "baru dimulai", "menunggu bidang", ...


class StoryDriver:
    """Carries one case to the state its story shows, acting as the demo users."""

    def __init__(
        self,
        service: TenantService,
        d: SopDefinition,
        users: dict[tuple[str, str | None], int],
        admin_id: int,
        calendar: WorkingCalendar,
        now: datetime,
        password: str | None = None,
    ) -> None:
        self.service = service
        self.password = password  # the demo people's: their paraf and tanda tangan ask it
        self.d = d
        self.users = users
        self.admin_id = admin_id
        self.calendar = calendar
        self.now = now
        self.at = now
        self.key = ""
        service.clock = lambda: self.at

    def _user(self, task: Task) -> int | None:
        role = self.d.roles_by_id[task.role]
        return self.users.get((task.role, task.unit if role.per_unit else None))

    async def run(self, story: str) -> DemoCase | None:
        d = self.d
        if story == "menunggu bidang" and not any(s.per_unit for s in d.steps):
            return None
        if story == "dikembalikan" and not any(s.gate for s in d.steps):
            return None
        self.at = _start_time(self.calendar, self.now, DAYS_BACK[story], len(story))
        first = d.start_step
        starter = self.users.get((first.actor, None), self.admin_id)
        durations = dict.fromkeys(d.needs_duration_at_start(), "3 hari")
        case = await self.service.start_case(starter, d.id, _period(story, self.at), durations)
        self.key = case.key
        state = case.state
        for _ in range(MAX_ACTIONS):
            if state.status != "active" or not state.open_tasks:
                break
            task = self._next_task(story, state)
            if task is None:
                break
            returning = story == "dikembalikan" and d.step(task.step).gate is not None
            if not await self._act(task, returning):
                break
            if returning:
                break
            state = (await self.service.case(self.key)).state
        final = await self.service.case(self.key)
        return DemoCase(final.key, d.id, final.period, final.status, story)

    def _next_task(self, story: str, state: CaseState) -> Task | None:
        tasks = sorted(state.open_tasks.values(), key=lambda t: t.id)
        if story == "baru dimulai":
            return None
        if story != "menunggu bidang":
            return tasks[0]
        per_unit = [t for t in tasks if t.unit is not None]
        if not per_unit:
            return tasks[0]  # not in the fan-out yet
        # Finish the branches of the first units only; the others keep the join waiting.
        done = state.units[: min(len(state.units) - 1, (len(state.units) + 1) // 2)]
        mine = [t for t in per_unit if t.unit in done]
        return mine[0] if mine else None

    async def _act(self, task: Task, returning: bool) -> bool:
        user = self._user(task)
        if user is None:
            return False
        step = self.d.step(task.step)
        self.at = max(self.at, min(self._when(task), self.now))
        await fill_in_sample(KinerjaService(self.service), user, self.key, task.id)
        if step.kind is StepKind.DECISION:
            answer = Answer.TIDAK if returning else Answer.YA
            note = RETURN_NOTE if returning else "Sudah sesuai."
            action: Decide | Complete = Decide(task.id, answer, note)
        else:
            if task.unit is not None and step.kind is StepKind.PROCESS:
                await self._attach(user, task)
            action = Complete(task.id, step.output or "Selesai.")
        await self.service.act(user, self.key, action, password=self.password)
        return True

    def _when(self, task: Task) -> datetime:
        """Some way into the step's waktu, a few minutes apart for tasks opened together."""
        spent = 60
        if task.due is not None:
            spent = self.calendar.office_minutes_between(task.opened_at, task.due)
        minutes = max(5, spent * 3 // 5) + (task.id % 4) * 9
        return self.calendar.add_office_minutes(task.opened_at, minutes)

    async def _attach(self, user: int, task: Task) -> None:
        rows = [
            "indikator,target,realisasi,capaian",
            "Persentase penyelesaian kegiatan tepat waktu,100,92,92%",
            "Nilai SAKIP unit,80,78.5,98%",
        ]
        content = ("\n".join(rows) + "\n").encode()
        filename = f"data-kinerja-{task.unit}.csv"
        await self.service.attach(user, self.key, task.id, filename, "text/csv", content)


def story_periods(calendar: WorkingCalendar, now: datetime) -> set[str]:
    """The periods the stories' cases run for (the history leaves them free)."""
    return {
        _period(story, _start_time(calendar, now, DAYS_BACK[story], len(story)))
        for story in STORIES
    }


def _start_time(calendar: WorkingCalendar, now: datetime, days_back: int, offset: int) -> datetime:
    """A working day ``days_back`` working days before ``now``, shortly after opening."""
    tz = calendar.timezone
    day = now.astimezone(tz).date()

    def at(d: date) -> datetime:
        opening = datetime.combine(d, calendar.office_start, tzinfo=tz)
        return opening + timedelta(minutes=30 + offset)

    while not calendar.is_working_day(day) or at(day) > now:
        day -= timedelta(days=1)
    for _ in range(days_back):
        day -= timedelta(days=1)
        while not calendar.is_working_day(day):
            day -= timedelta(days=1)
    return at(day)


def _period(story: str, when: datetime) -> str:
    year, quarter = when.year, (when.month - 1) // 3
    if story == "selesai":
        if quarter == 0:
            year, quarter = year - 1, 4
        return f"Triwulan {ROMAN[quarter - 1]} {year}"
    if story == "menunggu bidang":
        return f"Triwulan {ROMAN[quarter]} {year}"
    if story == "dikembalikan":
        return f"Semester {'I' if when.month <= 6 else 'II'} {year}"
    return f"Tahun {year}"
