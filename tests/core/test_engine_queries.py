"""The engine's read-only questions that the doors ask too (one rule, asked everywhere)."""

from __future__ import annotations

import pytest

from alur.core.engine import tidak_names_units
from alur.core.model import SopDefinition


@pytest.mark.parametrize(
    ("step", "names_units"),
    [
        (1, False),  # not a gate
        (2, False),  # a gate before the fan-out, returning to a step done once
        (3, False),  # a per-unit step, not a gate
        (4, False),  # a per-unit gate: it returns its own unit's work only
        (5, True),  # the gate after the join, returning into the per-unit step 3
        (6, False),  # the last step
    ],
)
def test_only_a_gate_after_the_join_names_the_units_it_returns(
    sample: SopDefinition, step: int, names_units: bool
) -> None:
    assert tidak_names_units(sample, step) is names_units
