"""The monev pages (alur.web.monitoring.monev) on SQLite and PostgreSQL: the admin chooses the
assessor and opens the forms; the assessor finds them in the inbox, saves judgements (errors
next to their fields, everything typed kept), is told of a stale save, initials with the
password; the staf gets 403; the admin reopens."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from alur.core import create_plugin_manager
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.database import close_database, open_database
from alur.web.app import create_app
from alur.web.settings import WebSettings
from alur.web.testing import fetch_csrf, sign_in_sync

SLUG = "satpolpp-cilacap"
PLUGIN = "satpolpp_banyumas"
PASSWORD = "rahasia-2026"
LIST = f"/t/{SLUG}/monev"


async def provision(url: str) -> None:
    db = await open_database(url)
    plugins = create_plugin_manager()
    tenant = await create_tenant(plugins, SLUG, "Satpol PP Cilacap", PLUGIN)
    roles = {r.id: r for r in plugins.get(PLUGIN).roles}
    admin = await create_user("admin", "Admin Cilacap", PASSWORD)
    await add_membership(tenant.id, admin.id, None, administrator=True)
    for username, name, role in [
        ("kasubag", "Kasubag Cilacap", "kasubag_perencanaan"),
        ("kasubag2", "Kasubag Dua", "kasubag_perencanaan"),
        ("staf", "Staf Cilacap", "staf"),
    ]:
        user = await create_user(username, name, PASSWORD)
        await add_membership(tenant.id, user.id, roles[role])
    await close_database(db)


@pytest.fixture
def client(database_url: str, cheap_hasher: None) -> Iterator[TestClient]:
    asyncio.run(provision(database_url))
    app = create_app(WebSettings(database_url=database_url, secret_key="k" * 40))
    with TestClient(app) as c:
        yield c


def as_user(c: TestClient, username: str) -> None:
    c.cookies.clear()
    sign_in_sync(c, username, PASSWORD)


def post(c: TestClient, path: str, page: str, **data: str):
    body = {"_csrf_token": fetch_csrf(c, page), **data}
    return c.post(path, data=body, follow_redirects=False)


def opened_form(c: TestClient) -> str:
    """The admin chooses Kasubag Perencanaan and opens the forms; the first form's path."""
    as_user(c, "admin")
    bad = post(c, f"{LIST}/pengaturan", LIST, role="bupati", every_months="0")
    assert bad.status_code == 422
    assert 'data-error-field="open"' not in bad.text
    assert 'id="monev-role-error"' in bad.text
    assert 'id="monev-months-error"' in bad.text
    saved = post(c, f"{LIST}/pengaturan", LIST, role="kasubag_perencanaan", every_months="6")
    assert saved.status_code == 303
    opened = post(c, f"{LIST}/buka", LIST)
    assert opened.status_code == 303
    found = re.search(rf'href="({LIST}/\d+)"', c.get(LIST).text)
    assert found is not None
    return found.group(1)


def version(c: TestClient, path: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', c.get(path).text)
    assert found is not None
    return found.group(1)


def steps(c: TestClient, path: str) -> list[str]:
    return re.findall(r'<article class="monev-row" id="kegiatan-(\d+)"', c.get(path).text)


def test_fill_save_and_paraf_through_the_pages(client: TestClient) -> None:
    path = opened_form(client)
    as_user(client, "kasubag")
    inbox = client.get(f"/t/{SLUG}/inbox").text
    assert f'href="{path}"' in inbox  # the form waits in the assessor's inbox
    assert f'href="{LIST}" data-nav="monev"' in inbox  # and the menu leads to the forms
    page = client.get(path)
    assert page.status_code == 200
    assert f'href="{path}/cetak.pdf"' in page.text
    assert f'href="{path}/cetak.xlsx"' in page.text
    assert "belum ada data" in html.unescape(page.text)
    numbers = steps(client, path)
    assert numbers

    # An unknown judgement and a catatan too long: each message next to its field, all kept.
    first = numbers[0]
    bad = post(
        client,
        path,
        path,
        version=version(client, path),
        **{
            f"rows.{first}.judgement": "mungkin",
            f"rows.{first}.catatan": "c" * 2001,
            f"rows.{first}.tindakan": "rapat koordinasi",
        },
    )
    assert bad.status_code == 422
    assert f'data-error-field="rows.{first}.judgement"' in bad.text
    assert f'data-error-field="rows.{first}.catatan"' in bad.text
    assert "rapat koordinasi" in bad.text

    # A paraf before every kegiatan has a judgement is refused next to the kegiatan.
    early = post(client, f"{path}/paraf", path, version=version(client, path), password=PASSWORD)
    assert early.status_code == 422
    assert f'data-error-field="rows.{first}.judgement"' in early.text

    rows = {f"rows.{n}.judgement": "baik" for n in numbers}
    rows[f"rows.{first}.judgement"] = "tidak"
    rows[f"rows.{first}.tindakan"] = "latih ulang staf"
    v = version(client, path)
    assert post(client, path, path, version=v, **rows).status_code == 303
    # A second save on the version read before: stale, naming who saved.
    stale = post(client, path, path, version=v, **rows)
    assert stale.status_code == 422
    assert "Kasubag Cilacap" in html.unescape(stale.text)
    assert "stale_monev" in stale.text

    wrong = post(client, f"{path}/paraf", path, version=version(client, path), password="salah")
    assert wrong.status_code == 422
    assert 'data-error-field="password"' in wrong.text
    assert "salah" not in re.findall(r'name="password"[^>]*', wrong.text)[0]
    done = post(client, f"{path}/paraf", path, version=version(client, path), password=PASSWORD)
    assert done.status_code == 303
    page = client.get(path).text
    assert 'data-state="diparaf"' in page
    assert "data-monev-save-submit" not in page
    assert "data-monev-paraf" not in page
    assert 'data-what="diparaf"' in page
    printed_as_initialled(client, path)

    # The admin reopens; the staf may not see the forms at all.
    as_user(client, "admin")
    assert post(client, f"{path}/buka-kembali", path, note="salah ketik").status_code == 303
    assert 'data-state="open"' in client.get(path).text
    as_user(client, "staf")
    assert 'data-nav="monev"' not in client.get(f"/t/{SLUG}/inbox").text
    assert client.get(path).status_code == 403
    assert client.get(LIST).status_code == 403


def test_only_the_assessor_saves_and_only_the_admin_opens(client: TestClient) -> None:
    path = opened_form(client)
    as_user(client, "staf")
    refused = post(client, f"{LIST}/buka", f"/t/{SLUG}/inbox")
    assert refused.status_code == 403
    as_user(client, "admin")
    page = client.get(path).text
    assert "data-monev-save-submit" not in page  # the admin reads, the assessor fills
    n = steps(client, path)[0]
    saved = post(
        client, path, path, version=version(client, path), **{f"rows.{n}.judgement": "baik"}
    )
    assert saved.status_code == 403


def printed_as_initialled(c: TestClient, path: str) -> None:
    """The initialled form prints: the PDF and the XLSX carry the kegiatan's tindakan and
    the assessor's name, the form is not marked "belum diparaf"."""
    from io import BytesIO

    from openpyxl import load_workbook
    from pypdf import PdfReader

    pdf = c.get(f"{path}/cetak.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert "attachment" in pdf.headers["content-disposition"]
    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages)
    assert "latih ulang staf" in text
    assert "Kasubag Cilacap" in text
    assert "BELUM DIPARAF" not in text
    sheet = c.get(f"{path}/cetak.xlsx")
    assert sheet.status_code == 200
    cells = {
        str(v)
        for ws in load_workbook(BytesIO(sheet.content)).worksheets
        for row in ws.iter_rows(values_only=True)
        for v in row
        if v is not None
    }
    assert "latih ulang staf" in cells
    assert any("Kasubag Cilacap" in v for v in cells)
