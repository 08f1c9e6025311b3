"""In-process profiles (no HTTP server: httpx's ASGI transport, one request at a time):
SQL statements and their time, template rendering, snapshot parses, cProfile's top
functions. :func:`profile_pages` for ``bench/web.py --profile``, :func:`profile_endpoints`
for ``bench/graphql.py --profile``."""

from __future__ import annotations

import cProfile
import io
import logging
import pstats
import random
import re
import time
from collections.abc import Callable
from typing import Any

import httpx

from alur.tenants.cases import snapshots
from alur.tenants.identity import people as identity
from alur.web import testing
from support.load import PAGES, BenchUser
from support.plain_inbox import KINDS, Inbox, make_app
from support.provisioning import PASSWORD


class Meter:
    """Wall time and calls of a few functions, patched for the duration of the profile."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}
        self.seconds: dict[str, float] = {}
        self.statements: dict[str, tuple[int, float]] = {}
        self._undo: list[Callable[[], None]] = []

    def reset(self) -> None:
        self.calls.clear()
        self.seconds.clear()
        self.statements.clear()

    def _count(self, name: str, took: float) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1
        self.seconds[name] = self.seconds.get(name, 0.0) + took

    def wrap_async(self, owner: Any, attr: str, name: str) -> None:
        original = getattr(owner, attr)

        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                self._count(name, time.perf_counter() - t0)

        setattr(owner, attr, wrapper)
        self._undo.append(lambda: setattr(owner, attr, original))

    def wrap_sync(self, owner: Any, attr: str, name: str) -> None:
        original = getattr(owner, attr)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self._count(name, time.perf_counter() - t0)

        setattr(owner, attr, wrapper)
        self._undo.append(lambda: setattr(owner, attr, original))

    def wrap_sql(self, engine: Any) -> None:
        """Count statements and their wall time, also by statement (values left out)."""
        original = engine.run_querystring
        shapes = self.statements

        async def wrapper(self_: Any, querystring: Any, *args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return await original(self_, querystring, *args, **kwargs)
            finally:
                took = time.perf_counter() - t0
                self._count("sql", took)
                sql, _ = querystring.compile_string(engine_type=self_.engine_type)
                shape = re.sub(r"\s+", " ", sql).strip()
                calls, seconds = shapes.get(shape, (0, 0.0))
                shapes[shape] = (calls + 1, seconds + took)

        engine.run_querystring = wrapper
        self._undo.append(lambda: setattr(engine, "run_querystring", original))

    def restore(self) -> None:
        for undo in reversed(self._undo):
            undo()
        self._undo.clear()


async def profile_pages(url: str, user: BenchUser, rounds: int, secret_key: str) -> None:
    """Each page ``rounds`` times, one at a time, in this process: where the time goes."""
    import jinja2
    from piccolo.engine.postgres import PostgresEngine
    from piccolo.engine.sqlite import SQLiteEngine

    from alur.web.app import create_app
    from alur.web.settings import WebSettings

    meter = Meter()
    meter.wrap_sql(SQLiteEngine)
    meter.wrap_sql(PostgresEngine)
    meter.wrap_sync(jinja2.Template, "render", "template")
    meter.wrap_sync(snapshots, "definition_from_mapping", "snapshot parse")
    meter.wrap_sync(identity, "verify_password", "argon2 verify")
    app = create_app(WebSettings(database_url=url, secret_key=secret_key))
    try:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with (
            app.lifespan(),
            httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client,
        ):
            logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
            page = await client.get("/login")
            token = testing.CSRF_TOKEN.search(page.text)
            assert token, page.text[:300]
            data = {"_csrf_token": token.group(1), "username": user.username, "password": PASSWORD}
            await client.post("/login", data=data, follow_redirects=False)
            rng = random.Random(0)
            paths = {
                "inbox": lambda: f"/t/{user.slug}/inbox",
                "case": lambda: f"/t/{user.slug}/cases/{rng.choice(user.keys)}",
            }
            for _ in range(5):  # warm up (template compilation, first snapshot loads)
                for page_name in PAGES:
                    await client.get(paths[page_name]())
            print(f"  in-process, one request at a time, {rounds} each, as {user.username}")
            print(
                f"  {'page':<6} {'ms/req':>7} {'SQL/req':>8} {'SQL ms':>7} {'render ms':>9}"
                f" {'snapshot parses':>15} {'parse ms':>8}"
            )
            profiles = {}
            statements = {}
            for page_name in PAGES:
                meter.reset()  # first the meters alone, then cProfile (it slows everything)
                t0 = time.perf_counter()
                for _ in range(rounds):
                    r = await client.get(paths[page_name]())
                    assert r.status_code == 200, (r.status_code, r.text[:300])
                took = (time.perf_counter() - t0) / rounds * 1000
                statements[page_name] = dict(meter.statements)
                calls = {k: v / rounds for k, v in meter.calls.items()}
                ms = {k: v * 1000 / rounds for k, v in meter.seconds.items()}
                prof = cProfile.Profile()
                prof.enable()
                for _ in range(rounds):
                    await client.get(paths[page_name]())
                prof.disable()
                profiles[page_name] = prof

                print(
                    f"  {page_name:<6} {took:>7.1f} {calls.get('sql', 0):>8.1f}"
                    f" {ms.get('sql', 0):>7.1f} {ms.get('template', 0):>9.1f}"
                    f" {calls.get('snapshot parse', 0):>15.1f} {ms.get('snapshot parse', 0):>8.1f}"
                )
            for page_name, shapes in statements.items():
                print(f"  SQL of the {page_name} page, per request (most time first):")
                ranked = sorted(shapes.items(), key=lambda kv: -kv[1][1])
                for shape, (calls, seconds) in ranked[:12]:
                    short = shape if len(shape) <= 110 else shape[:107] + "..."
                    print(f"    {calls / rounds:4.1f} x {seconds / calls * 1000:5.2f} ms  {short}")
            for page_name, prof in profiles.items():
                out = io.StringIO()
                stats = pstats.Stats(prof, stream=out).strip_dirs().sort_stats("tottime")
                stats.print_stats(15)
                lines = [ln for ln in out.getvalue().splitlines() if ln.strip()]
                start_at = next(i for i, ln in enumerate(lines) if "ncalls" in ln)
                print(f"  cProfile, {page_name} page (this thread only; top 15 by own time):")
                for ln in lines[start_at : start_at + 16]:
                    print("    " + ln)
    finally:
        meter.restore()


async def profile_endpoints(url: str, inbox: Inbox, rounds: int, top: int = 22) -> None:
    """Each endpoint ``rounds`` times in this process, one request at a time."""
    from piccolo.engine.postgres import PostgresEngine
    from piccolo.engine.sqlite import SQLiteEngine

    meter = Meter()
    meter.wrap_sql(SQLiteEngine)
    meter.wrap_sql(PostgresEngine)
    meter.wrap_sync(snapshots, "definition_from_mapping", "snapshot parse")
    app = make_app(url)
    try:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with (
            app.lifespan(),
            httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client,
        ):
            logging.getLogger("httpx").setLevel(logging.WARNING)
            for kind in KINDS:
                for _ in range(10):
                    await client.request(**inbox.request(kind))
            print(f"  in process, one request at a time, {rounds} of each")
            print(f"  {'endpoint':<8} {'ms/req':>7} {'SQL/req':>8} {'SQL ms':>7} {'parse ms':>8}")
            profiles, statements = {}, {}
            for kind in KINDS:
                meter.reset()
                t0 = time.perf_counter()
                for _ in range(rounds):
                    r = await client.request(**inbox.request(kind))
                    assert r.status_code == 200, r.text[:300]
                took = (time.perf_counter() - t0) / rounds * 1000
                statements[kind] = dict(meter.statements)
                calls = {k: v / rounds for k, v in meter.calls.items()}
                ms = {k: v * 1000 / rounds for k, v in meter.seconds.items()}
                print(
                    f"  {kind:<8} {took:>7.2f} {calls.get('sql', 0):>8.1f}"
                    f" {ms.get('sql', 0):>7.2f} {ms.get('snapshot parse', 0):>8.2f}"
                )
                prof = cProfile.Profile()
                prof.enable()
                for _ in range(rounds):
                    await client.request(**inbox.request(kind))
                prof.disable()
                profiles[kind] = prof
            for kind, shapes in statements.items():
                print(f"  SQL of {kind}, per request:")
                for shape, (calls, seconds) in sorted(shapes.items(), key=lambda kv: -kv[1][1]):
                    short = shape if len(shape) <= 100 else shape[:97] + "..."
                    print(f"    {calls / rounds:4.1f} x {seconds / calls * 1000:5.2f} ms  {short}")
            for kind, prof in profiles.items():
                for order in ("tottime", "cumulative"):
                    out = io.StringIO()
                    pstats.Stats(prof, stream=out).strip_dirs().sort_stats(order).print_stats(top)
                    lines = [ln for ln in out.getvalue().splitlines() if ln.strip()]
                    start = next(i for i, ln in enumerate(lines) if "ncalls" in ln)
                    print(f"  cProfile, {kind} (top {top} by {order}):")
                    for ln in lines[start : start + top + 1]:
                        print("    " + ln)
    finally:
        meter.restore()
