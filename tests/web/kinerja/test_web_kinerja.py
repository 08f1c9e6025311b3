"""The data kinerja forms and pages of the web UI, over HTTP (litestar's TestClient), on
SQLite and PostgreSQL: the format editor, a unit's form with versions and evidence, the
changes a verifier sees after a "Tidak", the recap with its approvals, and the exports —
all inside one office."""

from __future__ import annotations

import asyncio
import html
import io
import re
from collections.abc import Iterator

import pytest
from litestar.testing import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader

from alur.core import create_plugin_manager
from alur.core.engine import Complete
from alur.tenants.cases.service import TenantService
from alur.tenants.demo.kinerja_samples import fill_in_sample, seed_sample_format
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.kinerja.service import KinerjaService
from alur.tenants.offices.admin import TenantAdmin
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.testing.people import add_staff
from alur.web.app import create_app
from alur.web.settings import WebSettings
from alur.web.testing import fetch_csrf as csrf
from alur.web.testing import sign_in_sync

PASSWORD = "rahasia-2026"
SLUG = "satpolpp-banyumas"
SOP = "pengumpulan-data-kinerja"
PERIOD = "Triwulan IV 2026"
EARLIER = "Triwulan III 2026"  # has the sample format, to copy from
LINMAS = "Bidang Perlindungan Masyarakat"
SDA = "Bidang Sumber Daya Aparatur"
KEPALA_NIP = "197001011990031001"

FORMAT = [
    {
        "code": "IKU-1",
        "sasaran": "Meningkatnya ketertiban umum",
        "text": "Persentase perda yang ditegakkan",
        "unit_of_measure": "%",
        "target": "100",
        "direction": "higher",
    },
    {
        "code": "IKU-2",
        "sasaran": "Meningkatnya ketertiban umum",
        "text": "Jumlah pengaduan yang belum ditindaklanjuti",
        "unit_of_measure": "pengaduan",
        "target": "10",
        "direction": "lower",
    },
    {
        "code": "IKU-3",
        "sasaran": "Meningkatnya akuntabilitas kinerja",
        "text": "Nilai evaluasi SAKIP",
        "unit_of_measure": "nilai",
        "target": "80",
        "direction": "higher",
        "units": ["linmas"],
    },
]
LINMAS_DATA = {
    "IKU-1": ("87,5", "Dua perda tertunda karena anggaran."),
    "IKU-2": ("4", ""),
    "IKU-3": ("72", "Evaluasi belum selesai."),
}
SDA_DATA = {"IKU-1": ("100", ""), "IKU-2": ("12", "Pengaduan meningkat menjelang akhir tahun.")}


async def provision(url: str) -> str:
    """Two offices; Satpol PP's case units are linmas and sda. Returns the other office's
    case key."""
    db = await open_database(url)
    plugins = create_plugin_manager()
    a = await create_tenant(plugins, SLUG, "Satpol PP Banyumas", "satpolpp_banyumas")
    b = await create_tenant(plugins, "kesbangpol-pekalongan", "Kesbangpol", "kesbangpol_pekalongan")
    svc = await TenantService.open(db, plugins, a.slug)
    d = svc.sop(SOP)
    await seed_sample_format(svc, EARLIER)
    admin = await create_user("admin", "Admin", PASSWORD)
    await add_membership(a.id, admin.id, None, administrator=True)
    for slug in ("gakperda", "tibumtranmas"):
        await TenantAdmin(svc, admin.id).set_unit_active(slug, False)
    kepala = {"nip": KEPALA_NIP, "jabatan": "Kepala Satuan Polisi Pamong Praja"}
    await add_staff(
        a.id,
        d.roles,
        ("linmas", "sda"),
        PASSWORD,
        name=lambda role, unit: f"{role.name} {unit or ''}",
        details=lambda role, unit: kepala if role.id == "kepala_satuan" else {},
    )
    other = await create_user("petugas-b", "Petugas B", PASSWORD)
    svc_b = await TenantService.open(db, plugins, b.slug)
    sop_b = "pengumpulan-pengolahan-data-kinerja"
    await add_membership(b.id, other.id, svc_b.sop(sop_b).roles_by_id["kepala_dinas"])
    case_b = await svc_b.start_case(other.id, sop_b, PERIOD)
    await close_database(db)
    return case_b.key


@pytest.fixture
def client(database_url: str, cheap_hasher: None) -> Iterator[TestClient]:
    other_key = asyncio.run(provision(database_url))
    app = create_app(WebSettings(database_url=database_url, secret_key="k" * 40))
    with TestClient(app) as c:
        c.other_key = other_key  # type: ignore[attr-defined]
        yield c


# --- driving the app ---------------------------------------------------------------------


def as_user(c: TestClient, username: str) -> None:
    c.cookies.clear()
    sign_in_sync(c, username, PASSWORD)


def case_path(key: str) -> str:
    return f"/t/{SLUG}/cases/{key}"


def start_case(c: TestClient, period: str = PERIOD) -> str:
    r = c.post(
        f"/t/{SLUG}/cases",
        data={"_csrf_token": csrf(c, f"/t/{SLUG}/cases"), "sop": SOP, "period": period},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:300]
    return r.headers["location"].rsplit("/", 1)[-1]


def my_task(c: TestClient, key: str, step: int, unit: str = "") -> int:
    """My open task at ``step`` (for the unit named ``unit``), read from the case page."""
    page = c.get(case_path(key)).text
    for m in re.finditer(
        r'<article id="task-(\d+)" class="task ([^"]*)" data-task="\d+" data-step="(\d+)">(.*?)</header>',
        page,
        re.S,
    ):
        if int(m.group(3)) == step and "mine" in m.group(2).split() and unit in m.group(4):
            return int(m.group(1))
    raise AssertionError(f"no open task of mine at step {step} {unit}")


def post(c: TestClient, key: str, path: str, data: dict, *, htmx: bool = False, files=None):
    body = {"_csrf_token": csrf(c, case_path(key)), **data}
    return c.post(
        case_path(key) + path,
        data=body,
        files=files,
        headers={"HX-Request": "true"} if htmx else {},
        follow_redirects=False,
    )


def act(c: TestClient, key: str, step: int, action: str, unit: str = "", note: str = "ok"):
    r = post(c, key, f"/tasks/{my_task(c, key, step, unit)}/{action}", {"note": note})
    assert r.status_code == 303, html.unescape(r.text)[:2000]


def format_fields(rows: list[dict]) -> dict:
    fields: dict = {}
    for n, row in enumerate(rows):
        for name, value in row.items():
            fields[f"r{n}.{name}"] = value
    return fields


def save_format(c: TestClient, key: str, rows: list[dict], step: int = 1, **kw):
    return post(c, key, f"/kinerja/tasks/{my_task(c, key, step)}/format", format_fields(rows), **kw)


def fill_fields(values: dict[str, tuple[str, str]]) -> dict:
    fields = {}
    for code, (realisasi, explanation) in values.items():
        fields[f"{code}.realisasi"] = realisasi
        fields[f"{code}.explanation"] = explanation
    return fields


def save_data(c: TestClient, key: str, unit: str, values: dict, **kw):
    task = my_task(c, key, 4, unit)
    return post(c, key, f"/kinerja/tasks/{task}/data", fill_fields(values), **kw)


def text_of(response) -> str:
    return html.unescape(response.text)


def kinerja_page(c: TestClient, key: str) -> str:
    r = c.get(case_path(key) + "/kinerja")
    assert r.status_code == 200
    return html.unescape(r.text)


def version_of(c: TestClient, key: str, unit: str) -> int:
    page = c.get(case_path(key) + "/kinerja").text
    section = re.search(rf'data-unit="{unit}">.*?data-version="(\d+)"', page, re.S)
    assert section, unit
    return int(section.group(1))


def designed(c: TestClient) -> str:
    """A case whose format is saved through the form; step 1 is done and 2 is answered "ya"."""
    as_user(c, "staf")
    key = start_case(c)
    assert save_format(c, key, FORMAT).status_code == 303
    act(c, key, 1, "complete")
    as_user(c, "kasubag-perencanaan")
    act(c, key, 2, "ya")
    as_user(c, "staf")
    act(c, key, 3, "complete")
    return key


def filled(c: TestClient) -> str:
    """Both units' data saved and their fill steps completed."""
    key = designed(c)
    for user, unit, values in (("kabid.linmas", LINMAS, LINMAS_DATA), ("kabid.sda", SDA, SDA_DATA)):
        as_user(c, user)
        assert save_data(c, key, unit, values).status_code == 303
        act(c, key, 4, "complete", unit)
    return key


# --- the format editor ---------------------------------------------------------------------


def test_design_form_refuses_bad_rows_keeping_every_typed_value(client: TestClient) -> None:
    as_user(client, "staf")
    key = start_case(client)
    page = client.get(case_path(key)).text
    assert 'data-kinerja="design"' in page
    assert page.count('data-row="') == 3  # an empty format: spare rows only
    assert f'href="{case_path(key)}/kinerja"' in page
    bad = [dict(FORMAT[0], target="abc", unit_of_measure=""), FORMAT[1]]
    r = save_format(client, key, bad)
    assert r.status_code == 422
    text = text_of(r)
    assert '"abc" bukan angka' in text
    assert "isi satuan" in text
    for value in ("IKU-1", "Persentase perda yang ditegakkan", "abc", "IKU-2", "pengaduan"):
        assert f'value="{value}"' in text, value
    assert re.search(r'name="r0.target" value="abc"[^>]*aria-invalid="true"', r.text)
    assert re.search(r'<option value="lower" selected>', r.text)  # row 2's direction kept
    assert "IKU-1" not in kinerja_page(client, key)  # nothing saved

    assert save_format(client, key, FORMAT).status_code == 303
    page = client.get(case_path(key)).text
    assert 'value="IKU-3"' in page
    assert re.search(r'name="r2.units" value="linmas" checked', page)
    assert re.search(r'name="r2.units" value="sda" >', page)
    assert page.count('data-row="') == 6  # three indicators, three spare rows
    summary = kinerja_page(client, key)
    assert "Nilai evaluasi SAKIP" in summary
    assert "makin rendah makin baik" in summary
    # Step 1 now completes: the format has indicators.
    act(client, key, 1, "complete")


def test_design_with_htmx_copy_and_added_rows(client: TestClient) -> None:
    as_user(client, "staf")
    key = start_case(client)
    task = my_task(client, key, 1)
    r = save_format(client, key, FORMAT[:1], htmx=True)
    assert r.status_code == 200
    assert "<html" not in r.text
    assert 'id="case-live-inner"' in r.text
    assert 'class="notice" role="status"' in r.text
    r = save_format(client, key, [dict(FORMAT[0], target="-5")], htmx=True)
    assert r.status_code == 422
    assert "tidak boleh negatif" in text_of(r)
    # One more row (htmx): the next index, and the button moves on.
    row = client.get(f"{case_path(key)}/kinerja/tasks/{task}/row?index=4")
    assert 'name="r4.code"' in row.text
    assert re.search(
        rf'hx-swap-oob="true"\s+hx-get="{case_path(key)}/kinerja/tasks/{task}/row\?index=5"',
        row.text,
    )
    # A task the case does not have, or a row index the editor cannot hold: nothing (404).
    for wrong in (
        "tasks/99999999999999999999999/row?index=1",
        f"tasks/{task}/row?index={10**23}",
        f"tasks/{task}/row?index=-5",
        f"tasks/{task}/row?index=1000",
        "tasks/0/row?index=1",
        "tasks/999/row?index=1",
    ):
        assert client.get(f"{case_path(key)}/kinerja/{wrong}").status_code == 404, wrong
    assert client.get(f"{case_path(key)}/kinerja/tasks/{task}/row?index=999").status_code == 200
    # Copy the earlier period's format (the sample's three indicators).
    page = client.get(case_path(key)).text
    assert f'<option value="{EARLIER}"' in page
    assert f'<option value="{PERIOD}"' not in page  # not from the case's own period
    r = post(client, key, f"/kinerja/tasks/{task}/copy", {"from_period": ""})
    assert r.status_code == 422
    r = post(client, key, f"/kinerja/tasks/{task}/copy", {"from_period": "Tahun 1999"})
    assert r.status_code == 422
    assert "Tahun 1999" in text_of(r)
    r = post(client, key, f"/kinerja/tasks/{task}/copy", {"from_period": EARLIER})
    assert r.status_code == 303
    summary = kinerja_page(client, key)
    assert "Nilai evaluasi SAKIP unit" in summary  # from the sample format
    assert "Persentase perda yang ditegakkan" not in summary  # replaced


# --- a unit's form -------------------------------------------------------------------------


def test_fill_form_versions_evidence_and_refusals(client: TestClient) -> None:
    key = designed(client)
    as_user(client, "kabid.linmas")
    page = text_of(client.get(case_path(key)))
    assert 'data-kinerja="fill"' in page
    assert "Nilai evaluasi SAKIP" in page  # linmas reports IKU-3
    r = save_data(client, key, LINMAS, dict(LINMAS_DATA, **{"IKU-1": ("87,x", "")}))
    assert r.status_code == 422
    text = text_of(r)
    assert '"87,x" bukan angka' in text
    assert 'value="87,x"' in text
    assert "Evaluasi belum selesai." in text  # the other typed values are kept
    assert version_of(client, key, "linmas") == 0  # nothing saved
    r = save_data(client, key, LINMAS, dict(LINMAS_DATA, **{"IKU-1": ("87,5", "")}))
    assert r.status_code == 422
    assert "jelaskan mengapa capaian di bawah target" in text_of(r)
    assert version_of(client, key, "linmas") == 0

    assert save_data(client, key, LINMAS, LINMAS_DATA).status_code == 303
    assert version_of(client, key, "linmas") == 1
    page = text_of(client.get(case_path(key)))
    assert 'name="IKU-1.realisasi" value="87,5"' in page
    assert re.search(r'data-version="1">[^<]*Kabid linmas[^<]*\d{4}', page)
    # Version 2 with an evidence file; the file is listed and downloads.
    r = post(
        client,
        key,
        f"/kinerja/tasks/{my_task(client, key, 4, LINMAS)}/data",
        fill_fields(LINMAS_DATA),
        files={"IKU-1.evidence": ("bukti-iku1.pdf", b"%PDF-1.7 bukti", "application/pdf")},
    )
    assert r.status_code == 303
    assert version_of(client, key, "linmas") == 2
    page = client.get(case_path(key)).text
    link = re.search(rf'href="({case_path(key)}/attachments/\d+)">bukti-iku1.pdf', page)
    assert link
    assert client.get(link.group(1)).content == b"%PDF-1.7 bukti"
    sha = re.search(r'name="IKU-1.remove" value="([0-9a-f]{64})"', page)
    assert sha
    # A refused file saves nothing; then version 3 removes the evidence.
    r = post(
        client,
        key,
        f"/kinerja/tasks/{my_task(client, key, 4, LINMAS)}/data",
        fill_fields(LINMAS_DATA),
        files={"IKU-2.evidence": ("virus.exe", b"MZ", "application/x-msdownload")},
    )
    assert r.status_code == 422
    assert version_of(client, key, "linmas") == 2
    data = {**fill_fields(LINMAS_DATA), "IKU-1.remove": sha.group(1)}
    r = post(client, key, f"/kinerja/tasks/{my_task(client, key, 4, LINMAS)}/data", data)
    assert r.status_code == 303
    assert version_of(client, key, "linmas") == 3
    form = client.get(case_path(key)).text.split("kinerja-fill-form")[1].split("</form>")[0]
    assert "IKU-1.realisasi" in form
    assert "bukti-iku1.pdf" not in form
    # Another unit's Kabid may not write linmas' data.
    task = my_task(client, key, 4, LINMAS)
    as_user(client, "kabid.sda")
    r = post(client, key, f"/kinerja/tasks/{task}/data", fill_fields(LINMAS_DATA))
    assert r.status_code == 403
    assert version_of(client, key, "linmas") == 3


def test_fill_form_refuses_codes_sent_twice_or_not_reported(client: TestClient) -> None:
    """The form used to keep the last of a code sent twice and drop a code the unit does not
    report; the service refuses both, as it does over GraphQL, each message next to its
    field (or above the form for a code it has no field for), every typed value kept."""
    key = designed(client)
    as_user(client, "kabid.linmas")
    data: dict = fill_fields(LINMAS_DATA)
    data["IKU-2.realisasi"] = [data["IKU-2.realisasi"], "99"]
    data["IKU-9.realisasi"] = "1"
    r = post(client, key, f"/kinerja/tasks/{my_task(client, key, 4, LINMAS)}/data", data)
    assert r.status_code == 422
    text = text_of(r)
    assert re.search(
        r'id="k\d+-IKU-2-code-error"[^>]*>kode "IKU-2" dipakai lebih dari sekali', text
    )
    assert '<p class="error" role="alert">IKU-9 bukan indikator yang dilaporkan oleh linmas' in text
    assert 'name="IKU-2.realisasi" value="4"' in text
    assert "Evaluasi belum selesai." in text
    assert version_of(client, key, "linmas") == 0


def test_verifier_sees_what_changed_after_tidak(client: TestClient) -> None:
    key = filled(client)
    as_user(client, "staf")
    page = text_of(client.get(case_path(key)))
    assert page.count('data-kinerja="verify"') == 2  # one task per unit
    act(client, key, 5, "tidak", LINMAS, note="IKU-1 salah ketik.")
    as_user(client, "kabid.linmas")
    changed = dict(LINMAS_DATA, **{"IKU-1": ("90", "Dua perda tertunda karena anggaran.")})
    assert save_data(client, key, LINMAS, changed).status_code == 303
    act(client, key, 4, "complete", LINMAS)
    as_user(client, "staf")
    page = text_of(client.get(case_path(key)))
    verify = page.split('data-unit="linmas"')[1].split("</section>")[0]
    assert re.search(
        r'class="num changed" data-field="realisasi"><del>87,5</del> → <ins>90</ins>', verify
    )
    assert "<del>" not in verify.split('data-indicator="IKU-2"')[1]  # unchanged rows plain
    assert version_of(client, key, "linmas") == 2


# --- recap, approvals, exports -------------------------------------------------------------


def test_recap_approvals_and_exports(client: TestClient) -> None:
    key = filled(client)
    as_user(client, "staf")
    act(client, key, 5, "ya", LINMAS)
    act(client, key, 5, "ya", SDA)
    page = text_of(client.get(case_path(key)))
    assert 'data-kinerja="recap"' in page
    recap = page.split('class="kinerja-recap"')[1].split("</table>")[0]
    # By hand: IKU-1 87,5/100 = 87,50 and 100/100; IKU-2 lower: (2×10−4)/10 = 160,00 and
    # (2×10−12)/10 = 80,00; indicator means 93,75 and 120,00; sasaran total 213,75, mean 106,88.
    for figure in ("87,50", "100,00", "160,00", "80,00", "93,75", "120,00", "213,75", "106,88"):
        assert f">{figure}<" in recap, figure
    iku3 = recap.split('data-indicator="IKU-3"')[1].split("</tr>")[0]
    assert "90,00" in iku3  # 72/80, linmas only
    act(client, key, 6, "complete")
    as_user(client, "kasubag-perencanaan")
    act(client, key, 7, "complete")
    summary = kinerja_page(client, key)
    assert re.search(r'class="approval valid"><strong>Paraf</strong>.*?berlaku', summary)
    # A second case of the same period changes the shared format: the paraf no longer holds.
    as_user(client, "staf")
    second = start_case(client)
    assert (
        save_format(client, second, [dict(FORMAT[0], target="90"), *FORMAT[1:]]).status_code == 303
    )
    summary = kinerja_page(client, key)
    assert re.search(r'class="approval invalid">.*?tidak berlaku: data berubah', summary)
    as_user(client, "sekretaris")
    act(client, key, 8, "complete")
    as_user(client, "kepala-satuan")
    act(client, key, 9, "complete")

    xlsx = client.get(case_path(key) + "/kinerja/rekap.xlsx")
    assert xlsx.status_code == 200
    assert xlsx.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert (
        'filename="rekap-data-kinerja-triwulan-iv-2026.xlsx"' in xlsx.headers["content-disposition"]
    )
    sheet = load_workbook(io.BytesIO(xlsx.content))["Rekap"]
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert 87.5 in values
    assert "Persentase perda yang ditegakkan" in values
    assert any(isinstance(v, str) and "Kepala Satuan" in v for v in values)

    pdf = client.get(case_path(key) + "/kinerja/laporan.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert (
        'filename="laporan-data-kinerja-triwulan-iv-2026.pdf"' in pdf.headers["content-disposition"]
    )
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Kepala Satuan" in text
    assert f"NIP. {KEPALA_NIP}" in text
    assert "Satuan Polisi Pamong Praja Kabupaten Banyumas" in text  # the plugin's institution
    assert "BELUM DITANDATANGANI" not in text


def test_the_page_and_the_exports_show_the_one_recap(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page, the XLSX and the PDF build the recap with the service layer's one function
    (the web used to assemble it itself)."""
    from alur.tenants.kinerja import rules

    built: list[str] = []
    real = rules.recap_of

    def spy(*args, **kwargs):
        recap = real(*args, **kwargs)
        built.append(recap.content_hash)
        return recap

    key = filled(client)
    as_user(client, "staf")
    monkeypatch.setattr(rules, "recap_of", spy)
    for suffix in ("/kinerja", "/kinerja/rekap.xlsx", "/kinerja/laporan.pdf"):
        before = len(built)
        assert client.get(case_path(key) + suffix).status_code == 200
        assert len(built) > before, suffix
    assert len(set(built)) == 1


def test_other_offices_get_404(client: TestClient) -> None:
    as_user(client, "staf")
    key = start_case(client)
    other = client.other_key  # type: ignore[attr-defined]
    for suffix in ("/kinerja", "/kinerja/rekap.xlsx", "/kinerja/laporan.pdf"):
        assert client.get(case_path(key) + suffix).status_code == 200, suffix
        assert client.get(case_path(other) + suffix).status_code == 404, suffix
        assert client.get(f"/t/kesbangpol-pekalongan/cases/{other}{suffix}").status_code == 404
    as_user(client, "petugas-b")
    for suffix in ("/kinerja", "/kinerja/rekap.xlsx", "/kinerja/laporan.pdf"):
        assert client.get(case_path(key) + suffix).status_code == 404, suffix
        assert client.get(f"/t/kesbangpol-pekalongan/cases/{other}{suffix}").status_code == 200


# --- a verify step that is not per unit (Biro Organisasi Kalbar, step 4) --------------------


async def walk_kalbar_to_verification(url: str) -> str:
    """A Kalbar case walked through the service (sample data) to its step 4, where the
    Pelaksana checks the data of every Bagian; returns its key."""
    db = await open_database(url)
    plugins = create_plugin_manager()
    office = await create_tenant(
        plugins, "biro-kalbar", "Biro Organisasi", "biro_organisasi_kalbar"
    )
    svc = await TenantService.open(db, plugins, office.slug)
    kinerja = KinerjaService(svc)
    d = svc.sop("perbaikan-data-kinerja")
    units = [u["slug"] for u in await svc.units()]
    staff = await add_staff(
        office.id,
        d.roles,
        units,
        PASSWORD,
        username=lambda role, unit: f"{role.id}-{unit or 'x'}".replace("_", "-"),
    )
    users = {key: member.user_id for key, member in staff.items()}
    case = await svc.start_case(users[("karo_organisasi", None)], d.id, PERIOD, {2: "3 hari"})
    for step in (1, 2, 3):
        case = await svc.case(case.key)
        for task in [t for t in case.state.open_tasks.values() if t.step == step]:
            who = users[(d.step(step).actor, task.unit)]
            await fill_in_sample(kinerja, who, case.key, task.id)
            await svc.act(who, case.key, Complete(task.id, "ok"))
    await close_database(db)
    return case.key


def test_verification_of_every_unit_at_once(database_url: str, cheap_hasher: None) -> None:
    key = asyncio.run(walk_kalbar_to_verification(database_url))
    app = create_app(WebSettings(database_url=database_url, secret_key="k" * 40))
    with TestClient(app) as c:
        as_user(c, "pelaksana-x")
        page = c.get(f"/t/biro-kalbar/cases/{key}").text
        assert page.count('data-kinerja="verify"') == 1  # one task, not per unit
        panel = page.split('data-kinerja="verify"')[1].split("</article>")[0]
        assert set(re.findall(r'data-unit="([\w-]+)"', panel)) == {
            "kelembagaan",
            "reformasi-birokrasi",
            "tatalaksana",
        }
        assert panel.count('data-version="1"') == 3  # each Bagian's sample data
