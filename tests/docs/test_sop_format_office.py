"""The office examples of docs/sop-format.md ("What an office may change") load and mean what
the page says: the SOP's [sop.office] and office_fixed, and the part's file form, which
applies to it; the fields the page says are fixed are refused."""

from __future__ import annotations

import re
from pathlib import Path

from alur.core import loads_definition
from alur.core.sop_life.part import apply_part, check_part, part_from_mapping
from alur.tenants.sop_life.files import read_revision_toml

DOC = Path(__file__).resolve().parents[2] / "docs" / "sop-format.md"


def example(name: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    found = re.search(rf"<!-- {name}:[^>]*-->\n```toml\n(.*?)```", text, re.DOTALL)
    assert found, f"docs/sop-format.md lost its {name}"
    return found.group(1)


def test_the_office_examples_load_and_mean_what_the_page_says() -> None:
    d = loads_definition(example("office-example"), source="sop-format.md")
    assert d.office is not None
    assert (d.office.penyusun, d.office.pengesah) == ("sekretaris", "kepala")
    assert "steps.waktu" in d.office.editable
    assert d.step(2).office_fixed == frozenset({"waktu"})
    assert d.pengesah_role is not None
    assert d.pengesah_role.id == "kepala"

    mapping, effective_on, problems = read_revision_toml(
        example("office-part-example"), sop_id=d.id, number=1
    )
    assert problems == {}
    assert effective_on is not None
    assert effective_on.isoformat() == "2027-02-01"
    part, shape = part_from_mapping(mapping)
    assert shape == {}
    assert check_part(d, part) == {}
    mine = apply_part(d, part)
    assert mine.step(1).waktu.text == "3 hari"
    assert mine.header.nomor == "800/12/SATPOLPP/2027"
    assert mine.header.nama == d.header.nama

    # What the page says is fixed: header.nama, steps.2.waktu (office_fixed), steps.99.
    fixed, _ = part_from_mapping(
        {
            "header": {"nama": "Lain"},
            "steps": [{"number": 2, "waktu": "2 hari"}, {"number": 99, "waktu": "1 hari"}],
        }
    )
    assert set(check_part(d, fixed)) == {"header.nama", "steps.2.waktu", "steps.99"}
