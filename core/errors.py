"""Typed errors of the engine, each with a message a user or plugin author can act on.

Every error has a stable ``code`` and keyword ``params``; ``str(error)`` is the English
message. Message templates are marked with :func:`N_` so that the delivery layers can
translate them (Indonesian is the UI default) with ``gettext(err.template).format(**params)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext no-op marker
    """Mark a string for translation without translating it here."""
    return message


class AlurError(Exception):
    """Base class of every expected error in Alur."""

    code: ClassVar[str] = "error"
    template: ClassVar[str] = N_("Something went wrong.")

    def __init__(self, **params: Any) -> None:
        self.params = params
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return self.template.format(**self.params)


class DurationError(AlurError, ValueError):
    code = "duration_unparseable"
    template = N_(
        'cannot read waktu "{text}": write a number and menit, jam or hari '
        '(e.g. "10 menit", "2 hari") or "Sesuai dengan waktu yang ditentukan"'
    )


# --- definition problems -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a definition, located as precisely as possible."""

    message: str
    code: str = "invalid"
    step: int | None = None
    file: str = ""
    plugin: str = ""
    sop: str = ""

    def located(self, *, plugin: str = "", file: str = "", sop: str = "") -> Problem:
        return Problem(
            message=self.message,
            code=self.code,
            step=self.step,
            file=self.file or file,
            plugin=self.plugin or plugin,
            sop=self.sop or sop,
        )

    def __str__(self) -> str:
        where = [p for p in (self.plugin, self.file) if p]
        if self.sop:
            where.append(f"SOP {self.sop}")
        if self.step is not None:
            where.append(f"step {self.step}")
        prefix = ": ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class DefinitionError(AlurError):
    """A definition (or plugin) is invalid; ``problems`` lists everything found."""

    code = "definition_invalid"
    template = N_("{count} problem(s) in the SOP definition:\n{details}")

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(problems)
        super().__init__(
            count=len(self.problems), details="\n".join(f"  - {p}" for p in self.problems)
        )


# --- action errors (state machine) ------------------------------------------------------


class ActionError(AlurError):
    """An action the state machine refuses; nothing has changed."""


class CaseNotActive(ActionError):
    code = "case_not_active"
    template = N_("this case is already {status}; no more actions are possible")


class TaskNotFound(ActionError):
    code = "task_not_found"
    template = N_("task {task} does not exist in this case")


class TaskNotOpen(ActionError):
    code = "task_not_open"
    template = N_("task {task} is no longer open (it was completed, returned or cancelled)")


class WrongRole(ActionError):
    code = "wrong_role"
    template = N_("step {step} is performed by {role}; you do not hold that role")


class NotYourUnit(ActionError):
    code = "not_your_unit"
    template = N_("this task belongs to {unit}; you are {role} of another unit")


class AlreadyClaimed(ActionError):
    code = "already_claimed"
    template = N_("task {task} has been claimed by {assignee}")


class NoteRequired(ActionError):
    code = "note_required"
    template = N_('a "tidak" needs a note saying what must be corrected')


class NotADecision(ActionError):
    code = "not_a_decision"
    template = N_('step {step} is not a decision; complete it instead of answering "ya"/"tidak"')


class DecisionRequired(ActionError):
    code = "decision_required"
    template = N_('step {step} is a decision: answer "ya" or "tidak"')


class DelegationRefused(ActionError):
    code = "delegation_refused"
    template = N_(
        "step {step} may not be performed by an acting official (Plt/Plh); "
        "{role} must act in person"
    )


class NotPermitted(ActionError):
    code = "not_permitted"
    template = N_("you may not {what}")


class NotClaimed(ActionError):
    code = "not_claimed"
    template = N_("task {task} is not claimed: there is nothing to give back")


class InvalidAction(ActionError):
    code = "invalid_action"
    template = N_("{reason}")


class DefinitionMismatch(ActionError):
    code = "definition_mismatch"
    template = N_("this case runs SOP version {expected}; the definition given is {given}")


# --- input -------------------------------------------------------------------------------


class InvalidInput(AlurError):
    """Bad input; ``errors`` maps each field to its message (already in the user's
    language)."""

    code = "invalid_input"
    template = N_("{summary}")

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__(summary="; ".join(f"{k}: {v}" for k, v in self.errors.items()))


class InvalidNumber(AlurError, ValueError):
    """Text that is not a number in the notation of the form's language."""

    code = "invalid_number"
    template = N_('"{text}" is not a number')


class TooManyDecimals(InvalidNumber):
    code = "too_many_decimals"
    template = N_('"{text}" has more than {places} decimals')


class NumberTooLarge(InvalidNumber):
    code = "number_too_large"
    template = N_('"{text}" is too large')


# --- plugins ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PluginError:
    """Why a plugin failed to load, or what went wrong when one of its hooks was called.

    ``exception_type`` names the exception raised (empty for a check the manager itself
    made, e.g. a wrong return type); ``problems`` keeps every :class:`Problem` of a
    :class:`DefinitionError`, located by plugin, file and step.
    """

    plugin: str
    message: str
    hook: str = ""
    exception_type: str = ""
    problems: tuple[Problem, ...] = ()

    def __str__(self) -> str:
        where = f"{self.plugin} ({self.hook})" if self.hook else self.plugin
        kind = f"{self.exception_type}: " if self.exception_type else ""
        return f"{where}: {kind}{self.message}"


class _LookupAlurError(AlurError, KeyError):
    """A KeyError whose ``str()`` is the plain message (KeyError would quote it)."""

    def __str__(self) -> str:
        return self.message


class PluginNotFound(_LookupAlurError):
    code = "plugin_not_found"
    template = N_('no plugin named "{name}" (installed: {installed})')


class SopNotFound(_LookupAlurError):
    code = "sop_not_found"
    template = N_('plugin "{plugin}" has no SOP "{sop}" (available: {available})')


class PluginNameTaken(AlurError, ValueError):
    code = "plugin_name_taken"
    template = N_('a plugin named "{name}" is already registered')
