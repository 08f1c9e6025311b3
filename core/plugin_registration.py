"""Loading one plugin's registration answers: what it registered, or why it failed.

:class:`LoadedPlugin` is one plugin as the manager (:mod:`alur.core.plugins`) saw it.
:class:`Collector` gathers the answers of one plugin's registration hooks
(``alur_institution``, ``alur_roles``, ``alur_units``, ``alur_sop_definitions``), checks
their types and the uniqueness of every id, validates every SOP definition and records
each problem as a :class:`~alur.core.errors.PluginError` instead of stopping at the first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from alur.core.errors import DefinitionError, PluginError, Problem
from alur.core.model import Institution, Role, SopDefinition, Unit
from alur.core.validation import validate_definition

__all__ = ["Collector", "LoadedPlugin", "error_from_exception", "is_list_of", "name_list"]


@dataclass(frozen=True)
class LoadedPlugin:
    """One plugin as the manager saw it: what it registered, or why it failed."""

    name: str
    version: str = ""
    institution: Institution | None = None
    roles: tuple[Role, ...] = ()
    units: tuple[Unit, ...] = ()
    sops: Mapping[str, SopDefinition] = field(default_factory=lambda: MappingProxyType({}))
    errors: tuple[PluginError, ...] = ()
    disabled: bool = False

    @property
    def ok(self) -> bool:
        """Loaded and working: neither disabled nor failed."""
        return not self.disabled and not self.errors

    @property
    def status(self) -> str:
        """``"ok"``, ``"failed"`` or ``"disabled"``."""
        if self.disabled:
            return "disabled"
        return "failed" if self.errors else "ok"

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Every definition problem of every error, located by plugin, file and step."""
        return tuple(p for e in self.errors for p in e.problems)


class Collector:
    """Gathers one plugin's registration answers and the errors found in them."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.errors: list[PluginError] = []
        self.institution: Institution | None = None
        self.roles: list[Role] = []
        self.units: list[Unit] = []
        self.sops: dict[str, SopDefinition] = {}

    def fail(self, message: str, hook: str = "", problems: Sequence[Problem] = ()) -> None:
        self.errors.append(PluginError(self.name, message, hook=hook, problems=tuple(problems)))

    def accept(self, hook: str, answer: object) -> None:
        if hook == "alur_institution":
            if not isinstance(answer, Institution):
                self.fail(f"must return an Institution, not {answer!r}", hook)
            elif not answer.slug.strip() or not answer.name.strip():
                self.fail("the institution needs a slug and a name", hook)
            else:
                self.institution = answer
            return
        kind = {"alur_roles": Role, "alur_units": Unit, "alur_sop_definitions": SopDefinition}
        expected = kind[hook]
        if isinstance(answer, str | bytes | Mapping) or not is_list_of(answer, expected):
            self.fail(f"must return a list of {expected.__name__}, not {answer!r}", hook)
            return
        assert isinstance(answer, Sequence)
        if hook == "alur_roles":
            self.roles.extend(answer)
            self._unique(hook, "role", [r.id for r in self.roles])
        elif hook == "alur_units":
            self.units.extend(answer)
            self._unique(hook, "unit", [u.id for u in self.units])
        else:
            for definition in answer:
                self._definition(definition)

    def _unique(self, hook: str, what: str, ids: list[str]) -> None:
        seen: set[str] = set()
        for ident in ids:
            if not ident.strip():
                self.fail(f"a {what} has an empty id", hook)
            elif ident in seen:
                self.fail(f'{what} id "{ident}" is returned more than once', hook)
            seen.add(ident)

    def _definition(self, definition: SopDefinition) -> None:
        hook = "alur_sop_definitions"
        if definition.id in self.sops:
            first = self.sops[definition.id].source or "an earlier definition"
            where = f" ({definition.source})" if definition.source else ""
            self.fail(f'SOP id "{definition.id}"{where} is already used by {first}', hook)
            return
        problems = [p.located(plugin=self.name) for p in validate_definition(definition)]
        if problems:
            self.fail(f'SOP "{definition.id}" is invalid', hook, problems)
            return
        self.sops[definition.id] = definition

    def result(self, version: str) -> LoadedPlugin:
        if self.errors:
            return LoadedPlugin(self.name, version, errors=tuple(self.errors))
        return LoadedPlugin(
            name=self.name,
            version=version,
            institution=self.institution,
            roles=tuple(self.roles),
            units=tuple(self.units),
            sops=MappingProxyType(dict(self.sops)),
        )


def error_from_exception(
    plugin: str, exc: BaseException, action: str, hook: str = ""
) -> PluginError:
    """A :class:`PluginError` for ``exc``; a :class:`DefinitionError` keeps every problem."""
    problems: tuple[Problem, ...] = ()
    if isinstance(exc, DefinitionError):
        problems = tuple(p.located(plugin=plugin) for p in exc.problems)
    if problems:
        message = f"{len(problems)} problem(s) in its SOP definitions"
    else:
        message = " ".join(str(exc).split()) or "(no message)"
    return PluginError(
        plugin=plugin,
        message=f"{action}: {message}" if action else message,
        hook=hook,
        exception_type=type(exc).__name__,
        problems=problems,
    )


def is_list_of(value: object, kind: type) -> bool:
    return isinstance(value, Sequence) and all(isinstance(v, kind) for v in value)


def name_list(names: Iterable[str]) -> str:
    return ", ".join(sorted(names)) or "none"
