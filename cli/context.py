"""The per-invocation state shared by the commands, and how they get the plugin manager.

By default the manager is built from the installed plugins (entry point group
``alur.plugins``, minus those named in ``ALUR_DISABLE_PLUGINS``). Tests and embedding code
pass their own through click's ``obj``: an :class:`~alur.core.AlurPlugins`, or a
zero-argument factory returning one, e.g.
``CliRunner().invoke(cli, [...], obj=lambda: manager)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import click

from alur.core.plugins import AlurPlugins, create_plugin_manager

PluginsFactory = Callable[[], AlurPlugins]


@dataclass
class CliState:
    """What the commands of one invocation share; the manager is built on first use."""

    factory: PluginsFactory = create_plugin_manager
    _plugins: AlurPlugins | None = field(default=None, repr=False)

    @classmethod
    def from_obj(cls, given: object) -> CliState:
        """The state for click's ``obj``: a state, a manager, a factory or ``None``."""
        if isinstance(given, CliState):
            return given
        if isinstance(given, AlurPlugins):
            return cls(factory=lambda: given)
        if callable(given):
            return cls(factory=given)
        if given is not None:
            raise TypeError(f"obj must be an AlurPlugins or a factory of one, not {given!r}")
        return cls()

    @property
    def plugins(self) -> AlurPlugins:
        if self._plugins is None:
            self._plugins = self.factory()
        return self._plugins


def get_plugins(ctx: click.Context) -> AlurPlugins:
    """The plugin manager of this invocation (a sub-command run on its own gets one too)."""
    root = ctx.find_root()
    root.obj = CliState.from_obj(root.obj)
    return root.obj.plugins
