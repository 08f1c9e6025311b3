"""The ``recap`` fixture of the export tests (helpers: reports_helpers.py)."""

from __future__ import annotations

import pytest

from alur.core.kinerja.model import (
    Recap,
)
from alur.core.kinerja.recap import build_recap
from tests.reports.reports_helpers import (
    UNITS,
    indicator_set,
    submissions,
)


@pytest.fixture(scope="module")
def recap() -> Recap:
    return build_recap(indicator_set(), UNITS, submissions())
