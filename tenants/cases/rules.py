"""The input rules of starting a case and acting on it, shared by every door.

Pure functions (no I/O): the web form and the GraphQL mutation parse their input into
plain values and :class:`~alur.tenants.cases.service.TenantService` checks them here, so
both doors refuse the same input with the same :class:`~alur.tenants.errors.InvalidInput`,
field by field; the state machine checks the rest (who may act, a "tidak" needs a note, …).

**The step data a plugin sees.** ``alur_validate_step_data`` gets the data of a completion
as one mapping: the named values sent with it (GraphQL ``completeTask(data:)``, the web
form's data rows) and, under :data:`OUTPUT`, the output note (``note`` in both doors, the
"Output" text of the form) — the shape docs/plugins.md documents. A data value named
``output`` is refused, so the key always means the note.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from alur.core import limits
from alur.core.durations import Duration
from alur.core.engine import Action, Complete
from alur.core.errors import DurationError
from alur.core.i18n import error_message, format_message, gettext
from alur.core.model import SopDefinition
from alur.core.periods import PeriodError, parse
from alur.tenants.errors import InvalidInput

# The key of the output note in the step data given to plugins (docs/plugins.md).
OUTPUT = "output"


def duration_field(step: int) -> str:
    """The field name of the duration of ``step`` in :class:`InvalidInput` errors."""
    return f"duration_{step}"


def check_start(
    sops: Mapping[str, SopDefinition],
    sop_id: str,
    period: str,
    durations: Mapping[int, str],
    units: Sequence[str] | None,
    active_units: Sequence[str],
    started: Collection[str] = (),
) -> str:
    """Every problem of a start-case input at once (:class:`InvalidInput`, per field):
    the SOP must be one of the office's, the period one of :mod:`alur.core.periods`
    ("Triwulan III 2026") and — unless the SOP is ``repeatable`` — not one of ``started``
    (the periods of the SOP's cases that are not cancelled), each duration readable and given
    exactly for the steps whose waktu is set per case, the units active units of the office.
    ``period`` and the durations are expected stripped. Returns the period as a case stores
    it (:func:`alur.core.periods.parse`'s one way of writing it)."""
    errors = limits.text_problems(
        {
            "period": (period, limits.PERIOD),
            **{duration_field(s): (w, limits.SHORT) for s, w in durations.items()},
        }
    )
    if not sop_id:
        errors["sop"] = gettext("Choose an SOP.")
    elif sop_id not in sops:
        errors["sop"] = format_message(
            'no SOP "{sop}" in this office (SOPs: {sops})', sop=sop_id, sops=", ".join(sops) or "-"
        )
    if "period" not in errors and not period:
        errors["period"] = gettext("Give the period, e.g. Triwulan III 2026.")
    elif "period" not in errors:
        try:
            period = parse(period).text
        except PeriodError as exc:
            errors["period"] = error_message(exc)
        else:
            if period in started and sop_id in sops and not sops[sop_id].repeatable:
                errors["period"] = format_message(
                    "A case of this SOP for {period} has already been started; this SOP runs "
                    "once per period.",
                    period=period,
                )
    needed = sops[sop_id].needs_duration_at_start() if sop_id in sops else ()
    for step, waktu in durations.items():
        field = duration_field(step)
        if field in errors:
            continue
        if sop_id in sops and step not in needed:
            errors[field] = format_message(
                "step {step} has a fixed waktu; only steps whose waktu is set per case "
                "take a time here",
                step=step,
            )
            continue
        try:
            Duration.parse(waktu)
        except DurationError as exc:
            errors[field] = error_message(exc)
    for step in needed:
        if not durations.get(step):
            errors[duration_field(step)] = format_message(
                'Give the time for step {step}, e.g. "3 hari".', step=step
            )
    if units is not None:
        unknown = [u for u in units if u not in active_units]
        if unknown:
            errors["units"] = format_message(
                "not units of this office: {units}", units=", ".join(unknown)
            )
    if errors:
        raise InvalidInput(errors)
    return period


def check_action(action: Action) -> None:
    """The limits of an action's text and data (:mod:`alur.core.limits`), per field:
    :class:`InvalidInput`. Pure, so it runs before anything is looked up."""
    errors: dict[str, str] = {}
    note = getattr(action, "note", None)
    if isinstance(note, str) and (problem := limits.text_problem(note, limits.NOTE)):
        errors["note"] = problem
    data = getattr(action, "data", None)
    if data and (problem := limits.json_problem(dict(data))):
        errors["data"] = problem
    elif data and OUTPUT in data:
        errors["data"] = gettext(
            'the output note is sent as the note, not as a data value named "output"'
        )
    units = getattr(action, "units", None)
    if units and not all(limits.usable_key(u) for u in units):
        errors["units"] = gettext("choose units of this case")
    if errors:
        raise InvalidInput(errors)


def step_data_from_rows(rows: Sequence[tuple[str, str]]) -> dict[str, str]:
    """The named values of a form's (name, value) rows: rows left empty are skipped; a
    value needs a name, and a name may be given once (:class:`InvalidInput` on ``data``)."""
    values: dict[str, str] = {}
    for name, value in rows:
        name = name.strip()
        if not name and not value.strip():
            continue
        if not name:
            raise InvalidInput({"data": gettext("give each value a name")})
        if name in values:
            raise InvalidInput(
                {"data": format_message('the name "{name}" is given twice', name=name)}
            )
        values[name] = value.strip()
    return values


def step_data(action: Complete) -> dict[str, Any]:
    """The data of a completion as plugins see it: its named values and the output note
    under :data:`OUTPUT`."""
    return {**action.data, OUTPUT: action.note}
