"""A revision's pengesahan and comparison in Chromium (alur.web.sops.approval), on the demo's
Kesbangpol office: the pengesah approves a submitted revision with a wrong then the right
password, the sheet in force changes, the comparison shows the changed waktu; a second
revision is returned with a note; both are revoked at the end (the demo's SOP is the
plugin's again for the other tests). Each page at 1366 and 390 px with axe (check_page).

The revisions are submitted through the service, on the live server's own database (the
editor's pages are another test's); the nomor carries a unique suffix so this test's
revisions are told apart from any other test's."""

from __future__ import annotations

import uuid
from pathlib import Path

from playwright.sync_api import expect

from alur.core import create_plugin_manager
from alur.tenants.cases.service import TenantService
from alur.tenants.sop_life.revisions import SopRevisions
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.storage.tables import User
from alur.tenants.testing.postgres import run_coroutine
from tests.browser.conftest import PASSWORD
from tests.browser.page_check import check_page

PLUGIN = "kesbangpol_pekalongan"
SOP = "pengumpulan-pengolahan-data-kinerja"
NEW_WAKTU = "9 hari"


async def submit_revision(db_path: Path, slug: str, admin: str, waktu: str) -> tuple[int, int]:
    """A new revision of SOP submitted by ``admin``, one step's waktu set to ``waktu``, in
    force from today. Returns (revision number, step number)."""
    db = await open_database(f"sqlite:///{db_path}", run_migrations=False)
    try:
        service = await TenantService.open(db, create_plugin_manager(), slug)
        user = await User.select(User.id).where(User.username == admin).first()
        drafts = SopRevisions(service, user["id"])
        step = next(s for s in service.sop(SOP).steps if s.waktu.amount is not None)
        draft = await drafts.start_draft(SOP)
        nomor = f"450/{uuid.uuid4().hex[:6]}/2027"
        part = {"header": {"nomor": nomor}, "steps": [{"number": step.number, "waktu": waktu}]}
        draft = await drafts.save_draft(
            SOP, draft.number, part, effective_on=service.today().isoformat(), version=draft.version
        )
        await drafts.submit(SOP, draft.number, version=draft.version)
        return draft.number, step.number
    finally:
        await close_database(db)


async def revoke_left_over(db_path: Path, slug: str, username: str, numbers: list[int]) -> None:
    """Revoke what this test left open or in force (as the pengesah ``username``), so the
    demo's SOP is the plugin's again for the other tests of the live server."""
    db = await open_database(f"sqlite:///{db_path}", run_migrations=False)
    try:
        service = await TenantService.open(db, create_plugin_manager(), slug)
        user = await User.select(User.id).where(User.username == username).first()
        head = SopRevisions(service, user["id"])
        for number in numbers:
            revision = await head.get(SOP, number)
            if str(revision.state) not in ("dicabut", "diganti"):
                await head.revoke(SOP, number, "Dicabut oleh uji peramban")
    finally:
        await close_database(db)


def pengesah_of(db_path: Path, slug: str) -> str:
    async def role_name() -> str:
        db = await open_database(f"sqlite:///{db_path}", run_migrations=False)
        try:
            service = await TenantService.open(db, create_plugin_manager(), slug)
            role = service.sop(SOP).pengesah_role
            assert role is not None
            return role.name
        finally:
            await close_database(db)

    return run_coroutine(role_name())  # Playwright's sync API runs a loop in this thread


def test_approve_compare_and_return(live_server, new_page) -> None:
    office = live_server.office_of_plugin(PLUGIN)
    db_path = live_server.log_path.parent / "alur.db"
    admin = office.login_for("administrator")
    pengesah = office.login_for(pengesah_of(db_path, office.slug))
    numbers: list[int] = []
    try:
        walk(new_page, office, db_path, admin, pengesah, numbers)
    finally:
        run_coroutine(revoke_left_over(db_path, office.slug, pengesah, numbers))


def walk(new_page, office, db_path: Path, admin: str, pengesah: str, numbers: list[int]) -> None:
    number, step = run_coroutine(submit_revision(db_path, office.slug, admin, NEW_WAKTU))
    numbers.append(number)
    revision = f"/t/{office.slug}/sops/{SOP}/revisi/{number}"

    head = new_page(pengesah)
    head.goto(revision)
    expect(head.locator("h1 [data-state]")).to_have_attribute("data-state", "diajukan")
    form = head.locator("form[data-revision-approve]")
    expect(form.locator("[data-approval-record]")).to_contain_text("NIP")
    check_page(head, "sop-revision-approval")

    # A wrong password: refused next to the field, nothing recorded, the tick kept.
    form.locator("input[name=confirm]").check()
    form.locator("input[name=password]").fill("bukan-sandinya")
    with head.expect_navigation():
        form.locator("[data-revision-approve-submit]").click()
    expect(head.locator("#approve-password-error")).to_be_visible()
    expect(head.locator("h1 [data-state]")).to_have_attribute("data-state", "diajukan")
    expect(head.locator("form[data-revision-approve] input[name=confirm]")).to_be_checked()

    head.locator("form[data-revision-approve] input[name=password]").fill(PASSWORD)
    with head.expect_navigation():
        head.locator("[data-revision-approve-submit]").click()
    expect(head.locator("h1 [data-state]")).to_have_attribute("data-state", "berlaku")
    expect(
        head.locator("[data-revision-history] li[data-change=sop_revision_approved]")
    ).to_have_count(1)
    check_page(head, "sop-revision-berlaku")

    # The comparison with the institution's SOP it builds on, through the selector.
    head.locator("#compare-with").select_option("dasar")
    with head.expect_navigation():
        head.locator("[data-compare-submit]").click()
    assert head.url.endswith(f"{revision}/banding/dasar"), head.url
    changed = head.locator(f"[data-path='steps.{step}.waktu']")
    expect(changed.locator("ins")).to_have_text(NEW_WAKTU)
    expect(changed.locator("del")).to_have_count(1)
    check_page(head, "sop-compare")

    # The sheet in force now has the new waktu.
    head.goto(f"/t/{office.slug}/sops/{SOP}")
    expect(head.locator(".sop-document")).to_contain_text(NEW_WAKTU)

    # A second revision, returned with a note (required: the empty note is refused first).
    second, _ = run_coroutine(submit_revision(db_path, office.slug, admin, "11 hari"))
    numbers.append(second)
    head.goto(f"/t/{office.slug}/sops/{SOP}/revisi/{second}")
    head.locator("details.revision-return summary").click()
    back = head.locator("form[data-revision-return]")
    back.locator("textarea[name=note]").fill("Waktu kegiatan terlalu lama")
    with head.expect_navigation():
        back.locator("[data-revision-return-submit]").click()
    expect(head.locator("h1 [data-state]")).to_have_attribute("data-state", "draf")
    expect(head.locator("[data-revision-note]")).to_contain_text("Waktu kegiatan terlalu lama")
    check_page(head, "sop-revision-returned")

    # The drafters see the note and the way to the editor.
    drafter = new_page(admin)
    drafter.goto(f"/t/{office.slug}/sops/{SOP}/revisi/{second}")
    expect(drafter.locator("[data-revision-edit]")).to_have_count(1)
    expect(drafter.locator("form[data-revision-approve]")).to_have_count(0)

    # Cabut: the drafters close their draft (no reason needed); the pengesah revokes the
    # revision in force (a reason needed) and the office runs the plugin's SOP again.
    drafter.locator("details.revision-revoke summary").click()
    with drafter.expect_navigation():
        drafter.locator("[data-revision-revoke-submit]").click()
    expect(drafter.locator("h1 [data-state]")).to_have_attribute("data-state", "dicabut")
    head.goto(revision)
    head.locator("details.revision-revoke summary").click()
    head.locator("form[data-revision-revoke] textarea[name=note]").fill("Diganti SOP institusi")
    with head.expect_navigation():
        head.locator("[data-revision-revoke-submit]").click()
    expect(head.locator("h1 [data-state]")).to_have_attribute("data-state", "dicabut")
    head.goto(f"/t/{office.slug}/sops/{SOP}")
    expect(head.locator(".sop-document")).not_to_contain_text(NEW_WAKTU)
