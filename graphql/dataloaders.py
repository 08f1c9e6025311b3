"""Per-request DataLoaders: one query per kind of object, however many ask for it.

:class:`Loaders` is created with each request's context (never at module level: a loader
caches, and a cache shared between requests would leak one office's rows to another). Each
batch function is the service layer's (:mod:`alur.tenants.cases.batch`,
:mod:`alur.tenants.kinerja.batch`, :func:`alur.tenants.identity.people.users_by_id`), given
the request's ``scope``: for an office's token every query also filters on that office — the
one rule of :func:`alur.tenants.cases.batch.in_scope` — so a row of another office is never
loaded even if an id of it were somehow asked for.

The loaders cover the N+1 points of the schema: case → tenant, case → tasks, task → case,
case → events, case/task → SOP definition (by content hash), and people (assignees,
actors, who started a case); for data kinerja: office and period → format (indicator set),
office → its formats' periods, case → its units and its submissions (every version); office
→ its approved SOP revisions (:mod:`alur.tenants.sop_life.batch`).
"""

from __future__ import annotations

import contextlib
from functools import partial

from strawberry.dataloader import DataLoader

from alur.core.kinerja.model import IndicatorSet, Submission
from alur.core.model import SopDefinition
from alur.core.sop_life.revisions import RevisionRef
from alur.tenants.cases import batch
from alur.tenants.cases.snapshots import pinned_definitions
from alur.tenants.identity.people import users_by_id
from alur.tenants.kinerja import batch as kinerja_batch
from alur.tenants.sop_life.batch import revision_refs_of


class Loaders:
    """The DataLoaders of one request. ``scope`` is the office of a tenant token (its id),
    ``None`` for a platform token."""

    def __init__(self, scope: int | None) -> None:
        self.scope = scope
        self.tenants: DataLoader[int, dict | None] = DataLoader(
            load_fn=partial(batch.tenants_by_id, scope=scope)
        )
        self.units: DataLoader[int, list[dict]] = DataLoader(
            load_fn=partial(batch.units_of, scope=scope)
        )
        self.cases: DataLoader[int, dict | None] = DataLoader(
            load_fn=partial(batch.cases_by_id, scope=scope)
        )
        self.tasks: DataLoader[int, list[dict]] = DataLoader(
            load_fn=partial(batch.tasks_of, scope=scope)
        )
        self.events: DataLoader[int, list[dict]] = DataLoader(
            load_fn=partial(batch.events_of, scope=scope)
        )
        self.definitions: DataLoader[str, SopDefinition | None] = DataLoader(load_fn=_definitions)
        self.users: DataLoader[int, dict | None] = DataLoader(load_fn=users_by_id)
        # office → its approved SOP revisions (which one is in force: Tenant.sops)
        self.revision_refs: DataLoader[int, list[RevisionRef]] = DataLoader(
            load_fn=partial(revision_refs_of, scope=scope)
        )
        # data kinerja
        self.indicator_sets: DataLoader[tuple[int, str], IndicatorSet | None] = DataLoader(
            load_fn=partial(kinerja_batch.indicator_sets, scope=scope)
        )
        self.indicator_periods: DataLoader[int, list[str]] = DataLoader(
            load_fn=partial(kinerja_batch.indicator_periods, scope=scope)
        )
        self.case_units: DataLoader[int, tuple[str, ...]] = DataLoader(
            load_fn=partial(batch.units_of_cases, scope=scope)
        )
        self.submissions: DataLoader[int, dict[str, list[Submission]]] = DataLoader(
            load_fn=partial(kinerja_batch.submissions_of, scope=scope)
        )

    def forget_case(self, case_id: int) -> None:
        """Drop what is cached about a case (after a mutation changed it)."""
        for loader in (self.cases, self.tasks, self.events, self.case_units, self.submissions):
            with contextlib.suppress(KeyError):  # not loaded yet
                loader.clear(case_id)

    def forget_indicator_set(self, tenant_id: int, period: str) -> None:
        """Drop the cached format of an office's period (after a mutation replaced it)."""
        with contextlib.suppress(KeyError):
            self.indicator_sets.clear((tenant_id, period))
        with contextlib.suppress(KeyError):
            self.indicator_periods.clear(tenant_id)


async def _definitions(hashes: list[str]) -> list[SopDefinition | None]:
    """Pinned definitions by content hash: parsed once per process (the store's cache),
    so a statement only for those this process has not seen yet."""
    found = await pinned_definitions(hashes)
    return [found.get(h) for h in hashes]
