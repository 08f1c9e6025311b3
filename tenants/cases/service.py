"""The tenant-scoped service layer: the one place the web UI and GraphQL both go through.

A :class:`TenantService` is opened for one tenant (by slug) and every read and write it
makes filters on that tenant; an id belonging to another tenant answers
:class:`~alur.tenants.errors.NotFound`, exactly like an id that does not exist. It turns
people into engine actors (:func:`~alur.tenants.identity.belonging.actor_for`), runs the pure state
machine, lets plugins validate submitted data, persists the transition atomically
(:class:`~alur.tenants.cases.store.CaseStore`) and, after the commit, calls the plugins' event
hooks.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from alur.core import limits
from alur.core.engine import (
    Action,
    Cancel,
    Complete,
    Context,
    Decide,
    EventKind,
    Reassign,
    StartCase,
    Transition,
    act,
    start,
)
from alur.core.engine.events import Event as EngineEvent
from alur.core.errors import PluginNotFound
from alur.core.i18n import format_message, gettext
from alur.core.model import SopDefinition
from alur.core.periods import PeriodError, normalised
from alur.core.plugins import AlurPlugins
from alur.tenants.audit.records import with_attachments
from alur.tenants.cases.attachments import AttachmentInfo as AttachmentInfo  # re-exported
from alur.tenants.cases.attachments import CaseFiles
from alur.tenants.cases.inbox import InboxTask as InboxTask  # re-exported
from alur.tenants.cases.inbox import as_of, attention_tasks, inboxes, open_tasks
from alur.tenants.cases.listing import CaseFilter, CaseRow, list_cases
from alur.tenants.cases.rules import check_action as check_action  # re-exported
from alur.tenants.cases.rules import check_start, step_data
from alur.tenants.cases.store import CaseStore, StoredCase, TenantRef
from alur.tenants.cases.uploads import MAX_ATTACHMENT_BYTES as MAX_ATTACHMENT_BYTES  # re-exported
from alur.tenants.cases.uploads import Upload, attachment_row, check_upload
from alur.tenants.cases.waiting import waiting_on
from alur.tenants.clock.timers import office_policy, timers_of
from alur.tenants.errors import InvalidInput, NotFound, TenantSuspended
from alur.tenants.identity.belonging import Person, actor_for, actor_in
from alur.tenants.kinerja.rules import with_step_data
from alur.tenants.offices.office import Office, load_office
from alur.tenants.offices.provisioning import calendar_for, calendar_from, tenant_sop_plugins
from alur.tenants.sop_life.revisions import definitions_in_force
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Case, Membership, Unit, User
from alur.tenants.storage.tables import Delegation as DelegationRow

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


class TenantService(CaseFiles):
    """Everything a tenant's users do, scoped to that tenant."""

    def __init__(
        self,
        db: Database,
        plugins: AlurPlugins,
        tenant: dict,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.plugins = plugins
        self.tenant = tenant
        self.ref = TenantRef(tenant["id"], tenant["slug"])
        self.clock = clock
        self.store = CaseStore(db)
        self._contexts: dict[int, Context] | None = None
        self._person: Person | None = None
        self._office: Office | None = None  # days off and units as loaded by open()
        # Per SOP id, the definition of the office's revision in force (set by open()).
        self._in_force: dict[str, tuple[str, SopDefinition]] = {}  # sop -> (plugin, def)
        self._wrote = False  # whether this object has written an event (cases, tasks)

    @classmethod
    async def open(
        cls, db: Database, plugins: AlurPlugins, slug: str, clock: Callable[[], datetime] = utcnow
    ) -> TenantService:
        office = await load_office(slug, sqlite=db.is_sqlite) if limits.usable_key(slug) else None
        if office is None:
            raise NotFound(what=format_message("office {slug}", slug=slug))
        service = cls(db, plugins, office.row, clock)
        service._office = office
        if office.revisions:
            service._in_force = await definitions_in_force(list(office.revisions), service.today())
        return service

    # --- definitions and context -------------------------------------------------------

    def today(self) -> date:
        """Today in the office's timezone."""
        return self.clock().astimezone(ZoneInfo(self.tenant["timezone"])).date()

    def sops(self) -> dict[str, SopDefinition]:
        """The SOPs the office runs, by id: for each, the definition of its revision in
        force (:mod:`alur.tenants.sop_life.revisions`), else the plugin's. (A service made
        with the constructor rather than :meth:`open` knows no revisions.)"""
        running = self._plugin_sops()
        mine = {
            sop: d
            for sop, (plugin, d) in self._in_force.items()
            if sop in running and plugin in ("", running[sop][0])
        }
        return {**self.plugin_sops(), **mine}

    def plugin_definition(self, sop_id: str) -> tuple[str, SopDefinition]:
        """The plugin ``sop_id`` comes from (the office's own, or the one it adopted the SOP
        from) and its definition as the plugin ships it now."""
        found = self._plugin_sops().get(sop_id)
        if found is None:
            raise NotFound(what=format_message("SOP {sop}", sop=sop_id))
        return found

    def revision_number(self, definition: SopDefinition) -> int | None:
        """The number of the office's approved (disahkan or berlaku) revision whose
        definition ``definition`` is, as :meth:`open` read them; else ``None``."""
        revisions = self._office.revisions if self._office is not None else ()
        return next(
            (
                r.number
                for r in revisions
                if r.sop_id == definition.id and r.content_hash == definition.content_hash
            ),
            None,
        )

    def allowed_plugins(self) -> tuple[str, ...] | None:
        """The plugins the office may adopt SOPs from besides its own, as :meth:`open` read
        them (``None`` for a service made with the constructor: ask
        :func:`alur.tenants.sop_life.adoption.allowed_plugins`)."""
        return self._office.allowed_plugins if self._office is not None else None

    def is_institution_office(self, plugin: str) -> bool:
        """Whether this office is ``plugin``'s own institution (its slug is the
        institution's): its SOPs are the institution's as written, signatory included."""
        loaded = {p.name: p for p in self.plugins.plugins()}.get(plugin)
        return bool(loaded and loaded.institution and loaded.institution.slug == self.ref.slug)

    def plugin_sops(self) -> dict[str, SopDefinition]:
        """The SOPs the office runs as their plugins ship them (its own plugin's, and those
        it adopted from other plugins: :mod:`alur.tenants.sop_life.adoption`), by id."""
        return {k: d for k, (_, d) in self._plugin_sops().items()}

    def _plugin_sops(self) -> dict[str, tuple[str, SopDefinition]]:
        try:
            return tenant_sop_plugins(self.tenant, self.plugins)
        except PluginNotFound as exc:
            raise NotFound(
                what=format_message(
                    "plugin {plugin} of this office (is it installed?)",
                    plugin=self.tenant["plugin"],
                )
            ) from exc

    def sop(self, sop_id: str) -> SopDefinition:
        found = self.sops().get(sop_id)
        if found is None:
            raise NotFound(what=format_message("SOP {sop}", sop=sop_id))
        return found

    def forget_office(self) -> None:
        """Drop what :meth:`open` read about the office — after changing its units, days off
        or hours, so that the rest of the request sees the change."""
        self._office = None
        if self._contexts is not None:
            self._contexts = {}  # their calendars came from the office as read

    async def units(self) -> list[dict]:
        if self._contexts is not None and self._office is not None:  # one request: as opened
            return [dict(u) for u in self._office.units]
        return (
            await Unit.select(Unit.id, Unit.slug, Unit.name, Unit.active)
            .where(Unit.tenant == self.ref.id)
            .order_by(Unit.id)
        )

    def for_one_request(self, person: Person | None = None) -> TenantService:
        """Remember each person's context (actor, calendar, now) for this service object's
        life — for a service opened per web or API request, which asks several times.
        ``person``, when the caller has already loaded it (the web's signed-in user), gives
        that person's actor without loading their memberships again."""
        self._contexts = {}
        self._person = person
        return self

    async def context(self, user_id: int) -> Context:
        if self.tenant["suspended"]:
            raise TenantSuspended(slug=self.ref.slug)
        remembered = self._contexts.get(user_id) if self._contexts is not None else None
        if remembered is not None:
            return remembered
        if self._contexts is not None and self._office is not None:  # one request: as opened
            calendar = calendar_from(self.tenant, self._office.days_off)
        else:
            calendar = await calendar_for(self.tenant)
        now = self.clock()
        today = now.astimezone(calendar.timezone).date()
        if self._person is not None and self._person.user_id == user_id:
            actor = actor_in(self._person, self.ref.id, today)
        else:
            actor = await actor_for(self.ref.id, user_id, today)
        ctx = Context(actor=actor, now=now, calendar=calendar)
        if self._contexts is not None:
            self._contexts[user_id] = ctx
        return ctx

    # --- cases ---------------------------------------------------------------------------

    async def start_case(
        self,
        user_id: int,
        sop_id: str,
        period: str,
        durations: Mapping[int, str] | None = None,
        units: tuple[str, ...] | None = None,
    ) -> StoredCase:
        """Start a case of ``sop_id`` for ``period``; ``units`` default to every active
        unit. The input is checked as a whole (:func:`~alur.tenants.cases.rules.check_start`:
        :class:`InvalidInput` naming every wrong field), the rest by the state machine."""
        ctx = await self.context(user_id)  # a suspended office, a non-member: first
        period = period.strip()
        durations = {step: waktu.strip() for step, waktu in (durations or {}).items()}
        active = tuple(u["slug"] for u in await self.units() if u["active"])
        started = await self.periods_started(sop_id, period)
        period = check_start(self.sops(), sop_id, period, durations, units, active, started)
        d = self.sop(sop_id)
        key = secrets.token_hex(8)
        started = StartCase(key, period, active if units is None else units, durations)
        t = start(d, started, ctx)
        self._wrote = True
        timers = timers_of(d, t.events, office_policy(self.tenant), ctx.calendar)
        stored = await self.store.create(
            self.ref, self.plugin_definition(sop_id)[0], d, t, user_id, timers
        )
        self._notify(stored.plugin, d, t)
        return stored

    async def periods_started(self, sop_id: str, period: str) -> list[str]:
        """The periods among ``period`` (as typed, and as a case stores it) of this office's
        cases of ``sop_id`` that are not cancelled: the cases a new one would repeat."""
        try:
            texts = {period, normalised(period)}
        except PeriodError:
            texts = {period}
        if not limits.usable_key(sop_id) or not all(
            limits.usable_key(t, limits.PERIOD) for t in texts
        ):
            return []
        rows = await Case.select(Case.period).where(
            (Case.tenant == self.ref.id)
            & (Case.sop_id == sop_id)
            & Case.period.is_in(sorted(texts))
            & (Case.status != "cancelled")
        )
        return [r["period"] for r in rows]

    async def case(self, case_key: str) -> StoredCase:
        if not limits.usable_key(case_key, 32):
            raise NotFound(what=gettext("case"))
        return await self.store.get(self.ref.id, case_key)

    async def case_for(self, user_id: int | None, case_key: str) -> StoredCase:
        """Case ``case_key`` for a person who may read it — every page and download of a
        case asks this. Any current member of the office (an actor today: memberships and
        the Plt/Plh delegations of today) reads every case of the office; anyone else, and
        no one (``None``), gets :class:`NotFound`; a suspended office, TenantSuspended."""
        if user_id is None:
            raise NotFound(what=format_message("case {key}", key=case_key))
        await self.context(user_id)
        return await self.case(case_key)

    async def definition_of(self, case: StoredCase) -> SopDefinition:
        return await self.store.definition(case.definition_hash)

    async def history(self, case_key: str) -> list[EngineEvent]:
        return await self.history_of(await self.case(case_key))

    async def history_of(self, case: StoredCase) -> list[EngineEvent]:
        return await self.store.events(self.ref.id, case.id)

    async def act(
        self,
        user_id: int,
        case_key: str,
        action: Action,
        files: Sequence[Upload | tuple[str, str, bytes]] = (),
        *,
        password: str | None = None,
    ) -> StoredCase:
        """Apply one action; refusals are typed errors and nothing is written.

        ``password``: the actor's password, asked again to complete (or answer "ya" at) a
        paraf or tanda tangan step (:mod:`alur.tenants.kinerja.signing`); ignored elsewhere.

        ``files`` (a completion's attachments, stored on its task) are written in the same
        transaction as the action's events: a refused action — by the engine, a plugin, the
        data kinerja rules, a bad file or a concurrent winner — stores none of them.
        """
        check_action(action)  # before any lookup: a 900-deep data is refused as one of 9
        case = await self.case(case_key)
        d = await self.definition_of(case)
        ctx = await self.context(user_id)
        t = act(d, case.state, action, ctx)  # the engine's refusals (wrong role…) come first
        if isinstance(action, Complete):
            self._validate_data(d, case, action)
        elif files:
            raise InvalidInput({"attachment": gettext("only a completed step takes files")})
        rows = []
        for filename, content_type, content in files:
            name, errors = check_upload(filename, content_type, content)
            if errors:
                raise InvalidInput({"attachment": "; ".join(errors.values())})
            task_no = action.task  # type: ignore[attr-defined]  # a Complete
            rows.append(
                attachment_row(self.ref.id, case.id, task_no, name, content_type, content, user_id)
            )
        recorded = await with_step_data(  # data kinerja rules (paraf/sign: the password)
            self, d, case, action, user_id=user_id, password=password
        )
        # the task's files, stored and these new ones, for the audit
        recorded = await with_attachments(self.ref.id, case, recorded, rows)
        if recorded is not action:
            t = act(d, case.state, recorded, ctx)
        self._wrote = True
        timers = timers_of(d, t.events, office_policy(self.tenant), ctx.calendar)
        stored = await self.store.apply(self.ref, case, t, rows, timers)
        self._notify(case.plugin, d, t)
        return stored

    async def cancel_case(self, user_id: int, case_key: str, reason: str) -> StoredCase:
        """Cancel the case, saying why (``reason``: :class:`InvalidInput` on ``reason`` when
        empty); the engine decides who may (:func:`alur.core.engine.may_cancel`)."""
        reason = reason.strip()
        problem = limits.text_problem(reason, limits.NOTE) if reason else None
        if not reason or problem:
            raise InvalidInput({"reason": problem or gettext("Say why the case is cancelled.")})
        return await self.act(user_id, case_key, Cancel(reason))

    async def reassign(self, user_id: int, case_key: str, task: int, to_user_id: int) -> StoredCase:
        """Give ``task`` to ``to_user_id``, who must hold the step's role here."""
        ctx = await self.context(user_id)
        if not limits.usable_id(to_user_id):
            raise NotFound(what=gettext("user"))
        target = await actor_for(
            self.ref.id, to_user_id, ctx.now.astimezone(ctx.calendar.timezone).date()
        )
        return await self.act(user_id, case_key, Reassign(task, target))

    def _validate_data(self, d: SopDefinition, case: StoredCase, action: Complete) -> None:
        task = case.state.open_tasks.get(action.task)
        if task is None:
            return  # the engine reports it precisely
        messages = self.plugins.validate_step_data(
            d, d.step(task.step), task.unit, step_data(action), plugin=case.plugin
        )
        if messages:
            raise InvalidInput({"data": " ".join(messages)})

    def _notify(self, plugin: str, d: SopDefinition, t: Transition) -> None:
        """Call the event hooks of ``plugin``, the owner of the case's definition, only."""
        hooks = self.plugins
        for e in t.events:
            if e.kind is EventKind.CASE_STARTED:
                errors = hooks.case_started(t.state, d, e, plugin=plugin)
            elif e.kind is EventKind.TASK_COMPLETED:
                errors = hooks.step_completed(t.state, d, d.step(e.step), e, plugin=plugin)
            elif e.kind is EventKind.GATE_DECIDED:
                answer = Decide(0, e.payload["answer"]).answer
                errors = hooks.gate_decided(t.state, d, d.step(e.step), answer, e, plugin=plugin)
            else:
                continue
            for err in errors:
                log.error("plugin %s failed in its %s hook: %s", err.plugin, e.kind, err.message)

    # --- inbox ---------------------------------------------------------------------------

    async def inbox(self, user_id: int) -> list[InboxTask]:
        """The user's open tasks (own roles and units, active delegations), most urgent first.

        A service opened for one request remembers them across requests
        (:mod:`alur.tenants.cases.inbox`), under the office's event sequence as this request read
        it — so not once this request has itself written an event.
        """
        ctx = await self.context(user_id)
        key = None
        if self._contexts is not None and self._office is not None and not self._wrote:
            key = (self.ref.id, self.tenant["chain_seq"], ctx.actor)
            found = inboxes.get(key)
            if found is not None:
                return as_of(found, ctx.now)
        items = await open_tasks(self.ref.id, ctx, self.store.definition)
        if key is not None:
            inboxes.put(key, items)
        return items

    async def attention(self, user_id: int) -> list[InboxTask]:
        """Open tasks escalated to a role the user holds today ("perlu perhatian"), still
        with their holders (:func:`~alur.tenants.cases.inbox.attention_tasks`)."""
        ctx = await self.context(user_id)
        return await attention_tasks(self.ref.id, ctx, self.store.definition)

    # --- people --------------------------------------------------------------------------

    async def user(self, user_id: int) -> dict:
        """A user of this tenant; users of other tenants are not found."""
        if not limits.usable_id(user_id):
            raise NotFound(what=gettext("user"))
        member = await Membership.exists().where(
            (Membership.tenant == self.ref.id) & (Membership.user == user_id)
        ) or await DelegationRow.exists().where(
            (DelegationRow.tenant == self.ref.id) & (DelegationRow.delegate == user_id)
        )
        row = (
            await User.select(User.id, User.username, User.name, User.nip, User.jabatan)
            .where(User.id == user_id)
            .first()
        )
        if not member or row is None:
            raise NotFound(what=gettext("user"))
        return row

    # --- case lists --------------------------------------------------------------------

    async def case_list(self, f: CaseFilter) -> list[CaseRow]:
        """The office's cases (:func:`~alur.tenants.cases.listing.list_cases`), each with
        whom it is waiting on (:func:`~alur.tenants.cases.waiting.waiting_on`)."""
        now = self.clock()
        rows = await list_cases(self.ref.id, f, now)
        today = now.astimezone(ZoneInfo(self.tenant["timezone"])).date()
        found = await waiting_on(
            self.ref.id,
            [(r.id, r.definition_hash) for r in rows],
            now,
            today,
            self.store.definition,
        )
        return [replace(r, waiting=tuple(found.get(r.id, ()))) for r in rows]

    async def cases(
        self, *, status: str | None = None, sop_id: str | None = None, limit: int = 50
    ) -> list[dict]:
        where = Case.tenant == self.ref.id
        if status:
            where &= Case.status == status
        if sop_id:
            where &= Case.sop_id == sop_id
        return (
            await Case.select(
                Case.key, Case.sop_id, Case.period, Case.status, Case.started_at, Case.updated_at
            )
            .where(where)
            .order_by(Case.updated_at, ascending=False)
            .limit(min(limit, 200))
        )
