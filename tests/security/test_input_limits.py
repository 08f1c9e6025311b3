"""Input limits hold on both backends and both doors (issue 11, point 6).

A property-based test (hypothesis, a fixed number of derandomized examples, counted) sends
random text and bytes — NUL, control characters, invalid UTF-8, 1 MB strings, huge and
negative numbers — to every field of every web form and to every path parameter, on SQLite
and PostgreSQL (every argument of every GraphQL root field: test_input_limits_graphql.py). No answer may be a
server error, and after a refused request the database's rows are unchanged.

The web forms are found by walking the app: every page a person, an office administrator
and a platform operator can reach by links is fetched and its ``<form method="post">``
parsed; every POST route of the app must be among them (a new form is covered without
touching this file, a route without a reachable form fails the test).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote_from_bytes

from hypothesis import given
from hypothesis import strategies as st

from alur.core.limits import ID_MAX
from alur.graphql.testing import OFFICE_A
from tests.security.input_limits_helpers import (
    HOSTILE,
    Form,
    Site,
    fixed_examples,
    raw_values,
)

WEB_EXAMPLES = 150  # per backend


def _pattern(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$")


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


def test_the_mutu_baku_filters_survive_random_input(site: Site) -> None:
    """The Mutu baku page's and files' GET filters (issue 17), as the office admin (a reader):
    any bytes in any of them answer the page (200) or its field errors (422), never a 500."""
    ran = 0
    templates = [
        f"/t/{OFFICE_A}/mutu-baku?sop={{}}&start={{}}&end={{}}&unit=",
        f"/t/{OFFICE_A}/mutu-baku?start=2026-01-01&end={{}}&unit={{}}&sop={{}}",
        f"/t/{OFFICE_A}/mutu-baku.csv?unit={{}}&start={{}}&end={{}}",
        f"/t/{OFFICE_A}/mutu-baku.xlsx?sop={{}}&end={{}}&start={{}}",
    ]

    @fixed_examples(40)
    @given(st.sampled_from(templates), st.lists(raw_values, min_size=3, max_size=3))
    def check(template: str, parts: list[bytes]) -> None:
        nonlocal ran
        ran += 1
        site.client.cookies = site.jars["admin"]
        path = template.format(*(quote_from_bytes(p[:300], safe="") or "x" for p in parts))
        r = site.client.get(path, follow_redirects=False)
        assert r.status_code in (200, 422), (path, r.status_code, r.text[:300])

    check()
    assert ran >= 40
