"""Scale-out, proven (issue 15): three app processes and the worker on one PostgreSQL
behind Debian's nginx, under a bounded mixed load of reads and transitions.

Phases, each bounded by a count of requests per client AND by time:

1. steady — every request answers 200;
2. one app process is killed with SIGKILL mid-load — nginx routes around it: only requests
   in flight on it may fail (at most one per client, and only as nginx's 502);
3. PostgreSQL is restarted under load — requests answer 200 or the app's clear 503, never
   a 500 or a 502; at least one 503 was seen;
4. recovery — without restarting anything, every request answers 200 again.

Afterwards: no transition lost or half-applied (each case's claim/unclaim events lie between
the ones the clients saw succeed and the ones they sent; ``alur audit verify`` recomputes
every chain and checks every stored row against it), and the processes share their state:
one session cookie works on each process directly, failed sign-ins on two processes add up
to the limit on a third, and a case started through one process is in the inbox another
one serves at once. The worker is still running.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from alur.graphql.testing import OFFICE_A, PASSWORD
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.storage.tables import Event
from alur.tenants.testing.postgres import TemporaryPostgres
from alur.web.testing import post_login, sign_in
from tests.scale.scale_helpers import ALUR, app_environ, cluster, provision_office

pytestmark = pytest.mark.scale

PROCESSES = 3
CLIENTS = 6
CASES_PER_CLIENT = 3
OPS = {"steady": 15, "kill": 25, "restart": 60, "recover": 10}  # iterations per client
PHASE_SECONDS = 45.0  # each phase stops after this, whatever its count
RECOVERY_SECONDS = 30.0
TIMEOUT = 30.0  # per request

CLAIM = "mutation($k: String!) { claimTask(caseKey: $k, task: 1) { __typename } }"
UNCLAIM = "mutation($k: String!) { unclaimTask(caseKey: $k, task: 1) { __typename } }"
START = (
    'mutation($p: String!) { startCase(input: {sop: "pengumpulan-data-kinerja", period: $p})'
    " { __typename ... on CaseChanged { case { key } } ... on Error { message } } }"
)


@dataclass
class Client:
    """One simulated person: a web session through the proxy (reads) and a write token
    (claims and unclaims of their own cases, one after the other)."""

    http: httpx.AsyncClient
    token: str
    cases: list[str]
    claimed: dict[str, bool] = field(default_factory=dict)
    confirmed: Counter[str] = field(default_factory=Counter)  # transitions seen applied
    sent: Counter[str] = field(default_factory=Counter)  # transitions asked for
    statuses: dict[str, list[int]] = field(default_factory=dict)

    def note(self, phase: str, status: int) -> None:
        self.statuses.setdefault(phase, []).append(status)

    async def transition(self, phase: str, key: str) -> None:
        query = UNCLAIM if self.claimed.get(key) else CLAIM
        self.sent[key] += 1
        try:
            r = await self.http.post(
                "/graphql",
                json={"query": query, "variables": {"k": key}},
                headers={"Authorization": f"Bearer {self.token}"},
            )
        except httpx.HTTPError:
            self.note(phase, 0)
            return
        self.note(phase, r.status_code)
        if r.status_code != 200:
            return  # unknown outcome: the next answer tells
        result = next(iter(r.json()["data"].values()))["__typename"]
        if result == "CaseChanged":
            self.confirmed[key] += 1
        # applied, or refused because an earlier unknown one was applied: flip either way
        self.claimed[key] = not self.claimed.get(key)

    async def read(self, phase: str, i: int) -> None:
        key = self.cases[i % len(self.cases)]
        path = f"/t/{OFFICE_A}/inbox" if i % 2 else f"/t/{OFFICE_A}/cases/{key}"
        try:
            r = await self.http.get(path)
        except httpx.HTTPError:
            self.note(phase, 0)
            return
        self.note(phase, r.status_code)

    async def load(self, phase: str, ops: int, deadline: float) -> None:
        for i in range(ops):
            if time.monotonic() > deadline:
                break
            await self.transition(phase, self.cases[i % len(self.cases)])
            await self.read(phase, i)


async def _phase(clients: list[Client], phase: str) -> None:
    deadline = time.monotonic() + PHASE_SECONDS
    await asyncio.gather(*(c.load(phase, OPS[phase], deadline) for c in clients))


def _all(clients: list[Client], phase: str) -> Counter[int]:
    return Counter(s for c in clients for s in c.statuses.get(phase, []))


async def _load(base: str, tokens: dict[str, str], cases: list[str], pg, made) -> list[Client]:
    clients = []
    for n in range(CLIENTS):
        http = httpx.AsyncClient(base_url=base, timeout=TIMEOUT, follow_redirects=False)
        person, token = ("staf", "a-staf") if n % 2 == 0 else ("staf-2", "a-staf-2")
        await sign_in(http, person, PASSWORD)
        mine = cases[n * CASES_PER_CLIENT : (n + 1) * CASES_PER_CLIENT]
        clients.append(Client(http, tokens[token], mine))
    try:
        await _phase(clients, "steady")
        kill = asyncio.create_task(_phase(clients, "kill"))
        await asyncio.sleep(1.0)
        await asyncio.to_thread(made.kill_app, 0)
        await kill
        restart = asyncio.create_task(_phase(clients, "restart"))
        await asyncio.sleep(1.0)
        await asyncio.to_thread(pg.pause)
        await asyncio.sleep(2.0)  # requests meanwhile find no database
        await asyncio.to_thread(pg.resume)
        await restart
        deadline = time.monotonic() + RECOVERY_SECONDS
        while time.monotonic() < deadline:  # bounded: until one round is all 200
            probe = [await c.http.get(f"/t/{OFFICE_A}/inbox") for c in clients]
            if all(r.status_code == 200 for r in probe):
                break
            await asyncio.sleep(0.5)
        await _phase(clients, "recover")
    finally:
        for c in clients:
            await c.http.aclose()
    return clients


async def _stored_transitions(url: str) -> Counter[str]:
    db = await open_database(url, run_migrations=False)
    try:
        rows = await Event.raw(
            "SELECT c.key AS key, COUNT(*) AS n FROM alur_event e "
            "JOIN alur_case c ON c.id = e.case "
            "WHERE e.kind IN ('task_claimed', 'task_unclaimed') GROUP BY c.key"
        )
        return Counter({r["key"]: r["n"] for r in rows})
    finally:
        await close_database(db)


def _shared_state(apps: list[str], proxy: str, token: str) -> None:
    """Sessions, sign-in throttling and caches behave the same on every process."""
    with httpx.Client(timeout=TIMEOUT) as web:
        assert post_login(web, "kasubag", PASSWORD, base=proxy).status_code == 303
        for app in apps:  # one cookie, every process
            page = web.get(f"{app}/t/{OFFICE_A}/inbox")
            assert page.status_code == 200, (app, page.status_code)
    with httpx.Client(timeout=TIMEOUT) as web:  # ALUR_LOGIN_MAX_PER_USERNAME = 4
        for app in (apps[0], apps[0], apps[1], apps[1]):
            assert post_login(web, "kepala", "salah", base=app).status_code == 401
        assert post_login(web, "kepala", PASSWORD, base=apps[0]).status_code == 429
        assert post_login(web, "kepala", PASSWORD, base=apps[1]).status_code == 429
    with httpx.Client(timeout=TIMEOUT) as web:  # a change through one, seen by the other
        assert post_login(web, "staf", PASSWORD, base=apps[1]).status_code == 303
        before = web.get(f"{apps[1]}/t/{OFFICE_A}/inbox")
        assert before.status_code == 200
        started = httpx.post(
            f"{apps[0]}/graphql",
            json={"query": START, "variables": {"p": "Semester I 2020"}},
            headers={"Authorization": f"Bearer {token}"},
            timeout=TIMEOUT,
        ).json()["data"]["startCase"]
        assert started["__typename"] == "CaseChanged", started
        key = started["case"]["key"]
        assert key not in before.text
        assert key in web.get(f"{apps[1]}/t/{OFFICE_A}/inbox").text


def test_three_processes_behind_nginx_survive_a_killed_process_and_a_database_restart(
    tmp_path: Path,
) -> None:
    with TemporaryPostgres() as pg:
        url = pg.create_database("alur")
        office = asyncio.run(provision_office(url, CLIENTS * CASES_PER_CLIENT))
        with cluster(url, tmp_path, PROCESSES) as made:
            clients = asyncio.run(_load(made.base, office.tokens, office.cases, pg, made))
            logs = made.logs()
            steady, killed = _all(clients, "steady"), _all(clients, "kill")
            restarted, recovered = _all(clients, "restart"), _all(clients, "recover")
            assert set(steady) == {200}, (steady, logs)
            assert set(killed) <= {200, 502}, (killed, logs)
            assert killed[502] <= CLIENTS, (killed, logs)  # only requests in flight on it
            assert set(restarted) <= {200, 503}, (restarted, logs)
            assert restarted[503] > 0, restarted  # the restart was seen, and answered clearly
            assert set(recovered) == {200}, (recovered, logs)
            live = [a.base for a in made.apps[1:]]
            _shared_state(live, made.base, office.tokens["a-staf"])
            assert made.worker is not None
            assert made.worker.poll() is None, f"the worker exited:\n{logs}"
        stored = asyncio.run(_stored_transitions(url))
        for client in clients:
            for key in client.cases:
                assert client.confirmed[key] <= stored[key] <= client.sent[key], (
                    key,
                    client.confirmed[key],
                    stored[key],
                    client.sent[key],
                )
        verified = subprocess.run(
            [ALUR, "audit", "verify"],
            env={**os.environ, **app_environ(url)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert verified.returncode == 0, verified.stdout + verified.stderr
