"""The plugin manager: registering, rejected and failing plugins, invalid definitions,
disabling, entry points.

Plugins here are throwaway modules registered in-process (``make_plugin`` in conftest.py).
Event hooks and the installed institution plugins: test_plugin_hooks.py.
"""

from __future__ import annotations

import sys
from importlib.metadata import EntryPoint
from types import ModuleType
from typing import Any

import pytest
from pluggy import PluginManager

import alur.core.plugins as plugins_module
from alur.core import (
    AlurPlugins,
    DefinitionError,
    Institution,
    Role,
    SopDefinition,
    Unit,
    create_plugin_manager,
    hookimpl,
    loads_definition,
)
from alur.core.errors import PluginNameTaken, PluginNotFound, SopNotFound
from tests.core.plugins_helpers import MakePlugin, boom, fresh

# --- registering ------------------------------------------------------------------------


def test_register_a_throwaway_plugin(plugin_manager: AlurPlugins, sample: SopDefinition) -> None:
    loaded = plugin_manager.get("contoh")
    assert loaded.ok
    assert loaded.status == "ok"
    assert (loaded.name, loaded.version) == ("contoh", "1.2.3")
    assert loaded.institution == Institution(slug="dinas-contoh", name="Dinas Contoh")
    assert loaded.roles == sample.roles
    assert [u.id for u in loaded.units] == ["bidang-a", "bidang-b"]
    assert dict(loaded.sops) == {"contoh": sample}
    assert plugin_manager.sop("contoh", "contoh") is sample
    assert plugin_manager.plugins() == [loaded]
    assert plugin_manager.load_errors == []


def test_unregister_forgets_the_plugin_and_its_hooks(
    plugin_manager: AlurPlugins, make_plugin: MakePlugin, sample: SopDefinition
) -> None:
    plugin_manager.register(make_plugin("v", alur_validate_step_data=lambda: ["no"]), "v")
    step = sample.step(1)
    assert plugin_manager.validate_step_data(sample, step, None, {}, plugin="v") == ["no"]
    plugin_manager.unregister("v")
    assert plugin_manager.validate_step_data(sample, step, None, {}, plugin="v") == []
    with pytest.raises(PluginNotFound):
        plugin_manager.get("v")


def test_plugins_are_sorted_and_names_unique(
    plugin_manager: AlurPlugins, make_plugin: MakePlugin
) -> None:
    plugin_manager.register(make_plugin("b"), "b")
    plugin_manager.register(make_plugin("a"), "a")
    assert [p.name for p in plugin_manager.plugins()] == ["a", "b", "contoh"]
    with pytest.raises(PluginNameTaken, match='"a" is already registered'):
        plugin_manager.register(make_plugin("a2"), "a")


def test_lookup_errors_list_what_exists(plugin_manager: AlurPlugins) -> None:
    with pytest.raises(PluginNotFound, match=r"no plugin named \"nope\" \(installed: contoh\)"):
        plugin_manager.get("nope")
    with pytest.raises(KeyError):  # typed errors are KeyErrors too
        plugin_manager.sop("nope", "contoh")
    with pytest.raises(SopNotFound, match=r'no SOP "x" \(available: contoh\)'):
        plugin_manager.sop("contoh", "x")


# --- rejected and failing plugins ------------------------------------------------------


def test_hookimpl_matching_no_spec_is_rejected(
    plugin_manager: AlurPlugins, make_plugin: MakePlugin, sample: SopDefinition
) -> None:
    typo = make_plugin(
        "typo",
        alur_sop_definition=lambda: [sample],  # missing "s"
        alur_validate_step_data=lambda: ["should never be called"],
    )
    loaded = plugin_manager.register(typo, "typo")
    assert loaded.status == "failed"
    [error] = loaded.errors
    assert error.plugin == "typo"
    assert error.hook == "alur_sop_definition"
    assert 'hook "alur_sop_definition" matches no hook specification' in error.message
    assert "known hooks: alur_case_started" in error.message
    assert "alur_sop_definitions" in error.message
    assert plugin_manager.load_errors == [error]
    # The rejected plugin is unregistered: its other hooks are never called.
    assert plugin_manager.validate_step_data(sample, sample.step(1), None, {}, plugin="typo") == []
    assert plugin_manager.get("contoh").ok


def test_optional_hookimpl_without_spec_is_allowed(
    plugin_manager: AlurPlugins, make_plugin: MakePlugin
) -> None:
    plugin = make_plugin("future")
    plugin.alur_from_a_newer_version = hookimpl(optionalhook=True)(lambda: None)
    assert plugin_manager.register(plugin, "future").ok


def test_pluggy_validation_error_is_reported(
    plugin_manager: AlurPlugins, make_plugin: MakePlugin
) -> None:
    bad = make_plugin("bad", alur_case_started=lambda case, tenant: None)  # no "tenant"
    loaded = plugin_manager.register(bad, "bad")
    [error] = loaded.errors
    assert error.exception_type == "PluginValidationError"
    assert "tenant" in error.message
    assert error.message.startswith("cannot register the plugin")


def test_hook_wrappers_are_rejected(plugin_manager: AlurPlugins) -> None:
    class Wrapper:
        @hookimpl(wrapper=True)
        def alur_case_started(self) -> Any:
            return (yield)

    [error] = plugin_manager.register(Wrapper(), "wrapper").errors
    assert "wrappers are not supported" in error.message


def test_raising_plugin_is_isolated(
    plugin_manager: AlurPlugins, make_plugin: MakePlugin, sample: SopDefinition
) -> None:
    broken = make_plugin(
        "broken",
        alur_institution=lambda: Institution("broken", "Broken"),
        alur_sop_definitions=boom,
        alur_case_started=lambda: pytest.fail("a failed plugin must not be called"),
    )
    loaded = plugin_manager.register(broken, "broken")
    assert not loaded.ok
    assert loaded.institution is None
    assert not loaded.sops
    [error] = loaded.errors
    assert (error.plugin, error.hook, error.exception_type) == (
        "broken",
        "alur_sop_definitions",
        "RuntimeError",
    )
    assert "boom" in error.message
    assert "RuntimeError" in str(error)
    assert plugin_manager.load_errors == [error]
    # The other plugin keeps working, and the broken one is out of the event hooks.
    assert plugin_manager.sop("contoh", "contoh") is sample
    assert plugin_manager.case_started(object(), sample, object(), plugin="broken") == []  # type: ignore[arg-type]
    with pytest.raises(SopNotFound, match="failed to load"):
        plugin_manager.sop("broken", "x")


BROKEN_TOML = """
[sop]
id = "rusak"
version = "1"
[header]
nomor = "1"
nama = "Rusak"
[[roles]]
id = "staf"
name = "Staf"
[[steps]]
number = 1
kegiatan = "Mulai"
actor = "staf"
kind = "start"
waktu = "sebentar"
[[steps]]
number = 2
kegiatan = "Memutuskan"
actor = "kabid"
kind = "decision"
waktu = "1 hari"
[steps.gate]
question = "Benar?"
ya = 3
tidak = 3
[[steps]]
number = 3
kegiatan = "Selesai"
actor = "staf"
kind = "end"
waktu = "1 hari"
"""


def test_invalid_toml_definition_reports_every_problem(make_plugin: MakePlugin) -> None:
    manager = fresh()
    plugin = make_plugin(
        "rusak", alur_sop_definitions=lambda: [loads_definition(BROKEN_TOML, source="rusak.toml")]
    )
    [error] = manager.register(plugin, "rusak").errors
    assert error.exception_type == "DefinitionError"
    assert error.hook == "alur_sop_definitions"
    by_code = {p.code: p for p in error.problems}
    assert {"duration_unparseable", "unknown_actor", "tidak_not_earlier"} <= set(by_code)
    assert by_code["duration_unparseable"].step == 1
    assert by_code["unknown_actor"].step == 2
    assert by_code["tidak_not_earlier"].step == 2
    assert all(p.plugin == "rusak" and p.file == "rusak.toml" for p in error.problems)
    assert "rusak: rusak.toml: SOP rusak: step 2:" in str(by_code["unknown_actor"])
    assert manager.get("rusak").problems == error.problems


def test_invalid_python_definition_is_validated(
    make_plugin: MakePlugin, sample: SopDefinition
) -> None:
    from dataclasses import replace

    steps = (replace(sample.steps[0], actor="nobody"), *sample.steps[1:])
    wrong = replace(sample, id="salah", steps=steps)
    [error] = fresh().register(make_plugin("p", alur_sop_definitions=lambda: [wrong]), "p").errors
    assert error.exception_type == ""  # found by the manager, not raised by the plugin
    assert 'SOP "salah" is invalid' in error.message
    [problem] = error.problems
    assert (problem.plugin, problem.sop, problem.step, problem.code) == (
        "p",
        "salah",
        1,
        "unknown_actor",
    )


def test_definition_error_keeps_every_problem(make_plugin: MakePlugin) -> None:
    def raise_it() -> list[SopDefinition]:
        raise DefinitionError([])

    loaded = fresh().register(make_plugin("p", alur_sop_definitions=raise_it), "p")
    assert loaded.errors[0].exception_type == "DefinitionError"


@pytest.mark.parametrize(
    ("hook", "answer", "expected"),
    [
        ("alur_institution", "dinas", "must return an Institution"),
        ("alur_institution", Institution(slug=" ", name="X"), "needs a slug and a name"),
        ("alur_roles", ["staf"], "must return a list of Role"),
        ("alur_roles", None, "must return a list of Role"),
        ("alur_units", {"a": Unit("a", "A")}, "must return a list of Unit"),
        ("alur_sop_definitions", "contoh.toml", "must return a list of SopDefinition"),
        ("alur_roles", [Role("a", "A"), Role("a", "B")], 'role id "a" is returned more than once'),
        ("alur_units", [Unit("u", "U"), Unit("u", "U")], 'unit id "u" is returned more than once'),
        ("alur_units", [Unit("", "U")], "a unit has an empty id"),
    ],
)
def test_answers_are_type_checked(
    make_plugin: MakePlugin, hook: str, answer: object, expected: str
) -> None:
    [error] = fresh().register(make_plugin("p", **{hook: lambda: answer}), "p").errors
    assert error.hook == hook
    assert expected in error.message


def test_duplicate_sop_ids_within_a_plugin(make_plugin: MakePlugin, sample: SopDefinition) -> None:
    [error] = (
        fresh().register(make_plugin("p", alur_sop_definitions=lambda: [sample] * 2), "p").errors
    )
    assert 'SOP id "contoh" (sample.toml) is already used by sample.toml' in error.message


def test_same_sop_id_in_two_plugins_is_fine(
    plugin_manager: AlurPlugins, make_plugin: MakePlugin, sample: SopDefinition
) -> None:
    assert plugin_manager.register(make_plugin("q", alur_sop_definitions=lambda: [sample]), "q").ok


def test_duplicate_institution_slug_fails_the_later_plugin(
    plugin_manager: AlurPlugins, make_plugin: MakePlugin
) -> None:
    twin = make_plugin("twin", alur_institution=lambda: Institution("dinas-contoh", "Kembar"))
    [error] = plugin_manager.register(twin, "twin").errors
    assert 'slug "dinas-contoh" is already used by plugin "contoh"' in error.message
    assert plugin_manager.get("contoh").ok


# --- disabling ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["contoh", "other,contoh", " other  contoh ", "contoh,"])
def test_disabled_by_environment(
    contoh_plugin: ModuleType, make_plugin: MakePlugin, value: str
) -> None:
    manager = create_plugin_manager(load_entrypoints=False, environ={"ALUR_DISABLE_PLUGINS": value})
    loaded = manager.register(contoh_plugin, "contoh", "1.0")
    assert (loaded.disabled, loaded.ok, loaded.status, loaded.version) == (
        True,
        False,
        "disabled",
        "1.0",
    )
    assert loaded.sops == {}
    assert manager.plugins() == [loaded]
    assert manager.load_errors == []
    with pytest.raises(SopNotFound, match="disabled"):
        manager.sop("contoh", "contoh")
    other = make_plugin("o", alur_sop_definitions=boom)  # never asked
    assert manager.register(other, "other").disabled == ("other" in value)


def test_disabled_argument(contoh_plugin: ModuleType) -> None:
    manager = create_plugin_manager(load_entrypoints=False, disabled=["contoh"], environ={})
    assert manager.register(contoh_plugin, "contoh").disabled


def test_environment_default_is_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALUR_DISABLE_PLUGINS", "satpolpp_banyumas")
    manager = create_plugin_manager()
    assert manager.get("satpolpp_banyumas").disabled


# --- entry points ------------------------------------------------------------------------


def test_entry_points_are_loaded_and_import_errors_isolated(
    monkeypatch: pytest.MonkeyPatch, contoh_plugin: ModuleType
) -> None:
    monkeypatch.setitem(sys.modules, "contoh_plugin_module", contoh_plugin)
    group = plugins_module.ENTRY_POINT_GROUP
    eps = [
        EntryPoint("missing", "no_such_module_for_alur_tests", group),
        EntryPoint("contoh", "contoh_plugin_module", group),
        EntryPoint("contoh", "contoh_plugin_module", group),  # a second distribution
        EntryPoint("off", "no_such_module_either", group),
    ]
    monkeypatch.setattr(plugins_module, "entry_points", lambda group: eps)
    manager = create_plugin_manager(environ={"ALUR_DISABLE_PLUGINS": "off"})
    assert [(p.name, p.status) for p in manager.plugins()] == [
        ("contoh", "ok"),
        ("missing", "failed"),
        ("off", "disabled"),
    ]
    [missing, duplicate] = manager.load_errors
    assert missing.exception_type == "ModuleNotFoundError"
    assert 'cannot import "no_such_module_for_alur_tests"' in missing.message
    assert "another installed plugin has this name" in duplicate.message


def test_no_manager_lives_at_module_level() -> None:
    import alur.core

    for module in (plugins_module, alur.core):
        assert not [v for v in vars(module).values() if isinstance(v, AlurPlugins | PluginManager)]
    assert create_plugin_manager(load_entrypoints=False).plugins() == []
    assert create_plugin_manager() is not create_plugin_manager()
