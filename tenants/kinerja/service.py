"""Data kinerja of a tenant: the format per period, the units' submissions, the recap and
its approvals — the service the web UI and GraphQL both use.

A :class:`KinerjaService` wraps a :class:`~alur.tenants.cases.service.TenantService` and, like it,
reads and writes only its tenant's rows; another tenant's case answers
:class:`~alur.tenants.errors.NotFound`. Reads are open to every member; writes happen only
through an open task of a case at a step bound to the matching
:class:`~alur.core.model.DataAction` (``design`` for the format, ``fill`` for a unit's
data), by someone the engine lets act on that task (:func:`~alur.tenants.kinerja.rules.bound_task`).
Each write is one transaction: bad input (per-field :class:`~alur.core.errors.InvalidInput`)
or a bad file saves nothing. :meth:`KinerjaService.save_format_and_complete` and
:meth:`KinerjaService.save_data_and_complete` save a bound step's form and complete its task
in one transaction (the "Complete" button of a step with a form: what was typed is never
dropped for want of a separate save). The rules that apply when a bound step is completed are in
:mod:`alur.tenants.kinerja.rules`; the row mapping is in :mod:`alur.tenants.kinerja.data`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence

from alur.core import limits
from alur.core.engine import Complete, Decide
from alur.core.i18n import format_message, gettext
from alur.core.kinerja.changes import Change
from alur.core.kinerja.forms import MAX_ROWS, read_entries, read_indicator_set
from alur.core.kinerja.model import (
    Approval,
    Entry,
    Evidence,
    IndicatorSet,
    Recap,
    Submission,
)
from alur.core.model import DataAction, SopDefinition
from alur.tenants.cases.service import TenantService
from alur.tenants.cases.store import StoredCase
from alur.tenants.cases.uploads import Upload as Upload  # re-exported
from alur.tenants.cases.uploads import attachment_row, check_upload
from alur.tenants.errors import Conflict, Forbidden, InvalidInput, NotFound
from alur.tenants.kinerja import rules
from alur.tenants.kinerja.data import (
    entry_to_dict,
    insert_submission,
    latest_stored_entries,
    latest_submissions,
    load_indicator_set,
    load_periods,
    load_submissions,
    replace_indicators,
)
from alur.tenants.storage.tables import Case, Task


def check_editor_row(case: StoredCase, task_no: int, index: int) -> None:
    """Row ``index`` of the format editor of task ``task_no`` names something only when the
    task is open in ``case`` and the index is one the editor reads (``0 <= index <
    MAX_ROWS``); anything else — another case's task, a huge or negative number — is
    :class:`NotFound`."""
    if not limits.usable_id(task_no) or case.state.task(task_no) is None:
        raise NotFound(what=format_message("task {task}", task=str(task_no)[:20]))
    if not 0 <= index < MAX_ROWS:
        raise NotFound(what=format_message("row {row}", row=str(index)[:20]))


class KinerjaService:
    """The data kinerja of one tenant (see the module docstring)."""

    def __init__(self, service: TenantService) -> None:
        self.service = service
        self.tenant_id = service.ref.id

    async def _case(self, case_key: str) -> tuple[StoredCase, SopDefinition]:
        case = await self.service.case(case_key)
        return case, await self.service.definition_of(case)

    # --- the format (indicator sets) ---------------------------------------------------

    async def indicator_set(self, period: str) -> IndicatorSet | None:
        """The format of ``period``, or ``None`` when the tenant has none."""
        return await load_indicator_set(self.tenant_id, period)

    async def periods(self) -> list[str]:
        """The periods that have a format, the most recently created first."""
        return await load_periods(self.tenant_id)

    async def save_indicator_set(
        self,
        user_id: int,
        case_key: str,
        task_no: int,
        rows: Sequence[Mapping[str, str]],
        *,
        language: str,
    ) -> IndicatorSet:
        """Replace the format of the case's period with ``rows`` (read by
        :func:`~alur.core.kinerja.forms.read_indicator_set`, against the case's units), at
        an open design task of the case. The set is the tenant's for that period, shared by
        every case of the period."""
        case, d = await self._case(case_key)
        await rules.bound_task(self.service, user_id, case, d, task_no, DataAction.DESIGN)
        indicator_set = read_indicator_set(
            case.period, rows, known_units=case.state.units, language=language
        )
        await self._replace(indicator_set, user_id)
        return indicator_set

    async def copy_indicator_set(
        self, user_id: int, case_key: str, task_no: int, from_period: str
    ) -> IndicatorSet:
        """Copy every indicator of ``from_period``'s format into the case's period, at an
        open design task of the case.

        Refused (:class:`InvalidInput` on ``from_period``) when ``from_period`` has no
        format or is the case's own period. An existing format of the case's period is
        replaced, even a non-empty one (the designer asked for it; the indicators stay
        editable). Indicators are copied as they are, including unit slugs the case may no
        longer have (such an indicator is reported by none of the case's units until it is
        edited).
        """
        case, d = await self._case(case_key)
        await rules.bound_task(self.service, user_id, case, d, task_no, DataAction.DESIGN)
        if not limits.usable_key(from_period, limits.PERIOD):
            raise InvalidInput({"from_period": gettext("choose a period with a format")})
        if from_period == case.period:
            raise InvalidInput(
                {"from_period": gettext("choose an earlier period than the case's own")}
            )
        source = await load_indicator_set(self.tenant_id, from_period)
        if source is None or not source.indicators:
            raise InvalidInput(
                {
                    "from_period": format_message(
                        "{period} has no format data kinerja to copy", period=from_period
                    )
                }
            )
        copied = IndicatorSet(period=case.period, indicators=source.indicators)
        await self._replace(copied, user_id)
        return copied

    async def _replace(self, indicator_set: IndicatorSet, user_id: int) -> None:
        async with self.service.store.transaction():
            await replace_indicators(self.tenant_id, indicator_set, user_id, self.service.clock())

    # --- filling -----------------------------------------------------------------------

    async def save_submission(
        self,
        user_id: int,
        case_key: str,
        task_no: int,
        values: rules.GivenValues,
        evidence: Mapping[str, Sequence[Upload | tuple[str, str, bytes]]] | None = None,
        *,
        language: str,
        remove_evidence: Mapping[str, Collection[str]] | None = None,
        skip_unchanged: bool = False,
    ) -> Submission:
        """Save a new version of the unit's data at its open fill task (with
        ``skip_unchanged``, none when it would equal the latest version: that one is
        returned).

        ``values`` gives each indicator code the unit reports ``{"realisasi",
        "explanation"}`` (read by :func:`~alur.core.kinerja.forms.read_entries`), as a
        mapping or as the (code, fields) pairs that were sent: a code given twice or one
        the unit does not report is refused (:func:`~alur.tenants.kinerja.rules.values_by_code`);
        ``evidence`` maps a code to new files, stored as attachments of the case and task.
        The previous version's evidence of a code is kept, except the files whose SHA-256
        is listed in ``remove_evidence[code]``; a new file identical to a kept one is not
        stored twice. Errors of codes, values and files are reported together, per field
        (``"{code}.code"``, ``"{code}.realisasi"``, ``"{code}.explanation"``,
        ``"{code}.evidence"``), and then
        nothing is saved; the attachments and the new version are written in one
        transaction.
        """
        case, d = await self._case(case_key)
        task = await rules.bound_task(self.service, user_id, case, d, task_no, DataAction.FILL)
        unit = task.unit
        if unit is None:  # the validation keeps fill on per-unit steps
            raise Forbidden(what=gettext("enter data kinerja at a step that is not per unit"))
        indicator_set = await rules.case_set(self.service, case)
        indicators = indicator_set.for_unit(unit, case.state.units)
        if not indicators:
            raise InvalidInput(
                {
                    "indicators": format_message(
                        "the format data kinerja of {period} has no indicators for {unit}",
                        period=case.period,
                        unit=unit,
                    )
                }
            )
        codes = {i.code for i in indicators}
        given, errors = rules.values_by_code(values, codes, unit)
        entries: tuple[Entry, ...] = ()
        try:
            entries = read_entries(indicators, given, language=language)
        except InvalidInput as exc:
            errors.update(exc.errors)
        files: dict[str, list[tuple[str, str, bytes]]] = {}
        for code, uploads in (evidence or {}).items():
            if not uploads:
                continue
            if code not in codes:
                errors[f"{code}.evidence"] = format_message(
                    "{code} is not an indicator {unit} reports", code=code, unit=unit
                )
                continue
            problems = []
            for filename, content_type, content in uploads:
                name, wrong = check_upload(filename, content_type, content)
                problems += [f"{name or '?'}: {message}" for message in wrong.values()]
                files.setdefault(code, []).append((name, content_type, content))
            if problems:
                errors[f"{code}.evidence"] = "; ".join(problems)
        if errors:
            raise InvalidInput(errors)
        removed = {code: set(shas) for code, shas in (remove_evidence or {}).items()}
        return await self._store(
            case, task_no, unit, user_id, entries, files, removed, skip_unchanged
        )

    async def _store(
        self,
        case: StoredCase,
        task_no: int,
        unit: str,
        user_id: int,
        entries: tuple[Entry, ...],
        files: Mapping[str, list[tuple[str, str, bytes]]],
        removed: Mapping[str, set[str]],
        skip_unchanged: bool = False,
    ) -> Submission:
        service = self.service
        submitted_by = (await service.user(user_id))["name"]
        async with service.store.transaction():
            await self._lock_open_task(case, task_no)
            previous, stored = await latest_stored_entries(self.tenant_id, case.id, unit)
            kept = {e["indicator"]: e.get("evidence", []) for e in stored}
            ids: dict[str, int] = {}
            final: list[Entry] = []
            for entry in entries:
                keep = [
                    ev
                    for ev in kept.get(entry.indicator, [])
                    if ev["sha256"] not in removed.get(entry.indicator, ())
                ]
                ids.update({ev["sha256"]: ev["attachment_id"] for ev in keep})
                evidence = [Evidence(ev["name"], ev["sha256"]) for ev in keep]
                for name, content_type, content in files.get(entry.indicator, []):
                    row = attachment_row(
                        self.tenant_id, case.id, task_no, name, content_type, content, user_id
                    )
                    if any(e.sha256 == row.sha256 for e in evidence):
                        continue
                    await row.save()
                    ids[row.sha256] = row.id
                    evidence.append(Evidence(row.filename, row.sha256))
                final.append(
                    Entry(entry.indicator, entry.realisasi, entry.explanation, tuple(evidence))
                )
            rows = [entry_to_dict(e, ids) for e in final]
            if skip_unchanged and previous and rows == stored:
                return Submission(unit, previous, tuple(final), submitted_by, service.clock())
            submission = Submission(
                unit=unit,
                version=previous + 1,
                entries=tuple(final),
                submitted_by=submitted_by,
                submitted_at=service.clock(),
            )
            await insert_submission(
                self.tenant_id,
                case.id,
                submission,
                rows,
                user_id,
            )
        return submission

    async def _lock_open_task(self, case: StoredCase, task_no: int) -> None:
        """Inside the write transaction: lock the case row (PostgreSQL; SQLite's write
        transactions are exclusive already) and make sure the task is still open — someone
        may have completed it since it was checked."""
        if not self.service.db.is_sqlite:
            await Case.raw(
                "SELECT id FROM alur_case WHERE id = {} AND tenant = {} FOR UPDATE",
                case.id,
                self.tenant_id,
            )
        still_open = await Task.exists().where(
            (Task.tenant == self.tenant_id)
            & (Task.case == case.id)
            & (Task.task_no == task_no)
            & (Task.status == "open")
        )
        if not still_open:
            raise Conflict()

    # --- saving and completing at once -------------------------------------------------

    async def save_format_and_complete(
        self,
        user_id: int,
        case_key: str,
        task_no: int,
        rows: Sequence[Mapping[str, str]],
        completion: Complete,
        files: Sequence[Upload | tuple[str, str, bytes]] = (),
        *,
        language: str,
    ) -> StoredCase:
        """Save the format (:meth:`save_indicator_set`) and complete the design task with
        ``completion`` (its output note and step data) and ``files``
        (:meth:`~alur.tenants.cases.service.TenantService.act`), in one transaction."""

        async def save() -> object:
            return await self.save_indicator_set(
                user_id, case_key, task_no, rows, language=language
            )

        return await self._then_complete(save, user_id, case_key, task_no, completion, files)

    async def save_format_and_decide(
        self,
        user_id: int,
        case_key: str,
        task_no: int,
        rows: Sequence[Mapping[str, str]],
        decision: Decide,
        *,
        language: str,
    ) -> StoredCase:
        """Save the format and answer the gate of a design task (one that may correct the
        format, e.g. a Kasubbag's check) with ``decision``, in one transaction: the
        corrections typed are never lost by answering."""

        async def save() -> object:
            return await self.save_indicator_set(
                user_id, case_key, task_no, rows, language=language
            )

        return await self._then_complete(save, user_id, case_key, task_no, decision, ())

    async def save_data_and_complete(
        self,
        user_id: int,
        case_key: str,
        task_no: int,
        values: rules.GivenValues,
        completion: Complete,
        files: Sequence[Upload | tuple[str, str, bytes]] = (),
        *,
        evidence: Mapping[str, Sequence[Upload | tuple[str, str, bytes]]] | None = None,
        remove_evidence: Mapping[str, Collection[str]] | None = None,
        language: str,
    ) -> StoredCase:
        """Save the unit's data (:meth:`save_submission`; no new version when it equals the
        latest one, as when "Save" was pressed before) and complete the fill task with
        ``completion`` and ``files``, in one transaction."""

        async def save() -> object:
            return await self.save_submission(
                user_id,
                case_key,
                task_no,
                values,
                evidence,
                language=language,
                remove_evidence=remove_evidence,
                skip_unchanged=True,
            )

        return await self._then_complete(save, user_id, case_key, task_no, completion, files)

    async def _then_complete(
        self,
        save: Callable[[], Awaitable[object]],
        user_id: int,
        case_key: str,
        task_no: int,
        completion: Complete | Decide,
        files: Sequence[Upload | tuple[str, str, bytes]],
    ) -> StoredCase:
        """``save``, then complete (or answer) task ``task_no``, in one transaction: a refusal of either
        (bad input, the rules of the bound step, the engine, a plugin, a concurrent winner)
        stores nothing of both, and the caller shows the form again as it was typed.

        The save's and the completion's own transactions join this one (piccolo's nested
        transactions are the outer one), so the completion's rule (the format has
        indicators, the unit's data covers its indicators) reads what ``save`` wrote. The
        plugins' event hooks are called after the case's write but before this outer
        commit, which comes right after it.
        """
        if completion.task != task_no:
            raise InvalidInput({"task": gettext("the form and the completion name other tasks")})
        async with self.service.store.transaction():
            await save()
            return await self.service.act(user_id, case_key, completion, files)

    # --- reading a case's data ---------------------------------------------------------

    async def submissions(self, case_key: str) -> dict[str, list[Submission]]:
        """Every version of every unit's data in the case, per unit, oldest first."""
        case = await self.service.case(case_key)
        return await load_submissions(self.tenant_id, case.id)

    async def latest(self, case_key: str) -> dict[str, Submission]:
        """The newest version of each unit's data in the case."""
        case = await self.service.case(case_key)
        return await latest_submissions(self.tenant_id, case.id)

    async def recap(self, case_key: str) -> Recap:
        """The recap of the case (:func:`~alur.core.kinerja.recap.build_recap` over the
        period's format, the case's units and their latest data); without a format it has
        no sasaran and is not complete."""
        case = await self.service.case(case_key)
        return await rules.case_recap(self.service, case)

    async def approvals(self, case_key: str) -> list[Approval]:
        """Every paraf and tanda tangan of the case, oldest first; each holds while
        :meth:`Approval.valid_for` the current :meth:`recap`'s ``content_hash``."""
        case, d = await self._case(case_key)
        return await rules.approvals(self.service, case, d)

    async def verification_changes(self, case_key: str, unit: str) -> tuple[Change, ...]:
        """What ``unit`` changed since the last "tidak" at verification (empty when none):
        see :func:`alur.tenants.kinerja.rules.verification_changes`."""
        case, d = await self._case(case_key)
        return await rules.verification_changes(self.service, case, d, unit)
