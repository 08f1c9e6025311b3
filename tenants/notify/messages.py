"""What a notification says, in the reader's language.

A notification stores data (``body``: sop, step, kegiatan, period, due, to_role…); this module
turns it into a title and a sentence for the app list, an email or a plugin channel, in the
language asked for (the person's own for email, the page's in the app). SOP text (kegiatan,
SOP name) is inserted exactly as the institution wrote it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from alur.core.i18n import current_language, format_message, gettext, pick_language
from alur.tenants.notify.records import DIGEST, ESCALATED, REMINDED


@dataclass(frozen=True)
class Message:
    title: str
    text: str
    path: str  # the page it points to, relative to the installation's base URL


@contextmanager
def language(lang: str) -> Iterator[None]:
    token = current_language.set(pick_language(lang))
    try:
        yield
    finally:
        current_language.reset(token)


def render(kind: str, body: Mapping[str, Any], tenant: str, lang: str | None = None) -> Message:
    """The message of a notification of ``kind`` in office ``tenant``; ``lang`` (e.g. the
    person's language for an email) or the current one."""
    if lang is not None:
        with language(lang):
            return render(kind, body, tenant)
    case = body.get("case", "")
    path = f"/t/{tenant}/cases/{case}" if case else f"/t/{tenant}/inbox"
    step = body.get("step", "")
    kegiatan = body.get("kegiatan", "")
    due = body.get("due_text", "")
    if kind == REMINDED:
        sop = body.get("sop_name", "")
        if body.get("reason") == "remind_due":  # literal templates: extracted for translation
            title = format_message("Task due now: step {step} of {sop}", step=step, sop=sop)
        else:
            title = format_message(
                "Reminder: step {step} of {sop} is due {due}", step=step, sop=sop, due=due
            )
        text = format_message(
            '"{kegiatan}" ({period}) is waiting for you; due {due}.',
            kegiatan=kegiatan,
            period=body.get("period", ""),
            due=due,
        )
    elif kind == ESCALATED:
        title = format_message(
            "Needs attention: step {step} of {sop} is overdue",
            step=step,
            sop=body.get("sop_name", ""),
        )
        text = format_message(
            '"{kegiatan}" ({period}) held by {holder} was due {due} and is still open.',
            kegiatan=kegiatan,
            period=body.get("period", ""),
            holder=body.get("holder", ""),
            due=due,
        )
    elif kind == DIGEST:
        title = gettext("Your open tasks today")
        text = format_message(
            "{open} open, {overdue} overdue.",
            open=body.get("open", 0),
            overdue=body.get("overdue", 0),
        )
        path = f"/t/{tenant}/inbox"
    elif kind in REVISION_KINDS:
        title, text = _revision_message(kind, body)
        path = f"/t/{tenant}/sops/{body.get('sop', '')}/revisi/{body.get('number', 0)}"
    elif kind in MONEV_KINDS:
        title, text = _monev_message(kind, body)
        path = f"/t/{tenant}/monev/{body.get('form', '')}"
    else:
        title, text = kind, ""
    return Message(title=title, text=text, path=path)


# Notices of an office's SOP revisions (alur.tenants.sop_life.revision_notices).
REVISION_KINDS = ("sop_revision_submitted", "sop_revision_returned", "sop_revision_approved")


def _revision_message(kind: str, body: Mapping[str, Any]) -> tuple[str, str]:
    sop, number = body.get("sop_name", ""), body.get("number", 0)
    if kind == "sop_revision_submitted":
        return (
            format_message("SOP awaiting your approval: {sop}", sop=sop),
            format_message(
                'Revisi ke-{number} of "{sop}" was submitted for pengesahan.',
                number=number,
                sop=sop,
            ),
        )
    if kind == "sop_revision_returned":
        return (
            format_message("SOP revision returned: {sop}", sop=sop),
            format_message(
                'Revisi ke-{number} of "{sop}" was returned to draf: {note}',
                number=number,
                sop=sop,
                note=body.get("note", ""),
            ),
        )
    return (
        format_message("SOP revision approved: {sop}", sop=sop),
        format_message('Revisi ke-{number} of "{sop}" was approved.', number=number, sop=sop),
    )


# Notices of the SOP monitoring form (alur.tenants.monitoring.monev_notices).
MONEV_KINDS = ("monev_opened", "monev_reminded")


def _monev_message(kind: str, body: Mapping[str, Any]) -> tuple[str, str]:
    sop, due = body.get("sop_name", ""), body.get("due", "")
    period = f"{body.get('start', '')} – {body.get('end', '')}"
    if kind == "monev_opened":
        title = format_message("Monev form to fill: {sop}", sop=sop)
    else:
        title = format_message("Reminder: the monev form of {sop} is due {due}", sop=sop, due=due)
    text = format_message(
        'The SOP monitoring form of "{sop}" for {period} waits for your judgement and paraf; '
        "due {due}.",
        sop=sop,
        period=period,
        due=due,
    )
    return title, text
