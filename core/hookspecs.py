"""The hooks an institution plugin implements.

A plugin is a module (or object) registered under the entry point group ``alur.plugins``
whose functions are decorated with :data:`hookimpl` and named after the hooks below. It
implements only the hooks it needs. Every hook is documented in ``docs/plugins.md`` too; a
test keeps the two in step.

Registration hooks (``alur_institution``, ``alur_roles``, ``alur_units``,
``alur_sop_definitions``) are asked of each plugin separately when the plugin manager
starts, so every answer is attributed to its plugin and a plugin that fails is reported and
set aside while the others keep working.

Case hooks — the event hooks (``alur_case_started``, ``alur_step_completed``,
``alur_gate_decided``) and ``alur_validate_step_data`` — are called only on the plugin that
owns the case's definition (the plugin of the office that started the case). A plugin never
sees another plugin's cases, and cannot veto their data. Event hooks are called after the
change has been saved; their return value is ignored and an exception is reported without
undoing the change.

The channel hook (``alur_notification_channels``) is asked of every plugin when the worker
builds its channels: it adds ways to reach people (a WhatsApp gateway, Telegram).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from alur.core.engine.events import Event
    from alur.core.engine.state import CaseState
    from alur.core.model import Answer, Institution, Role, SopDefinition, Step, Unit

PROJECT = "alur"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def alur_institution() -> Institution:
    """Return the identity of the institution (OPD) this plugin belongs to.

    :returns: an :class:`~alur.core.Institution`. Its ``slug`` must be unique among the
        installed plugins; it is the default slug of the tenant created for it.
    """


@hookspec
def alur_roles() -> Sequence[Role]:
    """Return the institution's org roles (pelaksana), in the column order of its SOPs.

    Roles used by the SOPs must be declared in the SOP files themselves as well; this hook
    is the institution-wide list used when users are given memberships.

    :returns: a list of :class:`~alur.core.Role`; ids must be unique.
    """


@hookspec
def alur_units() -> Sequence[Unit]:
    """Return the default units (bidang, bagian) a new tenant of this institution gets.

    Fan-out steps run once per unit. Tenant administrators can change the units later.

    :returns: a list of :class:`~alur.core.Unit`; ids must be unique.
    """


@hookspec
def alur_sop_definitions() -> Sequence[SopDefinition]:
    """Return the institution's SOP definitions.

    Load TOML files with :func:`~alur.core.load_package_definitions` (or
    :func:`~alur.core.load_definition`), or build :class:`~alur.core.SopDefinition` objects
    in Python. Each definition is validated; an invalid one makes the plugin fail to load
    with every problem listed.

    :returns: a list of definitions; their ``id`` must be unique within the plugin.
    """


@hookspec
def alur_case_started(case: CaseState, definition: SopDefinition, event: Event) -> None:
    """Called after a case of one of this plugin's SOPs has started (only this plugin's).

    :param case: the state of the new case (its first task is open).
    :param definition: the definition the case pinned.
    :param event: the ``case_started`` event (who started it, when, the period).
    """


@hookspec
def alur_step_completed(
    case: CaseState, definition: SopDefinition, step: Step, event: Event
) -> None:
    """Called after a task of a process, start or end step of a case of this plugin's SOPs
    was completed.

    :param case: the case state after the completion.
    :param definition: the case's definition.
    :param step: the completed step.
    :param event: the ``task_completed`` event (actor, unit, note, payload).
    """


@hookspec
def alur_gate_decided(
    case: CaseState, definition: SopDefinition, step: Step, answer: Answer, event: Event
) -> None:
    """Called after a gate of a case of this plugin's SOPs was decided ("ya" or "tidak").

    :param case: the case state after the decision.
    :param definition: the case's definition.
    :param step: the decision step.
    :param answer: :attr:`Answer.YA` or :attr:`Answer.TIDAK`.
    :param event: the ``gate_decided`` event; for "tidak" its note says what to correct.
    """


@hookspec
def alur_validate_step_data(
    definition: SopDefinition, step: Step, unit: str | None, data: Mapping[str, Any]
) -> Sequence[str] | None:
    """Check the data submitted when completing a step of a case of this plugin's SOPs,
    before anything is saved. Only this plugin is asked about its cases' data.

    :param definition: the case's definition.
    :param step: the step being completed.
    :param unit: the unit whose task it is, or ``None`` for a step that runs once.
    :param data: the submitted data (output note, fields).
    :returns: a list of messages, in the user's language, explaining what is wrong; an
        empty list or ``None`` accepts the data. Any message refuses the completion.
    """


@hookspec
def alur_notification_channels() -> Sequence[Any]:
    """Return the notification channels this plugin adds (a WhatsApp gateway, Telegram…).

    A channel is any object with:

    * ``name`` — a short, unique name such as ``"whatsapp"`` (lowercase letters, digits,
      ``-`` and ``_``). People choose it among their channels; ``email``, ``webhook`` and
      ``app`` are Alur's own and a plugin may not take them, nor a name another plugin
      uses: either stops the worker at start with the plugin's name and the clash;
    * ``async send(delivery)`` — sends one ``OutgoingDelivery``
      (:mod:`alur.tenants.notify.channels`): ``recipient`` (the person's WhatsApp number in
      E.164 for ``whatsapp``, else their email address), ``title``, ``text`` and ``url`` in
      the person's ``language``, and ``key``, an idempotency key to pass on to the gateway
      so that a repeat is dropped.

    ``send`` returns when the message was accepted. To fail, raise
    ``alur.tenants.notify.channels.DeliveryFailed(reason, permanent=False)`` (any other
    exception counts the same, with its text): the delivery is tried again later with a
    growing delay and shown as failing in the office's deliveries log; after the last try,
    or at once for ``permanent=True`` (a number the gateway rejects), it is marked failed
    with the reason. A failing channel never blocks other deliveries. A delivery may be
    sent more than once (a worker killed after sending but before recording it): receivers
    should drop repeats by ``key``.

    :returns: a list of channel objects (an empty list adds none).
    """
