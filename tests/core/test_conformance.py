"""alur.core.testing: the conformance helper for plugin authors.

It must pass a good plugin (walking every gate answer, including "tidak" with unit choices
after a join), and fail a broken one for the right reason: each problem listed, at once.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from alur.core import Institution, SopDefinition, definition_from_mapping, loads_definition
from alur.core.testing import FAKE_UNITS, assert_conformant, check_plugin

MakePlugin = Callable[..., ModuleType]


def plugin_of(make_plugin: MakePlugin, *definitions: SopDefinition, **hooks: Any) -> ModuleType:
    return make_plugin(
        "uji",
        alur_institution=lambda: Institution(slug="dinas-uji", name="Dinas Uji"),
        alur_sop_definitions=lambda: list(definitions),
        **hooks,
    )


def broken(mapping: dict, change: Callable[[dict], None]) -> Callable[[], list[SopDefinition]]:
    """An ``alur_sop_definitions`` that loads ``mapping`` after ``change`` (so the loader's
    DefinitionError is raised inside the hook, as with a plugin's TOML files)."""
    data = copy.deepcopy(mapping)
    change(data)
    return lambda: [definition_from_mapping(data, source="sop/uji.toml")]


def step(data: dict, number: int) -> dict:
    return next(s for s in data["steps"] if s["number"] == number)


def test_a_good_plugin_walks_every_gate_answer(make_plugin: MakePlugin, sample) -> None:
    decided: set[tuple[int, str, tuple[str, ...] | None]] = set()

    def gate_decided(step, answer, event) -> None:
        units = event.payload.get("units")
        decided.add((step.number, str(answer), tuple(units) if units else None))

    report = assert_conformant(
        plugin_of(make_plugin, sample, alur_gate_decided=gate_decided), name="uji"
    )
    assert report.ok
    [sop] = report.sops
    assert sop.unreached == ()
    assert sop.reached == {1, 2, 3, 4, 5, 6}
    assert sop.walks == sop.finished > 1
    assert not sop.truncated
    # Every answer of every gate, and after the join (5) a "tidak" for one unit only.
    assert {(2, "ya", None), (2, "tidak", None), (4, "ya", None), (4, "tidak", None)} <= decided
    assert (5, "tidak", None) in decided  # back to all units (the default)
    assert (5, "tidak", (FAKE_UNITS[0],)) in decided  # the plugin declares no units
    assert "is conformant: 1 SOP(s)" in str(report)


def test_the_bundled_plugins_are_conformant(installed) -> None:
    import alur_biro_organisasi_kalbar
    import alur_kesbangpol_pekalongan
    import alur_satpolpp_banyumas

    for module in (alur_biro_organisasi_kalbar, alur_kesbangpol_pekalongan, alur_satpolpp_banyumas):
        report = assert_conformant(module, name=module.PLUGIN)
        assert all(not s.truncated and s.walks >= 4 for s in report.sops)


def test_an_unreachable_step(make_plugin: MakePlugin, sample_mapping) -> None:
    def orphan(data: dict) -> None:  # step 7 follows nothing
        data["steps"].append(
            {"number": 7, "kegiatan": "Arsip", "actor": "staf", "kind": "end", "waktu": "5 menit"}
        )

    report = check_plugin(
        make_plugin("uji", alur_sop_definitions=broken(sample_mapping, orphan)), name="uji"
    )
    assert not report.ok
    assert [(p.code, p.step) for p in report.loaded.problems] == [("unreachable", 7)]
    assert report.problems == (
        "uji: sop/uji.toml: SOP contoh: step 7: no path from the start step reaches this step",
    )
    assert report.sops == ()  # nothing to walk: the plugin does not load


def test_a_gate_with_no_way_out(make_plugin: MakePlugin, sample_mapping) -> None:
    def loop(data: dict) -> None:  # step 5 answers "ya" back to step 3: 6 is never reached
        step(data, 5)["gate"]["ya"] = 3

    report = check_plugin(
        make_plugin("uji", alur_sop_definitions=broken(sample_mapping, loop)), name="uji"
    )
    found = {(p.code, p.step) for p in report.loaded.problems}
    assert {("no_path_to_end", n) for n in (1, 2, 3, 4, 5)} <= found
    assert ("unreachable", 6) in found
    with pytest.raises(AssertionError, match=r"step 5: no path leads from this step to an end"):
        assert_conformant(
            make_plugin("uji", alur_sop_definitions=broken(sample_mapping, loop)), name="uji"
        )


def test_invalid_toml_and_every_other_error_at_once(make_plugin: MakePlugin) -> None:
    plugin = make_plugin(
        "uji",
        alur_institution=lambda: "Dinas Uji",  # not an Institution
        alur_sop_definitions=lambda: [loads_definition("[sop\nid = 1", source="sop/uji.toml")],
    )
    report = check_plugin(plugin, name="uji")
    assert [p.code for p in report.loaded.problems] == ["toml_syntax"]
    assert len(report.problems) == 2
    message = str(report)
    assert message.startswith('plugin "uji" is not conformant (2 problem(s)):')
    assert "must return an Institution, not 'Dinas Uji'" in message
    assert "uji: sop/uji.toml: not valid TOML: " in message


def test_data_the_plugin_refuses_stops_the_walk(make_plugin: MakePlugin, sample) -> None:
    def validate(step, data) -> list[str]:
        if step.number == 1 and not data.get("draft"):
            return ["Lampirkan draft format."]
        return []

    plugin = plugin_of(make_plugin, sample, alur_validate_step_data=validate)
    report = check_plugin(plugin, name="uji")
    assert not report.ok
    [problem, unreached] = report.problems
    assert problem == (
        "SOP contoh: step 1: alur_validate_step_data refuses the data {}: Lampirkan draft "
        "format. (walk: 1)"
    )
    assert unreached == "SOP contoh: no walk reached step(s) 2, 3, 4, 5, 6 in 1 walk(s)"

    def step_data(definition, step, unit) -> dict[str, str]:
        return {"draft": "format.xlsx"} if step.number == 1 else {}

    assert_conformant(plugin, name="uji", step_data=step_data)


def test_an_event_hook_that_raises(make_plugin: MakePlugin, sample) -> None:
    def step_completed(step) -> None:
        if step.per_unit:
            raise RuntimeError("gateway down")

    report = check_plugin(
        plugin_of(make_plugin, sample, alur_step_completed=step_completed), name="uji"
    )
    assert report.problems[0] == (
        "SOP contoh: task_completed: uji (alur_step_completed): RuntimeError: gateway down "
        f"(walk: 1, 2 ya, 3[{FAKE_UNITS[0]}])"
    )
    assert len(report.problems) == 1  # each problem once, with the first walk that met it


def test_walks_are_bounded(make_plugin: MakePlugin, sample) -> None:
    report = check_plugin(plugin_of(make_plugin, sample), name="uji", max_walks=2)
    [sop] = report.sops
    assert (sop.walks, sop.truncated) == (2, True)
    assert report.ok  # the first walk ("ya" everywhere) already reaches every step


def test_a_plugin_without_sops(make_plugin: MakePlugin) -> None:
    report = check_plugin(make_plugin("uji", alur_units=lambda: []), name="uji")
    assert report.problems == ("the plugin has no SOP definitions (alur_sop_definitions)",)
