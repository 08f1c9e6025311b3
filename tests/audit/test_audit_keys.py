"""The audit keys (ALUR_AUDIT_KEY, the key file, rotation, rekey of legacy chains), anchors,
and what the content check leaves alone (drafts of open tasks)."""

from __future__ import annotations

import base64
import json
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from alur.cli.main import cli
from alur.core.engine import Claim, Complete
from alur.tenants.audit.anchors import AnchorError, check_anchor, make_anchor, read_anchor
from alur.tenants.audit.content import verify_content
from alur.tenants.audit.keys import (
    ENV,
    KEY_FILE,
    AuditKeyError,
    audit_keys,
    new_key_entry,
    parse_keys,
)
from alur.tenants.audit.links import chain_record, event_hash
from alur.tenants.audit.verify import rekey, verify_chain
from alur.tenants.cases.rows import event_from_row
from alur.tenants.cases.service import TenantService
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.tables import Attachment, Event, Tenant

KEY_A = "a:" + base64.b64encode(b"A" * 32).decode()
KEY_B = "b:" + base64.b64encode(b"B" * 32).decode()


# --- the keys ---------------------------------------------------------------------------------


def test_the_first_key_signs_and_every_key_verifies() -> None:
    keys = parse_keys(f"{KEY_B}, {KEY_A}")
    assert keys.signing == "b"
    assert keys.key("a") == b"A" * 32
    assert keys.key("b") == b"B" * 32
    assert keys.key("c") is None
    entry = new_key_entry("k1")
    assert parse_keys(entry).signing == "k1"
    fresh = parse_keys(new_key_entry())
    assert len(fresh.keys[fresh.signing]) == 32


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "holds no key"),
        ("tanpa-titik-dua", "is not ID:KEY"),
        ("a b:" + base64.b64encode(b"A" * 32).decode(), "is not ID:KEY"),
        ("a:bukan base64!", "is not base64"),
        ("a:" + base64.b64encode(b"pendek").decode(), "at least 32 are needed"),
        (f"{KEY_A},{KEY_A}", "is given twice"),
    ],
)
def test_a_bad_key_says_what_is_wrong(raw: str, message: str) -> None:
    with pytest.raises(AuditKeyError) as refused:
        parse_keys(raw)
    assert message in refused.value.message
    assert "alur audit keygen" in refused.value.message


def test_without_the_variable_a_key_file_is_made_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    first = audit_keys({})
    file = tmp_path / KEY_FILE
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert audit_keys({}) == first  # read again, not made again
    with pytest.raises(AuditKeyError, match="required on PostgreSQL"):
        audit_keys({}, require=True)
    monkeypatch.delenv(ENV)  # the process's own keys: the file's, remembered...
    assert audit_keys() == first
    with pytest.raises(AuditKeyError, match="required on PostgreSQL"):
        audit_keys(require=True)  # ...but never instead of the variable on PostgreSQL


def test_postgresql_refuses_to_start_without_a_key(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    env = {"ALUR_DATABASE_URL": database_url, ENV: None}
    result = CliRunner().invoke(cli, ["tenants", "list"], env=env)
    if database_url.startswith("postgresql"):
        assert result.exit_code == 1, result.output
        assert "ALUR_AUDIT_KEY is not set, and it is required on PostgreSQL" in result.output
    else:  # SQLite: the key file of the working directory
        assert result.exit_code == 0, result.output
        assert (tmp_path / KEY_FILE).exists()


def test_keygen_prints_a_usable_entry() -> None:
    result = CliRunner().invoke(cli, ["audit", "keygen", "--id", "kunci-2027"])
    assert result.exit_code == 0, result.output
    assert parse_keys(result.output.strip()).signing == "kunci-2027"
    assert CliRunner().invoke(cli, ["audit", "keygen", "--id", "a b"]).exit_code == 2


# --- an office with a few events --------------------------------------------------------------


async def office(installed, database) -> tuple[TenantService, int, str]:
    tenant = await create_tenant(installed, "satpolpp-banyumas", "Satpol PP", "satpolpp_banyumas")
    clock = lambda: datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # noqa: E731
    svc = await TenantService.open(database, installed, tenant.slug, clock=clock)
    staf = await create_user("staf", "Staf", "rahasia-2026")
    await add_membership(
        tenant.id, staf.id, svc.sop("pengumpulan-data-kinerja").roles_by_id["staf"]
    )
    case = await svc.start_case(staf.id, "pengumpulan-data-kinerja", "Triwulan IV 2026")
    return svc, staf.id, case.key


@pytest.mark.anyio
async def test_a_rotated_key_verifies_old_events_until_rekey_retires_it(
    installed, database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, KEY_A)
    svc, staf, key = await office(installed, database)
    monkeypatch.setenv(ENV, f"{KEY_B},{KEY_A}")  # rotation: b signs from now on
    await svc.act(staf, key, Claim(1))
    assert {r["key_id"] for r in await Event.select(Event.key_id)} == {"a", "b"}
    assert (await verify_chain(svc.ref, audit_keys())).ok
    monkeypatch.setenv(ENV, KEY_B)  # a dropped too early
    report = await verify_chain(svc.ref, audit_keys())
    assert (report.ok, report.broken_at) == (False, 1)
    assert "signed with audit key 'a', which ALUR_AUDIT_KEY lacks" in report.reason
    monkeypatch.setenv(ENV, f"{KEY_B},{KEY_A}")
    async with svc.store.transaction():
        report, changed = await rekey(svc.ref, audit_keys())
    assert report.ok
    assert changed > 0
    monkeypatch.setenv(ENV, KEY_B)
    assert (await verify_chain(svc.ref, audit_keys())).ok


@pytest.mark.anyio
async def test_a_chain_from_before_the_keys_is_reported_then_rekeyed(installed, database) -> None:
    svc, staf, key = await office(installed, database)
    await svc.act(staf, key, Claim(1))
    head = ""  # what a database from before this change holds: plain SHA-256, no key id
    for r in await Event.select(Event.all_columns(), Event.case.key.as_alias("case_key")).order_by(
        Event.chain_seq
    ):
        digest = event_hash(
            head, chain_record(svc.ref.slug, r["case_key"], r["chain_seq"], event_from_row(r))
        )
        await Event.update({Event.prev_hash: head, Event.hash: digest, Event.key_id: ""}).where(
            Event.id == r["id"]
        )
        head = digest
    await Tenant.update({Tenant.chain_head: head}).where(Tenant.id == svc.ref.id)
    report = await verify_chain(svc.ref, audit_keys())
    assert (report.ok, report.broken_at) == (False, None)
    assert "linked before the chain was keyed" in report.reason
    async with svc.store.transaction():
        report, changed = await rekey(svc.ref, audit_keys())
    assert report.ok
    assert changed == report.events
    await svc.start_case(staf, "pengumpulan-data-kinerja", "Triwulan I 2027")  # keyed again
    assert (await verify_chain(svc.ref, audit_keys())).ok
    # a keyed chain followed by an unkeyed link was rewritten
    last = await Event.select(Event.id).order_by(Event.chain_seq, ascending=False).first()
    await Event.update({Event.key_id: ""}).where(Event.id == last["id"])
    assert "unkeyed link after keyed ones" in (await verify_chain(svc.ref, audit_keys())).reason


@pytest.mark.anyio
async def test_a_changed_anchor_file_is_refused(installed, database) -> None:
    svc, _, _ = await office(installed, database)
    keys = audit_keys()
    doc = await make_anchor(keys, [svc.ref], datetime(2026, 12, 2, tzinfo=UTC))
    text = json.dumps(doc)
    assert read_anchor(text, keys, "a.json")["offices"]["satpolpp-banyumas"]["seq"] == 2
    assert await check_anchor(doc["offices"]["satpolpp-banyumas"], svc.ref) is None
    doc["offices"]["satpolpp-banyumas"]["seq"] = 1
    with pytest.raises(AnchorError, match="its signature does not match"):
        read_anchor(json.dumps(doc), keys, "a.json")
    with pytest.raises(AnchorError, match="which we lack"):
        read_anchor(text, parse_keys(KEY_B), "a.json")
    with pytest.raises(AnchorError, match="not JSON"):
        read_anchor("{", keys, "a.json")


@pytest.mark.anyio
async def test_a_file_of_an_open_task_is_a_draft_until_the_task_closes(installed, database) -> None:
    svc, staf, key = await office(installed, database)
    await svc.attach(staf, key, 1, "draf.csv", "text/csv", b"a,b\n")
    await Attachment.update({Attachment.filename: "lain.csv"}).where(Attachment.id > 0)
    assert await verify_content(svc.store, svc.ref) == []  # a draft: only its own hash
    from alur.tenants.demo.kinerja_samples import fill_in_sample
    from alur.tenants.kinerja.service import KinerjaService

    await fill_in_sample(KinerjaService(svc), staf, key, 1)
    await svc.act(staf, key, Complete(1, "Draft"))
    events = await svc.history(key)
    (done,) = [e for e in events if e.kind == "task_completed"]
    (record,) = done.payload["data"]["attachments"]
    assert record["name"] == "lain.csv"
    assert len(record["sha256"]) == 64
    assert await verify_content(svc.store, svc.ref) == []
    await Attachment.update({Attachment.filename: "ganti.csv"}).where(Attachment.id > 0)
    (found,) = await verify_content(svc.store, svc.ref)
    assert found.case == key
    assert "differs from what its task's event recorded" in found.what
