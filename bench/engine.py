"""In-memory transitions per second of the pure state machine.

A synthetic 50-step SOP built in Python: 20 steps once, a 10-unit fan-out of 10 per-unit
steps ending in a per-unit gate, a join, then 19 more steps with a gate every fifth step.
Every gate answers "tidak" 20% of the time (with a note). The driver picks an open task,
acts as the right person and counts one transition per ``act`` call; a finished case is
replaced by a new one. Goal (issue 2): at least 50,000 transitions/s on one core.

    .venv/bin/python bench/engine.py [--transitions 200000] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import datetime

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
from alur.core.calendar import JAKARTA
from alur.core.engine import Actor, Complete, Context, Decide, Membership, StartCase, act, start

UNITS = tuple(f"bidang-{i}" for i in range(10))
FAN_OUT = range(21, 31)  # steps 21..30 run per unit; 31 is the join


def synthetic_sop() -> SopDefinition:
    roles = (
        Role("staf", "Staf", 1),
        Role("kabid", "Kabid", 3, per_unit=True),
        Role("kasubag", "Kasubag", 2),
        Role("kepala", "Kepala", 5),
    )
    waktu = [Duration.parse(t) for t in ("10 menit", "2 jam", "1 hari", "30 menit")]
    steps = []
    for n in range(1, 51):
        per_unit = n in FAN_OUT
        kind = StepKind.START if n == 1 else StepKind.END if n == 50 else StepKind.PROCESS
        gate = None
        if n == 30:
            gate = Gate("Data bidang benar?", ya=31, tidak=25)
        elif n % 5 == 0 and n not in (50,) and not per_unit:
            gate = Gate("Benar?", ya=n + 1, tidak=n - 2)
        if gate is not None:
            kind = StepKind.DECISION
        actor = "kabid" if per_unit and n < 30 else ("kasubag" if gate else "staf")
        if n == 50:
            actor = "kepala"
        steps.append(
            Step(
                number=n,
                kegiatan=f"Kegiatan {n}",
                actor=actor,
                kind=kind,
                waktu=waktu[n % 4],
                next=None if gate or n == 50 else n + 1,
                gate=gate,
                per_unit=per_unit,
            )
        )
    header = SopHeader(nomor="BENCH/1", nama="Sintetis 50 langkah")
    return ensure_valid(SopDefinition("sintetis", "1", header, roles, tuple(steps)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transitions", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    d = synthetic_sop()
    cal = WorkingCalendar()
    now = datetime(2026, 11, 23, 9, 0, tzinfo=JAKARTA)
    people = {
        ("staf", None): Actor("staf", "Staf", (Membership("staf"),)),
        ("kasubag", None): Actor("kasubag", "Kasubag", (Membership("kasubag"),)),
        ("kepala", None): Actor("kepala", "Kepala", (Membership("kepala"),)),
    }
    for u in UNITS:
        people["kabid", u] = Actor(f"kabid-{u}", f"Kabid {u}", (Membership("kabid", u),))
    contexts = {key: Context(a, now, cal) for key, a in people.items()}

    def new_case(i: int):
        return start(d, StartCase(f"c{i}", "TW", UNITS), contexts["staf", None]).state

    cases = 1
    state = new_case(cases)
    done = 0
    tidak = 0
    act_seconds = 0.0
    wall = time.perf_counter()
    while done < args.transitions:
        if not state.open_tasks:
            cases += 1
            state = new_case(cases)
        task = rng.choice(list(state.open_tasks.values()))
        step = d.steps_by_number[task.step]
        role = step.actor
        c = contexts[role, task.unit if role == "kabid" else None]
        if step.gate is not None:
            if rng.random() < 0.2:
                action = Decide(task.id, Answer.TIDAK, "Perbaiki")
                tidak += 1
            else:
                action = Decide(task.id, Answer.YA)
        else:
            action = Complete(task.id)
        t0 = time.perf_counter()
        state = act(d, state, action, c).state
        act_seconds += time.perf_counter() - t0
        done += 1
    wall = time.perf_counter() - wall
    print(f"transitions: {done}  cases started: {cases}  tidak answers: {tidak}")
    print(f"engine only (act calls): {done / act_seconds:,.0f} transitions/s")
    print(f"including the driver:    {done / wall:,.0f} transitions/s")


if __name__ == "__main__":
    main()
