"""Validation at load: every problem at once, located by plugin, file and step."""

import copy

import pytest

from alur.core import DefinitionError, Problem, definition_from_mapping, loads_definition


def problems_of(data: dict, **kw) -> list[Problem]:
    with pytest.raises(DefinitionError) as info:
        definition_from_mapping(data, source="contoh.toml", plugin="contoh_plugin", **kw)
    return list(info.value.problems)


def codes(problems: list[Problem]) -> set[tuple[str, int | None]]:
    return {(p.code, p.step) for p in problems}


def step(data: dict, number: int) -> dict:
    return next(s for s in data["steps"] if s["number"] == number)


def test_the_sample_is_valid(sample_mapping) -> None:
    d = definition_from_mapping(sample_mapping)
    assert [s.number for s in d.steps] == [1, 2, 3, 4, 5, 6]
    assert d.step(1).next == 2  # "next" defaults to the following step of the table


def test_reports_every_problem_at_once_with_location(sample_mapping) -> None:
    data = sample_mapping
    step(data, 1)["actor"] = "sekretaris"  # unknown actor
    step(data, 3)["next"] = 99  # dangling next
    del step(data, 2)["gate"]["tidak"]  # gate missing a branch
    step(data, 4)["gate"]["tidak"] = 5  # "tidak" not earlier
    step(data, 5)["waktu"] = "sebentar"  # unparseable waktu
    data["steps"].append({**step(data, 6), "kind": "process"})  # duplicate number 6
    found = problems_of(data)
    assert {
        ("unknown_actor", 1),
        ("gate_branch_missing", 2),
        ("tidak_not_earlier", 4),
        ("duration_unparseable", 5),
        ("duplicate_step", 6),
    } <= codes(found)
    for p in found:
        assert p.plugin == "contoh_plugin"
        assert p.file == "contoh.toml"
        rendered = str(p)
        assert rendered.startswith("contoh_plugin: contoh.toml")
    # a step-located problem names its step in the text
    assert any("step 4:" in str(p) and "earlier" in str(p) for p in found)


def test_dangling_next(sample_mapping) -> None:
    step(sample_mapping, 3)["next"] = 99
    assert ("dangling_next", 3) in codes(problems_of(sample_mapping))


def test_unreachable_step_and_no_path_to_end(sample_mapping) -> None:
    data = sample_mapping
    data["steps"].append(
        {"number": 7, "kegiatan": "Arsip", "actor": "staf", "waktu": "5 menit", "next": 7}
    )
    found = codes(problems_of(data))
    assert ("unreachable", 7) in found
    assert ("self_loop", 7) in found


def test_a_cycle_without_exit_cannot_reach_the_end(sample_mapping) -> None:
    data = sample_mapping
    step(data, 5)["gate"]["ya"] = 5 - 4  # both branches lead back: 5 -> 1 / 3
    found = codes(problems_of(data))
    assert ("no_path_to_end", 5) in found
    assert ("unreachable", 6) in found


def test_gate_on_a_process_step_and_decision_without_gate(sample_mapping) -> None:
    data = sample_mapping
    step(data, 1)["gate"] = {"question": "?", "ya": 2, "tidak": 1}
    del step(data, 2)["gate"]
    found = codes(problems_of(data))
    assert ("gate_on_non_decision", 1) in found
    assert ("gate_missing", 2) in found


def test_structure_problems_are_all_reported(sample_mapping) -> None:
    data = sample_mapping
    step(data, 1)["kegiatn"] = "typo"  # misspelt key
    step(data, 2)["waktu"] = 10  # wrong type
    step(data, 3)["per_unit"] = "ya"  # wrong type
    step(data, 6)["kind"] = "finish"
    del data["sop"]["version"]
    found = problems_of(data)
    messages = "\n".join(str(p) for p in found)
    assert 'unknown key "kegiatn"' in messages
    assert 'SOP contoh: step 2: "waktu" in the step must be text' in messages
    assert 'SOP contoh: step 3: "per_unit" in the step must be true or false' in messages
    assert "kind must be one of" in messages
    assert '[sop] needs "version"' in messages


def test_start_and_end_rules(sample_mapping) -> None:
    data = copy.deepcopy(sample_mapping)
    step(data, 1)["kind"] = "process"
    step(data, 6)["kind"] = "process"
    found = codes(problems_of(data))
    assert ("start_count", None) in found
    assert ("no_end", None) in found


def test_per_unit_role_on_a_single_step(sample_mapping) -> None:
    step(sample_mapping, 1)["actor"] = "kabid"
    assert ("per_unit_role_on_single_step", 1) in codes(problems_of(sample_mapping))


def test_per_unit_gate_must_return_within_its_fan_out(sample_mapping) -> None:
    step(sample_mapping, 4)["gate"]["tidak"] = 2
    found = problems_of(sample_mapping)
    assert ("fan_out", 4) in codes(found)
    assert any("own fan-out" in p.message for p in found)


def test_fan_out_must_join_at_one_step(sample_mapping) -> None:
    # Step 3 (per unit) now also leaves the fan-out directly to 6, besides 4 -> 5.
    step(sample_mapping, 3)["next"] = 6
    found = problems_of(sample_mapping)
    assert any(p.code == "fan_out" and "join at one step" in p.message for p in found)


def test_toml_syntax_error_is_located() -> None:
    with pytest.raises(DefinitionError) as info:
        loads_definition("[sop\nid=1", source="rusak.toml", plugin="p")
    (problem,) = info.value.problems
    assert problem.code == "toml_syntax"
    assert problem.file == "rusak.toml"
    assert problem.plugin == "p"


def test_roles_must_be_unique_and_named(sample_mapping) -> None:
    sample_mapping["roles"].append({"id": "staf", "name": ""})
    found = codes(problems_of(sample_mapping))
    assert ("duplicate_role", None) in found
    assert ("role_name_missing", None) in found


def test_repeatable_is_an_optional_sop_key_that_keeps_other_hashes(sample_mapping) -> None:
    from alur.core.snapshot import definition_to_dict

    sample_mapping["sop"].pop("repeatable", None)
    once = definition_from_mapping(sample_mapping)
    assert once.repeatable is False
    assert "repeatable" not in definition_to_dict(once)["sop"]  # the hash it always had
    sample_mapping["sop"]["repeatable"] = True
    many = definition_from_mapping(sample_mapping)
    assert many.repeatable is True
    assert many.content_hash != once.content_hash
    assert definition_from_mapping(definition_to_dict(many)) == many  # a snapshot keeps it
    sample_mapping["sop"]["repeatable"] = "ya"
    with pytest.raises(DefinitionError, match='"repeatable" in \\[sop\\] must be true or false'):
        definition_from_mapping(sample_mapping)
