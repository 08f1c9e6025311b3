"""What a plugin lets offices change (``[sop.office]``, per-step ``office_fixed``): read by
the loader, checked with every problem at once, written by the snapshot only when set (so the
bundled plugins keep their content hashes), and obeyed by ``check_part``."""

from __future__ import annotations

import copy

import pytest

from alur.core import AlurPlugins, DefinitionError, definition_from_mapping, loads_definition
from alur.core.model import OfficeRules
from alur.core.snapshot import definition_to_dict, definition_to_toml
from alur.core.sop_life.part import OfficePart, check_part, step_fixed

# The content hash of every SOP of the bundled plugins, as main had them before issue 16
# added [sop.office] and office_fixed: the new keys must not move any of them.
BUNDLED_HASHES = {
    "biro_organisasi_kalbar/perbaikan-data-kinerja": "93a7da33fa1fe0c9567e8d30cd5d3e864aae1567b8fb6b0abb418ae61a3ed1b6",
    "kesbangpol_pekalongan/pengumpulan-pengolahan-data-kinerja": "04615e0662ab6fb20c964c0ed1a8562842d341740a94fb6571f1d08f272aee0d",
    "satpolpp_banyumas/pengumpulan-data-kinerja": "4a85f26bbf1c98ba9c774f94474f03a51545b1ae2cb6dddb500c124ebc06d8b3",
}


def with_office(sample_mapping: dict, **office: object) -> dict:
    data = copy.deepcopy(sample_mapping)
    data["sop"]["office"] = office
    return data


def test_the_bundled_plugins_keep_their_content_hashes(installed: AlurPlugins) -> None:
    found = {
        f"{p.name}/{d.id}": d.content_hash for p in installed.plugins() for d in p.sops.values()
    }
    assert found == BUNDLED_HASHES
    for p in installed.plugins():
        for d in p.sops.values():
            assert d.office is None
            assert "office" not in definition_to_dict(d)["sop"]
            assert not any("office_fixed" in s for s in definition_to_dict(d)["steps"])


def test_office_rules_are_read_and_round_trip_through_the_snapshot(sample_mapping) -> None:
    plain = definition_from_mapping(sample_mapping)
    data = with_office(
        sample_mapping,
        editable=["header.nomor", "steps.waktu", "steps.kegiatan"],
        penyusun="kasubag",
        pengesah="kepala",
    )
    data["steps"][0]["office_fixed"] = ["waktu"]
    d = definition_from_mapping(data)
    assert d.office == OfficeRules(
        editable=frozenset({"header.nomor", "steps.waktu", "steps.kegiatan"}),
        penyusun="kasubag",
        pengesah="kepala",
    )
    assert d.step(1).office_fixed == frozenset({"waktu"})
    assert step_fixed(d, 1) == frozenset({"waktu"})
    assert step_fixed(d, 2) == frozenset()
    assert d.pengesah_role is not None
    assert d.pengesah_role.id == "kepala"
    assert d.content_hash != plain.content_hash  # the office's rules are the plugin's
    back = loads_definition(definition_to_toml(d))
    assert back == d
    assert back.content_hash == d.content_hash
    # An empty editable list is a choice (offices change nothing), kept apart from none.
    closed = definition_from_mapping(with_office(sample_mapping, editable=[]))
    assert closed.office == OfficeRules(editable=frozenset())
    assert loads_definition(definition_to_toml(closed)) == closed
    assert closed.content_hash != plain.content_hash


def test_every_wrong_office_entry_is_reported_at_once_naming_the_file(sample_mapping) -> None:
    data = with_office(
        sample_mapping,
        editable=["header.nomor", "steps.actor", "steps.gate", "header.warna", "waktu"],
        penyusun="bendahara",
        pengesah="kabid",  # a per-unit role
        signer="kepala",
    )
    data["steps"][2]["office_fixed"] = ["waktu", "actor"]
    data["steps"][3]["office_fixed"] = "waktu"
    with pytest.raises(DefinitionError) as refused:
        definition_from_mapping(data, source="contoh.toml", plugin="contoh_plugin")
    found = {(p.code, p.step) for p in refused.value.problems}
    assert {
        ("unknown_key", None),  # signer
        ("wrong_type", 4),  # office_fixed = "waktu"
    } <= found
    text = str(refused.value)
    assert "contoh_plugin: contoh.toml" in text
    assert 'unknown key "signer" in [sop.office]' in text
    # The loader's shape problems stop before validation: fix them and see the rest at once.
    del data["sop"]["office"]["signer"]
    data["steps"][3]["office_fixed"] = ["waktu"]
    with pytest.raises(DefinitionError) as refused:
        definition_from_mapping(data, source="contoh.toml", plugin="contoh_plugin")
    problems = refused.value.problems
    assert sorted((p.code, p.step) for p in problems) == [
        ("office_fixed_unknown", 3),
        ("office_never_editable", None),
        ("office_never_editable", None),
        ("office_pengesah_per_unit", None),
        ("office_unknown_field", None),
        ("office_unknown_field", None),
        ("office_unknown_role", None),
    ]
    assert all(p.file == "contoh.toml" and p.plugin == "contoh_plugin" for p in problems)
    text = str(refused.value)
    assert '"steps.actor" can never be opened to offices' in text
    assert 'unknown field "header.warna"' in text
    assert '[sop.office] penyusun: "bendahara" is not a declared role' in text
    assert 'pengesah: "kabid" works per unit' in text
    assert 'step 3: office_fixed: "actor" is not a field an office could change' in text


def test_check_part_refuses_a_field_the_plugin_keeps_fixed(sample_mapping) -> None:
    data = with_office(sample_mapping, editable=["header.nomor", "steps.waktu", "steps.output"])
    data["steps"][0]["office_fixed"] = ["waktu"]
    d = definition_from_mapping(data)
    part = OfficePart(
        header={"nomor": "800/1/2027", "dasar_hukum": ("Perda 1/2027",)},
        steps={1: {"waktu": "3 hari"}, 2: {"waktu": "20 menit", "keterangan": "x"}},
    )
    assert check_part(d, part) == {
        "header.dasar_hukum": "the plugin keeps this field fixed",  # not in editable
        "steps.1.waktu": "the plugin keeps this field fixed",  # office_fixed on step 1
        "steps.2.keterangan": "the plugin keeps this field fixed",
    }
    # Without [sop.office] the defaults apply, and office_fixed alone still fixes step 1.
    only_fixed = copy.deepcopy(sample_mapping)
    only_fixed["steps"][0]["office_fixed"] = ["waktu"]
    d = definition_from_mapping(only_fixed)
    assert set(check_part(d, part)) == {"steps.1.waktu"}
