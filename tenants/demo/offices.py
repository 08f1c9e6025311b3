"""Demo offices: one tenant per installed institution plugin, its people and a few cases.

:func:`provision_demo` (``alur demo``) creates, for every plugin that loaded, a tenant with
the institution's slug and the plugin's units; one user per pelaksana (per unit for per-unit
roles) named ``<prefix>.<role>`` or ``<prefix>.<role>.<unit>``; a tenant administrator
``<prefix>.admin``; and one platform operator ``operator``. Every login has the same
password. Each SOP of each new tenant gets four cases (:mod:`alur.tenants.demo.cases`), driven through
:class:`~alur.tenants.cases.service.TenantService` (the real rules and events) on a fake clock that
starts on recent working days: one just started, one waiting at a fan-out with some units
done, one returned at a gate ("tidak" with a note), one finished.

It all happens in one transaction. Running it again creates nothing that is already there:
existing tenants, users, memberships and the operator are reported as "already there", and
a tenant that already has cases gets no new ones.

Every demo person has an email address ``<username>@example.org`` (:func:`demo_email`), so
``alur worker`` with ``ALUR_SMTP_URL`` pointing at a local SMTP server sends them reminders.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from argon2 import PasswordHasher

from alur.core.model import DataAction
from alur.core.plugins import AlurPlugins, LoadedPlugin
from alur.tenants.cases.service import TenantService
from alur.tenants.cases.store import CaseStore
from alur.tenants.demo.cases import RETURN_NOTE as RETURN_NOTE  # the note a returned case shows
from alur.tenants.demo.cases import STORIES, DemoCase, StoryDriver, story_periods
from alur.tenants.demo.history import demo_history
from alur.tenants.demo.monev import open_demo_monev
from alur.tenants.errors import InvalidInput
from alur.tenants.identity.people import USERNAME, check_new_credentials, hash_password
from alur.tenants.offices.provisioning import calendar_for, create_tenant
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Case, Membership, Operator, Tenant, Unit, User

DEMO_PASSWORD = "alur-demo-2026"
SECOND_OFFICE_PLUGIN = "satpolpp_banyumas"  # alur.tenants.demo.second_office
OPERATOR_USERNAME = "operator"

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


@dataclass(frozen=True)
class DemoLogin:
    username: str
    name: str
    tenant: str | None  # the tenant's slug; None for the platform operator
    what: str  # "Kabid, Bidang Perlindungan Masyarakat", "administrator", ...
    created: bool


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
    second_office: bool = True,
    history: bool = True,
) -> DemoReport:
    """Create the demo tenants, people and cases (see the module docstring).

    ``db`` defaults to the database the tables are bound to; ``now`` (default: the real
    time) anchors the fake clocks of the cases, which never run past it. ``second_office``:
    also the second office on the Banyumas plugin (:mod:`alur.tenants.demo.second_office`).
    ``history``: also finished cases over the past months (:mod:`alur.tenants.demo.history`).
    """
    problem = check_new_credentials(OPERATOR_USERNAME, password).get("password")
    if problem:
        raise InvalidInput({"password": problem})
    db = db or Database(url="", engine=Tenant._meta.db)
    now = now or datetime.now(UTC)
    # While the demo is built, its logins carry a cheap hash of the password (the paraf and
    # tanda tangan of its cases ask for it, dozens of times); the real hash replaces it at
    # the end, so the logins the demo leaves are hashed like any other.
    building = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(password)
    people = _People(building)
    report = DemoReport(password)
    chosen = [p for p in plugins.plugins() if p.ok and p.sops]
    prefixes = _prefixes(chosen)
    async with CaseStore(db).transaction():  # all or nothing (and one commit, not hundreds)
        report.logins.append(await people.operator())
        for plugin in chosen:
            report.tenants.append(
                await _tenant(
                    db, plugins, plugin, prefixes[plugin.name], people, report, now, history
                )
            )
        second = next((p for p in chosen if p.name == SECOND_OFFICE_PLUGIN), None)
        if (
            second is not None and second_office
        ):  # a second office on the Banyumas plugin, with its own SOP
            from alur.tenants.demo.second_office import second_office

            report.tenants.append(
                await second_office(db, plugins, second, people, report, now, history)
            )
        final = hash_password(password)  # one hash for every demo login
        await User.update({User.password_hash: final}).where(User.password_hash == building)
        await Operator.update({Operator.password_hash: final}).where(
            Operator.password_hash == building
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
        # The TMT 20–29 years after the birth (alur.core.officials.nip_problem), by 2023.
        tmt = birth.year + 20 + i % 10
        nip = f"{birth:%Y%m%d}{tmt}{1 + i % 12:02d}{1 + i % 2}{1 + i % 999:03d}"
        return NAMES[i % len(NAMES)], nip

    async def operator(self) -> DemoLogin:
        name, _ = self._next()
        found = await Operator.exists().where(Operator.username == OPERATOR_USERNAME)
        if not found:
            row = Operator(username=OPERATOR_USERNAME, name=name, password_hash=self.password_hash)
            await row.save()
        return DemoLogin(OPERATOR_USERNAME, name, None, "platform operator", not found)

    async def user(self, username: str, jabatan: str, pangkat: str = "") -> tuple[int, str, bool]:
        name, nip = self._next()
        row = await User.select(User.id, User.name).where(User.username == username).first()
        if row is not None:
            return row["id"], row["name"], False
        user = User(
            username=username,
            name=name,
            nip=nip,
            jabatan=jabatan,
            pangkat=pangkat,
            password_hash=self.password_hash,
            email=demo_email(username),
        )
        await user.save()
        return user.id, name, True


def demo_email(username: str) -> str:
    """A demo person's email address, on ``example.org`` (reserved for examples, RFC 2606):
    with a local SMTP server (``ALUR_SMTP_URL``) the demo shows the worker's reminders."""
    return f"{username}@example.org"


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


# The pangkat/golongan of the demo's signers, most senior first (printed under their names).
SIGNER_PANGKAT = (
    "Pembina Utama Muda, IV/c",
    "Pembina Tingkat I, IV/b",
    "Pembina, IV/a",
    "Penata Tingkat I, III/d",
)


def _signers_pangkat(plugin: LoadedPlugin) -> dict[str, str]:
    """A pangkat for each role that gives a paraf or tanda tangan in the plugin's SOPs."""
    ids = {
        s.actor
        for d in plugin.sops.values()
        for s in d.steps
        if s.data in (DataAction.PARAF, DataAction.SIGN)
    }
    ranked = sorted((r for r in plugin.roles if r.id in ids), key=lambda r: -r.rank)
    return {r.id: SIGNER_PANGKAT[min(i, len(SIGNER_PANGKAT) - 1)] for i, r in enumerate(ranked)}


# --- tenants ---------------------------------------------------------------------------


async def _tenant(
    db: Database,
    plugins: AlurPlugins,
    plugin: LoadedPlugin,
    prefix: str,
    people: _People,
    report: DemoReport,
    now: datetime,
    history: bool = True,
) -> DemoTenant:
    slug = _tenant_slug(plugin)
    name = plugin.institution.name if plugin.institution else plugin.name
    staffed = await staffed_office(plugins, plugin, slug, name, prefix, people, report)
    if isinstance(staffed, DemoTenant):
        return staffed
    result, row, users, admin_id = staffed
    if await Case.exists().where(Case.tenant == row["id"]):
        return result
    service = TenantService(db, plugins, row)
    calendar = await calendar_for(row)
    sops = sorted(service.sops().values(), key=lambda d: d.id)
    if history:  # first: the office's chain runs in time order
        taken = story_periods(calendar, now)
        for d in sops:
            result.cases += await demo_history(
                service, d, users, admin_id, calendar, now, report.password, taken
            )
    for d in sops:
        for story in STORIES:
            driver = StoryDriver(service, d, users, admin_id, calendar, now, report.password)
            case = await driver.run(story)
            if case is not None:
                result.cases.append(case)
    if history:  # the monev form of the half-year so far, from that history
        await open_demo_monev(db, plugins, slug, admin_id, lambda: now)
    return result


Staffed = tuple[DemoTenant, dict[str, Any], dict[tuple[str, str | None], int], int]


async def staffed_office(
    plugins: AlurPlugins,
    plugin: LoadedPlugin,
    slug: str,
    name: str,
    prefix: str,
    people: _People,
    report: DemoReport,
    jabatan: Mapping[str, str] | None = None,
) -> Staffed | DemoTenant:
    """Office ``slug`` on ``plugin`` (created when missing) with its administrator and one
    person per pelaksana (``jabatan``: a title for a role's holder instead of the role's
    name); (the report's entry, the office row, the user ids by (role, unit), the
    administrator's id) — or just the entry, saying why, for an office of another plugin."""
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
    pangkat = _signers_pangkat(plugin)
    for role in plugin.roles:
        for unit in units if role.per_unit else [None]:
            parts = (prefix, role.id, unit["slug"]) if unit else (prefix, role.id)
            username = _username(*parts)
            what = f"{role.name}, {unit['name']}" if unit else role.name
            title = (jabatan or {}).get(role.id, what)
            user_id, shown, new = await people.user(username, title, pangkat.get(role.id, ""))
            await _member(row["id"], user_id, role.id, unit["id"] if unit else None)
            users[(role.id, unit["slug"] if unit else None)] = user_id
            report.logins.append(DemoLogin(username, shown, slug, what, new))
    return result, row, users, admin_id
