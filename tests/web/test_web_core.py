"""The web UI over HTTP (litestar's TestClient): sign-in, sessions, CSRF, rate limiting,
tenant isolation, starting cases and acting on them with and without htmx."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from alur.core import create_plugin_manager
from alur.tenants.cases.service import TenantService
from alur.tenants.demo.kinerja_samples import seed_sample_format
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_operator, create_user
from alur.tenants.offices.admin import TenantAdmin
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.storage.tables import Case, Event
from alur.tenants.testing.people import add_staff
from alur.web.app import create_app
from alur.web.settings import WebSettings
from alur.web.testing import fetch_csrf as csrf
from alur.web.testing import post_login, sign_in_sync

PASSWORD = "rahasia-2026"
SOP = "pengumpulan-data-kinerja"


async def provision(url: str) -> None:
    db = await open_database(url)
    plugins = create_plugin_manager()
    a = await create_tenant(plugins, "satpolpp-banyumas", "Satpol PP Banyumas", "satpolpp_banyumas")
    b = await create_tenant(plugins, "kesbangpol-pekalongan", "Kesbangpol", "kesbangpol_pekalongan")
    svc = await TenantService.open(db, plugins, a.slug)
    d = svc.sop(SOP)
    await seed_sample_format(svc, "Triwulan IV 2026")  # step 1 designs the format data kinerja
    admin = await create_user("admin", "Admin", PASSWORD)
    await add_membership(a.id, admin.id, None, administrator=True)
    for slug in ("gakperda", "tibumtranmas"):  # the case fans out over two units only
        await TenantAdmin(svc, admin.id).set_unit_active(slug, False)
    await add_staff(a.id, d.roles, ("linmas", "sda"), PASSWORD)
    other = await create_user("petugas-b", "Petugas B", PASSWORD)
    svc_b = await TenantService.open(db, plugins, b.slug)
    await add_membership(
        b.id, other.id, svc_b.sop("pengumpulan-pengolahan-data-kinerja").roles_by_id["kepala_dinas"]
    )
    await svc_b.start_case(other.id, "pengumpulan-pengolahan-data-kinerja", "Triwulan IV 2026")
    await create_operator("operator", "Operator", PASSWORD)
    await close_database(db)


@pytest.fixture
def client(tmp_path: Path, cheap_hasher: None) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path / 'web.db'}"
    asyncio.run(provision(url))
    app = create_app(WebSettings(database_url=url, secret_key="k" * 40))
    with TestClient(app) as c:
        yield c


def login(c: TestClient, username: str, password: str = PASSWORD, next_: str = "/"):
    return post_login(c, username, password, next=next_)


def as_user(c: TestClient, username: str) -> None:
    c.cookies.clear()
    sign_in_sync(c, username, PASSWORD, next="/")


def start_case(c: TestClient) -> str:
    token = csrf(c, "/t/satpolpp-banyumas/cases")
    r = c.post(
        "/t/satpolpp-banyumas/cases",
        data={"_csrf_token": token, "sop": SOP, "period": "Triwulan IV 2026"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:300]
    return r.headers["location"].rsplit("/", 1)[-1]


def act(c: TestClient, key: str, task: int, action: str, htmx: bool = False, **fields: str):
    path = f"/t/satpolpp-banyumas/cases/{key}"
    data = {"_csrf_token": csrf(c, path), **fields}
    headers = {"HX-Request": "true"} if htmx else {}
    return c.post(
        f"{path}/tasks/{task}/{action}", data=data, headers=headers, follow_redirects=False
    )


def open_task(c: TestClient, key: str, step: int, unit: str = "") -> int:
    page = c.get(f"/t/satpolpp-banyumas/cases/{key}").text
    for task, task_step in re.findall(r'data-task="(\d+)" data-step="(\d+)"', page):
        if int(task_step) == step and (not unit or f"{task}" in page):
            return int(task)
    raise AssertionError(f"no open task at step {step}")


def test_sign_in_sets_safe_cookies_and_defaults_to_indonesian(client: TestClient) -> None:
    page = client.get("/login")
    assert '<html lang="id"' in page.text
    assert not any(h.startswith("alur_session=") for h in page.headers.get_list("set-cookie"))
    r = login(client, "staf")
    assert r.status_code == 303
    session = next(h for h in r.headers.get_list("set-cookie") if h.startswith("alur_session="))
    assert "HttpOnly" in session
    assert "SameSite=lax" in session
    inbox = client.get("/", follow_redirects=True)
    assert inbox.url.path == "/t/satpolpp-banyumas/inbox"


def test_wrong_password_and_rate_limit(client: TestClient) -> None:
    for _ in range(5):
        assert login(client, "staf", "salah-sandi").status_code == 401
    blocked = login(client, "staf")  # even the right password waits now
    assert blocked.status_code == 429
    assert login(client, "kepala-satuan").status_code == 303  # other people are not affected


def test_no_open_redirect_after_login(client: TestClient) -> None:
    r = login(client, "staf", next_="//evil.example/")
    assert r.headers["location"] == "/"


def test_forms_need_the_csrf_token(client: TestClient) -> None:
    r = client.post("/login", data={"username": "staf", "password": PASSWORD})
    assert r.status_code == 403
    as_user(client, "staf")
    r = client.post("/t/satpolpp-banyumas/cases", data={"sop": SOP, "period": "X"})
    assert r.status_code == 403
    assert "/t/satpolpp-banyumas/cases/" not in client.get("/t/satpolpp-banyumas/cases").text


def test_signed_out_visitors_are_sent_to_login(client: TestClient) -> None:
    r = client.get("/t/satpolpp-banyumas/inbox", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/t/satpolpp-banyumas/inbox"
    r = client.get(
        "/t/satpolpp-banyumas/inbox", headers={"HX-Request": "true"}, follow_redirects=False
    )
    assert r.headers["HX-Redirect"].startswith("/login")


def test_another_tenants_pages_answer_404(client: TestClient) -> None:
    as_user(client, "petugas-b")
    other_key = re.search(
        r"/cases/([0-9a-f]{16})", client.get("/t/kesbangpol-pekalongan/cases").text
    )
    assert other_key
    as_user(client, "staf")
    for path in (
        "/t/kesbangpol-pekalongan/inbox",
        f"/t/kesbangpol-pekalongan/cases/{other_key.group(1)}",
        f"/t/satpolpp-banyumas/cases/{other_key.group(1)}",
        "/t/kesbangpol-pekalongan/sops",
        "/t/satpolpp-banyumas/admin",
        "/platform",
    ):
        assert client.get(path).status_code == 404, path


def test_starting_a_case_validates_every_field(client: TestClient) -> None:
    as_user(client, "staf")
    token = csrf(client, "/t/satpolpp-banyumas/cases")
    r = client.post(
        "/t/satpolpp-banyumas/cases", data={"_csrf_token": token, "sop": "", "period": ""}
    )
    assert r.status_code == 422
    # the SOP, and the period's two choices (part of the year, year)
    assert r.text.count('aria-invalid="true"') == 3
    assert asyncio.run(_count(Case)) == 1  # only the other office's case


async def _count(table) -> int:
    return await table.count()


def test_a_case_without_javascript(client: TestClient) -> None:
    as_user(client, "staf")
    key = start_case(client)
    r = act(client, key, 1, "complete", note="Draft format terlampir")
    assert r.status_code == 303
    assert r.headers["location"].endswith(key)
    as_user(client, "kasubag-perencanaan")
    task = open_task(client, key, 2)
    before = asyncio.run(_count(Event))
    r = act(client, key, task, "tidak", note="")
    assert r.status_code == 422
    assert asyncio.run(_count(Event)) == before  # refused: nothing written
    assert act(client, key, task, "tidak", note="Kolom target kurang").status_code == 303
    as_user(client, "staf")
    page = client.get(f"/t/satpolpp-banyumas/cases/{key}").text
    assert "Kolom target kurang" in page
    # the flowchart's rows are marked by the server, not only by static/alur.js
    # step 2 said "tidak": it is marked as having sent the work back, not as done
    assert re.search(r'<tr class="sop-row [^"]*flow-returned" data-step="2"', page)
    assert re.search(r'<tr class="sop-row [^"]*flow-current" data-step="1"', page)
    assert not re.search(r'flow-(done|current)" data-step="3"', page)
    inbox = client.get("/t/satpolpp-banyumas/inbox").text
    assert key in inbox


def test_htmx_actions_swap_the_live_region(client: TestClient) -> None:
    as_user(client, "staf")
    key = start_case(client)
    r = act(client, key, 1, "claim", htmx=True)
    assert r.status_code == 200
    assert "<html" not in r.text
    assert 'id="case-live-inner"' in r.text
    assert r.headers["HX-Trigger"] == "inbox-changed"
    r = act(client, key, 1, "ya", htmx=True)  # step 1 is not a decision
    assert r.status_code == 422
    assert 'role="alert"' in r.text
    r = act(client, key, 1, "complete", htmx=True, note="ok")
    assert r.status_code == 200
    count = client.get("/t/satpolpp-banyumas/inbox/count").text
    assert 'data-count="0"' in count


def test_attachments_upload_and_download_stay_in_the_tenant(client: TestClient) -> None:
    as_user(client, "staf")
    key = start_case(client)
    path = f"/t/satpolpp-banyumas/cases/{key}"
    r = client.post(
        f"{path}/tasks/1/complete",
        data={"_csrf_token": csrf(client, path), "note": "x"},
        files={"attachment": ("draft.pdf", b"%PDF-1.7 draft", "application/pdf")},
        follow_redirects=False,
    )
    assert r.status_code == 303
    link = re.search(rf"{path}/attachments/(\d+)", client.get(path).text)
    assert link
    file = client.get(link.group(0))
    assert file.content == b"%PDF-1.7 draft"
    assert 'filename="draft.pdf"' in file.headers["content-disposition"]
    as_user(client, "petugas-b")
    assert client.get(link.group(0)).status_code == 404


def test_operators_land_on_the_platform_page(client: TestClient) -> None:
    r = login(client, "operator")
    assert r.headers["location"] == "/platform"
    page = client.get("/platform")
    assert page.status_code == 200
    assert "satpolpp-banyumas" in page.text
    assert client.get("/t/satpolpp-banyumas/inbox").status_code == 404


def test_language_switch(client: TestClient) -> None:
    as_user(client, "staf")
    token = csrf(client, "/t/satpolpp-banyumas/inbox")
    r = client.post(
        "/language",
        data={"_csrf_token": token, "lang": "en", "next": "/t/satpolpp-banyumas/inbox"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get("/t/satpolpp-banyumas/inbox").text
    assert re.search(r'<option value="en" selected', page)
