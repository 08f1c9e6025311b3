"""Shared fixtures of every folder of tests/: a small SOP exercising every engine feature,
actors, a calendar, throwaway plugins, the golden walks; and (from tests/database_fixtures.py)
the databases on SQLite and PostgreSQL and the two GraphQL offices."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from types import ModuleType

import pytest

from alur.core import (
    AlurPlugins,
    Institution,
    SopDefinition,
    Unit,
    WorkingCalendar,
    create_plugin_manager,
    hookimpl,
    loads_definition,
)
from alur.core.calendar import JAKARTA

# The tests' webhook receivers listen on 127.0.0.1, an internal address the webhook channel
# refuses unless the operator allows it (tests/notify/test_webhook_addresses.py tests both);
# set here, before any fixture, so the workers the tests start as processes inherit it.
os.environ.setdefault("ALUR_WEBHOOK_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128")
# Apps created in the test processes configure logging (alur.tenants.observability.logs): keep
# the suite's output at WARNING as before; tests/observability sets the levels it checks.
os.environ.setdefault("ALUR_LOG_LEVEL", "WARNING")
from alur.core.engine import Actor, Context, Delegation, Membership

# Steps: 1 draft (start) -> 2 koreksi (gate, tidak->1) -> 3 isi (per unit, waktu set at
# start) -> 4 verifikasi (per-unit gate, tidak->3) -> 5 periksa rekap (gate after the join,
# tidak->3 back into the fan-out) -> 6 tanda tangan (end, no Plt/Plh).
SAMPLE_TOML = """
[sop]
id = "contoh"
version = "1"
repeatable = true  # the tests start many cases of it, often for the same period

[header]
nomor = "001/SOP/2026"
nama = "Contoh Pengumpulan Data Kinerja"

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
kegiatan = "Membuat draft format data kinerja"
actor = "staf"
kind = "start"
waktu = "2 hari"

[[steps]]
number = 2
kegiatan = "Mengoreksi format data kinerja"
actor = "kasubag"
kind = "decision"
waktu = "10 menit"
[steps.gate]
question = "Format sudah benar?"
ya = 3
tidak = 1

[[steps]]
number = 3
kegiatan = "Mengisi data kinerja"
actor = "kabid"
per_unit = true
waktu = "Sesuai dengan waktu yang ditentukan"

[[steps]]
number = 4
kegiatan = "Memverifikasi data kinerja bidang"
actor = "staf"
kind = "decision"
per_unit = true
waktu = "1 hari"
[steps.gate]
question = "Data bidang sudah benar?"
ya = 5
tidak = 3

[[steps]]
number = 5
kegiatan = "Memeriksa rekap data kinerja"
actor = "kasubag"
kind = "decision"
waktu = "2 jam"
[steps.gate]
question = "Rekap sudah benar?"
ya = 6
tidak = 3

[[steps]]
number = 6
kegiatan = "Menandatangani data kinerja"
actor = "kepala"
kind = "end"
waktu = "10 menit"
delegable = false
"""

UNITS = ("bidang-a", "bidang-b")


def wib(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A datetime in Asia/Jakarta (WIB)."""
    return datetime(year, month, day, hour, minute, tzinfo=JAKARTA)


@pytest.fixture(scope="session")
def sample() -> SopDefinition:
    return loads_definition(SAMPLE_TOML, source="sample.toml")


@pytest.fixture(scope="session")
def calendar() -> WorkingCalendar:
    return WorkingCalendar()


class People:
    """One actor per role of the sample SOP, plus delegations and an administrator."""

    staf = Actor("u-staf", "Sari (Staf)", (Membership("staf"),))
    kasubag = Actor("u-kasubag", "Kurnia (Kasubag)", (Membership("kasubag"),))
    kabid_a = Actor("u-kabid-a", "Agus (Kabid A)", (Membership("kabid", "bidang-a"),))
    kabid_b = Actor("u-kabid-b", "Bambang (Kabid B)", (Membership("kabid", "bidang-b"),))
    kepala = Actor("u-kepala", "Kartini (Kepala)", (Membership("kepala"),))
    plh_kepala = Actor(
        "u-sekretaris",
        "Slamet (Sekretaris)",
        (Membership("kepala", None, Delegation.PLH, "u-kepala", "Kartini (Kepala)"),),
    )
    plh_kabid_a = Actor(
        "u-staf-2",
        "Dewi (Staf)",
        (
            Membership("staf"),
            Membership("kabid", "bidang-a", Delegation.PLH, "u-kabid-a", "Agus (Kabid A)"),
        ),
    )
    admin = Actor("u-admin", "Admin", (), administrator=True)


@pytest.fixture
def people() -> type[People]:
    return People


@pytest.fixture(scope="session")
def ctx(calendar: WorkingCalendar) -> Callable[..., Context]:
    """``ctx(actor, when=None)``: a context at ``when`` (default Monday 23 Nov 2026 09:00)."""

    def make(actor: Actor, when: datetime | None = None) -> Context:
        return Context(actor=actor, now=when or wib(2026, 11, 23, 9, 0), calendar=calendar)

    return make


@pytest.fixture(name="wib")
def wib_fixture() -> Callable[..., datetime]:
    """The :func:`wib` helper as a fixture, for test modules."""
    return wib


@pytest.fixture
def sample_mapping() -> dict:
    """The sample SOP as a fresh, mutable mapping (edit it to make broken variants)."""
    import tomllib

    return tomllib.loads(SAMPLE_TOML)


# --- plugins (tests/core/test_plugins.py, tests/cli/test_cli.py, tests/docs/test_plugin_docs.py) --


def _plugin_module(name: str, **hooks: Callable[..., object]) -> ModuleType:
    """A throwaway plugin: a module whose attributes are ``hooks``, marked ``@hookimpl``."""
    module = ModuleType(name)
    for hook, function in hooks.items():
        setattr(module, hook, hookimpl(function))
    return module


@pytest.fixture(name="make_plugin")
def make_plugin_fixture() -> Callable[..., ModuleType]:
    """``make_plugin(name, alur_hook=function, ...)``: a module-like throwaway plugin."""
    return _plugin_module


@pytest.fixture
def contoh_plugin(sample: SopDefinition) -> ModuleType:
    """A working plugin with the sample SOP, institution "dinas-contoh" and two units."""
    return _plugin_module(
        "contoh",
        alur_institution=lambda: Institution(slug="dinas-contoh", name="Dinas Contoh"),
        alur_roles=lambda: list(sample.roles),
        alur_units=lambda: [Unit(u, u.replace("-", " ").title()) for u in UNITS],
        alur_sop_definitions=lambda: [sample],
    )


@pytest.fixture
def plugin_manager(contoh_plugin: ModuleType) -> AlurPlugins:
    """A fresh manager without the installed plugins, holding ``contoh`` version 1.2.3."""
    manager = create_plugin_manager(load_entrypoints=False, environ={})
    loaded = manager.register(contoh_plugin, name="contoh", version="1.2.3")
    assert loaded.ok, loaded.errors
    return manager


# --- golden walks (tests/core/test_golden_walks_*.py) --------------------------------------

from alur.core import Answer  # noqa: E402
from alur.core.engine import (  # noqa: E402
    CaseState,
    Claim,
    Complete,
    Decide,
    Event,
    EventKind,
    StartCase,
    Task,
    act,
    open_tasks_for,
    start,
)


class Walk:
    """One case carried through an installed SOP on a fake clock, keeping every event.

    ``do(step, unit, what, who, at)`` finds the one open task of ``step`` (for ``unit``),
    checks that it is on ``who``'s worklist, acts (``what``: "claim", "complete", "ya" or
    "tidak") at time ``at`` and returns the kinds of the events produced, space-separated.
    """

    def __init__(
        self,
        definition: SopDefinition,
        calendar: WorkingCalendar,
        who: Actor,
        at: datetime,
        **case: object,
    ) -> None:
        self.definition = definition
        self.calendar = calendar
        t = start(definition, StartCase(**case), Context(who, at, calendar))  # type: ignore[arg-type]
        self.state: CaseState = t.state
        self.events: list[Event] = list(t.events)

    def task(self, step: int, unit: str | None = None) -> Task:
        found = [t for t in self.state.open_tasks.values() if (t.step, t.unit) == (step, unit)]
        assert len(found) == 1, f"step {step} ({unit}) is not open; open: {self.waiting}"
        return found[0]

    @property
    def waiting(self) -> list[tuple[int, str | None]]:
        """(step, unit) of every open task, oldest task first."""
        return [(t.step, t.unit) for t in sorted(self.state.open_tasks.values())]

    def do(
        self, step: int, unit: str | None, what: str, who: Actor, at: datetime, note: str = ""
    ) -> str:
        task = self.task(step, unit)
        listed = task in open_tasks_for(self.definition, self.state, who, at)
        action = {
            "claim": Claim(task.id),
            "complete": Complete(task.id, note),
            "ya": Decide(task.id, Answer.YA, note),
            "tidak": Decide(task.id, Answer.TIDAK, note),
        }[what]
        t = act(self.definition, self.state, action, Context(who, at, self.calendar))
        assert listed, f"task {task.id} (step {step}, {unit}) was not on {who.name}'s worklist"
        first = t.events[0]
        role = self.definition.steps_by_number[step].actor
        assert (first.actor, first.task, first.step, first.unit, first.role) == (
            who.id,
            task.id,
            step,
            unit,
            role,
        )
        self.state = t.state
        self.events.extend(t.events)
        return " ".join(str(e.kind) for e in t.events)

    def opened(self) -> list[tuple[int, str | None, datetime, datetime | None]]:
        """(step, unit, opened at, due) of every task opened so far, in order."""
        return [
            (e.step, e.unit, e.at, e.due)  # type: ignore[misc]
            for e in self.events
            if e.kind is EventKind.TASK_OPENED
        ]


@pytest.fixture(scope="session")
def installed() -> AlurPlugins:
    """The installed institution plugins (their entry points), none disabled."""
    return create_plugin_manager(environ={})


@pytest.fixture
def walk(installed: AlurPlugins, calendar: WorkingCalendar) -> Callable[..., Walk]:
    """``walk(plugin, sop_id, who, at, **StartCase fields)``: a started :class:`Walk`."""

    def make(plugin: str, sop_id: str, who: Actor, at: datetime, **case: object) -> Walk:
        return Walk(installed.sop(plugin, sop_id), calendar, who, at, **case)

    return make


# --- storage (tests/storage/test_database.py and every test that touches the database) ------
#
# ``database`` (a fresh, migrated, empty database per test, on SQLite and on PostgreSQL),
# ``database_url``, ``fresh_databases``, ``cheap_hasher`` and ``world``: see
# tests/database_fixtures.py. Importing them here makes them fixtures of every folder.

from tests.database_fixtures import (  # noqa: E402, F401
    anyio_backend,
    cheap_hasher,
    database,
    database_url,
    fresh_databases,
    postgres_server,
    postgres_template,
    sqlite_template,
    world,
)
