"""Fixtures of the monitoring service tests: the data kinerja tests' small bound SOP, its
plugin and office (tests/kinerja/kinerja_helpers.py), reused as they are."""

from tests.kinerja.conftest import definition, office, plugins

__all__ = ["definition", "office", "plugins"]
