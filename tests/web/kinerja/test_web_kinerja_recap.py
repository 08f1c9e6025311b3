"""The data kinerja pages of the web UI, over HTTP, on SQLite and PostgreSQL, at the end of a
case: the recap with its approvals and the exports (one recap for the page and the files),
other offices getting 404, and a verify step that is not per unit (Biro Organisasi Kalbar)."""

from __future__ import annotations

import asyncio
import io
import re

import pytest
from litestar.testing import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader

from alur.core import create_plugin_manager
from alur.core.engine import Complete
from alur.tenants.cases.service import TenantService
from alur.tenants.demo.kinerja_samples import fill_in_sample
from alur.tenants.kinerja.service import KinerjaService
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.testing.people import add_staff
from alur.web.app import create_app
from alur.web.settings import WebSettings
from tests.web.kinerja.web_kinerja_helpers import (
    FORMAT,
    LINMAS,
    PASSWORD,
    PERIOD,
    SDA,
    act,
    approve,
    as_user,
    case_path,
    filled,
    kinerja_page,
    save_format,
    start_case,
    text_of,
)

# --- recap, approvals, exports -------------------------------------------------------------


def test_recap_approvals_and_exports(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
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
    assert approve(client, key, 7).status_code == 303
    summary = kinerja_page(client, key)
    assert re.search(r'class="approval valid"><strong>Paraf</strong>.*?berlaku', summary)

    # A second case of the same period changes the shared format: the paraf no longer holds.
    # (The office's SOP runs once per period; a repeatable one may run twice: as if it were.)
    async def none_started(self: TenantService, sop_id: str, period: str) -> list[str]:
        return []

    monkeypatch.setattr(TenantService, "periods_started", none_started)
    as_user(client, "staf")
    second = start_case(client)
    assert (
        save_format(client, second, [dict(FORMAT[0], target="90"), *FORMAT[1:]]).status_code == 303
    )
    summary = kinerja_page(client, key)
    assert re.search(r'class="approval invalid">.*?tidak berlaku: data berubah', summary)
    as_user(client, "sekretaris")
    assert approve(client, key, 8).status_code == 303
    as_user(client, "kepala-satuan")
    assert approve(client, key, 9).status_code == 303

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
    assert "NIP. 19700101 199003 1 001" in text  # KEPALA_NIP, spaced
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
