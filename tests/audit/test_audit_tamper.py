"""The tamperings of issue 11 (point 12), each one written straight into the database with
SQL, on SQLite and PostgreSQL; ``alur audit verify`` must report every one of them.

The demo office (one plugin, so it is quick) has a finished case with attachments, data
kinerja and a format, and open cases. Six of these were missed before the chain was keyed
and the stored content bound to it: the task rows' due and assignee, an attachment's bytes,
a data kinerja entry, an indicator target, a chain recomputed with the public hash
function, and a last event deleted with the head fixed up (caught with an anchor).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from click.testing import CliRunner, Result

from alur.cli.main import cli
from alur.core import AlurPlugins, create_plugin_manager
from alur.core.engine.codec import state_to_dict
from alur.core.engine.state import replay
from alur.tenants.audit.links import chain_record, event_hash
from alur.tenants.cases.rows import event_from_row
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.storage.tables import Case, Event, Task, Tenant

pytestmark = pytest.mark.usefixtures("cheap_hasher")

OFFICE = "satpolpp-banyumas"


@pytest.fixture(scope="module")
def banyumas() -> AlurPlugins:
    return create_plugin_manager(
        environ={"ALUR_DISABLE_PLUGINS": "biro_organisasi_kalbar kesbangpol_pekalongan"}
    )


def alur(url: str, plugins: AlurPlugins, *args: str) -> Result:
    env = {"ALUR_DATABASE_URL": url, "COLUMNS": "250"}
    return CliRunner().invoke(cli, list(args), obj=lambda: plugins, env=env)


def sql(url: str, statement: str, *params: Any) -> list[tuple]:
    """Run one statement (``{}`` placeholders) directly on the database, as an intruder."""
    if url.startswith("sqlite"):
        with contextlib.closing(sqlite3.connect(url[len("sqlite:///") :])) as connection:
            rows = connection.execute(statement.replace("{}", "?"), params).fetchall()
            connection.commit()
            return rows
    numbers = itertools.count(1)
    query = re.sub(r"\{\}", lambda _: f"${next(numbers)}", statement)

    async def run() -> list[tuple]:
        connection = await asyncpg.connect(url)
        try:
            return [tuple(r) for r in await connection.fetch(query, *params)]
        finally:
            await connection.close()

    return asyncio.run(run())


def one(url: str, statement: str, *params: Any) -> Any:
    return sql(url, statement, *params)[0][0]


@pytest.fixture
def demo(database_url: str, banyumas: AlurPlugins) -> str:
    # one office, one chain; without the history (one finished case, one format per period)
    result = alur(database_url, banyumas, "demo", "--no-second-office", "--no-history")
    assert result.exit_code == 0, result.output
    clean = alur(database_url, banyumas, "audit", "verify")
    assert clean.exit_code == 0, clean.output
    return database_url


def finished_case(url: str) -> int:
    return one(url, "SELECT id FROM alur_case WHERE status = 'finished'")


def event_id(url: str, kind: str, nth: int = 0) -> int:
    rows = sql(url, "SELECT id FROM alur_event WHERE kind = {} ORDER BY chain_seq", kind)
    return rows[nth][0]


# --- the tamperings ---------------------------------------------------------------------


def change_note(url: str) -> None:
    sql(url, "UPDATE alur_event SET note = 'diubah' WHERE id = {}", event_id(url, "gate_decided"))


def change_actor(url: str) -> None:
    target = event_id(url, "task_completed", 2)
    sql(url, "UPDATE alur_event SET actor_name = 'Orang Lain' WHERE id = {}", target)


def change_payload(url: str) -> None:
    target = event_id(url, "task_completed", 3)
    sql(url, "UPDATE alur_event SET payload = {} WHERE id = {}", '{"data": {}}', target)


def change_time(url: str) -> None:
    first = event_id(url, "case_started")
    target = event_id(url, "task_opened", 2)
    sql(
        url,
        "UPDATE alur_event SET at = (SELECT at FROM alur_event WHERE id = {}) WHERE id = {}",
        first,
        target,
    )


def change_kind(url: str) -> None:
    target = event_id(url, "task_completed", 1)
    sql(url, "UPDATE alur_event SET kind = 'task_cancelled' WHERE id = {}", target)


def delete_middle_event(url: str) -> None:
    sql(url, "DELETE FROM alur_event WHERE id = {}", event_id(url, "task_opened", 4))


def swap_events(url: str) -> None:
    a, b = (r[0] for r in sql(url, "SELECT id FROM alur_event WHERE chain_seq IN (8, 9)"))
    seq_a = one(url, "SELECT chain_seq FROM alur_event WHERE id = {}", a)
    seq_b = one(url, "SELECT chain_seq FROM alur_event WHERE id = {}", b)
    sql(url, "UPDATE alur_event SET chain_seq = -1 WHERE id = {}", a)
    sql(url, "UPDATE alur_event SET chain_seq = {} WHERE id = {}", seq_a, b)
    sql(url, "UPDATE alur_event SET chain_seq = {} WHERE id = {}", seq_b, a)


def change_case_state(url: str) -> None:
    case, state = sql(url, "SELECT id, state FROM alur_case WHERE status = 'active'")[0]
    state = json.loads(state) if isinstance(state, str) else state
    state["period"] = "Triwulan I 1999"
    sql(url, "UPDATE alur_case SET state = {} WHERE id = {}", json.dumps(state), case)


def change_case_row(column: str, value: Callable[[str, int], Any]) -> Callable[[str], None]:
    """Change one column of the finished case's row (not its cached state)."""

    def tamper(url: str) -> None:
        case = finished_case(url)
        sql(url, f"UPDATE alur_case SET {column} = {{}} WHERE id = {{}}", value(url, case), case)

    return tamper


def other_user(url: str, case: int) -> int:
    return one(
        url,
        "SELECT min(id) FROM alur_user WHERE id <> (SELECT started_by FROM alur_case WHERE id = {})",
        case,
    )


def close_task_row(url: str) -> None:
    task = one(url, "SELECT min(id) FROM alur_task WHERE status = 'open'")
    sql(url, "UPDATE alur_task SET status = 'done' WHERE id = {}", task)


def change_task_due(url: str) -> None:
    task = one(url, "SELECT min(id) FROM alur_task WHERE status = 'open'")
    sql(url, "UPDATE alur_task SET due = opened_at WHERE id = {}", task)


def change_task_assignee(url: str) -> None:
    task = one(url, "SELECT min(id) FROM alur_task WHERE status = 'open'")
    user = one(url, "SELECT max(id) FROM alur_user")
    sql(url, "UPDATE alur_task SET assignee = {} WHERE id = {}", user, task)


def change_attachment(url: str) -> None:
    import hashlib

    fake = b"indikator,target,realisasi\nIKU-1,100,100\n"
    target = one(url, "SELECT min(id) FROM alur_attachment")
    sql(
        url,
        "UPDATE alur_attachment SET content = {}, sha256 = {}, size = {} WHERE id = {}",
        fake,
        hashlib.sha256(fake).hexdigest(),
        len(fake),
        target,
    )


def change_kinerja_entry(url: str) -> None:
    row_id, entries = sql(
        url,
        'SELECT id, entries FROM alur_kinerja_submission WHERE "case" = {} ORDER BY id',
        finished_case(url),
    )[0]
    entries = json.loads(entries) if isinstance(entries, str) else entries
    entries[0]["realisasi"] = "100"
    sql(
        url,
        "UPDATE alur_kinerja_submission SET entries = {} WHERE id = {}",
        json.dumps(entries),
        row_id,
    )


def change_target(url: str) -> None:
    target = one(url, "SELECT min(id) FROM alur_indicator")
    sql(url, "UPDATE alur_indicator SET target = '1' WHERE id = {}", target)


def rewrite_chain(url: str, key: bytes | None) -> None:
    """Change a note, then recompute every later link: with the public SHA-256 (an intruder
    without the key, who also marks the links as unkeyed) or with the key itself."""
    change_note(url)

    async def run() -> None:
        db = await open_database(url, run_migrations=False)
        try:
            rows = await Event.select(
                Event.all_columns(), Event.case.key.as_alias("case_key")
            ).order_by(Event.chain_seq)
            head = ""
            for r in rows:
                key_id = r.get("key_id", "") if key is not None else ""
                args = (OFFICE, r["case_key"], r["chain_seq"], event_from_row(r))
                record = chain_record(*args, key_id) if key_id else chain_record(*args)
                digest = (
                    event_hash(head, record, key) if key is not None else event_hash(head, record)
                )
                extra = ", key_id = ''" if "key_id" in r and key is None else ""
                await Event.raw(
                    f"UPDATE alur_event SET prev_hash = {{}}, hash = {{}}{extra} WHERE id = {{}}",
                    head,
                    digest,
                    r["id"],
                )
                head = digest
            await Event.raw("UPDATE alur_tenant SET chain_head = {}", head)
        finally:
            await close_database(db)

    asyncio.run(run())


def truncate_and_fix_head(url: str) -> None:
    """Delete the office's last event and fix up everything that would show it: the chain
    head and length, the case state and the task row the event opened."""

    async def run() -> None:
        db = await open_database(url, run_migrations=False)
        try:
            last = await Event.select().order_by(Event.chain_seq, ascending=False).first()
            await Event.delete().where(Event.id == last["id"])
            if last["kind"] == "task_opened":
                await Task.delete().where(
                    (Task.case == last["case"]) & (Task.task_no == last["task_no"])
                )
            kept = await Event.select().where(Event.case == last["case"]).order_by(Event.seq)
            state = replay([event_from_row(r) for r in kept])
            await Case.update(
                {
                    Case.state: json.dumps(state_to_dict(state)),
                    Case.last_seq: state.last_seq,
                    Case.status: str(state.status),
                }
            ).where(Case.id == last["case"])
            previous = (
                await Event.select(Event.hash).order_by(Event.chain_seq, ascending=False).first()
            )
            await Tenant.update(
                {Tenant.chain_seq: last["chain_seq"] - 1, Tenant.chain_head: previous["hash"]}
            ).where(Tenant.id == last["tenant"])
        finally:
            await close_database(db)

    asyncio.run(run())


TAMPERINGS: dict[str, tuple[Callable[[str], None], str]] = {
    "event note": (change_note, "chain broken at event #"),
    "event actor": (change_actor, "chain broken at event #"),
    "event payload": (change_payload, "chain broken at event #"),
    "event time": (change_time, "chain broken at event #"),
    "event kind": (change_kind, "chain broken at event #"),
    "middle event deleted": (delete_middle_event, "is missing"),
    "events swapped": (swap_events, "chain broken at event #8"),
    "case state": (change_case_state, "stored case state differs from its events"),
    "task row closed": (close_task_row, ": status is 'done', its events say 'open'"),
    # missed before the fix:
    "case period": (
        change_case_row("period", lambda *_: "Triwulan I 1999"),
        "the case row's period is 'Triwulan I 1999', its events say ",
    ),
    "case sop": (change_case_row("sop_id", lambda *_: "sop-lain"), "the case row's sop_id is "),
    "case definition hash": (
        change_case_row("definition_hash", lambda *_: "0" * 64),
        "the case row's definition_hash is ",
    ),
    "case started by": (
        change_case_row("started_by", other_user),
        "the case row's started_by is ",
    ),
    "task due": (change_task_due, ": due is "),
    "task assignee": (change_task_assignee, ": assignee is "),
    "attachment content": (change_attachment, "differs from what its task's event recorded"),
    "data kinerja entry": (change_kinerja_entry, "differs from what its fill step recorded"),
    "indicator target": (change_target, "the format data kinerja of Triwulan III 2026 differs"),
    "chain recomputed with SHA-256": (
        lambda url: rewrite_chain(url, None),
        "linked before the chain was keyed",
    ),
}


@pytest.mark.parametrize("name", list(TAMPERINGS))
def test_verify_reports_each_tampering(demo: str, banyumas: AlurPlugins, name: str) -> None:
    tamper, expected = TAMPERINGS[name]
    tamper(demo)
    result = alur(demo, banyumas, "audit", "verify")
    assert result.exit_code == 1, result.output
    assert expected in result.stdout, result.output
    assert "Traceback" not in result.output
    assert "FAILED: 1 of 1" in result.stderr


def test_a_recomputed_chain_keeping_the_key_ids_is_caught_at_its_first_event(
    demo: str, banyumas: AlurPlugins
) -> None:
    rewrite_chain(demo, b"not the key, but a guess of it!!")
    result = alur(demo, banyumas, "audit", "verify")
    assert result.exit_code == 1, result.output
    assert "chain broken at event #1: its content was changed" in result.stdout


def test_a_cut_chain_with_its_head_fixed_is_caught_by_an_anchor(
    demo: str, banyumas: AlurPlugins, tmp_path: Path
) -> None:
    anchors = tmp_path / "anchors.json"
    made = alur(demo, banyumas, "audit", "anchor", "--out", str(anchors))
    assert made.exit_code == 0, made.output
    assert alur(demo, banyumas, "audit", "verify", "--anchors", str(anchors)).exit_code == 0
    truncate_and_fix_head(demo)
    assert alur(demo, banyumas, "audit", "verify").exit_code == 0  # consistent, and shorter
    result = alur(demo, banyumas, "audit", "verify", "--anchors", str(anchors))
    assert result.exit_code == 1, result.output
    assert "the chain was cut short" in result.stdout


def test_a_chain_rewritten_with_the_key_is_caught_by_an_anchor(
    demo: str, banyumas: AlurPlugins, tmp_path: Path
) -> None:
    from alur.tenants.audit.keys import audit_keys

    anchors = tmp_path / "anchors.json"
    assert alur(demo, banyumas, "audit", "anchor", "--out", str(anchors)).exit_code == 0
    keys = audit_keys()
    rewrite_chain(demo, keys.keys[keys.signing])  # an intruder who also holds the key
    assert alur(demo, banyumas, "audit", "verify").exit_code == 0
    result = alur(demo, banyumas, "audit", "verify", "--anchors", str(anchors))
    assert result.exit_code == 1, result.output
    assert "no longer has the anchored link: the chain was rewritten" in result.stdout
