"""The SOP revision editor in Chromium (alur.web.sops.revisions): an office admin opens the
SOP's revisions, starts a draft, types a waktu that does not parse and sees the live error at
once, fixes it, saves, looks at the preview of the sheet and submits the draft. The pages are
checked at 1366×900 and 390×844 (screenshots, no sideways scroll, axe).

The live server is shared by the package, so the test makes its own office on the Banyumas
plugin (a unique slug, through the ``alur`` command on the server's database): no other
test's drafts are in its way.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from alur.core import create_plugin_manager
from tests.browser.conftest import PASSWORD
from tests.browser.page_check import check_page

PLUGIN = "satpolpp_banyumas"
SOP = "pengumpulan-data-kinerja"


def _alur(server, *args: str) -> None:
    script = Path(sys.executable).parent / "alur"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "alur.cli.main"]
    done = subprocess.run(
        [*command, *args],
        cwd=server.cwd,
        env={**os.environ, **server.environ, "ALUR_PASSWORD": PASSWORD},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def office(live_server, _server_process) -> tuple[str, str]:
    """A new office of its own on the Banyumas plugin, and its administrator's login."""
    slug = f"editor-{secrets.token_hex(3)}"
    _alur(
        _server_process,
        "tenants",
        "create",
        "--slug",
        slug,
        "--name",
        f"Kantor Uji Editor {slug[-6:]}",
        "--plugin",
        PLUGIN,
    )
    admin = f"admin.{slug}"
    _alur(
        _server_process,
        "users",
        "create",
        "--username",
        admin,
        "--name",
        "Admin Editor",
        "--tenant",
        slug,
        "--admin",
    )
    return slug, admin


def test_edit_a_waktu_see_the_live_error_fix_it_save_preview_and_submit(office, new_page):
    slug, admin = office
    definition = create_plugin_manager().sop(PLUGIN, SOP)
    step = next(s for s in definition.steps if s.waktu.amount is not None)
    page = new_page(admin)

    # From the SOPs list to the revisions: none yet, the office runs the institution's SOP.
    page.goto(f"/t/{slug}/sops")
    page.locator(f"a.sop-revisions-link[href='/t/{slug}/sops/{SOP}/revisi']").click()
    expect(page.locator("h1")).to_have_text("Revisi SOP")
    expect(page.locator(".revision-in-force")).to_contain_text("Belum disahkan")
    check_page(page, "sop-revisions-empty")
    with page.expect_navigation():
        page.get_by_role("button", name="Mulai draf revisi").click()
    assert page.url.endswith(f"/t/{slug}/sops/{SOP}/revisi/0/edit"), page.url
    # A second office of the plugin: no institution's nomor, and nobody has signed it yet.
    expect(page.locator("#f-header-nomor")).to_have_value("")
    expect(page.locator(".revision-signatory")).to_contain_text("diisi saat pengesahan")

    # A waktu that does not parse: its message at once, next to it, nothing saved.
    waktu = page.locator(f"#f-steps-{step.number}-waktu")
    message = page.locator(f"#e-steps-{step.number}-waktu")
    expect(message).to_be_hidden()
    waktu.fill("sebentar")
    waktu.press("Tab")
    expect(message).to_be_visible()
    expect(message).to_contain_text("bukan waktu")
    check_page(page, "sop-editor-error")

    # Fixed: the message goes; then the nomor and the tanggal efektif, and save.
    waktu.fill("5 hari")
    waktu.press("Tab")
    expect(page.locator(f"#e-steps-{step.number}-waktu")).to_be_hidden()
    page.locator("#f-header-nomor").fill(f"800/{slug[-6:]}/2027")
    page.locator("#f-effective_on").fill("2027-02-01")
    with page.expect_navigation():
        page.get_by_role("button", name="Simpan draf").click()
    expect(page.locator("p.notice[role=status]")).to_contain_text("Draf tersimpan")
    expect(page.locator(f"#f-steps-{step.number}-waktu")).to_have_value("5 hari")

    # The preview: the sheet with the new waktu and nomor, marked not yet approved.
    page.get_by_role("link", name="Pratinjau lembar SOP").click()
    document = page.locator(f".sop-document[data-sop='{SOP}']")
    expect(document).to_be_visible()
    expect(document.locator(".sop-nomor")).to_have_text(f"800/{slug[-6:]}/2027")
    row = document.locator(f"tr.sop-row[data-step='{step.number}']")
    expect(row).to_contain_text("5 hari")
    expect(page.locator(".revision-preview-note")).to_contain_text("Belum disahkan")
    check_page(page, "sop-revision-preview")

    # Submit: the list shows it diajukan.
    page.get_by_role("link", name="Kembali ke penyunting").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Ajukan untuk disahkan").click()
    expect(page.locator("p.notice[role=status]")).to_contain_text("diajukan untuk pengesahan")
    expect(page.locator("tr[data-number='0']")).to_have_attribute("data-state", "diajukan")
    assert re.search(r"Diajukan", page.locator("tr[data-number='0']").inner_text())
    check_page(page, "sop-revisions-submitted")
