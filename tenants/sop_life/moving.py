"""Moving an office's running cases to the revision of their SOP in force.

New cases start on the revision in force; running cases keep the definition they started
with — unless an office administrator moves chosen cases: :meth:`CaseMoves.preview` (the
dry run) tells per case which tasks are kept, closed and opened with their due times, or why
the case cannot move; :meth:`CaseMoves.move` moves each case in its own transaction through
the store's compare-and-set (a ``case_migrated`` event on the case's chain, then the task
events: :mod:`alur.core.engine.migration`). A refused case is reported and left untouched.
Nothing is recorded on the office's own chain: the move is an event of the case.

The clock timers of kept tasks are computed again from their new due time; a timer whose
time has already passed at the move is not set again (it fired, or would fire at once for a
due time that moved). Opened tasks get their timers as any opened task does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from alur.core.engine.actions import Context
from alur.core.engine.migration import (
    ClosedTask,
    KeptTask,
    MovePlan,
    OpenedTask,
    migrate,
    plan_move,
)
from alur.core.i18n import error_message, format_message, gettext
from alur.core.model import SopDefinition
from alur.tenants.cases.store import StoredCase
from alur.tenants.clock.timers import office_policy, task_timers, timers_of
from alur.tenants.errors import Conflict, Forbidden, InvalidInput
from alur.tenants.storage.tables import Case, SopRevision

MAX_CASES = 100  # cases per preview or move
MAX_MAPPING = 200  # explicit step mappings


@dataclass(frozen=True)
class CaseMovePlan:
    """The dry run of moving one case: from which definition (and office revision number,
    ``None`` for the plugin's own) to which, and what happens to its tasks."""

    key: str
    period: str
    sop_id: str
    from_hash: str
    to_hash: str
    from_revision: int | None
    to_revision: int | None
    from_version: str
    to_version: str
    mapping: Mapping[int, int]
    kept: tuple[KeptTask, ...]
    closed: tuple[ClosedTask, ...]
    opened: tuple[OpenedTask, ...]
    refusals: tuple[str, ...]
    steps_before: Mapping[int, str]  # step number -> kegiatan, in the definition it runs
    steps_after: Mapping[int, str]  # in the definition in force
    roles: Mapping[str, str]  # role id -> name (both definitions)

    @property
    def ok(self) -> bool:
        return not self.refusals


@dataclass(frozen=True)
class CaseMoveResult:
    """What :meth:`CaseMoves.move` did to one case: moved, or refused with the reasons."""

    key: str
    moved: bool
    plan: CaseMovePlan
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class CaseBehind:
    """A running case of an SOP that is not on the definition in force."""

    key: str
    period: str
    definition_hash: str
    revision: int | None
    started_at: datetime
    updated_at: datetime


def parse_mapping(pairs: Iterable[Any]) -> dict[int, int]:
    """Step mappings ``OLD=NEW`` (text) or ``(old, new)`` as a mapping; :class:`InvalidInput`
    on ``mapping`` naming what is wrong."""
    found: dict[int, int] = {}
    for pair in pairs:
        try:
            old, new = pair.split("=", 1) if isinstance(pair, str) else pair
            old, new = int(str(old).strip()), int(str(new).strip())
        except (TypeError, ValueError):
            raise InvalidInput(
                {"mapping": format_message('write a step mapping as OLD=NEW, e.g. "4=5"')}
            ) from None
        if not (0 < old < 10_000 and 0 < new < 10_000) or old in found:
            raise InvalidInput(
                {"mapping": format_message("step {old} is mapped twice or out of range", old=old)}
            )
        found[old] = new
        if len(found) > MAX_MAPPING:
            raise InvalidInput({"mapping": gettext("too many step mappings")})
    return found


class CaseMoves:
    """Moving one office's running cases, as one person (``user_id``, an office admin)."""

    def __init__(self, service: Any, user_id: int) -> None:
        self.service = service
        self.user_id = user_id

    async def _admin(self) -> Context:
        ctx: Context = await self.service.context(self.user_id)
        if not ctx.actor.administrator:
            raise Forbidden(what=gettext("move running cases to another revision"))
        return ctx

    async def running_cases_behind(self, sop_id: str) -> list[CaseBehind]:
        """The office's active cases of ``sop_id`` not on the definition in force, oldest
        first (at most 500)."""
        await self._admin()
        target = self.service.sop(sop_id)
        rows = (
            await Case.select(
                Case.key, Case.period, Case.definition_hash, Case.started_at, Case.updated_at
            )
            .where(
                (Case.tenant == self.service.ref.id)
                & (Case.sop_id == sop_id)
                & (Case.status == "active")
                & (Case.definition_hash != target.content_hash)
            )
            .order_by(Case.started_at)
            .limit(500)
        )
        numbers = await self._revision_numbers(sop_id, {r["definition_hash"] for r in rows})
        return [
            CaseBehind(
                r["key"],
                r["period"],
                r["definition_hash"],
                numbers.get(r["definition_hash"]),
                r["started_at"],
                r["updated_at"],
            )
            for r in rows
        ]

    async def in_force_revision(self, sop_id: str) -> int | None:
        """The office's revision number of the definition in force (``None``: the plugin's)."""
        target = self.service.sop(sop_id).content_hash
        return (await self._revision_numbers(sop_id, {target})).get(target)

    async def preview(
        self,
        case_keys: Iterable[str],
        mapping: Mapping[int, int] | None = None,
        *,
        sop_id: str | None = None,
    ) -> list[CaseMovePlan]:
        """The dry run: per case, what moving it to its SOP's revision in force would do
        (``sop_id``: every case must be of that SOP)."""
        ctx = await self._admin()
        plans = []
        for case in await self._cases(case_keys, sop_id):
            old, new = await self._definitions(case)
            raw = plan_move(old, new, case.state, mapping, ctx)
            plans.append(await self._plan(case, old, new, raw))
        return plans

    async def move(
        self,
        case_keys: Iterable[str],
        mapping: Mapping[int, int] | None = None,
        *,
        sop_id: str | None = None,
    ) -> list[CaseMoveResult]:
        """Move each case to its SOP's revision in force, each in its own transaction; a
        refused case (the plan's reasons, or someone acting on it at the same moment) is
        reported and left untouched."""
        ctx = await self._admin()
        policy = office_policy(self.service.tenant)
        results = []
        for case in await self._cases(case_keys, sop_id):  # every case found before any moves
            key = case.key
            old, new = await self._definitions(case)
            raw = plan_move(old, new, case.state, mapping, ctx)
            plan = await self._plan(case, old, new, raw)
            if not raw.ok:
                results.append(CaseMoveResult(key, False, plan, raw.refusals))
                continue
            t = migrate(old, new, case.state, mapping, ctx, raw)
            timers = _kept_timers(new, case, raw, policy, ctx)
            timers += timers_of(new, t.events, policy, ctx.calendar)
            await self.service.store.pin_definition(case.plugin, new)
            self.service._wrote = True  # this request's remembered inboxes are stale now
            try:
                await self.service.store.apply(self.service.ref, case, t, (), timers)
            except Conflict as exc:
                results.append(CaseMoveResult(key, False, plan, (error_message(exc),)))
                continue
            results.append(CaseMoveResult(key, True, plan))
        return results

    async def _cases(self, case_keys: Iterable[str], sop_id: str | None) -> list[StoredCase]:
        keys = _keys(case_keys)
        if sop_id is not None:
            self.service.sop(sop_id)  # NotFound for an SOP the office does not run
        cases = [await self.service.case(key) for key in keys]
        other = [c.key for c in cases if sop_id is not None and c.sop_id != sop_id]
        if other:
            raise InvalidInput(
                {
                    "cases": format_message(
                        "case {key} is not a case of SOP {sop}", key=other[0], sop=sop_id
                    )
                }
            )
        return cases

    async def _definitions(self, case: StoredCase) -> tuple[SopDefinition, SopDefinition]:
        return await self.service.definition_of(case), self.service.sop(case.sop_id)

    async def _plan(
        self, case: StoredCase, old: SopDefinition, new: SopDefinition, plan: MovePlan
    ) -> CaseMovePlan:
        numbers = await self._revision_numbers(case.sop_id, {plan.from_hash, plan.to_hash})
        roles = {r.id: r.name for r in old.roles} | {r.id: r.name for r in new.roles}
        return CaseMovePlan(
            key=case.key,
            period=case.period,
            sop_id=case.sop_id,
            from_hash=plan.from_hash,
            to_hash=plan.to_hash,
            from_revision=numbers.get(plan.from_hash),
            to_revision=numbers.get(plan.to_hash),
            from_version=plan.from_version,
            to_version=plan.to_version,
            mapping=plan.mapping,
            kept=plan.kept,
            closed=plan.closed,
            opened=plan.opened,
            refusals=plan.refusals,
            steps_before={s.number: s.kegiatan for s in old.steps},
            steps_after={s.number: s.kegiatan for s in new.steps},
            roles=roles,
        )

    async def _revision_numbers(self, sop_id: str, hashes: set[str]) -> dict[str, int]:
        """The office's revision number of each definition hash that is one."""
        if not hashes:
            return {}
        rows = await SopRevision.select(SopRevision.content_hash, SopRevision.number).where(
            (SopRevision.tenant == self.service.ref.id)
            & (SopRevision.sop_id == sop_id)
            & SopRevision.content_hash.is_in(sorted(hashes))
        )
        return {r["content_hash"]: r["number"] for r in rows}


def _keys(case_keys: Iterable[str]) -> list[str]:
    keys = list(dict.fromkeys(k.strip() for k in case_keys if isinstance(k, str) and k.strip()))
    if not keys:
        raise InvalidInput({"cases": gettext("choose at least one case")})
    if len(keys) > MAX_CASES:
        raise InvalidInput({"cases": format_message("move at most {n} cases at once", n=MAX_CASES)})
    return keys


def _kept_timers(
    new: SopDefinition, case: StoredCase, plan: MovePlan, policy: Any, ctx: Context
) -> list[tuple[int, Any]]:
    """The timers of the kept tasks, from their new due time (only those still to come)."""
    found = []
    for kept in plan.kept:
        task = case.state.open_tasks[kept.task]
        for timer in task_timers(
            new,
            step=kept.step,
            role=kept.role,
            opened_at=task.opened_at,
            due=kept.due,
            policy=policy,
            calendar=ctx.calendar,
        ):
            if timer.fires_at > ctx.now:
                found.append((kept.task, timer))
    return found
