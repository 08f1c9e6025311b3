"""Shared fixtures: a small SOP exercising every engine feature, actors, a calendar."""

from __future__ import annotations

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
from alur.core.engine import Actor, Context, Delegation, Membership

# Steps: 1 draft (start) -> 2 koreksi (gate, tidak->1) -> 3 isi (per unit, waktu set at
# start) -> 4 verifikasi (per-unit gate, tidak->3) -> 5 periksa rekap (gate after the join,
# tidak->3 back into the fan-out) -> 6 tanda tangan (end, no Plt/Plh).
SAMPLE_TOML = """
[sop]
id = "contoh"
version = "1"

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


# --- plugins (tests/test_plugins.py, tests/test_cli.py, tests/test_plugin_docs.py) ---------


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
