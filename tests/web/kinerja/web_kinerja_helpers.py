"""Helpers of the web data kinerja tests: the provisioned office, and driving the app (signing
in, starting a case, posting the format and a unit's data, acting on tasks)."""

from __future__ import annotations

import html
import re

from litestar.testing import TestClient

from alur.core import create_plugin_manager
from alur.tenants.cases.service import TenantService
from alur.tenants.demo.kinerja_samples import seed_sample_format
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.offices.admin import TenantAdmin
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.testing.people import add_staff
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


def approve(c: TestClient, key: str, step: int, password: str = PASSWORD, **fields: str):
    """Paraf / Tandatangani at ``step`` (the confirmation ticked, the password asked again)."""
    data = {"confirm": "yes", "password": password, "note": "", **fields}
    return post(c, key, f"/approve/{my_task(c, key, step)}", data)


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
