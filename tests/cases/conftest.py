"""Fixtures shared by the case-store tests of this folder (helpers: store_helpers.py)."""

from __future__ import annotations

import pytest

from alur.core import (
    AlurPlugins,
    SopDefinition,
)
from tests.cases.store_helpers import (
    plugins_with,
)


@pytest.fixture
def plugins(sample: SopDefinition) -> AlurPlugins:
    return plugins_with(sample)
