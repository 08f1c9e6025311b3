"""The worker's job that puts approved revisions in force on their tanggal efektif
(alur.tenants.clock.sop_effect), on SQLite and PostgreSQL with a fake clock: nothing before
the office's day begins, then berlaku with the earlier revision diganti and both on the
office's chain; run again, nothing changes; ``alur worker --once`` runs it too."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from alur.tenants.audit.office_log import office_changes
from alur.tenants.clock.jobs import run_round
from alur.tenants.clock.sop_effect import take_effect_due
from alur.tenants.notify.settings import DeliverySettings
from alur.tenants.sop_life.revisions import SopRevisions
from alur.tenants.storage.tables import SopRevision, Tenant
from tests.sop_life.test_revisions import SOP, office, opened

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]


async def states() -> dict[int, str]:
    rows = await SopRevision.select(SopRevision.number, SopRevision.state)
    return {r["number"]: r["state"] for r in rows}


async def approve(service, admin: int, kepala: int, effective_on: str) -> int:
    drafts, head = SopRevisions(service, admin), SopRevisions(service, kepala)
    draft = await drafts.start_draft(SOP)
    draft = await drafts.save_draft(
        SOP, draft.number, {}, effective_on=effective_on, version=draft.version
    )
    draft = await drafts.submit(SOP, draft.number, version=draft.version)
    await head.approve(SOP, draft.number, version=draft.version, password="rahasia-2026")
    return draft.number


async def revision_changes(slug: str) -> list[str]:
    tenant = await Tenant.select(Tenant.id).where(Tenant.slug == slug).first()
    return [  # oldest first
        f"{c.change}:{c.details['number']}"
        for c in reversed(await office_changes(tenant["id"]))
        if c.change in ("sop_revision_in_force", "sop_revision_superseded")
    ]


async def test_an_approved_revision_takes_effect_on_its_day_once(installed, database) -> None:
    slug, admin, kepala, _ = await office(installed, database)
    service = await opened(database, installed, slug)  # Monday 4 January 2027
    assert await approve(service, admin, kepala, "2027-01-04") == 0  # in force at once
    service = await opened(database, installed, slug)
    assert await approve(service, admin, kepala, "2027-02-01") == 1
    assert await states() == {0: "berlaku", 1: "disahkan"}
    before = await revision_changes(slug)
    assert before == ["sop_revision_in_force:0"]

    # 31 January, 23:30 in Jakarta (16:30 UTC): not yet the office's 1 February.
    late_evening = await take_effect_due(database, datetime(2027, 1, 31, 16, 30, tzinfo=UTC))
    assert (late_evening.revisions, late_evening.offices) == (0, 0)
    assert await states() == {0: "berlaku", 1: "disahkan"}

    # 1 February, 00:05 in Jakarta.
    midnight = datetime(2027, 1, 31, 17, 5, tzinfo=UTC)
    done = await take_effect_due(database, midnight)
    assert (done.revisions, done.offices, done.failed) == (1, 1, 0)
    assert await states() == {0: "diganti", 1: "berlaku"}
    assert await revision_changes(slug) == [
        *before,
        "sop_revision_superseded:0",
        "sop_revision_in_force:1",
    ]

    again = await take_effect_due(database, midnight)
    assert again.revisions == 0
    settings = DeliverySettings.from_env({})
    report = await run_round(database, installed, midnight, {}, settings)
    assert report.revisions_in_force == 0
    assert "SOP revisions in force 0" in report.summary()
    assert await states() == {0: "diganti", 1: "berlaku"}
    assert len(await revision_changes(slug)) == 3


async def test_the_newest_revision_due_wins_and_the_worker_round_runs_it(
    installed, database
) -> None:
    slug, admin, kepala, _ = await office(installed, database)
    service = await opened(database, installed, slug)
    assert await approve(service, admin, kepala, "2027-02-01") == 0
    assert await approve(service, admin, kepala, "2027-02-03") == 1
    assert await states() == {0: "disahkan", 1: "disahkan"}
    # The worker was not running for days: on 5 February only Revisi ke-1 takes effect.
    settings = DeliverySettings.from_env({})
    report = await run_round(
        database, installed, datetime(2027, 2, 5, 2, 0, tzinfo=UTC), {}, settings
    )
    assert report.revisions_in_force == 1
    assert await states() == {0: "diganti", 1: "berlaku"}
    assert await revision_changes(slug) == ["sop_revision_superseded:0", "sop_revision_in_force:1"]
    service = await opened(database, installed, slug, datetime(2027, 2, 5, 2, 0, tzinfo=UTC))
    current = await SopRevision.select(SopRevision.content_hash).where(SopRevision.number == 1)
    assert service.sop(SOP).content_hash == current[0]["content_hash"]


async def test_two_workers_at_once_put_a_revision_in_force_once(installed, database) -> None:
    slug, admin, kepala, _ = await office(installed, database)
    service = await opened(database, installed, slug)
    await approve(service, admin, kepala, "2027-01-04")
    service = await opened(database, installed, slug)
    await approve(service, admin, kepala, "2027-02-01")
    midnight = datetime(2027, 1, 31, 17, 5, tzinfo=UTC)
    results = await asyncio.gather(*(take_effect_due(database, midnight) for _ in range(2)))
    assert sum(r.revisions for r in results) == 1
    assert sum(r.failed for r in results) == 0
    assert await states() == {0: "diganti", 1: "berlaku"}
    assert await revision_changes(slug) == [
        "sop_revision_in_force:0",
        "sop_revision_superseded:0",
        "sop_revision_in_force:1",
    ]
