"""Persisted transitions per second on SQLite and PostgreSQL.

For each backend it measures, on the same database with the same settings:

* **raw write**: a plain piccolo insert-and-commit of one event-sized row (an ``alur_event``
  row, autocommit);
* **transition**: one engine action persisted the way the service does it — load the case
  row, run the pure state machine, then in one transaction the compare-and-set on the case,
  the hash-chained events, the task rows and the tenant's chain head;
* the same transition on a case that already has 300 events (history must not cost).

Goals (issue 3): a transition's median costs at most 3x the raw write's, and a transition
after 300 prior events at most 1.2x one on a fresh case.

    .venv/bin/python bench/storage.py [--rounds 300] [--backend sqlite|postgresql|both]

PostgreSQL runs in a throwaway cluster (``alur.tenants.testing.postgres.TemporaryPostgres``) with its
durable default settings (fsync on), SQLite in a temporary WAL file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from alur.core import (
    Answer,
    Duration,
    Gate,
    Role,
    SopDefinition,
    SopHeader,
    Step,
    StepKind,
    WorkingCalendar,
    ensure_valid,
)
from alur.core.engine import Actor, Complete, Context, Decide, Membership, StartCase, act, start
from alur.tenants.audit.keys import new_key_entry
from alur.tenants.cases.store import CaseStore, TenantRef
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.storage.tables import Case, Event, Tenant

# The throwaway databases need an audit key (required on PostgreSQL): a fresh one per run.
os.environ.setdefault("ALUR_AUDIT_KEY", new_key_entry("bench"))

PERSON = Actor("1", "Staf", (Membership("staf"),))


def loop_sop() -> SopDefinition:
    """Two steps that loop forever through a gate (so a case can grow any history)."""
    steps = (
        Step(1, "Mengisi", "staf", StepKind.START, waktu=Duration.parse("10 menit"), next=2),
        Step(
            2,
            "Memeriksa",
            "staf",
            StepKind.DECISION,
            waktu=Duration.parse("5 menit"),
            gate=Gate("Benar?", ya=3, tidak=1),
        ),
        Step(3, "Selesai", "staf", StepKind.END, waktu=Duration.parse("5 menit")),
    )
    return ensure_valid(
        SopDefinition("bench", "1", SopHeader("B/1", "Bench"), (Role("staf", "Staf"),), steps)
    )


async def one_transition(
    store: CaseStore, ref: TenantRef, d: SopDefinition, key: str, ctx: Context
) -> None:
    case = await store.get(ref.id, key)
    (task,) = case.state.open_tasks.values()
    action = Decide(task.id, Answer.TIDAK, "ulang") if task.step == 2 else Complete(task.id)
    await store.apply(ref, case, act(d, case.state, action, ctx))


async def new_case(
    store: CaseStore, ref: TenantRef, d: SopDefinition, key: str, ctx: Context
) -> None:
    await store.create(ref, "bench", d, start(d, StartCase(key, "TW"), ctx), None)


async def measure(url: str, rounds: int) -> dict[str, float]:
    db = await open_database(url)
    store = CaseStore(db)
    tenant = Tenant(slug="bench", name="Bench", plugin="bench")
    await tenant.save()
    ref = TenantRef(tenant.id, "bench")
    d = loop_sop()
    ctx = Context(PERSON, datetime(2026, 11, 23, 2, 0, tzinfo=UTC), WorkingCalendar())
    await new_case(store, ref, d, "raw", ctx)
    raw_case = (await Case.select(Case.id).where(Case.key == "raw").first())["id"]
    payload = json.dumps({"role": "staf"})
    raw_times, fresh_times, long_times = [], [], []
    await new_case(store, ref, d, "long", ctx)
    for _ in range(300 // 2):  # each loop writes two events... plus task rows
        await one_transition(store, ref, d, "long", ctx)
    history = (await store.get(ref.id, "long")).last_seq
    for i in range(rounds):
        row = Event(
            tenant=tenant.id,
            case=raw_case,
            seq=1000 + i,
            chain_seq=10_000_000 + i,
            kind="task_completed",
            at=ctx.now,
            actor="1",
            actor_name="Staf",
            role="staf",
            step=1,
            unit=None,
            task_no=1,
            note="catatan",
            payload=payload,
            prev_hash="0" * 64,
            hash="f" * 64,
        )
        t0 = time.perf_counter()
        await Event.insert(row)
        raw_times.append(time.perf_counter() - t0)
        key = f"fresh-{i}"
        await new_case(store, ref, d, key, ctx)
        t0 = time.perf_counter()
        await one_transition(store, ref, d, key, ctx)
        fresh_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        await one_transition(store, ref, d, "long", ctx)
        long_times.append(time.perf_counter() - t0)
    await close_database(db)
    med = statistics.median
    return {
        "history_events": history,
        "raw_ms": med(raw_times) * 1000,
        "fresh_ms": med(fresh_times) * 1000,
        "long_ms": med(long_times) * 1000,
        "transitions_per_s": 1 / med(fresh_times),
        "ratio_to_raw": med(fresh_times) / med(raw_times),
        "ratio_long_to_fresh": med(long_times) / med(fresh_times),
    }


def report(name: str, r: dict[str, float]) -> None:
    print(f"{name}:")
    print(f"  raw insert-and-commit   median {r['raw_ms']:.3f} ms")
    print(
        f"  transition (fresh case) median {r['fresh_ms']:.3f} ms"
        f"  -> {r['transitions_per_s']:,.0f} transitions/s"
    )
    print(
        f"  transition (case with {r['history_events']:.0f}+ events) median {r['long_ms']:.3f} ms"
    )
    print(f"  ratio transition / raw write: {r['ratio_to_raw']:.2f}x (goal <= 3x)")
    print(f"  ratio long history / fresh:   {r['ratio_long_to_fresh']:.2f}x (goal <= 1.2x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            report("SQLite (WAL)", asyncio.run(measure(url, args.rounds)))
    if args.backend in ("postgresql", "both"):
        from alur.tenants.testing.postgres import TemporaryPostgres

        with TemporaryPostgres(durable=True) as pg:
            pg.create_database("bench")
            report("PostgreSQL", asyncio.run(measure(pg.url("bench"), args.rounds)))


if __name__ == "__main__":
    main()
