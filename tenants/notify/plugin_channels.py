"""The channels plugins add through the ``alur_notification_channels`` hook.

:func:`plugin_channels` asks every loaded plugin once, when the worker builds its channels,
and checks every answer: a channel needs a ``name`` (lowercase letters, digits, ``-``/``_``,
at most 64 characters: ``alur_delivery.channel``) and an ``async send(delivery)``; the names
``email``, ``webhook`` and ``app`` are Alur's, and two plugins may not offer the same name. Any
problem — also a hook that raised — stops the start with :class:`PluginChannelError`, which
lists every problem with its plugin: a delivery must never go to the wrong gateway, nor
silently nowhere. Plugins are asked in name order, so a clash names the same two plugins
every time.
"""

from __future__ import annotations

import inspect
import logging
import re
from typing import Any

from alur.core.errors import N_, AlurError
from alur.core.plugins import AlurPlugins
from alur.tenants.notify.channels import Channel, available_channels

BUILTIN = ("email", "webhook", "app")
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


log = logging.getLogger(__name__)


class PluginChannelError(AlurError):
    """The plugins' channels cannot be used; ``problems`` lists each, with its plugin."""

    code = "plugin_channel_invalid"
    template = N_("the plugins' notification channels cannot be used:\n{details}")

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(details="\n".join(f"  - {p}" for p in self.problems))


def plugin_channels(plugins: AlurPlugins) -> dict[str, Channel]:
    """The plugins' channels by name; raises :class:`PluginChannelError` with every problem."""
    channels: dict[str, Channel] = {}
    owners: dict[str, str] = {}
    problems: list[str] = []
    for plugin, answer, error in sorted(plugins.notification_channels(), key=lambda a: a[0]):
        where = f'plugin "{plugin}" (alur_notification_channels)'
        if error is not None:
            problems.append(f"{where}: {error.message}")
            continue
        if answer is None:
            continue
        if isinstance(answer, str | bytes) or not isinstance(answer, list | tuple):
            problems.append(f"{where}: returned {answer!r} instead of a list of channels")
            continue
        for channel in answer:
            problem = _channel_problem(channel)
            if problem:
                problems.append(f"{where}: {problem}")
                continue
            name = channel.name
            if name in BUILTIN:
                problems.append(
                    f'{where}: the channel name "{name}" is Alur\'s own; choose another '
                    f"(taken: {', '.join(BUILTIN)})"
                )
            elif name in owners:
                problems.append(
                    f'{where}: the channel name "{name}" is already used by plugin '
                    f'"{owners[name]}"; every channel needs its own name'
                )
            else:
                owners[name] = plugin
                channels[name] = channel
    if problems:
        raise PluginChannelError(problems)
    return channels


def _channel_problem(channel: Any) -> str | None:
    name = getattr(channel, "name", None)
    if not isinstance(name, str) or not NAME.fullmatch(name):
        return (
            f"{channel!r} has no usable name ({name!r}): use lowercase letters, digits, "
            '"-" and "_", e.g. "whatsapp"'
        )
    send = getattr(channel, "send", None)
    if not callable(send) or not inspect.iscoroutinefunction(send):
        return f'the channel "{name}" needs an "async def send(self, delivery)" method'
    return None


def person_channel_names(plugins: AlurPlugins) -> list[str]:
    """The channels a person may choose on this installation: email and the plugins' ones
    (what the settings page offers and :func:`~alur.tenants.notify.contacts.set_contacts`
    accepts, through either door). When the plugins' channels cannot be used (a name clash,
    a hook that raises — the worker refuses to start then), the built-ins only, logged: a
    person's settings page is no place for an installation's error."""
    try:
        return available_channels(plugin_channels(plugins))
    except PluginChannelError as exc:
        log.error("%s", exc)
        return available_channels()
