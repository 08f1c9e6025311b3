"""Helpers of the plugin manager tests (test_plugins.py, test_plugin_hooks.py)."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from alur.core import (
    AlurPlugins,
    create_plugin_manager,
)

MakePlugin = Callable[..., ModuleType]


def fresh(**kwargs: Any) -> AlurPlugins:
    return create_plugin_manager(
        load_entrypoints=False, environ=kwargs.pop("environ", {}), **kwargs
    )


def boom(*args: object) -> Any:
    raise RuntimeError("boom")
