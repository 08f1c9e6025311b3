"""Helpers of the data kinerja storage tests: the small SOP that binds every data action, a
fake clock, the office with its people, and acting on its tasks (design, fill, ...)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from alur.core import (
    AlurPlugins,
    Answer,
)
from alur.core.calendar import JAKARTA
from alur.core.engine import Action, Claim, Complete, Decide, EventKind
from alur.tenants.cases.service import TenantService
from alur.tenants.cases.store import StoredCase
from alur.tenants.identity.memberships import add_delegation, add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.kinerja.service import KinerjaService
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.database import Database

UNITS = ("bidang-a", "bidang-b")


PERIOD = "Triwulan III 2026"


KINERJA_TOML = """
[sop]
id = "uji-kinerja"
version = "1"
repeatable = true  # the tests start a second case of a period: it shares the format

[header]
nomor = "002/SOP/2026"
nama = "Uji Data Kinerja"

[[roles]]
id = "staf"
name = "Staf"
rank = 1

[[roles]]
id = "kabid"
name = "Kabid"
rank = 3
per_unit = true

[[roles]]
id = "kasubag"
name = "Kasubag Perencanaan"
rank = 2

[[roles]]
id = "kepala"
name = "Kepala"
rank = 5

[[steps]]
number = 1
kegiatan = "Menyusun format data kinerja"
actor = "staf"
kind = "start"
waktu = "1 hari"
data = "design"

[[steps]]
number = 2
kegiatan = "Mengisi data kinerja"
actor = "kabid"
per_unit = true
waktu = "1 hari"
data = "fill"

[[steps]]
number = 3
kegiatan = "Memverifikasi data kinerja bidang"
actor = "staf"
kind = "decision"
per_unit = true
waktu = "1 hari"
data = "verify"
[steps.gate]
question = "Data bidang sudah benar?"
ya = 4
tidak = 2

[[steps]]
number = 4
kegiatan = "Merekap data kinerja"
actor = "staf"
waktu = "1 hari"
data = "recap"

[[steps]]
number = 5
kegiatan = "Memaraf rekap data kinerja"
actor = "kasubag"
kind = "decision"
waktu = "1 hari"
data = "paraf"
[steps.gate]
question = "Rekap sudah benar?"
ya = 6
tidak = 4

[[steps]]
number = 6
kegiatan = "Menandatangani data kinerja"
actor = "kepala"
kind = "decision"
waktu = "1 hari"
data = "sign"
[steps.gate]
question = "Data kinerja disetujui?"
ya = 7
tidak = 2

[[steps]]
number = 7
kegiatan = "Mengarsipkan data kinerja"
actor = "staf"
kind = "end"
waktu = "1 hari"
data = "archive"
"""


ROWS = [
    {
        "code": "IKU-1",
        "sasaran": "Meningkatnya ketertiban umum",
        "text": "Persentase perda yang ditegakkan",
        "unit_of_measure": "%",
        "target": "80",
        "direction": "higher",
        "units": "",
        "allow_negative": "",
    },
    {
        "code": "IKU-2",
        "sasaran": "Meningkatnya ketertiban umum",
        "text": "Jumlah pengaduan masyarakat",
        "unit_of_measure": "kasus",
        "target": "10",
        "direction": "lower",
        "units": "bidang-b",
        "allow_negative": "",
    },
]


# --- the office ---------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 9, 0, 0, 123456, tzinfo=JAKARTA)

    def __call__(self) -> datetime:
        return self.now

    def tick(self) -> None:
        self.now += timedelta(minutes=7, microseconds=654321)


@dataclass
class Office:
    db: Database
    plugins: AlurPlugins
    tenant_id: int
    slug: str
    clock: Clock = field(default_factory=Clock)
    users: dict[str, int] = field(default_factory=dict)

    async def service(self) -> TenantService:
        return await TenantService.open(self.db, self.plugins, self.slug, self.clock)

    async def kinerja(self) -> KinerjaService:
        return KinerjaService(await self.service())

    async def person(self, key: str, role: str | None, unit: str | None = None) -> int:
        roles = {r.id: r for r in self.plugins.get("uji").roles}
        user = await create_user(
            f"{self.slug}.{key}",
            f"{key.title()} {self.slug}",
            "x" * 12,
            nip=f"19800101 200601 1 {len(self.users) + 1:03d}",
            jabatan=f"Jabatan {key.title()}",
        )
        await add_membership(self.tenant_id, user.id, roles[role] if role else None, unit)
        self.users[key] = user.id
        return user.id


async def make_office(db: Database, plugins: AlurPlugins, slug: str = "dinas-uji") -> Office:
    tenant = await create_tenant(plugins, slug, f"Dinas {slug}", "uji")
    office = Office(db, plugins, tenant.id, slug)
    for key, role, unit in [
        ("staf", "staf", None),
        ("kasubag", "kasubag", None),
        ("kabid_a", "kabid", "bidang-a"),
        ("kabid_b", "kabid", "bidang-b"),
        ("kepala", "kepala", None),
        ("sekretaris", "kasubag", None),
    ]:
        await office.person(key, role, unit)
    # The Sekretaris stands in for the Kepala this week (Plh).
    await add_delegation(
        office.tenant_id,
        office.users["sekretaris"],
        office.users["kepala"],
        "kepala",
        None,
        "Plh",
        date(2026, 11, 23),
        date(2026, 11, 27),
    )
    return office


def task_no(case: StoredCase, step: int, unit: str | None = None) -> int:
    (found,) = [t.id for t in case.state.open_tasks.values() if (t.step, t.unit) == (step, unit)]
    return found


async def do(
    office: Office,
    who: str,
    key: str,
    step: int,
    unit: str | None,
    what: str,
    note: str = "",
    data: dict | None = None,
) -> StoredCase:
    office.clock.tick()
    svc = await office.service()
    task = task_no(await svc.case(key), step, unit)
    action: Action = {
        "claim": Claim(task),
        "complete": Complete(task, note, data or {}),
        "ya": Decide(task, Answer.YA, note, data=data or {}),
        "tidak": Decide(task, Answer.TIDAK, note or "perbaiki", data=data or {}),
    }[what]
    # a paraf / tanda tangan asks the person's password again (alur.tenants.kinerja.signing)
    return await svc.act(office.users[who], key, action, password="x" * 12)


async def start(office: Office, period: str = PERIOD) -> StoredCase:
    svc = await office.service()
    return await svc.start_case(office.users["staf"], "uji-kinerja", period)


async def design(office: Office, case: StoredCase, rows: list[dict] | None = None) -> None:
    k = await office.kinerja()
    await k.save_indicator_set(
        office.users["staf"], case.key, task_no(case, 1), rows or ROWS, language="id"
    )
    await do(office, "staf", case.key, 1, None, "complete")


async def fill(
    office: Office,
    key: str,
    unit: str,
    values: dict[str, str],
    evidence: dict | None = None,
    **kwargs: Any,
):
    office.clock.tick()
    k = await office.kinerja()
    case = await (await office.service()).case(key)
    who = "kabid_a" if unit == "bidang-a" else "kabid_b"
    return await k.save_submission(
        office.users[who],
        key,
        task_no(case, 2, unit),
        {code: {"realisasi": v, "explanation": "sesuai rencana"} for code, v in values.items()},
        evidence or {},
        language="id",
        **kwargs,
    )


def kinerja_record(case_events: list, step: int, kind: EventKind) -> list[dict]:
    return [
        e.payload["data"]["kinerja"]
        for e in case_events
        if e.step == step and e.kind is kind and "data" in e.payload
    ]
