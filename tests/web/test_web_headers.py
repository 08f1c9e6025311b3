"""Security headers on every kind of response (issue 11, point 3), and templates that a
strict Content-Security-Policy can serve: no inline script, handler or style."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import get
from litestar.testing import TestClient

from alur.web import security_headers
from alur.web.app import create_app
from alur.web.settings import WebSettings
from alur.web.testing import fetch_csrf

TEMPLATES = Path(security_headers.__file__).parent / "templates"
ALWAYS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "permissions-policy": security_headers.PERMISSIONS_POLICY,
}


@get("/test-crash", sync_to_thread=False)
def crash() -> None:
    raise RuntimeError("boom")


def make_client(url: str, *, secure: bool) -> TestClient:
    settings = WebSettings(database_url=url, secret_key="k" * 40, secure_cookies=secure)
    base = "https://testserver.local" if secure else "http://testserver.local"
    return TestClient(create_app(settings, extra_controllers=(crash,)), base_url=base)


@pytest.fixture
def client(fresh_databases) -> Iterator[TestClient]:
    with make_client(fresh_databases.url("sqlite"), secure=False) as c:
        yield c


def responses(c: TestClient) -> dict[str, object]:
    token = fetch_csrf(c)
    return {
        "page": c.get("/login"),
        "redirect": c.get("/", follow_redirects=False),
        "htmx fragment": c.get("/t/x/inbox/count", headers={"HX-Request": "true"}),
        "not found": c.get("/no-such-page"),
        "method not allowed": c.delete("/login"),
        "csrf refused": c.post("/login", data={"username": "x"}),
        "form error": c.post("/login", data={"_csrf_token": token, "username": "x"}),
        "server error": c.get("/test-crash"),
        "static file": c.get("/static/alur.css"),
        "vendored script": c.get("/static/vendor/htmx-4.0.1.min.js"),
        "graphql": c.post("/graphql", json={"query": "{ __typename }"}),
        "graphql refused": c.get("/graphql?query={nope}", headers={"Accept": "application/json"}),
    }


def test_every_kind_of_response_carries_the_headers(client: TestClient) -> None:
    seen = set()
    for kind, r in responses(client).items():
        seen.add(r.status_code)  # type: ignore[attr-defined]
        headers = r.headers  # type: ignore[attr-defined]
        for name, value in ALWAYS.items():
            assert headers.get(name) == value, (kind, name, dict(headers))
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp, kind
        assert csp == security_headers.CSP, kind
        assert "strict-transport-security" not in headers, kind  # not without HTTPS
    assert {200, 303, 403, 404, 405, 500} <= seen


def test_the_policy_allows_no_inline_script_or_style() -> None:
    directives = dict(d.split(" ", 1) for d in security_headers.CSP.split("; "))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert "unsafe" not in security_headers.CSP


def test_graphiql_gets_its_own_policy(client: TestClient) -> None:
    r = client.get("/graphql", headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert "graphiql" in r.text.lower()
    assert r.headers["content-security-policy"] == security_headers.GRAPHIQL_CSP
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"


def test_behind_https_hsts_and_secure_cookies(fresh_databases) -> None:
    with make_client(fresh_databases.url("sqlite"), secure=True) as c:
        for kind, r in responses(c).items():
            sts = r.headers.get("strict-transport-security")  # type: ignore[attr-defined]
            assert sts == security_headers.HSTS, kind
        token = fetch_csrf(c)
        r = c.post(
            "/language",
            data={"_csrf_token": token, "lang": "en", "next": "/login"},
            follow_redirects=False,
        )
        assert r.status_code == 303
        lang = next(h for h in r.headers.get_list("set-cookie") if h.startswith("lang="))
        assert "Secure" in lang
        assert "HttpOnly" in lang


INLINE = {
    "inline <script> body": re.compile(r"<script\b[^>]*>\s*[^<\s]", re.I),
    "<script> without src": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I),
    "<style> element": re.compile(r"<style\b", re.I),
    "style= attribute": re.compile(r"\sstyle\s*=", re.I),
    "on*= handler": re.compile(r"\son[a-z]+\s*=", re.I),
    "hx-on": re.compile(r"\b(data-)?hx-on", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "js: value for htmx (eval)": re.compile(r"""hx-[a-z-]+=["']\s*js:""", re.I),
}


def test_templates_have_no_inline_script_handlers_or_styles() -> None:
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) > 20
    found = [
        f"{path.relative_to(TEMPLATES)}:{text[: m.start()].count(chr(10)) + 1}: {what}"
        for path in templates
        for text in [path.read_text(encoding="utf-8")]
        for what, pattern in INLINE.items()
        for m in pattern.finditer(text)
    ]
    assert found == []


def test_the_scan_catches_what_it_looks_for() -> None:
    samples = {
        "inline <script> body": "<script>alert(1)</script>",
        "<script> without src": "<script defer></script>",
        "<style> element": "<style>p{}</style>",
        "style= attribute": '<p style="color: red">',
        "on*= handler": '<select onchange="x()">',
        "hx-on": '<button hx-on:click="x()">',
        "javascript: URL": '<a href="javascript:x()">',
        "js: value for htmx (eval)": '<div hx-vals="js:{a: 1}">',
    }
    for what, sample in samples.items():
        assert INLINE[what].search(sample), what
    assert not any(
        p.search('<script src="/static/alur.js" defer></script>') for p in INLINE.values()
    )
