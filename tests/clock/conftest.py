"""Fixtures of the clock tests: a real SMTP server per test and the sample SOP's plugin with
an escalation chain (helpers: clock_helpers.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from alur.core import AlurPlugins
from tests.clock.clock_helpers import SmtpServer, clock_plugins


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def plugins() -> AlurPlugins:
    return clock_plugins()
