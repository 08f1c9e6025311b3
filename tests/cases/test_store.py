"""Persistence of cases (alur.tenants.cases.store / service / audit) on SQLite and PostgreSQL.

Every test runs on both backends through the ``database`` fixture. What is proved here:

* a first walk through the service, stored;
* audit: the per-tenant hash chain catches a changed, a removed and a missing last event,
  and tenants' chains are independent;
* attachments: type and size limits with per-field messages, SHA-256 content hashes,
  tenant isolation.

Concurrency: test_store_concurrency.py; restart and definition pinning: test_store_restart.py.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from datetime import timedelta

import pytest

from alur.core.engine import (
    CaseStatus,
    Complete,
    EventKind,
    act,
    replay,
)
from alur.tenants.audit.links import ChainReport
from alur.tenants.cases.service import MAX_ATTACHMENT_BYTES, TenantService
from alur.tenants.cases.store import CaseStore
from alur.tenants.errors import Conflict, InvalidInput, NotFound
from alur.tenants.storage.tables import Attachment, Event, SopSnapshot, Tenant
from tests.cases.store_helpers import (
    UNITS,
    Office,
    assert_consistent,
    case_row,
    contoh_office,
    do,
    events_of,
    start_contoh,
    task_rows,
)

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]


# --- a first walk ---------------------------------------------------------------------------


async def test_a_case_walks_through_the_service_and_is_stored(database, plugins) -> None:
    office = await contoh_office(database, plugins)
    svc = await office.service()
    case = await start_contoh(svc, office)
    assert case.state.open_tasks[1].role == "staf"
    rows = await task_rows(case.id)
    assert [(r["task_no"], r["step"], r["status"]) for r in rows] == [(1, 1, "open")]
    assert rows[0]["due"] == case.state.open_tasks[1].due

    await do(svc, office, "staf", case.key, 1, None, "claim")
    assert (await task_rows(case.id))[0]["assignee"] == office.users["staf"]
    await do(svc, office, "staf", case.key, 1, None, "complete", "draft", {"berkas": "f.xlsx"})
    stored = await do(svc, office, "kasubag", case.key, 2, None, "ya")
    assert {t.unit for t in stored.state.open_tasks.values()} == set(UNITS)
    inbox = await svc.inbox(office.users["kabid_b"])
    assert [(i.step, i.unit) for i in inbox] == [(3, "bidang-b")]
    # the Plh of bidang A sees bidang A's task, and acts as Plh
    assert [(i.step, i.unit) for i in await svc.inbox(office.users["kasi_a"])] == [(3, "bidang-a")]
    await do(svc, office, "kasi_a", case.key, 3, "bidang-a", "complete", "diisi Plh")
    history = await svc.history(case.key)
    plh = history[-2]
    assert plh.kind is EventKind.TASK_COMPLETED
    assert (plh.delegation, plh.acting_for) == ("Plh", str(office.users["kabid_a"]))
    assert history[0].payload["definition_hash"] == case.definition_hash
    assert history[-1].at == office.clock.now  # microseconds survive the round trip
    assert await SopSnapshot.count() == 1
    await assert_consistent(office, case.id, 1, EventKind.TASK_COMPLETED)


# --- audit ----------------------------------------------------------------------------------


async def walk_to_the_end(svc: TenantService, office: Office) -> str:
    key = (await start_contoh(svc, office)).key
    await do(svc, office, "staf", key, 1, None, "complete")
    await do(svc, office, "kasubag", key, 2, None, "tidak", "format salah")
    await do(svc, office, "staf", key, 1, None, "complete", "diperbaiki")
    await do(svc, office, "kasubag", key, 2, None, "ya")
    for u in UNITS:
        await do(svc, office, f"kabid_{u[-1]}", key, 3, u, "complete", "", {"nilai": 1})
        await do(svc, office, "staf", key, 4, u, "ya")
    await do(svc, office, "kasubag", key, 5, None, "ya")
    stored = await do(svc, office, "kepala", key, 6, None, "complete", "ditandatangani")
    assert stored.state.status is CaseStatus.FINISHED
    return key


async def test_the_chain_of_a_finished_case_verifies(database, plugins) -> None:
    office = await contoh_office(database, plugins)
    svc = await office.service()
    key = await walk_to_the_end(svc, office)
    report = await svc.store.verify_chain(office.ref)
    n = await Event.count().where(Event.tenant == office.tenant_id)
    assert (report.ok, report.events, report.broken_at) == (True, n, None)
    assert replay(await svc.history(key)) == (await svc.case(key)).state
    assert str(report).endswith("chain intact")
    for batch in (1, 3, n - 1, n):  # reading the chain in pages changes nothing
        assert await svc.store.verify_chain(office.ref, batch=batch) == report
    links = await Event.select(Event.prev_hash, Event.hash).order_by(Event.chain_seq)
    assert links[0]["prev_hash"] == ""
    assert all(a["hash"] == b["prev_hash"] for a, b in itertools.pairwise(links))
    tenant = await Tenant.select(Tenant.chain_head).where(Tenant.id == office.tenant_id).first()
    assert tenant["chain_head"] == links[-1]["hash"]
    case = await case_row((await svc.case(key)).id)
    assert (case["status"], case["ended_at"]) == ("finished", office.clock.now)
    assert {r["status"] for r in await task_rows(case["id"])} == {"done"}
    assert all(r["closed_at"] is not None for r in await task_rows(case["id"]))


async def test_a_changed_event_is_caught_where_it_was_changed(database, plugins) -> None:
    office = await contoh_office(database, plugins)
    svc = await office.service()
    await walk_to_the_end(svc, office)
    target = (
        await Event.select(Event.id, Event.chain_seq)
        .where((Event.tenant == office.tenant_id) & (Event.kind == "gate_decided"))
        .order_by(Event.chain_seq)
        .first()
    )
    await Event.raw("UPDATE alur_event SET note = {} WHERE id = {}", "format benar", target["id"])
    report = await svc.store.verify_chain(office.ref)
    assert (report.ok, report.broken_at) == (False, target["chain_seq"])
    assert report.events == target["chain_seq"] - 1
    assert await svc.store.verify_chain(office.ref, batch=2) == report
    assert "changed" in report.reason
    assert f"#{target['chain_seq']}" in str(report)


async def test_a_changed_payload_or_time_is_caught(database, plugins) -> None:
    office = await contoh_office(database, plugins)
    svc = await office.service()
    await walk_to_the_end(svc, office)
    rows = await Event.select(Event.id, Event.chain_seq, Event.kind).order_by(Event.chain_seq)
    completed = next(r for r in rows if r["kind"] == "task_completed" and r["chain_seq"] > 10)
    await Event.raw(
        "UPDATE alur_event SET payload = {} WHERE id = {}",
        json.dumps({"data": {"nilai": 2}}),
        completed["id"],
    )
    report = await svc.store.verify_chain(office.ref)
    assert (report.ok, report.broken_at) == (False, completed["chain_seq"])
    # a time moved by one second, earlier in the chain, is caught first
    first_opened = next(r for r in rows if r["kind"] == "task_opened")
    at = (await Event.select(Event.at).where(Event.id == first_opened["id"]).first())["at"]
    await Event.update({Event.at: at + timedelta(seconds=1)}).where(Event.id == first_opened["id"])
    report = await svc.store.verify_chain(office.ref)
    assert (report.ok, report.broken_at) == (False, first_opened["chain_seq"])


async def test_removed_events_are_caught(database, plugins) -> None:
    office = await contoh_office(database, plugins)
    svc = await office.service()
    await walk_to_the_end(svc, office)
    rows = await Event.select(Event.id, Event.chain_seq).order_by(Event.chain_seq)
    last = rows[-1]
    await Event.raw("DELETE FROM alur_event WHERE id = {}", last["id"])
    report = await svc.store.verify_chain(office.ref)
    assert (report.ok, report.broken_at) == (False, last["chain_seq"])
    assert report.events == last["chain_seq"] - 1
    middle = rows[len(rows) // 2]
    await Event.raw("DELETE FROM alur_event WHERE id = {}", middle["id"])
    report = await svc.store.verify_chain(office.ref)
    assert (report.ok, report.broken_at) == (False, middle["chain_seq"])
    assert "missing" in report.reason


async def test_chains_of_two_tenants_are_independent(database, plugins) -> None:
    a = await contoh_office(database, plugins, "dinas-a")
    b = await contoh_office(database, plugins, "dinas-b")
    svc_a, svc_b = await a.service(), await b.service()
    await walk_to_the_end(svc_a, a)
    await walk_to_the_end(svc_b, b)
    key_a = await start_contoh(svc_a, a, "Triwulan IV 2026")  # interleave the two chains
    await walk_to_the_end(svc_b, b)
    await do(svc_a, a, "staf", key_a.key, 1, None, "complete")
    for office in (a, b):
        seqs = [
            r["chain_seq"]
            for r in await Event.select(Event.chain_seq)
            .where(Event.tenant == office.tenant_id)
            .order_by(Event.chain_seq)
        ]
        assert seqs == list(range(1, len(seqs) + 1))
    report_b = await svc_b.store.verify_chain(b.ref)
    assert report_b.ok
    empty = await contoh_office(database, plugins, "dinas-kosong")
    assert await CaseStore(database).verify_chain(empty.ref) == ChainReport("dinas-kosong", 0, True)
    victim = (
        await Event.select(Event.id, Event.chain_seq)
        .where(Event.tenant == a.tenant_id)
        .order_by(Event.chain_seq)
        .offset(3)
        .first()
    )
    await Event.raw("UPDATE alur_event SET note = {} WHERE id = {}", "diubah", victim["id"])
    report_a = await svc_a.store.verify_chain(a.ref)
    assert (report_a.ok, report_a.broken_at) == (False, victim["chain_seq"])
    assert await svc_b.store.verify_chain(b.ref) == report_b  # B is untouched
    # and B keeps writing, still verifiable
    await start_contoh(svc_b, b, "Triwulan I 2027")
    assert (await svc_b.store.verify_chain(b.ref)).ok


async def test_another_tenants_case_is_not_found(database, plugins) -> None:
    a = await contoh_office(database, plugins, "dinas-a")
    b = await contoh_office(database, plugins, "dinas-b")
    svc_a, svc_b = await a.service(), await b.service()
    case = await start_contoh(svc_a, a)
    for attempt in (
        svc_b.case(case.key),
        svc_b.history(case.key),
        svc_b.act(b.users["staf"], case.key, Complete(1)),
        svc_a.act(b.users["staf"], case.key, Complete(1)),  # B's Staf is nobody in A
    ):
        with pytest.raises(NotFound):
            await attempt
    # the store refuses a transition for a case of another tenant, and writes nothing
    t = act(
        await svc_a.definition_of(case),
        case.state,
        Complete(1),
        await svc_a.context(a.users["staf"]),
    )
    with pytest.raises(Conflict):
        await svc_b.store.apply(b.ref, case, t)
    assert await events_of(case.id) == len(await svc_a.history(case.key)) == 2
    assert (await svc_a.store.verify_chain(a.ref)).ok
    assert (await svc_b.store.verify_chain(b.ref)).events == 0


# --- attachments ------------------------------------------------------------------------------


async def test_attachment_limits_are_reported_per_field_and_nothing_is_stored(
    database, plugins
) -> None:
    office = await contoh_office(database, plugins)
    svc = await office.service()
    key = (await start_contoh(svc, office)).key
    staf = office.users["staf"]
    with pytest.raises(InvalidInput) as raised:
        await svc.attach(staf, key, 1, "  ", "application/x-msdownload", b"MZ\x90\x00")
    assert set(raised.value.errors) == {"filename", "content_type"}
    assert "application/x-msdownload" in raised.value.errors["content_type"]
    with pytest.raises(InvalidInput) as raised:
        await svc.attach(staf, key, 1, "rekap.pdf", "application/pdf", b"")
    assert raised.value.errors == {"content": "the file is empty"}
    big = b"\0" * (MAX_ATTACHMENT_BYTES + 1)
    with pytest.raises(InvalidInput) as raised:
        await svc.attach(staf, key, 1, "scan.pdf", "application/pdf", big)
    assert set(raised.value.errors) == {"content"}
    assert "20 MB" in raised.value.errors["content"]
    with pytest.raises(InvalidInput) as raised:
        await svc.attach(staf, key, 99, "rekap.pdf", "application/pdf", b"%PDF-1.7")
    assert set(raised.value.errors) == {"task"}
    assert await Attachment.count() == 0
    # exactly at the limit is accepted
    info = await svc.attach(staf, key, None, "scan.pdf", "application/pdf", big[:-1])
    assert info.size == MAX_ATTACHMENT_BYTES
    assert await Attachment.count() == 1


async def test_attachments_are_hashed_and_stay_in_their_tenant(database, plugins) -> None:
    a = await contoh_office(database, plugins, "dinas-a")
    b = await contoh_office(database, plugins, "dinas-b")
    svc_a, svc_b = await a.service(), await b.service()
    key = (await start_contoh(svc_a, a)).key
    content = "Realisasi IKU triwulan III: 97,5 % ✓\n".encode() * 100 + bytes(range(256))
    info = await svc_a.attach(a.users["staf"], key, 1, "dir/rekap.csv", "text/csv", content)
    assert info.sha256 == hashlib.sha256(content).hexdigest()
    assert (info.filename, info.size, info.case_key, info.task_no) == (
        "dir_rekap.csv",
        len(content),
        key,
        1,
    )
    got, body = await svc_a.attachment(a.users["staf"], key, info.id)
    assert (got, body) == (info, content)
    assert await svc_a.attachments(key) == [info]
    with pytest.raises(NotFound):
        await svc_b.attachment(b.users["staf"], key, info.id)
    with pytest.raises(NotFound):
        await svc_b.attachments(key)
    with pytest.raises(NotFound):  # B's people cannot upload to A's case either
        await svc_b.attach(b.users["staf"], key, 1, "x.txt", "text/plain", b"x")
    with pytest.raises(NotFound):  # nor through A's service
        await svc_a.attach(b.users["staf"], key, 1, "x.txt", "text/plain", b"x")
    with pytest.raises(NotFound):
        await svc_b.attachment(b.users["staf"], key, info.id + 1000)
    assert await Attachment.count() == 1
