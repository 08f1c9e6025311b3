"""Helpers of the input-limit tests (test_input_limits*.py, test_malformed_input.py): the
provisioned offices, row counts before and after, walking the app for its forms, signing in,
and the hypothesis settings with a fixed number of examples."""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from typing import Any

import asyncpg
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import TestClient
from PIL import Image

from alur.core import create_plugin_manager
from alur.core.engine import Complete, Decide
from alur.core.limits import ID_MAX
from alur.core.model import Answer
from alur.graphql.testing import OFFICE_A, PASSWORD, SOP_A, provision
from alur.tenants.cases.service import TenantService
from alur.tenants.demo.kinerja_samples import fill_in_sample, seed_sample_format
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_operator, create_user
from alur.tenants.identity.people_admin import PeopleAdmin
from alur.tenants.identity.tokens import create_token
from alur.tenants.kinerja.service import KinerjaService
from alur.tenants.monitoring.monev import MonevForms
from alur.tenants.monitoring.monev_policy import save_policy
from alur.tenants.monitoring.report import Period
from alur.tenants.notify.webhooks import register_webhook
from alur.tenants.offices.admin import TenantAdmin
from alur.tenants.offices.letterhead import save_logo
from alur.tenants.sop_life.adoption import OfficeSops, allow_plugin
from alur.tenants.sop_life.revisions import SopRevisions
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.storage.tables import SopRevision, User
from alur.web.testing import sign_in_sync

PERIOD = "Triwulan IV 2026"


TABLES = (  # the domain's rows (sessions and login counters are not "half-written" data)
    *("alur_tenant", "alur_unit", "alur_day_off", "alur_user", "alur_operator"),
    *("alur_membership", "alur_delegation", "alur_case", "alur_task", "alur_event"),
    *("alur_attachment", "alur_indicator_set", "alur_indicator", "alur_kinerja_submission"),
    "alur_api_token",
    "alur_office_logo",
    *("alur_monev_form", "alur_monev_version"),
)


HOSTILE = (
    b"",
    b"\x00",
    b"a\x00b",
    b"\xff\xfe",
    b"\xc3\x28",
    b"\xed\xa0\x80",  # an encoded lone surrogate
    b"x" * 1_000_000,
    b"9" * 33,
    b"-1",
    b"0",
    str(ID_MAX + 1).encode(),
    b"99999999999999999999999999",
    b"x.pdf\"; filename*=UTF-8''evil.html",
    "данные.pdf".encode(),
    b"\r\nSet-Cookie: a=b",
    b"2026-02-30",
    b"25:99",
    b"{}",
    b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
)


HOSTILE_NAMES = ("x.pdf\"; filename*=UTF-8''evil.html", "данные.pdf")


raw_values = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=30).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.binary(max_size=30),
    st.integers(-(2**70), 2**70).map(lambda n: str(n).encode()),
)


# --- the offices ---------------------------------------------------------------------------


async def _provision(url: str) -> str:
    db = await open_database(url, run_migrations=False)
    try:
        plugins = create_plugin_manager(environ={})
        world = await provision(db, plugins)
        admin = await create_user("admin", "Admin", PASSWORD)
        await add_membership(world.a.ref.id, admin.id, None, administrator=True)
        await create_operator("operator", "Operator", PASSWORD)
        await seed_sample_format(world.a, "Triwulan III 2026")  # to copy from
        await seed_sample_format(world.a, PERIOD)
        staf, kasubag = world.users["staf"], world.users["kasubag"]
        await world.a.start_case(staf, SOP_A, "Semester II 2026")  # at its design step (1)
        key = (await world.a.start_case(staf, SOP_A, PERIOD)).key  # at its fill step (4)
        await world.a.act(staf, key, Complete(1))
        await world.a.act(kasubag, key, Decide(2, Answer.YA))
        await world.a.act(staf, key, Complete(3))
        await _at_paraf(world, staf)  # the Kasubag's Paraf form (cases/_task_approve.html)
        await save_logo(TenantAdmin(world.a, admin.id), _png())  # the Remove-logo form
        # Another plugin allowed: the platform page's Remove form, the SOPs page's Adopsi.
        other = next(
            p.name for p in plugins.plugins() if p.ok and p.name != world.a.tenant["plugin"]
        )
        await allow_plugin(db, plugins, OFFICE_A, other, actor="operator:fuzz")
        await _revisions(db, plugins, world, admin.id, other)
        await TenantAdmin(world.a, admin.id).add_day_off(date(2026, 12, 24), "Cuti bersama")
        await register_webhook(TenantAdmin(world.a, admin.id), "https://sistem.go.id/hook")
        await _deactivated(world, admin.id)  # the person page's Reactivate form
        await _monev(world, admin.id)
        for name in HOSTILE_NAMES:
            await world.a.attach(staf, key, None, name, "application/pdf", b"%PDF-1.7")
        return (await create_token("fuzz", "write", tenant=OFFICE_A, user="staf")).token
    finally:
        await close_database(db)


async def _revisions(db: Any, plugins: Any, world: Any, admin_id: int, other: str) -> None:
    """SOP revisions whose forms the crawl must reach: SOP A submitted (the Kepala's Sahkan
    and Kembalikan, the drafters' Cabut), and an SOP adopted from a third plugin as a draft
    (the editor: save, live check, file upload, submit). One plugin stays unadopted (the SOPs
    page's Adopsi)."""
    kepala = world.users["kepala"]
    await User.update({User.nip: "197001012000031001", User.jabatan: "Kepala Satuan"}).where(
        User.id == kepala
    )
    drafts = SopRevisions(world.a, admin_id)
    draft = await drafts.start_draft(SOP_A)
    draft = await drafts.save_draft(SOP_A, 0, {}, effective_on="2027-01-04", version=draft.version)
    await drafts.submit(SOP_A, 0, version=draft.version)
    third = next(
        p
        for p in plugins.plugins()
        if p.ok and p.name not in (world.a.tenant["plugin"], other) and p.sops
    )
    await allow_plugin(db, plugins, OFFICE_A, third.name, actor="operator:fuzz")
    service = await TenantService.open(db, plugins, OFFICE_A)
    adopted = next(iter(third.sops))
    await OfficeSops(service, admin_id).adopt(third.name, adopted)
    service = await TenantService.open(db, plugins, OFFICE_A)
    await SopRevisions(service, admin_id).start_draft(adopted)


async def _monev(world: Any, admin_id: int) -> None:
    """Monev forms whose forms the crawl must reach: the admin's settings and "open now"
    (the list page), an open form (the assessor's save and paraf) and an initialled one (the
    admin's reopen)."""
    service = await TenantService.open(world.a.db, world.a.plugins, OFFICE_A)
    await save_policy(service, admin_id, "kasubag_perencanaan", 6)
    forms = MonevForms(await TenantService.open(world.a.db, world.a.plugins, OFFICE_A))
    kasubag = world.users["kasubag"]
    (done, *_) = await forms.open_period(Period(date(2026, 1, 1), date(2026, 6, 30)))
    rows = {str(r.step): {"judgement": "baik"} for r in done.form.rows}
    done = await forms.save(kasubag, done.id, rows, version=done.version)
    await forms.paraf(kasubag, done.id, version=done.version, password=PASSWORD)
    await forms.open_now(admin_id)


async def revoke_open_drafts() -> None:
    """Mark office A's open drafts revoked, so that its revision lists offer "Mulai draf
    revisi" (crawled after the editor's forms were). Run in the app's own event loop, on its
    database (a second connection here would rebind the tables under the running app)."""
    await SopRevision.update({SopRevision.state: "dicabut"}).where(SopRevision.state == "draf")


async def _deactivated(world: Any, admin_id: int) -> None:
    former = await create_user("pensiun", "Pegawai Pensiun (A)", PASSWORD)
    await add_membership(world.a.ref.id, former.id, world.a.sop(SOP_A).roles_by_id["staf"])
    people = await PeopleAdmin.office_admin(world.a.db, world.a.ref.id, admin_id)
    await people.set_active("pensiun", False)


PARAF_PERIOD = "Tahun 2026"  # the case at its paraf step: the SOP runs once per period


async def _at_paraf(world: Any, staf: int) -> None:
    """A case of office A carried to its paraf step (7), acting as each task's holder."""
    kabid = await create_user("kabid.sda.3", "Kabid SDA (A)", PASSWORD)
    await add_membership(world.a.ref.id, kabid.id, world.a.sop(SOP_A).roles_by_id["kabid"], "sda")
    holders = {("kabid", "linmas"): world.users["kabid.linmas"], ("kabid", "sda"): kabid.id}
    await seed_sample_format(world.a, PARAF_PERIOD)
    key = (await world.a.start_case(staf, SOP_A, PARAF_PERIOD)).key  # one case per period
    kinerja = KinerjaService(world.a)
    for _ in range(20):
        case = await world.a.case(key)
        task = min(case.state.open_tasks.values(), key=lambda t: t.id)
        if task.step == 7:
            return
        who = holders.get((task.role, task.unit), staf)
        if task.role == "kasubag_perencanaan":
            who = world.users["kasubag"]
        await fill_in_sample(kinerja, who, key, task.id)
        gate = world.a.sop(SOP_A).step(task.step).gate is not None
        await world.a.act(who, key, Decide(task.id, Answer.YA) if gate else Complete(task.id))
    raise AssertionError("the paraf step never opened")


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(out, "PNG")
    return out.getvalue()


class RowCounts:
    """Counts the domain rows over a connection of its own (not the app's engine)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.loop = asyncio.new_event_loop()
        self.pg: asyncpg.Connection | None = None
        if not url.startswith("sqlite"):
            dsn = url.replace("postgresql+asyncpg://", "postgresql://")
            self.pg = self.loop.run_until_complete(asyncpg.connect(dsn))

    def __call__(self) -> dict[str, int]:
        sql = " UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM {t}" for t in TABLES)
        if self.pg is None:
            path = self.url.removeprefix("sqlite:///")
            with contextlib.closing(sqlite3.connect(path)) as connection:
                return dict(connection.execute(sql).fetchall())
        return {r[0]: r[1] for r in self.loop.run_until_complete(self.pg.fetch(sql))}

    def replaced(self) -> list[tuple[str, tuple]]:
        """The domain rows holding U+FFFD (what undecodable bytes become), plain or escaped
        in JSON text."""
        rows: list[tuple[str, tuple]] = []
        for table in TABLES:
            sql = f"SELECT * FROM {table}"
            if self.pg is None:
                path = self.url.removeprefix("sqlite:///")
                with contextlib.closing(sqlite3.connect(path)) as connection:
                    found = [tuple(r) for r in connection.execute(sql).fetchall()]
            else:
                found = [tuple(r) for r in self.loop.run_until_complete(self.pg.fetch(sql))]
            rows += [(table, r) for r in found if re.search(r"\ufffd|\\ufffd", str(r), re.I)]
        return rows

    def close(self) -> None:
        if self.pg is not None:
            self.loop.run_until_complete(self.pg.close())
        self.loop.close()


# --- walking the app -------------------------------------------------------------------------


@dataclass
class Form:
    who: str
    action: str
    multipart: bool
    fields: dict[str, str] = field(default_factory=dict)  # name -> the value shown
    files: list[str] = field(default_factory=list)


class _Forms(HTMLParser):
    def __init__(self, who: str) -> None:
        super().__init__()
        self.who = who
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._hx: dict[str, str] = {}  # hx-post actions inside the current form

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href", "").startswith("/"):
            self.links.append(a["href"])
        elif tag == "form" and a.get("method", "get").lower() == "post":
            multipart = a.get("enctype") == "multipart/form-data"
            self._form = Form(self.who, a.get("action", ""), multipart)
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "textarea", "select"):
            if a.get("hx-post"):  # htmx posts the whole form there (the editor's live check)
                self._hx.setdefault(a["hx-post"].split("?")[0], a["hx-post"])
            name = a.get("name")
            if not name:
                return
            if a.get("type") == "file":
                self._form.files.append(name)
            elif tag == "select":
                self._select = name
                self._form.fields.setdefault(name, "")
            elif a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self._form.fields.setdefault(name, a.get("value", ""))
        elif (
            tag == "option"
            and self._form is not None
            and self._select
            and not self._form.fields.get(self._select)
        ):
            self._form.fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            if self._form is not None:
                for action in self._hx.values():
                    self.forms.append(Form(self.who, action, False, dict(self._form.fields), []))
            self._form = None
            self._hx = {}
        elif tag == "select":
            self._select = None


SKIP = re.compile(r"^/static/|\.(xlsx|pdf)$|/attachments/\d+$")


def crawl(client: TestClient, who: str, start: str, limit: int = 60) -> list[Form]:
    seen: set[str] = set()
    queue = [start]
    forms: list[Form] = []
    while queue and len(seen) < limit:
        path = queue.pop(0).split("#")[0]
        if path in seen or SKIP.search(path.split("?")[0]):
            continue
        seen.add(path)
        r = client.get(path)
        if r.status_code != 200 or "text/html" not in r.headers.get("content-type", ""):
            continue
        parser = _Forms(who)
        parser.feed(r.text)
        forms += parser.forms
        queue += parser.links
    return list({(f.who, f.action): f for f in forms}.values())


def post_routes(app: Litestar) -> list[str]:
    paths = []
    for route in app.routes:
        methods = getattr(route, "methods", set())
        if "POST" in methods and not route.path.startswith("/graphql"):
            paths.append(route.path)
    return paths


def _sign_in(client: TestClient, username: str) -> None:
    client.cookies.clear()
    sign_in_sync(client, username, PASSWORD)


@dataclass(repr=False)
class Site:
    client: TestClient
    counts: RowCounts
    jars: dict[str, Any]
    forms: list[Form]
    routes: list[str]
    token: str


def fixed_examples(count: int) -> settings:
    """Exactly ``count`` reproducible examples, however long they take (the tests count them
    and fail if fewer ran)."""
    return settings(
        max_examples=count,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
