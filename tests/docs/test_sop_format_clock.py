"""The clock example of docs/sop-format.md loads, means what the page says, and a step whose
``clock`` names a role the SOP does not have is refused with its step."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from alur.core import loads_definition
from alur.core.clock import DEFAULT_POLICY, TimerKind, escalation_role
from alur.core.errors import DefinitionError

DOC = Path(__file__).resolve().parents[2] / "docs" / "sop-format.md"


def example() -> str:
    text = DOC.read_text(encoding="utf-8")
    found = re.search(r"<!-- clock-example:[^>]*-->\n```toml\n(.*?)```", text, re.DOTALL)
    assert found, "docs/sop-format.md lost its clock example"
    return found.group(1)


def test_the_clock_example_loads_and_means_what_the_page_says() -> None:
    d = loads_definition(example(), source="sop-format.md")
    assert {r.id: r.atasan for r in d.roles} == {
        "staf": "kasubag",
        "kasubag": "sekretaris",
        "sekretaris": None,
    }
    first, second = d.steps
    policy = DEFAULT_POLICY.with_step(first.clock)
    assert policy.remind_before_percent == 75
    assert policy.remind_at_due is True
    assert policy.escalate_after is not None
    assert policy.escalate_after.text == "4 jam"
    assert escalation_role(d, "staf", policy) == "kasubag"  # the atasan
    assert escalation_role(d, "kasubag", DEFAULT_POLICY.with_step(second.clock)) == "sekretaris"
    assert escalation_role(d, "sekretaris", DEFAULT_POLICY) is None  # the end of the chain
    assert str(TimerKind.ESCALATE) == "escalate"


def test_a_clock_naming_an_unknown_role_is_refused_with_its_step() -> None:
    broken = example().replace('escalate_to = "sekretaris"', 'escalate_to = "kepala"')
    with pytest.raises(DefinitionError) as refused:
        loads_definition(broken, source="contoh.toml")
    assert 'contoh.toml: SOP contoh-jam: step 2: clock.escalate_to: "kepala" is not a declared' in (
        str(refused.value)
    )
