"""Drafting an SOP revision in the web UI (alur.web.sops.revisions), on SQLite and
PostgreSQL: the admin starts and saves a draft (only what changed becomes the part), the staf
is refused, a bad waktu keeps everything typed and names its field, the live check answers
without saving, a stale save says who changed the draft, submitting, the preview, and the
notice of a newer plugin base."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from types import ModuleType
from typing import Any

import pytest
from litestar.testing import TestClient

from alur.core import AlurPlugins, SopDefinition, create_plugin_manager, hookimpl
from alur.core.durations import Duration
from alur.tenants.cases.service import TenantService
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.sop_life.revisions import SopRevisions
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.storage.tables import SopRevision, User
from alur.tenants.testing.postgres import run_coroutine
from alur.web.app import create_app
from alur.web.settings import WebSettings
from alur.web.testing import FormSite

pytestmark = pytest.mark.usefixtures("cheap_hasher")

PASSWORD = "rahasia-2026"
SLUG = "satpolpp-cilacap"
SOP = "pengumpulan-data-kinerja"
REVISI = f"/t/{SLUG}/sops/{SOP}/revisi"


async def provision(url: str, plugins: AlurPlugins, plugin: str, sop: str) -> dict[str, int]:
    """An office on ``plugin`` that is not its institution: admin, kepala (with a NIP) of the
    SOP's pengesah role, and a staf of another role."""
    db = await open_database(url, run_migrations=False)
    try:
        tenant = await create_tenant(plugins, SLUG, "Satpol PP Cilacap", plugin)
        d = plugins.sop(plugin, sop)
        pengesah = d.pengesah_role
        other = next(r for r in d.roles if r.id != pengesah.id and not r.per_unit)
        ids: dict[str, int] = {}
        for username, name, role, admin in (
            ("admin", "Admin Cilacap", None, True),
            ("kepala", "Drs. KEPALA CILACAP", pengesah, False),
            ("staf", "Staf Cilacap", other, False),
        ):
            user = await create_user(username, name, PASSWORD)
            await add_membership(tenant.id, user.id, role, administrator=admin)
            ids[username] = user.id
        await User.update({User.nip: "197001012000031001", User.jabatan: "Kepala"}).where(
            User.id == ids["kepala"]
        )
        return ids
    finally:
        await close_database(db)


def run(site: FormSite, query: Any) -> Any:
    """A piccolo query on the app's database, in the app's event loop."""

    async def go() -> Any:
        return await query

    return site.client.blocking_portal.call(go)  # type: ignore[attr-defined]


@pytest.fixture
def site(database_url: str, installed: AlurPlugins) -> Iterator[FormSite]:
    ids = run_coroutine(provision(database_url, installed, "satpolpp_banyumas", SOP))
    app = create_app(WebSettings(database_url=database_url, secret_key="k" * 32), plugins=installed)
    with TestClient(app) as client:
        client.cookies.set("lang", "en")
        yield FormSite(client, PASSWORD, ids)


def timed_step(installed: AlurPlugins) -> int:
    d = installed.sop("satpolpp_banyumas", SOP)
    return next(s.number for s in d.steps if s.waktu.amount is not None)


def form_of(page: str) -> dict[str, str]:
    """The editor form's fields as the page shows them (inputs and textareas)."""
    form = page.split('class="revision-editor"', 1)[1].split("</form>", 1)[0]
    fields: dict[str, str] = {}
    for m in re.finditer(r"<input ([^>]*)>", form):
        attrs = dict(re.findall(r'([\w.:-]+)="([^"]*)"', m[1]))
        if "name" in attrs:
            fields[attrs["name"]] = html.unescape(attrs.get("value", ""))
    for m in re.finditer(r'<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        fields[m[1]] = html.unescape(m[2])
    return fields


def message_of(page: str, path: str) -> str:
    found = re.search(
        rf'<small [^>]*id="e-{re.escape(path.replace(".", "-"))}"[^>]*>([^<]*)<', page
    )
    return html.unescape(found[1]) if found else ""


def start(site: FormSite) -> dict[str, str]:
    site.as_user("admin")
    page = site.get(REVISI).text
    assert "Start a draft revision" in page
    assert "Belum disahkan" in page
    started = site.post(REVISI)
    assert started.status_code == 303, started.text[:500]
    assert started.headers["location"] == f"{REVISI}/0/edit"
    editor = site.get(f"{REVISI}/0/edit")
    assert editor.status_code == 200, editor.text[:500]
    return form_of(editor.text)


def saved_row(site: FormSite) -> dict[str, Any]:
    return run(site, SopRevision.select().first())


def test_admin_saves_a_draft_and_only_what_changed_is_kept(site, installed) -> None:
    number = timed_step(installed)
    form = start(site)
    # A second office of the plugin: no institution's nomor to inherit.
    assert form["header.nomor"] == ""
    assert f"steps.{number}.waktu" in form
    assert "header.nama" not in form
    form.update({"header.nomor": "800/12/2027", f"steps.{number}.waktu": "5 hari"})
    form["effective_on"] = "2027-02-01"
    saved = site.post(f"{REVISI}/0/edit", form)
    assert saved.status_code == 303, saved.text[:800]
    page = site.get(f"{REVISI}/0/edit").text
    assert "The draft is saved." in page
    assert form_of(page)[f"steps.{number}.waktu"] == "5 hari"
    row = saved_row(site)
    part = json.loads(row["part"])
    assert part["header"]["nomor"] == "800/12/2027"
    assert part["steps"] == [{"number": number, "waktu": "5 hari"}]  # nothing else of steps
    assert part["header"]["disahkan_oleh"]["nama"] == ""  # never the institution's signatory
    assert (row["version"], str(row["effective_on"])[:10]) == (2, "2027-02-01")


def test_staf_may_not_draft(site) -> None:
    start(site)
    site.as_user("staf")
    page = site.get(REVISI)
    assert page.status_code == 200
    assert "Start a draft revision" not in page.text
    assert 'href="' + f"{REVISI}/0/edit" not in page.text
    assert site.get(f"{REVISI}/0/edit").status_code == 403
    refused = site.post(f"{REVISI}/0/edit", {"version": "1", "header.nomor": "X"})
    assert refused.status_code == 403
    assert refused.headers["x-alur-error"] == "forbidden"
    assert site.post(f"{REVISI}/0/ajukan", {"version": "1"}).status_code == 403
    assert site.post(f"{REVISI}/0/periksa?field=header.nomor", {}).status_code == 403
    assert saved_row(site)["version"] == 1


def test_a_bad_waktu_keeps_everything_typed_and_names_the_field(site, installed) -> None:
    number = timed_step(installed)
    form = start(site)
    form.update(
        {
            "header.nomor": "800/9/2027",
            "header.dasar_hukum": "UU 1/2027\nPerbup 2/2027",
            f"steps.{number}.waktu": "sebentar",
            f"steps.{number}.keterangan": "catatan baru",
            "effective_on": "2027-03-01",
        }
    )
    refused = site.post(f"{REVISI}/0/edit", form)
    assert refused.status_code == 422, refused.text[:500]
    assert refused.headers["x-alur-error"] == "invalid_input"
    assert "is not a waktu" in message_of(refused.text, f"steps.{number}.waktu")
    shown = form_of(refused.text)
    for path in ("header.nomor", "header.dasar_hukum", f"steps.{number}.waktu", "effective_on"):
        assert shown[path] == form[path], path
    assert shown[f"steps.{number}.keterangan"] == "catatan baru"
    assert re.search(rf'id="f-steps-{number}-waktu"[^>]*aria-invalid="true"', refused.text)
    assert saved_row(site)["version"] == 1  # nothing saved


def test_the_live_check_names_the_problem_without_saving(site, installed) -> None:
    number = timed_step(installed)
    form = start(site)
    path = f"steps.{number}.waktu"
    bad = site.post(f"{REVISI}/0/periksa?field={path}", {**form, path: "sebentar"}, htmx=True)
    assert bad.status_code == 200
    assert f'id="e-steps-{number}-waktu"' in bad.text
    assert "is not a waktu" in bad.text
    good = site.post(f"{REVISI}/0/periksa?field={path}", {**form, path: "2 jam"}, htmx=True)
    assert "is not a waktu" not in good.text
    assert " hidden>" in good.text
    day = site.post(
        f"{REVISI}/0/periksa?field=effective_on", {**form, "effective_on": "1/2/2027"}, htmx=True
    )
    assert "YYYY-MM-DD" in day.text
    assert saved_row(site)["version"] == 1


def test_a_stale_save_says_who_changed_the_draft_and_keeps_the_text(site, installed) -> None:
    number = timed_step(installed)
    form = start(site)  # read at version 1
    first = site.post(f"{REVISI}/0/edit", {**form, "header.nomor": "800/1/2027"})
    assert first.status_code == 303
    mine = {**form, "header.nomor": "800/2/2027", f"steps.{number}.waktu": "4 hari"}
    stale = site.post(f"{REVISI}/0/edit", mine)  # still says version 1
    assert stale.status_code == 409, stale.text[:500]
    assert stale.headers["x-alur-error"] == "stale_revision"
    assert "Admin Cilacap" in html.unescape(stale.text)
    shown = form_of(stale.text)
    assert (shown["header.nomor"], shown[f"steps.{number}.waktu"]) == ("800/2/2027", "4 hari")
    assert shown["version"] == "2"  # saving again, knowingly, replaces the saved draft
    assert "800/1/2027" in html.unescape(stale.text)  # what the saved draft says now
    assert json.loads(saved_row(site)["part"])["header"]["nomor"] == "800/1/2027"


def test_submit_needs_a_tanggal_efektif_then_the_draft_is_diajukan(site) -> None:
    form = start(site)
    refused = site.post(f"{REVISI}/0/ajukan", {"version": form["version"]})
    assert refused.status_code == 422
    assert message_of(refused.text, "effective_on")
    assert site.post(f"{REVISI}/0/edit", {**form, "effective_on": "2027-02-01"}).status_code == 303
    preview = site.get(f"{REVISI}/0/pratinjau")
    assert preview.status_code == 200
    assert "sop-document" in preview.text
    assert "Belum disahkan" in preview.text
    submitted = site.post(f"{REVISI}/0/ajukan", {"version": "2"})
    assert submitted.status_code == 303
    assert submitted.headers["location"] == REVISI
    page = site.get(REVISI).text
    assert "submitted for pengesahan" in page
    assert 'data-state="diajukan"' in page
    assert saved_row(site)["state"] == "diajukan"
    # No longer editable: the editor shows its sheet instead.
    assert site.get(f"{REVISI}/0/edit").headers["location"] == f"{REVISI}/0/pratinjau"


# --- a newer plugin base -------------------------------------------------------------------


def _plugin(definition: SopDefinition) -> ModuleType:
    module = ModuleType("contoh_baru")
    module.alur_sop_definitions = hookimpl(lambda: [definition])  # type: ignore[attr-defined]
    return module


def test_a_newer_base_is_shown_with_what_it_changes(database_url, sample) -> None:
    plugins = create_plugin_manager(load_entrypoints=False, environ={})
    plugins.register(_plugin(sample), name="contoh", version="1.0")
    ids = run_coroutine(provision(database_url, plugins, "contoh", sample.id))
    step = next(s for s in sample.steps if s.waktu.amount is not None)

    async def approve() -> None:
        db = await open_database(database_url, run_migrations=False)
        try:
            service = await TenantService.open(db, plugins, SLUG)
            drafts = SopRevisions(service, ids["admin"])
            draft = await drafts.start_draft(sample.id)
            today = service.today().isoformat()
            draft = await drafts.save_draft(
                sample.id, 0, {}, effective_on=today, version=draft.version
            )
            draft = await drafts.submit(sample.id, 0, version=draft.version)
            await SopRevisions(service, ids["kepala"]).approve(
                sample.id, 0, version=draft.version, password="rahasia-2026"
            )
        finally:
            await close_database(db)

    run_coroutine(approve())
    newer = replace(
        sample,
        steps=tuple(
            replace(s, kelengkapan="Formulir baru", waktu=Duration.parse("3 hari"))
            if s.number == step.number
            else s
            for s in sample.steps
        ),
    )
    upgraded = create_plugin_manager(load_entrypoints=False, environ={})
    upgraded.register(_plugin(newer), name="contoh", version="2.0")
    app = create_app(WebSettings(database_url=database_url, secret_key="k" * 32), plugins=upgraded)
    with TestClient(app) as client:
        client.cookies.set("lang", "en")
        site = FormSite(client, PASSWORD, ids).as_user("admin")
        url = f"/t/{SLUG}/sops/{sample.id}/revisi"
        page = html.unescape(site.get(url).text)
        assert "The plugin has a newer base version" in page
        assert "Formulir baru" in page
        assert "3 hari" in page
        started = site.post(url, {"base": "new"})
        assert started.status_code == 303, started.text[:500]
        row = run(site, SopRevision.select().where(SopRevision.number == 1).first())
        assert row["base_hash"] == newer.content_hash


def upload(site: FormSite, text: bytes, version: int) -> Any:
    return site.client.post(
        f"{REVISI}/0/berkas",
        data={"version": str(version), "_csrf_token": site.csrf()},
        files={"file": ("revisi.toml", text, "application/toml")},
        follow_redirects=False,
    )


def test_the_draft_as_a_file_downloaded_and_loaded_back(site, installed) -> None:
    number = timed_step(installed)
    start(site)
    got = site.get(f"{REVISI}/0/berkas")
    assert got.status_code == 200
    assert "attachment" in got.headers["content-disposition"]
    assert "Revisi ke-0" in got.text
    edited = got.text + f'\n[[steps]]\nnumber = {number}\nwaktu = "6 hari"\n'
    loaded = upload(site, edited.encode(), 1)
    assert loaded.status_code == 303, loaded.text[:800]
    assert form_of(site.get(f"{REVISI}/0/edit").text)[f"steps.{number}.waktu"] == "6 hari"
    # A broken file, and a file with a waktu that does not parse: refused, nothing saved,
    # the problem shown (the waktu's next to its field).
    broken = upload(site, b'[header]\nnomor = "800/1\n', 2)
    assert broken.status_code == 422
    assert "not valid TOML" in html.unescape(broken.text)
    bad = upload(site, f'[[steps]]\nnumber = {number}\nwaktu = "sebentar"\n'.encode(), 2)
    assert bad.status_code == 422
    assert "is not a waktu" in message_of(bad.text, f"steps.{number}.waktu")
    assert saved_row(site)["version"] == 2
    # Someone else's save meanwhile: the upload made on the version read is told.
    stale = upload(site, edited.encode(), 1)
    assert stale.status_code == 409
    # A person who may not draft cannot load a file into it.
    site.as_user("staf")
    assert upload(site, edited.encode(), 2).status_code == 403
