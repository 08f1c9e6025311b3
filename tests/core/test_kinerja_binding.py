"""Binding steps to data kinerja: ``data = "..."`` on a step, its rules, its snapshot, the
"ya" of a gate carrying data, and the bindings of the three institution plugins."""

from __future__ import annotations

import json

import pytest

from alur.core import (
    Answer,
    DataAction,
    DefinitionError,
    Problem,
    definition_from_mapping,
    loads_definition,
)
from alur.core.engine import Complete, Decide, EventKind, StartCase, act, replay, start
from alur.core.engine.codec import event_from_dict, event_to_dict
from alur.core.snapshot import definition_to_dict, definition_to_json, definition_to_toml

# The sample SOP (conftest.py): 1 draft format (start), 2 koreksi (gate, tidak->1),
# 3 isi (per unit), 4 verifikasi (per-unit gate, tidak->3), 5 periksa rekap (gate,
# tidak->3), 6 tanda tangan (end).
BOUND = {1: "design", 2: "design", 3: "fill", 4: "verify", 5: "paraf", 6: "sign"}


def bind(data: dict, bindings: dict[int, str]) -> dict:
    for s in data["steps"]:
        if s["number"] in bindings:
            s["data"] = bindings[s["number"]]
    return data


def problems_of(data: dict) -> list[Problem]:
    with pytest.raises(DefinitionError) as info:
        definition_from_mapping(data, source="contoh.toml", plugin="contoh_plugin")
    return list(info.value.problems)


def codes(problems: list[Problem]) -> set[tuple[str, int | None]]:
    return {(p.code, p.step) for p in problems}


def step(data: dict, number: int) -> dict:
    return next(s for s in data["steps"] if s["number"] == number)


def test_a_bound_definition_loads_with_its_actions(sample_mapping) -> None:
    d = definition_from_mapping(bind(sample_mapping, BOUND))
    assert {s.number: s.data for s in d.steps} == {n: DataAction(a) for n, a in BOUND.items()}
    assert d.step(3).data is DataAction.FILL


def test_unbound_steps_have_no_action(sample) -> None:
    assert all(s.data is None for s in sample.steps)


def test_an_unknown_action_lists_the_allowed_ones(sample_mapping) -> None:
    step(sample_mapping, 3)["data"] = "isi"
    (problem,) = problems_of(sample_mapping)
    assert (problem.code, problem.step) == ("bad_data_action", 3)
    assert '"isi"' in problem.message
    for action in ("design", "fill", "verify", "recap", "paraf", "sign", "archive"):
        assert action in problem.message
    assert str(problem).startswith("contoh_plugin: contoh.toml")


def test_an_action_must_be_text(sample_mapping) -> None:
    step(sample_mapping, 3)["data"] = 1
    assert codes(problems_of(sample_mapping)) == {("wrong_type", 3)}


def test_fill_needs_a_per_unit_step(sample_mapping) -> None:
    bind(sample_mapping, {1: "fill"})  # the start step runs once
    assert codes(problems_of(sample_mapping)) == {("fill_not_per_unit", 1)}


def test_fill_cannot_be_a_decision(sample_mapping) -> None:
    bind(sample_mapping, {4: "fill"})  # a per-unit gate: per unit, but it is never completed
    assert codes(problems_of(sample_mapping)) == {("fill_on_decision", 4)}


def test_at_most_one_fill_step(sample_mapping) -> None:
    sample_mapping["steps"].insert(
        3,
        {
            "number": 35,
            "kegiatan": "Melengkapi",
            "actor": "kabid",
            "per_unit": True,
            "waktu": "1 hari",
        },
    )
    step(sample_mapping, 3)["next"] = 35
    bind(sample_mapping, {3: "fill", 35: "fill"})
    found = problems_of(sample_mapping)
    assert codes(found) == {("fill_twice", 35)}
    assert "step 3 already" in found[0].message


@pytest.mark.parametrize("action", ["verify", "recap", "paraf", "sign", "archive"])
def test_working_on_data_needs_a_fill_step(sample_mapping, action: str) -> None:
    bind(sample_mapping, {5: action})
    assert codes(problems_of(sample_mapping)) == {("fill_missing", 5)}


def test_design_alone_needs_no_fill_step(sample_mapping) -> None:
    d = definition_from_mapping(bind(sample_mapping, {1: "design", 2: "design"}))
    assert d.step(2).data is DataAction.DESIGN


@pytest.mark.parametrize("action", ["verify", "recap", "paraf", "sign", "archive"])
def test_working_on_data_must_come_after_the_fill_step(sample_mapping, action: str) -> None:
    # Step 2 comes before the fill step 3, and no "tidak" leads back from 3 to 2.
    bind(sample_mapping, {2: action, 3: "fill"})
    found = problems_of(sample_mapping)
    assert codes(found) == {("data_before_fill", 2)}
    assert "step 3" in found[0].message


def test_a_step_reached_again_through_a_return_counts_as_after(sample_mapping) -> None:
    # Step 3 (fill) -> 4 -> 5; "tidak" of 4 and 5 go back to 3, so 4 and 5 are after it.
    d = definition_from_mapping(bind(sample_mapping, {3: "fill", 4: "recap", 5: "archive"}))
    assert d.step(5).data is DataAction.ARCHIVE


def test_paraf_and_sign_may_be_gates(sample_mapping) -> None:
    d = definition_from_mapping(bind(sample_mapping, {3: "fill", 4: "sign", 5: "paraf"}))
    assert (d.step(4).data, d.step(5).data) == (DataAction.SIGN, DataAction.PARAF)


def test_every_binding_problem_is_reported_at_once(sample_mapping) -> None:
    bind(sample_mapping, {1: "recap", 3: "fill", 4: "fill", 6: "nothing"})
    assert codes(problems_of(sample_mapping)) == {
        ("bad_data_action", 6),
        ("fill_on_decision", 4),
        ("fill_twice", 4),
        ("data_before_fill", 1),
    }


# --- snapshot --------------------------------------------------------------------------------


def test_the_snapshot_writes_data_only_when_bound(sample, sample_mapping) -> None:
    assert all("data" not in s for s in definition_to_dict(sample)["steps"])
    bound = definition_from_mapping(bind(sample_mapping, {3: "fill", 5: "paraf"}))
    steps = {s["number"]: s for s in definition_to_dict(bound)["steps"]}
    assert (steps[3]["data"], steps[5]["data"]) == ("fill", "paraf")
    assert "data" not in steps[4]
    assert bound.content_hash != sample.content_hash


def test_the_hash_of_an_unbound_definition_is_unchanged(sample) -> None:
    # The mapping of an unbound step has exactly the keys it had before bindings existed.
    keys = set(definition_to_dict(sample)["steps"][2])
    assert keys == {
        "number", "kegiatan", "actor", "kind", "kelengkapan", "waktu", "output",
        "keterangan", "next", "per_unit", "delegable",
    }  # fmt: skip


def test_an_export_loads_back_equal(sample_mapping) -> None:
    bound = definition_from_mapping(bind(sample_mapping, BOUND))
    from_toml = loads_definition(definition_to_toml(bound))
    from_json = definition_from_mapping(json.loads(definition_to_json(bound)))
    assert from_toml == bound == from_json
    assert from_toml.content_hash == bound.content_hash


# --- a gate's answer carries data ------------------------------------------------------------


def test_decide_records_its_data_and_replays(sample, people, ctx) -> None:
    t = start(
        sample,
        StartCase("c-1", "Triwulan III 2026", ("bidang-a",), {3: "3 hari"}),
        ctx(people.staf),
    )
    events = list(t.events)
    state = t.state
    (task,) = state.open_tasks.values()
    t = act(
        sample, state, Complete(task.id, data={"kinerja": {"set_hash": "ab"}}), ctx(people.staf)
    )
    events += t.events
    (task,) = t.state.open_tasks.values()
    approval = {"kinerja": {"approval": "paraf", "recap_hash": "cd" * 32}}
    t = act(sample, t.state, Decide(task.id, Answer.YA, data=approval), ctx(people.kasubag))
    events += t.events
    decided = next(e for e in t.events if e.kind is EventKind.GATE_DECIDED)
    assert decided.payload == {"answer": "ya", "data": approval}
    assert event_from_dict(json.loads(json.dumps(event_to_dict(decided)))) == decided
    assert replay(events) == t.state


def test_decide_without_data_records_none(sample, people, ctx) -> None:
    t = start(
        sample,
        StartCase("c-1", "Triwulan III 2026", ("bidang-a",), {3: "3 hari"}),
        ctx(people.staf),
    )
    (task,) = t.state.open_tasks.values()
    t = act(sample, t.state, Complete(task.id), ctx(people.staf))
    (task,) = t.state.open_tasks.values()
    t = act(sample, t.state, Decide(task.id, Answer.TIDAK, "perbaiki"), ctx(people.kasubag))
    decided = next(e for e in t.events if e.kind is EventKind.GATE_DECIDED)
    assert decided.payload == {"answer": "tidak"}


# --- the institution plugins ------------------------------------------------------------------

PLUGIN_BINDINGS = {
    ("satpolpp_banyumas", "pengumpulan-data-kinerja"): {
        1: "design", 2: "design", 4: "fill", 5: "verify", 6: "recap", 7: "paraf", 8: "paraf",
        9: "sign",
    },
    ("kesbangpol_pekalongan", "pengumpulan-pengolahan-data-kinerja"): {
        4: "design", 5: "design", 7: "fill", 8: "verify", 9: "recap", 11: "paraf", 12: "paraf",
    },  # step 13 only receives the result: no signature (the plugin's README)
    ("biro_organisasi_kalbar", "perbaikan-data-kinerja"): {
        1: "design", 2: "fill", 4: "verify", 5: "recap", 6: "paraf", 7: "sign", 10: "archive",
    },
}  # fmt: skip


@pytest.mark.parametrize(("plugin", "sop"), sorted(PLUGIN_BINDINGS))
def test_the_plugins_bind_their_steps(installed, plugin: str, sop: str) -> None:
    d = installed.sop(plugin, sop)
    bound = {s.number: str(s.data) for s in d.steps if s.data is not None}
    assert bound == PLUGIN_BINDINGS[(plugin, sop)]


def test_invalid_input_is_one_class_in_core_and_tenants() -> None:
    from alur.core.errors import InvalidInput as CoreInvalidInput
    from alur.tenants.errors import InvalidInput as TenantsInvalidInput

    assert CoreInvalidInput is TenantsInvalidInput
    error = CoreInvalidInput({"0.code": "isi kode", "indicators": "tambahkan"})
    assert error.code == "invalid_input"
    assert error.errors == {"0.code": "isi kode", "indicators": "tambahkan"}
    assert str(error) == "0.code: isi kode; indicators: tambahkan"
