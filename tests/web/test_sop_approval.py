"""A revision's page, its pengesahan and the comparison (alur.web.sops.approval), on SQLite
and PostgreSQL: the kepala approves with the password asked again and the sheet in force
changes; a wrong password or an unticked box records nothing; the admin and the staf cannot
approve (403); a return needs a note; revoke; the comparison lists the changed waktu."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from alur.core import create_plugin_manager
from alur.tenants.cases.service import TenantService
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.sop_life.revisions import SopRevisions
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.storage.tables import User
from alur.web.app import create_app
from alur.web.settings import WebSettings
from alur.web.testing import fetch_csrf, sign_in_sync

SLUG = "satpolpp-cilacap"
PLUGIN = "satpolpp_banyumas"
SOP = "pengumpulan-data-kinerja"
PASSWORD = "rahasia-2026"
NIP = "197001012000031001"
NEW_WAKTU = "7 hari"
NEW_LAW = "Peraturan Bupati Cilacap Nomor 1 Tahun 2027"
REVISION = f"/t/{SLUG}/sops/{SOP}/revisi/0"


async def provision(url: str) -> int:
    """Satpol PP Cilacap on the Banyumas plugin (admin, kepala with a NIP, kepala2 without,
    staf) with revision 0 submitted: one step's waktu changed, in force from today. Returns
    that step's number."""
    db = await open_database(url)
    plugins = create_plugin_manager()
    tenant = await create_tenant(plugins, SLUG, "Satpol PP Cilacap", PLUGIN)
    roles = {r.id: r for r in plugins.get(PLUGIN).roles}
    admin = await create_user("admin", "Admin Cilacap", PASSWORD)
    await add_membership(tenant.id, admin.id, None, administrator=True)
    kepala = await create_user("kepala", "Drs. KEPALA CILACAP", PASSWORD)
    await User.update({User.nip: NIP, User.jabatan: "Kepala Satpol PP Cilacap"}).where(
        User.id == kepala.id
    )
    await add_membership(tenant.id, kepala.id, roles["kepala_satuan"])
    no_nip = await create_user("kepala2", "Kepala Tanpa NIP", PASSWORD)
    await add_membership(tenant.id, no_nip.id, roles["kepala_satuan"])
    staf = await create_user("staf", "Staf Cilacap", PASSWORD)
    await add_membership(tenant.id, staf.id, roles["staf"])
    service = await TenantService.open(db, plugins, SLUG)
    step = next(s for s in service.sop(SOP).steps if s.waktu.amount is not None)
    assert step.waktu.text != NEW_WAKTU
    laws = list(service.sop(SOP).header.dasar_hukum)
    assert len(laws) >= 2
    drafts = SopRevisions(service, admin.id)
    draft = await drafts.start_draft(SOP)
    draft = await drafts.save_draft(
        SOP,
        0,
        {
            "header": {"nomor": "800/7/2027", "dasar_hukum": [*laws[:1], NEW_LAW]},
            "steps": [{"number": step.number, "waktu": NEW_WAKTU}],
        },
        effective_on=service.today().isoformat(),
        version=draft.version,
    )
    await drafts.submit(SOP, 0, version=draft.version)
    await close_database(db)
    return step.number


@pytest.fixture
def client(database_url: str, cheap_hasher: None) -> Iterator[TestClient]:
    step = asyncio.run(provision(database_url))
    app = create_app(WebSettings(database_url=database_url, secret_key="k" * 40))
    with TestClient(app) as c:
        c.step = step  # type: ignore[attr-defined]
        yield c


def as_user(c: TestClient, username: str) -> None:
    c.cookies.clear()
    sign_in_sync(c, username, PASSWORD)


def text(response) -> str:
    return html.unescape(response.text)


def post(c: TestClient, action: str, **data: str):
    body = {"_csrf_token": fetch_csrf(c, REVISION), **data}
    return c.post(f"{REVISION}/{action}", data=body, follow_redirects=False)


def version(c: TestClient) -> str:
    found = re.search(r'name="version" value="(\d+)"', c.get(REVISION).text)
    assert found is not None
    return found.group(1)


def state(c: TestClient) -> str:
    found = re.search(r'<h1.*?data-state="(\w+)"', c.get(REVISION).text, re.S)
    assert found is not None
    return found.group(1)


def sheet_in_force(c: TestClient) -> str:
    return text(c.get(f"/t/{SLUG}/sops/{SOP}"))


def test_the_kepala_approves_with_the_password_and_the_sheet_in_force_changes(
    client: TestClient,
) -> None:
    as_user(client, "kepala")
    page = text(client.get(REVISION))
    assert "Revisi ke-0" in page
    assert 'data-state="diajukan"' in page
    record = page.split("data-approval-record")[1].split("</dl>")[0]
    assert "Drs. KEPALA CILACAP" in record
    assert NIP in record
    assert "Kepala Satpol PP" in record
    assert 'type="password"' in page
    assert 'name="confirm"' in page
    assert "Admin Cilacap" in page.split("data-revision-history")[1]  # who drafted, submitted
    assert NEW_WAKTU not in sheet_in_force(client)

    wrong = post(client, "sahkan", confirm="yes", password="salah-sekali", version=version(client))
    assert wrong.status_code == 422
    assert 'id="approve-password-error"' in wrong.text
    assert 'name="confirm" value="yes" required checked' in wrong.text  # the tick kept
    assert "salah-sekali" not in wrong.text  # never the password
    unticked = post(client, "sahkan", password=PASSWORD, version=version(client))
    assert unticked.status_code == 422
    assert 'id="approve-confirm-error"' in unticked.text
    assert state(client) == "diajukan"
    assert NEW_WAKTU not in sheet_in_force(client)

    done = post(client, "sahkan", confirm="yes", password=PASSWORD, version=version(client))
    assert done.status_code == 303, text(done)[:2000]
    assert done.headers["location"] == REVISION
    page = text(client.get(REVISION))
    assert 'data-state="berlaku"' in page
    assert "Drs. KEPALA CILACAP" in page.split('data-fact="signatory"')[1].split("</dd>")[0]
    assert "data-revision-approve" not in page  # nothing left to approve
    sheet = sheet_in_force(client)
    assert NEW_WAKTU in sheet
    assert "Drs. KEPALA CILACAP" in sheet
    assert "800/7/2027" in sheet


def test_a_stale_approval_is_refused_and_a_missing_nip_is_said(client: TestClient) -> None:
    as_user(client, "kepala")
    stale = post(client, "sahkan", confirm="yes", password=PASSWORD, version="1")
    assert stale.status_code == 422
    assert stale.headers["x-alur-error"] == "stale_revision"
    assert 'role="alert"' in stale.text
    assert state(client) == "diajukan"
    as_user(client, "kepala2")  # holds the signing role, but no NIP recorded
    page = text(client.get(REVISION))
    assert "data-nip-missing" in page
    assert "NIP" in page
    refused = post(client, "sahkan", confirm="yes", password=PASSWORD, version=version(client))
    assert refused.status_code == 422
    assert 'data-error-field="nip"' in refused.text
    assert state(client) == "diajukan"


@pytest.mark.parametrize("username", ["admin", "staf"])
def test_who_does_not_sign_cannot_approve(client: TestClient, username: str) -> None:
    as_user(client, username)
    page = client.get(REVISION)
    assert page.status_code == 200
    assert "data-revision-approve" not in page.text
    assert "data-revision-return" not in page.text
    for action, data in (
        ("sahkan", {"confirm": "yes", "password": PASSWORD, "version": "3"}),
        ("kembalikan", {"note": "Tidak"}),
    ):
        r = post(client, action, **data)
        assert r.status_code == 403, (action, r.status_code)
        assert r.headers["x-alur-error"] == "forbidden"
    assert state(client) == "diajukan"


def test_a_return_needs_a_note_and_goes_back_to_draf(client: TestClient) -> None:
    as_user(client, "kepala")
    empty = post(client, "kembalikan", note="   ")
    assert empty.status_code == 422
    assert 'id="return-note-error"' in empty.text
    assert '<details class="revision-return" open>' in empty.text
    assert state(client) == "diajukan"
    done = post(client, "kembalikan", note="Lengkapi dasar hukum")
    assert done.status_code == 303
    page = text(client.get(REVISION))
    assert 'data-state="draf"' in page
    assert "Lengkapi dasar hukum" in page
    assert 'data-change="sop_revision_returned"' in page
    as_user(client, "admin")  # the drafters get the editor
    assert f"{REVISION}/edit" in client.get(REVISION).text


def test_revoke_an_approved_revision_and_a_draft(client: TestClient) -> None:
    as_user(client, "kepala")
    post(client, "sahkan", confirm="yes", password=PASSWORD, version=version(client))
    assert NEW_WAKTU in sheet_in_force(client)
    no_reason = post(client, "cabut", note="")
    assert no_reason.status_code == 422
    assert 'id="revoke-note-error"' in no_reason.text
    as_user(client, "admin")  # drafters cannot revoke what is in force
    assert "data-revision-revoke" not in client.get(REVISION).text
    assert post(client, "cabut", note="Salah").status_code == 403
    as_user(client, "kepala")
    done = post(client, "cabut", note="Nomor SOP salah")
    assert done.status_code == 303
    assert state(client) == "dicabut"
    assert NEW_WAKTU not in sheet_in_force(client)  # back to the plugin's SOP


def test_the_comparison_lists_the_changed_waktu(client: TestClient) -> None:
    as_user(client, "staf")  # any member reads
    step = client.step  # type: ignore[attr-defined]
    page = text(client.get(REVISION))
    # no revision in force yet: the SOP in force is the plugin's, this revision's base too
    assert f"{REVISION}/banding" in page
    assert 'value="berlaku"' in page
    r = client.get(f"{REVISION}/banding?dengan=dasar", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"{REVISION}/banding/dasar"
    compared = text(client.get(f"{REVISION}/banding/dasar"))
    item = compared.split(f'data-path="steps.{step}.waktu"')[1].split('class="compare-item"')[0]
    assert f"<ins>{NEW_WAKTU}</ins>" in item
    assert "<del>" in item
    assert "Sebelum" in item or "Before" in item
    assert 'data-path="header.nomor"' in compared
    lines = compared.split('data-path="header.dasar_hukum"')[1].split("</ul>")[0]
    assert re.search(r'class="line-same">.*?</li>', lines, re.S)  # the first one kept
    assert re.search(rf'class="line-added">.*?<ins>{NEW_LAW}</ins>', lines, re.S)
    assert re.search(r'class="line-removed">.*?<del>', lines, re.S)
    assert "Tidak ada perubahan" not in compared
    same = text(client.get(f"{REVISION}/banding/0"))
    assert "Tidak ada perubahan" in same
    assert client.get(f"{REVISION}/banding/entah").status_code == 404
    assert client.get(f"{REVISION}/banding/7").status_code == 404
    assert client.get(f"/t/{SLUG}/sops/{SOP}/revisi/9").status_code == 404
