"""Demo offices: one tenant per installed institution plugin, its people and a few cases.

:func:`provision_demo` (``alur demo``) creates, for every plugin that loaded, a tenant with
the institution's slug and the plugin's units; one user per pelaksana (per unit for per-unit
roles) named ``<prefix>.<role>`` or ``<prefix>.<role>.<unit>``; a tenant administrator
``<prefix>.admin``; and one platform operator ``operator``. Every login has the same
password. Each SOP of each new tenant gets four cases, driven through
:class:`~alur.tenants.cases.service.TenantService` (the real rules and events) on a fake clock that
starts on recent working days: one just started, one waiting at a fan-out with some units
done, one returned at a gate ("tidak" with a note), one finished.

It all happens in one transaction. Running it again creates nothing that is already there:
existing tenants, users, memberships and the operator are reported as "already there", and
a tenant that already has cases gets no new ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from alur.core.calendar import WorkingCalendar
from alur.core.engine import Complete, Decide
from alur.core.engine.state import CaseState, Task
from alur.core.model import Answer, SopDefinition, StepKind
from alur.core.plugins import AlurPlugins, LoadedPlugin
from alur.tenants.cases.service import TenantService
from alur.tenants.cases.store import CaseStore
from alur.tenants.demo.kinerja_samples import fill_in_sample
from alur.tenants.errors import InvalidInput
from alur.tenants.identity.people import USERNAME, check_new_credentials, hash_password
from alur.tenants.kinerja.service import KinerjaService
from alur.tenants.offices.provisioning import calendar_for, create_tenant
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Case, Membership, Operator, Tenant, Unit, User

DEMO_PASSWORD = "alur-demo-2026"
OPERATOR_USERNAME = "operator"
MAX_ACTIONS = 200  # per case: a guard against an SOP that never reaches the wanted state
RETURN_NOTE = (
    "Belum sesuai: kolom target dan realisasi IKU belum lengkap; mohon diperbaiki lalu "
    "diajukan kembali."
)

# Placeholder people (not real officials); assigned in order, so a rerun names them alike.
# fmt: off
NAMES = (
    "Agus Setiawan, S.Sos.", "Sri Wahyuni, S.E.", "Bambang Priyono, S.H.", "Dewi Lestari, S.AP.",
    "Eko Prasetyo, S.T.", "Rina Kusumawati, S.Kom.", "Hendra Gunawan, S.IP.",
    "Siti Nurhaliza, A.Md.", "Joko Susilo, S.Pd.", "Endang Sulistyowati, S.E., M.M.",
    "Rudi Hartono, S.H., M.H.", "Nur Aini, S.Sos.", "Teguh Santoso, S.IP., M.Si.",
    "Yuliana Pratiwi, S.Kom.", "Slamet Riyadi, S.Sos.", "Wahyu Hidayat, S.T., M.T.",
    "Fitri Handayani, S.E.", "Arif Rahman Hakim, S.H.", "Lina Marlina, S.AP.",
    "Dodi Firmansyah, S.IP.", "Kartika Sari, S.Psi.", "Imam Syafi'i, S.Ag.",
    "Maya Anggraeni, S.E., M.Ak.", "Drs. Budi Raharjo, M.Si.", "Ratna Dewanti, S.Sos.",
    "Yusuf Maulana, S.Kom.", "Heru Purnomo, S.H.", "Nanik Suryani, A.Md.",
)
# fmt: on
ROMAN = ("I", "II", "III", "IV")


@dataclass(frozen=True)
class DemoLogin:
    username: str
    name: str
    tenant: str | None  # the tenant's slug; None for the platform operator
    what: str  # "Kabid, Bidang Perlindungan Masyarakat", "administrator", ...
    created: bool


@dataclass(frozen=True)
class DemoCase:
    key: str
    sop_id: str
    period: str
    status: str
    story: str  # what the case shows: "baru dimulai", "menunggu bidang", ...


@dataclass
class DemoTenant:
    slug: str
    name: str
    plugin: str
    created: bool
    cases: list[DemoCase] = field(default_factory=list)
    note: str = ""  # why nothing was added, if so


@dataclass
class DemoReport:
    password: str
    tenants: list[DemoTenant] = field(default_factory=list)
    logins: list[DemoLogin] = field(default_factory=list)

    @property
    def created_tenants(self) -> int:
        return sum(t.created for t in self.tenants)

    @property
    def created_logins(self) -> int:
        return sum(login.created for login in self.logins)

    @property
    def created_cases(self) -> int:
        return sum(len(t.cases) for t in self.tenants)

    @property
    def created_anything(self) -> bool:
        return bool(self.created_tenants or self.created_logins or self.created_cases)


async def provision_demo(
    plugins: AlurPlugins,
    *,
    password: str = DEMO_PASSWORD,
    db: Database | None = None,
    now: datetime | None = None,
) -> DemoReport:
    """Create the demo tenants, people and cases (see the module docstring).

    ``db`` defaults to the database the tables are bound to; ``now`` (default: the real
    time) anchors the fake clocks of the cases, which never run past it.
    """
    problem = check_new_credentials(OPERATOR_USERNAME, password).get("password")
    if problem:
        raise InvalidInput({"password": problem})
    db = db or Database(url="", engine=Tenant._meta.db)
    now = now or datetime.now(UTC)
    people = _People(hash_password(password))  # one hash for every demo login
    report = DemoReport(password)
    chosen = [p for p in plugins.plugins() if p.ok and p.sops]
    prefixes = _prefixes(chosen)
    async with CaseStore(db).transaction():  # all or nothing (and one commit, not hundreds)
        report.logins.append(await people.operator())
        for plugin in chosen:
            report.tenants.append(
                await _tenant(db, plugins, plugin, prefixes[plugin.name], people, report, now)
            )
    return report


# --- people ----------------------------------------------------------------------------


class _People:
    def __init__(self, password_hash: str) -> None:
        self.password_hash = password_hash
        self.count = 0

    def _next(self) -> tuple[str, str]:
        i = self.count
        self.count += 1
        # An 18-digit NIP: birth date, TMT CPNS (year, month), sex, serial number.
        birth = date(1970 + i * 7 % 25, 1 + i * 5 % 12, 1 + i * 11 % 28)
        nip = f"{birth:%Y%m%d}{2000 + i * 3 % 20}{1 + i % 12:02d}{1 + i % 2}{1 + i % 999:03d}"
        return NAMES[i % len(NAMES)], nip

    async def operator(self) -> DemoLogin:
        name, _ = self._next()
        found = await Operator.exists().where(Operator.username == OPERATOR_USERNAME)
        if not found:
            row = Operator(username=OPERATOR_USERNAME, name=name, password_hash=self.password_hash)
            await row.save()
        return DemoLogin(OPERATOR_USERNAME, name, None, "platform operator", not found)

    async def user(self, username: str, jabatan: str) -> tuple[int, str, bool]:
        name, nip = self._next()
        row = await User.select(User.id, User.name).where(User.username == username).first()
        if row is not None:
            return row["id"], row["name"], False
        user = User(
            username=username,
            name=name,
            nip=nip,
            jabatan=jabatan,
            password_hash=self.password_hash,
        )
        await user.save()
        return user.id, name, True


def _prefixes(chosen: list[LoadedPlugin]) -> dict[str, str]:
    """Login prefixes: the first word of the tenant slug, or the whole slug if shared."""
    slugs = {p.name: _tenant_slug(p) for p in chosen}
    first = {name: slug.split("-")[0] for name, slug in slugs.items()}
    shared = {w for w in first.values() if list(first.values()).count(w) > 1}
    return {name: slugs[name] if first[name] in shared else first[name] for name in slugs}


def _tenant_slug(plugin: LoadedPlugin) -> str:
    if plugin.institution is not None:
        return plugin.institution.slug
    return plugin.name.lower().replace("_", "-")


def _username(*parts: str) -> str:
    text = ".".join(re.sub(r"[^a-z0-9_-]+", "-", p.lower()).strip("-") for p in parts)
    text = text[:64].rstrip("._-")
    assert USERNAME.match(text), text
    return text


async def _member(
    tenant_id: int, user_id: int, role: str, unit_id: int | None, admin: bool = False
) -> None:
    where = (
        (Membership.tenant == tenant_id)
        & (Membership.user == user_id)
        & (Membership.role == role)
        & (Membership.administrator == admin)
    )
    where &= Membership.unit == unit_id if unit_id is not None else Membership.unit.is_null()
    if not await Membership.exists().where(where):
        await Membership(
            tenant=tenant_id, user=user_id, role=role, unit=unit_id, administrator=admin
        ).save()


# --- tenants ---------------------------------------------------------------------------


async def _tenant(
    db: Database,
    plugins: AlurPlugins,
    plugin: LoadedPlugin,
    prefix: str,
    people: _People,
    report: DemoReport,
    now: datetime,
) -> DemoTenant:
    slug = _tenant_slug(plugin)
    name = plugin.institution.name if plugin.institution else plugin.name
    row = await Tenant.select().where(Tenant.slug == slug).first()
    created = row is None
    if row is None:
        await create_tenant(plugins, slug, name, plugin.name)
        row = await Tenant.select().where(Tenant.slug == slug).first()
        assert row is not None
    result = DemoTenant(slug, row["name"], row["plugin"], created)
    if row["plugin"] != plugin.name:
        result.note = f"already there, bound to plugin {row['plugin']}; left as it is"
        return result
    units = (
        await Unit.select(Unit.id, Unit.slug, Unit.name)
        .where(Unit.tenant == row["id"])
        .order_by(Unit.id)
    )
    users: dict[tuple[str, str | None], int] = {}
    admin_name = _username(prefix, "admin")
    admin_id, shown, new = await people.user(admin_name, f"Administrator {row['name']}")
    await _member(row["id"], admin_id, "", None, admin=True)
    report.logins.append(DemoLogin(admin_name, shown, slug, "administrator", new))
    for role in plugin.roles:
        for unit in units if role.per_unit else [None]:
            parts = (prefix, role.id, unit["slug"]) if unit else (prefix, role.id)
            username = _username(*parts)
            what = f"{role.name}, {unit['name']}" if unit else role.name
            user_id, shown, new = await people.user(username, what)
            await _member(row["id"], user_id, role.id, unit["id"] if unit else None)
            users[(role.id, unit["slug"] if unit else None)] = user_id
            report.logins.append(DemoLogin(username, shown, slug, what, new))
    if await Case.exists().where(Case.tenant == row["id"]):
        return result
    service = TenantService(db, plugins, row)
    calendar = await calendar_for(row)
    for d in sorted(service.sops().values(), key=lambda d: d.id):
        for story in STORIES:
            driver = _Driver(service, d, users, admin_id, calendar, now)
            case = await driver.run(story)
            if case is not None:
                result.cases.append(case)
    return result


# --- cases -----------------------------------------------------------------------------

STORIES = ("selesai", "menunggu bidang", "dikembalikan", "baru dimulai")
DAYS_BACK = {"selesai": 20, "menunggu bidang": 8, "dikembalikan": 3, "baru dimulai": 0}


class _Driver:
    """Carries one case to the state its story shows, acting as the demo users."""

    def __init__(
        self,
        service: TenantService,
        d: SopDefinition,
        users: dict[tuple[str, str | None], int],
        admin_id: int,
        calendar: WorkingCalendar,
        now: datetime,
    ) -> None:
        self.service = service
        self.d = d
        self.users = users
        self.admin_id = admin_id
        self.calendar = calendar
        self.now = now
        self.at = now
        self.key = ""
        service.clock = lambda: self.at

    def _user(self, task: Task) -> int | None:
        role = self.d.roles_by_id[task.role]
        return self.users.get((task.role, task.unit if role.per_unit else None))

    async def run(self, story: str) -> DemoCase | None:
        d = self.d
        if story == "menunggu bidang" and not any(s.per_unit for s in d.steps):
            return None
        if story == "dikembalikan" and not any(s.gate for s in d.steps):
            return None
        self.at = _start_time(self.calendar, self.now, DAYS_BACK[story], len(story))
        first = d.start_step
        starter = self.users.get((first.actor, None), self.admin_id)
        durations = dict.fromkeys(d.needs_duration_at_start(), "3 hari")
        case = await self.service.start_case(starter, d.id, _period(story, self.at), durations)
        self.key = case.key
        state = case.state
        for _ in range(MAX_ACTIONS):
            if state.status != "active" or not state.open_tasks:
                break
            task = self._next_task(story, state)
            if task is None:
                break
            returning = story == "dikembalikan" and d.step(task.step).gate is not None
            if not await self._act(task, returning):
                break
            if returning:
                break
            state = (await self.service.case(self.key)).state
        final = await self.service.case(self.key)
        return DemoCase(final.key, d.id, final.period, final.status, story)

    def _next_task(self, story: str, state: CaseState) -> Task | None:
        tasks = sorted(state.open_tasks.values(), key=lambda t: t.id)
        if story == "baru dimulai":
            return None
        if story != "menunggu bidang":
            return tasks[0]
        per_unit = [t for t in tasks if t.unit is not None]
        if not per_unit:
            return tasks[0]  # not in the fan-out yet
        # Finish the branches of the first units only; the others keep the join waiting.
        done = state.units[: min(len(state.units) - 1, (len(state.units) + 1) // 2)]
        mine = [t for t in per_unit if t.unit in done]
        return mine[0] if mine else None

    async def _act(self, task: Task, returning: bool) -> bool:
        user = self._user(task)
        if user is None:
            return False
        step = self.d.step(task.step)
        self.at = max(self.at, min(self._when(task), self.now))
        await fill_in_sample(KinerjaService(self.service), user, self.key, task.id)
        if step.kind is StepKind.DECISION:
            answer = Answer.TIDAK if returning else Answer.YA
            note = RETURN_NOTE if returning else "Sudah sesuai."
            action: Decide | Complete = Decide(task.id, answer, note)
        else:
            if task.unit is not None and step.kind is StepKind.PROCESS:
                await self._attach(user, task)
            action = Complete(task.id, step.output or "Selesai.")
        await self.service.act(user, self.key, action)
        return True

    def _when(self, task: Task) -> datetime:
        """Some way into the step's waktu, a few minutes apart for tasks opened together."""
        spent = 60
        if task.due is not None:
            spent = self.calendar.office_minutes_between(task.opened_at, task.due)
        minutes = max(5, spent * 3 // 5) + (task.id % 4) * 9
        return self.calendar.add_office_minutes(task.opened_at, minutes)

    async def _attach(self, user: int, task: Task) -> None:
        rows = [
            "indikator,target,realisasi,capaian",
            "Persentase penyelesaian kegiatan tepat waktu,100,92,92%",
            "Nilai SAKIP unit,80,78.5,98%",
        ]
        content = ("\n".join(rows) + "\n").encode()
        filename = f"data-kinerja-{task.unit}.csv"
        await self.service.attach(user, self.key, task.id, filename, "text/csv", content)


def _start_time(calendar: WorkingCalendar, now: datetime, days_back: int, offset: int) -> datetime:
    """A working day ``days_back`` working days before ``now``, shortly after opening."""
    tz = calendar.timezone
    day = now.astimezone(tz).date()

    def at(d: date) -> datetime:
        opening = datetime.combine(d, calendar.office_start, tzinfo=tz)
        return opening + timedelta(minutes=30 + offset)

    while not calendar.is_working_day(day) or at(day) > now:
        day -= timedelta(days=1)
    for _ in range(days_back):
        day -= timedelta(days=1)
        while not calendar.is_working_day(day):
            day -= timedelta(days=1)
    return at(day)


def _period(story: str, when: datetime) -> str:
    year, quarter = when.year, (when.month - 1) // 3
    if story == "selesai":
        if quarter == 0:
            year, quarter = year - 1, 4
        return f"Triwulan {ROMAN[quarter - 1]} {year}"
    if story == "menunggu bidang":
        return f"Triwulan {ROMAN[quarter]} {year}"
    if story == "dikembalikan":
        return f"Semester {'I' if when.month <= 6 else 'II'} {year}"
    return f"Tahun {year}"
