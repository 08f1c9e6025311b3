"""Plt/Plh delegations, on SQLite and PostgreSQL: real cases of Satpol PP Banyumas through
:class:`TenantService` on a fake clock: a Plh acts only inside the delegation's dates, is
recorded as "Plh" with both people named, and may not sign (step 9 is not delegable)."""

from __future__ import annotations

import itertools
from datetime import date, datetime

import pytest

from alur.core import AlurPlugins, Answer
from alur.core.engine import Complete, Decide, Delegation, EventKind
from alur.core.errors import DelegationRefused, WrongRole
from alur.tenants.demo.kinerja_samples import fill_in_sample
from alur.tenants.errors import InvalidInput, NotFound
from alur.tenants.identity.belonging import actor_for, actor_in, load_person
from alur.tenants.identity.memberships import add_delegation, add_membership
from alur.tenants.identity.people import (
    create_user,
)
from alur.tenants.kinerja.service import KinerjaService
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.tables import Event
from tests.identity.identity_helpers import PLUGIN, SLUG, Office, wib

SOP = "pengumpulan-data-kinerja"

pytestmark = pytest.mark.anyio


_PERIODS = itertools.count()


async def start(o: Office, when: datetime) -> str:
    o.clock.now = when
    period = f"Tahun {2000 + next(_PERIODS)}"  # the SOP runs once per period
    case = await o.service.start_case(o.people["staf"], SOP, period)
    return case.key


PASSWORD = "rahasia-123"  # conftest's staff


async def walk_to(o: Office, key: str, step: int) -> int:
    """Act as each open task's own holder ("ya" at gates) until ``step`` is open."""
    d = o.service.sop(SOP)
    for _ in range(40):
        tasks = sorted((await o.service.case(key)).state.open_tasks.values())
        for t in tasks:
            if t.step == step:
                return t.id
        t = tasks[0]
        per_unit = d.role(t.role).per_unit
        who = o.people[f"{t.role}.{t.unit}" if per_unit else t.role]
        gate = d.step(t.step).gate is not None
        action = Decide(t.id, Answer.YA, "Sesuai") if gate else Complete(t.id, "Selesai")
        await fill_in_sample(KinerjaService(o.service), who, key, t.id)  # the data kinerja
        await o.service.act(who, key, action, password=PASSWORD)  # paraf asks it again
    raise AssertionError(f"step {step} never opened")


# --- delegations (Plt/Plh) -------------------------------------------------------------------


async def test_delegation_validation(office: Office) -> None:
    p = office.people
    with pytest.raises(InvalidInput) as raised:
        await add_delegation(
            office.tenant_id,
            p["staf"],
            p["staf"],
            "kepala_satuan",
            "nowhere",
            "Pjs",
            date(2026, 11, 25),
            date(2026, 11, 24),
        )
    assert raised.value.errors == {
        "kind": 'choose "Plt" or "Plh"',
        "ends_on": "the end date is before the start date",
        "delegate": "an official cannot be their own Plt/Plh",
        "unit": 'no unit "nowhere" in this office',
    }
    with pytest.raises(InvalidInput) as raised:
        await add_delegation(
            office.tenant_id,
            p["staf"],
            p["kepala_satuan"],
            "sekretaris",
            None,
            "Plh",
            date(2026, 11, 24),
            date(2026, 11, 25),
        )
    assert raised.value.errors == {"official": "the official does not hold this role here"}
    with pytest.raises(InvalidInput) as raised:  # a per-unit official, no unit named
        await add_delegation(
            office.tenant_id,
            p["staf"],
            p["kabid.linmas"],
            "kabid",
            None,
            "Plh",
            date(2026, 11, 24),
            date(2026, 11, 25),
        )
    assert raised.value.errors == {
        "unit": "the official holds this role in: linmas; choose that unit"
    }


@pytest.mark.parametrize("kind", ["Plh", "Plt"])
async def test_a_delegation_holds_only_in_its_dates(office: Office, kind: str) -> None:
    p, n = office.people, office.names
    await add_delegation(
        office.tenant_id,
        p["sekretaris"],
        p["kasubag_perencanaan"],
        "kasubag_perencanaan",
        None,
        kind,
        date(2026, 11, 24),
        date(2026, 11, 25),
        note="Kasubag sedang diklat",
    )
    for day, active in [(23, False), (24, True), (25, True), (26, False)]:
        actor = await actor_for(office.tenant_id, p["sekretaris"], date(2026, 11, day))
        held = {(m.role, m.delegation, m.acting_for, m.acting_for_name) for m in actor.memberships}
        delegated = (
            "kasubag_perencanaan",
            Delegation(kind),
            str(p["kasubag_perencanaan"]),
            n["kasubag_perencanaan"],
        )
        assert (delegated in held) is active, day
        assert ("sekretaris", None, None, None) in held


async def test_the_person_loaded_once_gives_the_same_actor_in_every_office(
    office: Office, installed: AlurPlugins
) -> None:
    """The web loads a person's memberships and delegations in every office at once
    (:func:`load_person`); :func:`actor_in` must give exactly what :func:`actor_for` does."""
    p = office.people
    other = await create_tenant(installed, "satpol-lain", "Satpol PP Lain", PLUGIN)
    await add_membership(other.id, p["sekretaris"], None, administrator=True)
    await add_membership(
        other.id,
        p["sekretaris"],
        next(r for r in installed.get(PLUGIN).roles if r.id == "kabid"),
        "linmas",
    )
    await add_delegation(
        office.tenant_id,
        p["sekretaris"],
        p["kabid.linmas"],
        "kabid",
        "linmas",
        "Plh",
        date(2026, 11, 24),
        date(2026, 11, 25),
    )
    person = await load_person(p["sekretaris"])
    assert person is not None
    assert {m["slug"] for m in person.memberships} == {SLUG, "satpol-lain"}
    for tenant_id in (office.tenant_id, other.id):
        for day in (23, 24, 25, 26):
            on = date(2026, 11, day)
            assert actor_in(person, tenant_id, on) == await actor_for(
                tenant_id, p["sekretaris"], on
            ), (tenant_id, day)
    assert actor_in(person, other.id, date(2026, 11, 23)).administrator
    assert not actor_in(person, office.tenant_id, date(2026, 11, 23)).administrator
    nobody = await create_user("tanpa-kantor", "Tanpa Kantor", "rahasia-123")
    alone = await load_person(nobody.id)
    assert alone is not None
    assert alone.memberships == alone.delegations == ()
    with pytest.raises(NotFound):
        actor_in(alone, office.tenant_id, date(2026, 11, 23))
    assert await load_person(999_999) is None


@pytest.mark.parametrize("kind", ["Plh", "Plt"])
async def test_actions_under_a_delegation_name_both_people(office: Office, kind: str) -> None:
    p, n = office.people, office.names
    await add_delegation(
        office.tenant_id,
        p["sekretaris"],
        p["kasubag_perencanaan"],
        "kasubag_perencanaan",
        None,
        kind,
        date(2026, 11, 24),
        date(2026, 11, 25),
    )
    before = await start(office, wib(23))
    during = await start(office, wib(23, 10))
    after = await start(office, wib(23, 11))
    gates = {key: await walk_to(office, key, 2) for key in (before, during, after)}
    decide = {k: Decide(t, Answer.YA, "Format sudah benar") for k, t in gates.items()}

    office.clock.now = wib(23, 14)  # the day before the delegation
    assert await office.service.inbox(p["sekretaris"]) == []
    with pytest.raises(WrongRole):
        await office.service.act(p["sekretaris"], before, decide[before])

    office.clock.now = wib(24, 9, 30)
    inbox = await office.service.inbox(p["sekretaris"])
    assert {(i.case_key, i.step) for i in inbox} == {(k, 2) for k in gates}
    await office.service.act(p["sekretaris"], during, decide[during])
    (decided,) = [e for e in await office.service.history(during) if e.kind == "gate_decided"]
    assert decided.kind is EventKind.GATE_DECIDED
    assert (decided.actor, decided.actor_name) == (str(p["sekretaris"]), n["sekretaris"])
    assert decided.delegation == kind
    assert (decided.acting_for, decided.acting_for_name) == (
        str(p["kasubag_perencanaan"]),
        n["kasubag_perencanaan"],
    )
    assert decided.role == "kasubag_perencanaan"
    stored = await Event.select(Event.delegation, Event.acting_for_name).where(
        Event.kind == "gate_decided"
    )
    assert stored == [{"delegation": kind, "acting_for_name": n["kasubag_perencanaan"]}]

    office.clock.now = wib(26, 9)  # the day after
    with pytest.raises(WrongRole):
        await office.service.act(p["sekretaris"], after, decide[after])
    # the official acts in person, as always
    await office.service.act(p["kasubag_perencanaan"], after, decide[after])
    (own,) = [e for e in await office.service.history(after) if e.kind == "gate_decided"]
    assert (own.actor, own.delegation, own.acting_for) == (
        str(p["kasubag_perencanaan"]),
        None,
        None,
    )


async def test_a_plh_may_not_sign(office: Office) -> None:
    """Banyumas step 9 (Menandatangani data kinerja) is not delegable."""
    p = office.people
    await add_delegation(
        office.tenant_id,
        p["sekretaris"],
        p["kepala_satuan"],
        "kepala_satuan",
        None,
        "Plh",
        date(2026, 11, 23),
        date(2026, 12, 4),
    )
    key = await start(office, wib(23))
    task = await walk_to(office, key, 9)
    events = await Event.count()
    assert [i.step for i in await office.service.inbox(p["sekretaris"])] == []
    with pytest.raises(DelegationRefused) as raised:
        await office.service.act(p["sekretaris"], key, Complete(task, "Ditandatangani"))
    assert raised.value.params == {"step": 9, "role": "Kepala Satuan"}
    assert await Event.count() == events
    case = await office.service.act(
        p["kepala_satuan"], key, Complete(task, "Ditandatangani"), password=PASSWORD
    )
    assert case.status == "finished"
