"""The plugin manager: loads institution plugins, isolates their failures, calls their hooks.

:func:`create_plugin_manager` builds a fresh :class:`AlurPlugins` per app, CLI run or test
(never a module global; nothing is loaded at import time). It wraps pluggy so that callers
never touch the untyped ``pm.hook.*``: there is one typed method per hook.

Loading a plugin (from the entry point group ``alur.plugins`` or with
:meth:`AlurPlugins.register`) means: import it, register it with pluggy, reject any hook
implementation that matches no hook specification, then ask *that plugin alone* for its
institution, roles, units and SOP definitions, checking the types and the uniqueness of
every answer (:mod:`alur.core.plugin_registration`). Anything that goes wrong makes that one plugin fail: it is unregistered and
its errors are recorded (:attr:`LoadedPlugin.errors`, :attr:`AlurPlugins.load_errors`),
while the other plugins keep working. Nothing is swallowed silently.

Case hooks — the event hooks and ``alur_validate_step_data`` — reach only the plugin that
owns the case's definition (``plugin=``, the plugin name a case records when it starts):
another office's plugin never sees the case and cannot veto its data. A plugin that raises
in an event hook is reported in the returned list of :class:`PluginError`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

import pluggy

from alur.core import hookspecs
from alur.core.errors import N_, PluginError, PluginNameTaken, PluginNotFound, SopNotFound
from alur.core.model import Answer, SopDefinition, Step
from alur.core.plugin_registration import (
    Collector,
    LoadedPlugin,
    error_from_exception,
    is_list_of,
    name_list,
)

if TYPE_CHECKING:
    from alur.core.engine.events import Event
    from alur.core.engine.state import CaseState

ENTRY_POINT_GROUP = "alur.plugins"
DISABLE_ENV = "ALUR_DISABLE_PLUGINS"
REGISTRATION_HOOKS = ("alur_institution", "alur_roles", "alur_units", "alur_sop_definitions")
VALIDATION_FAILED = N_('plugin "{plugin}" could not check the data ({error}); try again later')

__all__ = [
    "DISABLE_ENV",
    "ENTRY_POINT_GROUP",
    "AlurPlugins",
    "LoadedPlugin",
    "PluginError",
    "PluginNotFound",
    "SopNotFound",
    "create_plugin_manager",
]


def create_plugin_manager(
    *,
    load_entrypoints: bool = True,
    disabled: Iterable[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> AlurPlugins:
    """A new plugin manager, with the installed plugins loaded unless ``load_entrypoints``
    is false.

    Plugins named in ``disabled`` or in the environment variable ``ALUR_DISABLE_PLUGINS``
    (names separated by commas or spaces; read from ``environ``, default ``os.environ``)
    are listed as disabled and not loaded.
    """
    env = os.environ if environ is None else environ
    names = set(disabled or ())
    names.update(n for n in re.split(r"[,\s]+", env.get(DISABLE_ENV, "")) if n)
    manager = AlurPlugins(disabled=names)
    if load_entrypoints:
        manager.load_entrypoints()
    return manager


class AlurPlugins:
    """Typed wrapper around pluggy's manager; see the module docstring."""

    def __init__(self, *, disabled: Iterable[str] = ()) -> None:
        self._pm = pluggy.PluginManager(hookspecs.PROJECT)
        self._pm.add_hookspecs(hookspecs)
        self._disabled = frozenset(disabled)
        self._plugins: dict[str, LoadedPlugin] = {}
        self._orphan_errors: list[PluginError] = []  # errors not tied to a listed plugin

    # --- loading ------------------------------------------------------------------------

    def load_entrypoints(self, group: str = ENTRY_POINT_GROUP) -> None:
        """Load every plugin registered under the entry point ``group``, by name order."""
        for ep in sorted(entry_points(group=group), key=lambda e: e.name):
            dist = getattr(ep, "dist", None)
            version = dist.version if dist is not None else ""
            if ep.name in self._plugins:
                message = f'entry point "{ep.value}": another installed plugin has this name'
                self._orphan_errors.append(PluginError(ep.name, message))
                continue
            if ep.name in self._disabled:
                self._plugins[ep.name] = LoadedPlugin(ep.name, version, disabled=True)
                continue
            try:
                plugin = ep.load()
            except Exception as exc:
                error = error_from_exception(ep.name, exc, f'cannot import "{ep.value}"')
                self._plugins[ep.name] = LoadedPlugin(ep.name, version, errors=(error,))
                continue
            self.register(plugin, ep.name, version)

    def register(self, plugin: object, name: str, version: str = "") -> LoadedPlugin:
        """Register ``plugin`` (a module or object with hook implementations) as ``name``.

        Returns what was loaded; a plugin that fails is recorded with its errors and left
        unregistered. A disabled name is recorded as disabled. Raises
        :class:`PluginNameTaken` if ``name`` is already in use.
        """
        if name in self._plugins:
            raise PluginNameTaken(name=name)
        if name in self._disabled:
            loaded = LoadedPlugin(name, version, disabled=True)
        else:
            loaded = self._load(plugin, name, version)
        self._plugins[name] = loaded
        return loaded

    def unregister(self, name: str) -> None:
        """Forget the plugin ``name`` (registered, failed or disabled)."""
        self.get(name)
        del self._plugins[name]
        if self._pm.has_plugin(name):
            self._pm.unregister(name=name)

    def _load(self, plugin: object, name: str, version: str) -> LoadedPlugin:
        try:
            self._pm.register(plugin, name=name)
        except Exception as exc:
            error = error_from_exception(name, exc, "cannot register the plugin")
            return LoadedPlugin(name, version, errors=(error,))
        collector = Collector(name)
        try:
            self._check_hookimpls(plugin, collector)
            if not collector.errors:
                self._ask_registration_hooks(plugin, collector)
        except Exception as exc:  # a bug of ours must not take the other plugins down
            collector.errors.append(error_from_exception(name, exc, "failed to load"))
        if not collector.errors:
            self._check_slug(collector)
        if collector.errors:
            self._pm.unregister(plugin)
        return collector.result(version)

    def _check_hookimpls(self, plugin: object, out: Collector) -> None:
        known = ", ".join(self.hook_names())
        for caller in self._pm.get_hookcallers(plugin) or []:
            for impl in self._impls(caller.name, plugin):
                if not caller.has_spec() and not impl.optionalhook:
                    out.fail(
                        f'hook "{caller.name}" matches no hook specification '
                        f"(known hooks: {known})",
                        hook=caller.name,
                    )
                elif impl.wrapper or impl.hookwrapper:
                    out.fail("hook wrappers are not supported by Alur", hook=caller.name)

    def _ask_registration_hooks(self, plugin: object, out: Collector) -> None:
        for hook in REGISTRATION_HOOKS:
            for impl in self._impls(hook, plugin):
                try:
                    answer = impl.function()
                except Exception as exc:
                    out.errors.append(error_from_exception(out.name, exc, "", hook=hook))
                    continue
                out.accept(hook, answer)

    def _check_slug(self, out: Collector) -> None:
        if out.institution is None:
            return
        for other in self._plugins.values():
            if other.ok and other.institution and other.institution.slug == out.institution.slug:
                out.fail(
                    f'institution slug "{out.institution.slug}" is already used by plugin '
                    f'"{other.name}"; every institution needs its own slug',
                    hook="alur_institution",
                )

    def _impls(self, hook: str, plugin: object | None = None) -> list[pluggy.HookImpl]:
        """The implementations of ``hook`` in pluggy's call order, optionally of one plugin."""
        caller: pluggy.HookCaller | None = getattr(self._pm.hook, hook, None)
        if caller is None:
            return []
        impls = reversed(caller.get_hookimpls())
        return [i for i in impls if plugin is None or i.plugin is plugin]

    # --- typed accessors ----------------------------------------------------------------

    def plugins(self) -> list[LoadedPlugin]:
        """Every plugin seen, sorted by name, including failed and disabled ones."""
        return [self._plugins[n] for n in sorted(self._plugins)]

    def get(self, name: str) -> LoadedPlugin:
        try:
            return self._plugins[name]
        except KeyError:
            raise PluginNotFound(name=name, installed=name_list(self._plugins)) from None

    def sop(self, plugin_name: str, sop_id: str) -> SopDefinition:
        plugin = self.get(plugin_name)
        try:
            return plugin.sops[sop_id]
        except KeyError:
            if plugin.disabled:
                available = "none, the plugin is disabled"
            elif plugin.errors:
                available = "none, the plugin failed to load (run `alur plugins check`)"
            else:
                available = name_list(plugin.sops)
            raise SopNotFound(plugin=plugin_name, sop=sop_id, available=available) from None

    @property
    def load_errors(self) -> list[PluginError]:
        """Every loading error of every plugin, by plugin name."""
        errors = [e for p in self.plugins() for e in p.errors]
        return errors + list(self._orphan_errors)

    def hook_names(self) -> list[str]:
        """The names of every hook specification."""
        return sorted(
            name
            for name, caller in vars(self._pm.hook).items()
            if isinstance(caller, pluggy.HookCaller) and caller.has_spec()
        )

    # --- event hooks --------------------------------------------------------------------

    # Each takes ``plugin``: the name of the plugin that owns the case's definition, the
    # only one called.

    def case_started(
        self, case: CaseState, definition: SopDefinition, event: Event, *, plugin: str
    ) -> list[PluginError]:
        return self._notify(
            "alur_case_started", plugin, case=case, definition=definition, event=event
        )

    def step_completed(
        self, case: CaseState, definition: SopDefinition, step: Step, event: Event, *, plugin: str
    ) -> list[PluginError]:
        return self._notify(
            "alur_step_completed", plugin, case=case, definition=definition, step=step, event=event
        )

    def gate_decided(
        self,
        case: CaseState,
        definition: SopDefinition,
        step: Step,
        answer: Answer,
        event: Event,
        *,
        plugin: str,
    ) -> list[PluginError]:
        return self._notify(
            "alur_gate_decided",
            plugin,
            case=case,
            definition=definition,
            step=step,
            answer=answer,
            event=event,
        )

    def validate_step_data(
        self,
        definition: SopDefinition,
        step: Step,
        unit: str | None,
        data: Mapping[str, Any],
        *,
        plugin: str,
    ) -> list[str]:
        """The messages of ``plugin`` — the owner of the case's definition, and no other —
        about ``data``; an empty list accepts it.

        A plugin that raises or answers something other than a list of texts yields a
        message too, so the data is refused rather than silently accepted.
        """
        messages: list[str] = []
        kwargs = {"definition": definition, "step": step, "unit": unit, "data": data}
        for impl in self._owned("alur_validate_step_data", plugin):
            try:
                answer = _call(impl, kwargs)
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
                messages.append(VALIDATION_FAILED.format(plugin=impl.plugin_name, error=error))
                continue
            if answer is None:
                continue
            if isinstance(answer, str) or not is_list_of(answer, str):
                error = f"it returned {answer!r} instead of a list of messages"
                messages.append(VALIDATION_FAILED.format(plugin=impl.plugin_name, error=error))
                continue
            messages.extend(answer)
        return messages

    def notification_channels(self) -> list[tuple[str, Any, PluginError | None]]:
        """Every loaded plugin's answer to ``alur_notification_channels``, by plugin:
        ``(plugin name, answer, None)``, or ``(plugin name, None, error)`` when it raised.
        Checking the answers is :mod:`alur.tenants.notify.plugin_channels`' business."""
        hook = "alur_notification_channels"
        answers: list[tuple[str, Any, PluginError | None]] = []
        for impl in self._impls(hook):
            try:
                answers.append((impl.plugin_name, impl.function(), None))
            except Exception as exc:
                error = error_from_exception(impl.plugin_name, exc, "", hook=hook)
                answers.append((impl.plugin_name, None, error))
        return answers

    def _owned(self, hook: str, plugin: str) -> list[pluggy.HookImpl]:
        """The implementations of ``hook`` by the registered plugin named ``plugin`` (none
        if it is not registered: failed, disabled or not installed)."""
        owner = self._pm.get_plugin(plugin)
        return [] if owner is None else self._impls(hook, owner)

    def _notify(self, hook: str, plugin: str, **kwargs: Any) -> list[PluginError]:
        errors: list[PluginError] = []
        for impl in self._owned(hook, plugin):
            try:
                _call(impl, kwargs)
            except Exception as exc:
                errors.append(error_from_exception(impl.plugin_name, exc, "", hook=hook))
        return errors


def _call(impl: pluggy.HookImpl, kwargs: Mapping[str, Any]) -> Any:
    """Call one implementation the way pluggy does: only the arguments it declares."""
    args = [kwargs[a] for a in impl.argnames]
    extra = {a: kwargs[a] for a in impl.kwargnames if a in kwargs}
    return impl.function(*args, **extra)
