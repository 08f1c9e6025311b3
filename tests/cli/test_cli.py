"""The ``alur`` command line, through click's CliRunner.

Plugins are injected through click's ``obj``: the root group accepts an ``AlurPlugins`` or a
factory of one (see ``alur.cli.context``). Without ``obj`` the CLI loads the installed
plugins, which the last tests use.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner, Result

from alur.cli.main import cli
from alur.core import AlurPlugins, SopDefinition, definition_from_mapping, loads_definition

WIDE = {"COLUMNS": "250"}  # rich wraps table cells to the terminal width


def run(plugins: AlurPlugins | None, *args: str, env: dict[str, str] | None = None) -> Result:
    obj = None if plugins is None else (lambda: plugins)
    return CliRunner().invoke(cli, list(args), obj=obj, env={**WIDE, **(env or {})})


@pytest.fixture
def broken_manager(
    plugin_manager: AlurPlugins, make_plugin: Callable[..., ModuleType]
) -> AlurPlugins:
    text = """
[sop]
id = "rusak"
version = "1"
[header]
nomor = "9"
nama = "Rusak"
[[roles]]
id = "staf"
name = "Staf"
[[steps]]
number = 1
kegiatan = "Mulai"
actor = "kabid"
kind = "start"
waktu = "1 hari"
[[steps]]
number = 2
kegiatan = "Selesai"
actor = "staf"
kind = "end"
waktu = "1 hari"
"""
    plugin = make_plugin(
        "rusak", alur_sop_definitions=lambda: [loads_definition(text, source="sop/rusak.toml")]
    )
    plugin_manager.register(plugin, "rusak", "0.1")
    return plugin_manager


# --- alur plugins list / check -----------------------------------------------------------


def test_plugins_list_table(plugin_manager: AlurPlugins) -> None:
    result = run(plugin_manager, "plugins", "list")
    assert result.exit_code == 0, result.output
    for text in ("contoh", "1.2.3", "Dinas Contoh", "(dinas-contoh)", "contoh: Contoh Pengumpulan"):
        assert text in result.output
    assert " ok " in result.output


def test_plugins_list_shows_failed_and_disabled(broken_manager: AlurPlugins) -> None:
    result = run(broken_manager, "plugins", "list")
    assert result.exit_code == 0
    assert "failed" in result.output
    assert 'actor "kabid" is not a declared role' in result.output


def test_plugins_list_json(broken_manager: AlurPlugins, sample: SopDefinition) -> None:
    result = run(broken_manager, "plugins", "list", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert [p["name"] for p in data] == ["contoh", "rusak"]
    contoh, rusak = data
    assert set(contoh) == {
        "name", "version", "status", "institution", "sops", "roles", "units", "errors"
    }  # fmt: skip
    assert contoh["status"] == "ok"
    assert contoh["institution"] == {
        "slug": "dinas-contoh",
        "name": "Dinas Contoh",
        "government": "",
    }
    assert contoh["sops"] == [
        {
            "id": "contoh",
            "nama": sample.header.nama,
            "nomor": sample.header.nomor,
            "version": "1",
            "content_hash": sample.content_hash,
        }
    ]
    assert contoh["units"] == ["bidang-a", "bidang-b"]
    assert rusak["status"] == "failed"
    assert rusak["sops"] == []
    [error] = rusak["errors"]
    assert error["hook"] == "alur_sop_definitions"
    assert error["exception_type"] == "DefinitionError"
    assert {"message", "code", "file", "sop", "step"} == set(error["problems"][0])
    assert error["problems"][0]["step"] == 1


def test_plugins_list_without_plugins() -> None:
    from alur.core import create_plugin_manager

    result = run(create_plugin_manager(load_entrypoints=False), "plugins", "list")
    assert result.exit_code == 0
    assert "No plugins installed" in result.output


def test_plugins_check_ok(plugin_manager: AlurPlugins) -> None:
    result = run(plugin_manager, "plugins", "check")
    assert result.exit_code == 0
    assert result.output == "OK: 1 plugin(s), 1 SOP(s) valid\n"


def test_plugins_check_reports_every_problem(broken_manager: AlurPlugins) -> None:
    result = run(broken_manager, "plugins", "check")
    assert result.exit_code == 1
    assert (
        "rusak (alur_sop_definitions): DefinitionError: 1 problem(s) in its SOP definitions"
        in result.stdout
    )
    assert (
        '  rusak: sop/rusak.toml: SOP rusak: step 1: actor "kabid" is not a declared role'
        in result.stdout
    )
    assert "FAILED: 1 problem(s) in 1 plugin(s)" in result.stderr
    assert "Traceback" not in result.output


BROKEN_TOML = """
[sop]
id = "rusak"
version = "1"
[header]
nomor = "9"
nama = "Rusak"
warna = "merah"
[[roles]]
id = "staf"
name = "Staf"
[[steps]]
number = 1
kegiatan = "Mulai"
actor = "staf"
kind = "start"
waktu = "sebentar"
warna = "biru"
[[steps]]
number = 2
kegiatan = "Selesai"
actor = "staf"
kind = "end"
waktu = "1 hari"
"""


def test_plugins_check_counts_problems_and_locates_each_once(
    plugin_manager: AlurPlugins, make_plugin: Callable[..., ModuleType]
) -> None:
    plugin = make_plugin(
        "rusak",
        alur_sop_definitions=lambda: [loads_definition(BROKEN_TOML, source="sop/rusak.toml")],
    )
    plugin_manager.register(plugin, "rusak", "0.1")
    result = run(plugin_manager, "plugins", "check")
    assert result.exit_code == 1
    listed = [line.strip() for line in result.stdout.splitlines() if line.startswith("  ")]
    header_keys = (
        "dasar_hukum, disahkan_oleh, keterkaitan, kualifikasi_pelaksana, nama, nomor, "
        "pencatatan_pendataan, peralatan_perlengkapan, peringatan, tanggal_efektif, "
        "tanggal_pembuatan, tanggal_revisi"
    )
    assert listed == [
        f'rusak: sop/rusak.toml: SOP rusak: unknown key "warna" in [header] (known keys: {header_keys})',
        'rusak: sop/rusak.toml: SOP rusak: step 1: unknown key "warna" in the step (known keys: '
        "actor, clock, data, delegable, gate, kegiatan, kelengkapan, keterangan, kind, next, number, "
        "office_fixed, output, per_unit, waktu, waktu_menit)",
        'rusak: sop/rusak.toml: SOP rusak: step 1: cannot read waktu "sebentar": write a '
        'number and menit, jam or hari (e.g. "10 menit", "2 hari") or "Sesuai dengan waktu '
        'yang ditentukan"',
    ]
    assert result.stderr == "FAILED: 3 problem(s) in 1 plugin(s)\n"
    shown = run(plugin_manager, "plugins", "list").stdout
    assert "failed (3 problem(s), see below)" in " ".join(shown.split())


def test_plugins_check_counts_disabled(contoh_plugin: ModuleType) -> None:
    from alur.core import create_plugin_manager

    manager = create_plugin_manager(load_entrypoints=False, disabled=["contoh"])
    manager.register(contoh_plugin, "contoh")
    result = run(manager, "plugins", "check")
    assert result.exit_code == 0
    assert "0 plugin(s), 0 SOP(s) valid, 1 disabled by ALUR_DISABLE_PLUGINS" in result.output


# --- alur sop show / export --------------------------------------------------------------


def test_sop_show(plugin_manager: AlurPlugins, sample: SopDefinition) -> None:
    result = run(plugin_manager, "sop", "show", "contoh", "contoh")
    assert result.exit_code == 0, result.output
    out = result.output
    assert max(len(line) for line in out.splitlines()) <= 250  # fits the terminal
    assert sample.header.nomor in out
    for label in ("Nomor SOP", "Tanggal Pembuatan", "Disahkan oleh", "Dasar Hukum", "Peringatan"):
        assert label in out
    for step in sample.steps:
        assert step.kegiatan in out
    for role in sample.roles:
        assert role.name in out
    for column in ("No", "Kegiatan", "Kelengkapan", "Waktu", "Output", "Ket."):
        assert column in out
    assert "( )" in out
    assert "< >" in out
    assert "[ ]" in out
    assert "ya→3 / tidak→1" in out
    assert "per unit" in out
    assert "ditentukan" in out  # "Sesuai dengan waktu yang ditentukan", wrapped


def test_sop_show_symbol_is_in_the_actor_column(plugin_manager: AlurPlugins) -> None:
    out = run(plugin_manager, "sop", "show", "contoh", "contoh").output
    header = next(line for line in out.splitlines() if "Kegiatan" in line and "Staf" in line)
    row = next(line for line in out.splitlines() if "Membuat draft format" in line)
    assert row.index("( )") in range(header.index("Staf") - 2, header.index("Staf") + 5)


def test_sop_show_narrow_terminal(plugin_manager: AlurPlugins) -> None:
    result = run(plugin_manager, "sop", "show", "contoh", "contoh", env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert all(len(line) <= 80 for line in result.output.splitlines())
    assert "Pelaksana" in result.output  # the compact layout names the actor per step
    assert "< >" in result.output


@pytest.mark.parametrize("fmt", ["json", "toml"])
def test_sop_export_round_trips(
    plugin_manager: AlurPlugins, sample: SopDefinition, fmt: str
) -> None:
    result = run(plugin_manager, "sop", "export", "contoh", "contoh", "--format", fmt)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output) if fmt == "json" else tomllib.loads(result.output)
    assert data["sop"]["content_hash"] == sample.content_hash
    assert data["steps"][0]["waktu_menit"] == 2 * 510  # 2 hari of 07:30-16:00
    assert "waktu_menit" not in data["steps"][2]  # set when the case starts
    loaded = definition_from_mapping(data)
    assert loaded == sample
    assert loaded.content_hash == sample.content_hash


def test_sop_export_to_file(
    plugin_manager: AlurPlugins, sample: SopDefinition, tmp_path: Path
) -> None:
    target = tmp_path / "contoh.toml"
    result = run(
        plugin_manager, "sop", "export", "contoh", "contoh", "--format", "toml", "-o", str(target)
    )
    assert result.exit_code == 0
    assert result.stdout == ""
    assert f"wrote {target}" in result.stderr
    assert loads_definition(target.read_text(encoding="utf-8")) == sample


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("sop", "show", "nope", "contoh"), 'no plugin named "nope" (installed: contoh)'),
        (("sop", "export", "nope", "x"), 'no plugin named "nope" (installed: contoh)'),
        (("sop", "show", "contoh", "x"), 'plugin "contoh" has no SOP "x" (available: contoh)'),
        (("sop", "export", "contoh", "x"), 'plugin "contoh" has no SOP "x" (available: contoh)'),
    ],
)
def test_unknown_plugin_or_sop(
    plugin_manager: AlurPlugins, args: tuple[str, ...], expected: str
) -> None:
    result = run(plugin_manager, *args)
    assert result.exit_code == 2
    assert expected in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_obj_may_be_a_manager(plugin_manager: AlurPlugins) -> None:
    result = CliRunner().invoke(cli, ["plugins", "check"], obj=plugin_manager)
    assert result.exit_code == 0


# --- the installed plugins ---------------------------------------------------------------


def installed_sops() -> list[tuple[str, str]]:
    from alur.core import create_plugin_manager

    manager = create_plugin_manager(environ={})
    return [(p.name, sop_id) for p in manager.plugins() if p.ok for sop_id in p.sops]


def test_installed_plugins_check_and_list() -> None:
    result = run(None, "plugins", "check", env={"ALUR_DISABLE_PLUGINS": ""})
    assert result.exit_code == 0, result.output
    names = {p["name"] for p in json.loads(run(None, "plugins", "list", "--format", "json").output)}
    assert {"biro_organisasi_kalbar", "kesbangpol_pekalongan", "satpolpp_banyumas"} <= names


def test_installed_plugins_can_be_disabled() -> None:
    env = {"ALUR_DISABLE_PLUGINS": "satpolpp_banyumas"}
    data = json.loads(run(None, "plugins", "list", "--format", "json", env=env).output)
    status = {p["name"]: p["status"] for p in data}
    assert status["satpolpp_banyumas"] == "disabled"
    result = run(None, "sop", "show", "satpolpp_banyumas", "x", env=env)
    assert result.exit_code == 2
    assert "disabled" in result.output


@pytest.mark.parametrize(("plugin", "sop_id"), installed_sops())
def test_installed_sops_show_and_export(plugin: str, sop_id: str) -> None:
    from alur.core import create_plugin_manager

    definition = create_plugin_manager(environ={}).sop(plugin, sop_id)
    env: dict[str, Any] = {"COLUMNS": "1000", "ALUR_DISABLE_PLUGINS": ""}
    shown = run(None, "sop", "show", plugin, sop_id, env=env)
    assert shown.exit_code == 0, shown.output
    assert definition.header.nomor in shown.output
    for step in definition.steps:
        assert step.kegiatan in shown.output
    exported = run(None, "sop", "export", plugin, sop_id, "--format", "toml", env=env)
    assert definition_from_mapping(tomllib.loads(exported.output)) == definition


# --- listings never break identifiers -------------------------------------------------------


def installed_identifiers() -> list[str]:
    from alur.core import create_plugin_manager

    loaded = [p for p in create_plugin_manager(environ={}).plugins() if p.ok]
    return [
        *(p.name for p in loaded),
        *(p.institution.slug for p in loaded if p.institution),
        *(sop_id for p in loaded for sop_id in p.sops),
    ]


def test_plugins_list_piped_at_80_columns_keeps_identifiers_whole() -> None:
    # CliRunner's stdout is not a terminal: like `alur plugins list | grep …`.
    result = run(None, "plugins", "list", env={"COLUMNS": "80", "ALUR_DISABLE_PLUGINS": ""})
    assert result.exit_code == 0, result.output
    identifiers = installed_identifiers()
    assert len(identifiers) >= 9
    for identifier in identifiers:
        assert identifier in result.output, f"{identifier!r} is broken:\n{result.output}"


@pytest.mark.parametrize("width", [80, 200])
def test_plugins_table_on_a_terminal_keeps_identifiers_whole(width: int) -> None:
    from rich.console import Console

    from alur.cli.render import plugins_table, print_listing
    from alur.core import create_plugin_manager

    out = Console(width=width, force_terminal=True, record=True, markup=False, color_system=None)
    print_listing(plugins_table(create_plugin_manager(environ={}).plugins()), out)
    text = out.export_text()
    for identifier in installed_identifiers():
        assert identifier in text, f"{identifier!r} is broken:\n{text}"
    if width == 200:  # wide enough: the free text wraps within the terminal
        assert all(len(line) <= width for line in text.splitlines()), text
