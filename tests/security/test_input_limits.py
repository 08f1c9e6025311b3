"""Input limits hold on both backends and both doors (issue 11, point 6).

A property-based test (hypothesis, a fixed number of derandomized examples, counted) sends
random text and bytes — NUL, control characters, invalid UTF-8, 1 MB strings, huge and
negative numbers — to every field of every web form and to every path parameter, and to
every argument of every GraphQL root field, on SQLite and PostgreSQL. No answer may be a
server error, and after a refused request the database's rows are unchanged.

The web forms are found by walking the app: every page a person, an office administrator
and a platform operator can reach by links is fetched and its ``<form method="post">``
parsed; every POST route of the app must be among them (a new form is covered without
touching this file, a route without a reachable form fails the test).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote_from_bytes

import asyncpg
import graphql
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import TestClient

from alur.core import create_plugin_manager
from alur.core.engine import Complete, Decide
from alur.core.limits import ID_MAX
from alur.core.model import Answer
from alur.graphql.schema import schema
from alur.graphql.testing import OFFICE_A, PASSWORD, SOP_A, provision
from alur.tenants.demo.kinerja_samples import seed_sample_format
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_operator, create_user
from alur.tenants.identity.tokens import create_token
from alur.tenants.offices.admin import TenantAdmin
from alur.tenants.storage.database import close_database, open_database
from alur.web.app import create_app
from alur.web.settings import WebSettings
from alur.web.testing import sign_in_sync

WEB_EXAMPLES = 150  # per backend
GRAPHQL_EXAMPLES = 100  # per backend
PERIOD = "Triwulan IV 2026"
TABLES = (  # the domain's rows (sessions and login counters are not "half-written" data)
    *("alur_tenant", "alur_unit", "alur_day_off", "alur_user", "alur_operator"),
    *("alur_membership", "alur_delegation", "alur_case", "alur_task", "alur_event"),
    *("alur_attachment", "alur_indicator_set", "alur_indicator", "alur_kinerja_submission"),
    "alur_api_token",
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
        world = await provision(db, create_plugin_manager(environ={}))
        admin = await create_user("admin", "Admin", PASSWORD)
        await add_membership(world.a.ref.id, admin.id, None, administrator=True)
        await create_operator("operator", "Operator", PASSWORD)
        await seed_sample_format(world.a, "Triwulan III 2026")  # to copy from
        await seed_sample_format(world.a, PERIOD)
        staf, kasubag = world.users["staf"], world.users["kasubag"]
        await world.a.start_case(staf, SOP_A, PERIOD)  # at its design step (1)
        key = (await world.a.start_case(staf, SOP_A, PERIOD)).key  # at its fill step (4)
        await world.a.act(staf, key, Complete(1))
        await world.a.act(kasubag, key, Decide(2, Answer.YA))
        await world.a.act(staf, key, Complete(3))
        await TenantAdmin(world.a, admin.id).add_day_off(date(2026, 12, 24), "Cuti bersama")
        for name in HOSTILE_NAMES:
            await world.a.attach(staf, key, None, name, "application/pdf", b"%PDF-1.7")
        return (await create_token("fuzz", "write", tenant=OFFICE_A, user="staf")).token
    finally:
        await close_database(db)


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

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href", "").startswith("/"):
            self.links.append(a["href"])
        elif tag == "form" and a.get("method", "get").lower() == "post":
            multipart = a.get("enctype") == "multipart/form-data"
            self._form = Form(self.who, a.get("action", ""), multipart)
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "textarea", "select"):
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
            self._form = None
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


def _pattern(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$")


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


@pytest.fixture
def site(database_url: str, cheap_hasher: None) -> Iterator[Site]:
    token = asyncio.run(_provision(database_url))
    app = create_app(WebSettings(database_url=database_url, secret_key="k" * 40))
    counts = RowCounts(database_url)
    with TestClient(app) as client:
        jars: dict[str, Any] = {}
        forms: list[Form] = []
        client.cookies.clear()
        forms += crawl(client, "anonymous", "/login")
        jars["anonymous"] = client.cookies
        for who, start in (
            ("staf", "/"),
            ("kabid.linmas", "/"),
            ("admin", f"/t/{OFFICE_A}/admin/"),
            ("operator", "/platform"),
        ):
            client.cookies = client.cookies.__class__()
            _sign_in(client, who)
            forms += crawl(client, who, start)
            jars[who] = client.cookies
        yield Site(client, counts, jars, forms, post_routes(app), token)
    counts.close()


# --- the web forms ----------------------------------------------------------------------------


def _body(values: dict[str, bytes]) -> bytes:
    return "&".join(
        f"{quote_from_bytes(k.encode())}={quote_from_bytes(v)}" for k, v in values.items()
    ).encode()


def test_hostile_file_names_cannot_rewrite_the_download_header(site: Site) -> None:
    site.client.cookies = site.jars["staf"]
    page = site.client.get(f"/t/{OFFICE_A}/cases").text
    keys = re.findall(rf"/t/{OFFICE_A}/cases/([0-9a-f]{{16}})", page)
    links = {
        link
        for key in keys
        for link in re.findall(
            r"/t/[^\"]+/attachments/\d+", site.client.get(f"/t/{OFFICE_A}/cases/{key}").text
        )
    }
    headers = sorted(site.client.get(link).headers["content-disposition"] for link in links)
    assert headers == [
        "attachment; filename=\"pdf\"; filename*=UTF-8''%D0%B4%D0%B0%D0%BD%D0%BD%D1%8B%D0%B5.pdf",
        'attachment; filename="x.pdf__ filename__UTF-8__evil.html"; '
        "filename*=UTF-8''x.pdf%22%3B%20filename%2A%3DUTF-8%27%27evil.html",
    ]


def test_every_post_route_has_a_form_that_is_fuzzed(site: Site) -> None:
    actions = {f.action.split("?")[0] for f in site.forms}
    missing = [r for r in site.routes if not any(_pattern(r).match(a) for a in actions)]
    assert not missing, f"POST routes without a reachable form: {missing}"


@st.composite
def web_requests(draw: st.DrawFn, site: Site) -> tuple[Form, str, dict[str, bytes], list]:
    forms = [f for f in site.forms if not f.action.endswith("/logout")]
    form = draw(st.sampled_from(forms))
    action = form.action
    segments = action.split("/")
    if len(segments) > 3 and (draw(st.integers(0, 4)) == 0 or action.endswith("/suspend")):
        # a hostile path parameter instead of the real one
        i = draw(st.integers(2, len(segments) - 1))
        segments[i] = quote_from_bytes(draw(raw_values)[:200], safe="") or "x"
        action = "/".join(segments)
    values: dict[str, bytes] = {}
    for name, shown in form.fields.items():
        if name == "_csrf_token" or draw(st.booleans()):
            values[name] = shown.encode()
        else:
            values[name] = draw(raw_values)
    files = []
    for name in form.files:
        if draw(st.booleans()):
            filename = draw(
                st.sampled_from(HOSTILE[1:]).map(lambda b: b.decode("utf-8", "replace"))
            )
            files.append((name, (filename or "f", b"%PDF", "application/pdf")))
    return form, action, values, files


UNDECODABLE = (b"\xff\xfe", b"ab\xc3")  # raw in a multipart body, %FF%FE / ab%C3 urlencoded
SWEEP = (b"a\x00b", b"x" * 1_000_000, *UNDECODABLE, b"9" * 33, str(ID_MAX + 1).encode())


def _send(site: Site, form: Form, action: str, values: dict[str, bytes], files: list) -> Any:
    site.client.cookies = site.jars[form.who]
    if form.multipart:  # the bytes as they are: a multipart field may be any bytes
        return site.client.post(action, data=values, files=files or None, follow_redirects=False)
    return site.client.post(
        action,
        content=_body(values),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )


def test_every_form_field_refuses_the_probe_values(site: Site) -> None:
    """A sweep before the random part: each field of each form gets each value the probe
    used while the other fields keep what the page showed."""
    sent = 0
    for form in site.forms:
        if form.action.endswith(("/logout", "/suspend")):
            continue
        for name in form.fields:
            if name == "_csrf_token":
                continue
            for value in SWEEP:
                values = {k: v.encode() for k, v in form.fields.items()}
                values[name] = value
                before = site.counts()
                r = _send(site, form, form.action, values, [])
                sent += 1
                assert r.status_code < 500, (form.who, form.action, name, value[:20])
                if value in UNDECODABLE:  # refused or ignored, never stored as U+FFFD
                    assert not site.counts.replaced(), (form.who, form.action, name, value)
                if r.status_code >= 400:
                    assert site.counts() == before, (form.who, form.action, name, value[:20])
    assert sent >= 300, sent


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


def test_web_forms_survive_random_input(site: Site) -> None:
    ran = 0

    @fixed_examples(WEB_EXAMPLES)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        nonlocal ran
        ran += 1
        form, action, values, files = data.draw(web_requests(site))
        site.client.cookies = site.jars[form.who]
        before = site.counts()
        r = _send(site, form, action, values, files)
        assert r.status_code < 500, (form.who, action, r.status_code, r.text[:500])
        if r.status_code >= 400:
            assert site.counts() == before, (form.who, action, r.status_code)

    check()
    assert ran >= WEB_EXAMPLES


def test_get_paths_and_queries_survive_random_input(site: Site) -> None:
    ran = 0
    templates = [
        f"/t/{OFFICE_A}/cases?period={{}}&sop={{}}",
        f"/t/{OFFICE_A}/cases/{{}}",
        f"/t/{OFFICE_A}/cases/{{}}/attachments/{{}}",
        "/t/{}/inbox",
        f"/t/{OFFICE_A}/sops/{{}}",
        f"/t/{OFFICE_A}/cases/{{}}/kinerja/tasks/{{}}/row?index={{}}",
        f"/t/{OFFICE_A}/cases/{{}}/kinerja/rekap.xlsx",
        "/login?next={}",
    ]

    @fixed_examples(60)
    @given(st.sampled_from(templates), st.lists(raw_values, min_size=3, max_size=3))
    def check(template: str, parts: list[bytes]) -> None:
        nonlocal ran
        ran += 1
        site.client.cookies = site.jars["staf"]
        path = template.format(*(quote_from_bytes(p[:300], safe="") or "x" for p in parts))
        r = site.client.get(path, follow_redirects=False)
        assert r.status_code < 500, (path, r.status_code, r.text[:300])

    check()
    assert ran >= 60


# --- GraphQL ----------------------------------------------------------------------------------


def _value(draw: st.DrawFn, t: graphql.GraphQLInputType, depth: int = 0) -> Any:
    if isinstance(t, graphql.GraphQLNonNull):
        return _value(draw, t.of_type, depth)
    if draw(st.integers(0, 9)) == 0:
        return None
    if isinstance(t, graphql.GraphQLList):
        return [_value(draw, t.of_type, depth + 1) for _ in range(draw(st.integers(0, 3)))]
    if isinstance(t, graphql.GraphQLInputObjectType):
        return {name: _value(draw, f.type, depth + 1) for name, f in t.fields.items()}
    if isinstance(t, graphql.GraphQLEnumType):
        return draw(st.sampled_from(list(t.values)))
    name = t.name
    if name == "Int":
        return draw(st.one_of(st.integers(-(2**31), 2**31 - 1), st.sampled_from([0, -1, 1])))
    if name == "Boolean":
        return draw(st.booleans())
    if name == "JSON":
        deep: Any = "x"
        for _ in range(draw(st.integers(0, 60))):
            deep = {"k": deep} if draw(st.booleans()) else [deep]
        return draw(
            st.one_of(
                st.just(deep),
                st.dictionaries(st.text(max_size=5), st.text(max_size=10), max_size=3),
                st.dictionaries(
                    st.sampled_from(["a", "\x00"]),
                    st.sampled_from(["\x00", "x" * 20_000, 2**70, -(2**70)]),
                    max_size=2,
                ),
            )
        )
    raw = draw(raw_values)
    return raw.decode("utf-8", "replace") if draw(st.booleans()) else raw.decode("latin-1")


def _operation(kind: str, name: str, f: graphql.GraphQLField) -> tuple[str, dict]:
    defs = ", ".join(f"${a}: {arg.type}" for a, arg in f.args.items())
    args = ", ".join(f"{a}: ${a}" for a in f.args)
    named = graphql.get_named_type(f.type)
    selection = (
        ""
        if isinstance(named, graphql.GraphQLScalarType | graphql.GraphQLEnumType)
        else ("{ __typename }")
    )
    head = f"{kind} Fuzz({defs})" if defs else kind
    call = f"{name}({args})" if args else name
    return f"{head} {{ {call} {selection} }}", dict(f.args)


def test_graphql_arguments_survive_random_input(site: Site) -> None:
    gql = schema._schema
    fields = [("query", n, f) for n, f in gql.query_type.fields.items() if f.args] + [
        ("mutation", n, f) for n, f in gql.mutation_type.fields.items()
    ]
    ran = 0

    @fixed_examples(GRAPHQL_EXAMPLES)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        nonlocal ran
        ran += 1
        kind, name, f = data.draw(st.sampled_from(fields))
        query, args = _operation(kind, name, f)
        variables = {a: _value(data.draw, arg.type) for a, arg in args.items()}
        before = site.counts()
        r = site.client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {site.token}"},
        )
        assert r.status_code < 500, (name, variables, r.text[:300])
        body = r.json()
        assert "Unexpected error" not in r.text, (name, str(variables)[:300], r.text[:500])
        result = (body.get("data") or {}).get(name)
        refused = body.get("errors") or (
            isinstance(result, dict) and result.get("__typename") != "CaseChanged"
        )
        if refused:
            assert site.counts() == before, (name, str(variables)[:300])

    check()
    assert ran >= GRAPHQL_EXAMPLES


def _raw_body(query: str, variables: dict[str, bytes]) -> bytes:
    """A GraphQL POST body whose variables are given as raw JSON bytes (any bytes)."""
    head = json.dumps({"query": query, "variables": dict.fromkeys(variables, "@")}).encode()
    for name, raw in variables.items():
        head = head.replace(b'"%s": "@"' % name.encode(), b'"%s": %s' % (name.encode(), raw), 1)
    return head


GRAPHQL_SWEEP = (  # each argument's variable, as raw JSON bytes
    b'"\xff\xfe"',  # a string that is not UTF-8
    b'{"a": ' + b"[" * 900 + b"]" * 900 + b"}",  # parsed, then refused as too deep
    b"[" * 1200 + b"]" * 1200,  # deeper than the JSON parser goes
)


def test_every_graphql_argument_refuses_the_probe_bodies(site: Site) -> None:
    """The sweep of the raw bodies the probe sent: each argument of each root field gets
    each value while the others are null; and a body starting with an undecodable byte."""
    gql = schema._schema
    fields = [("query", n, f) for n, f in gql.query_type.fields.items() if f.args] + [
        ("mutation", n, f) for n, f in gql.mutation_type.fields.items()
    ]
    bodies = [b'\xff{"query": "{ me { __typename } }"}']
    for kind, name, f in fields:
        query, args = _operation(kind, name, f)
        for arg in args:
            bodies += [
                _raw_body(query, {a: value if a == arg else b"null" for a in args})
                for value in GRAPHQL_SWEEP
            ]
    before = site.counts()
    for body in bodies:
        r = site.client.post(
            "/graphql",
            content=body,
            headers={"Authorization": f"Bearer {site.token}", "Content-Type": "application/json"},
        )
        assert r.status_code < 500, (body[:80], r.text[:300])
        assert "recursion" not in r.text, (body[:80], r.text[:300])
        assert "Unexpected error" not in r.text, (body[:80], r.text[:300])
    assert site.counts() == before
    assert len(bodies) >= 90, len(bodies)
