"""What a data kinerja form's submit asked for, and the one-time "saved" notice after it.

A format or data form has two buttons: "Save" and "Complete" (named :data:`THEN`, value
``complete``); :func:`asks_completion` tells which was pressed and reads the completion's fields
(:class:`Posted`). A save without htmx answers with a 303 back to the case page, at the form's task
(``#task-N``). What the notice says is kept in the session for that one next page:
:func:`remember_saved` writes it, :func:`with_saved_notice` (the case page) shows it next to
the form and forgets it, so a reload or a later visit does not say it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from litestar import Request
from litestar.datastructures import UploadFile

from alur.web.cases.completion import read_form
from alur.web.cases.view import CaseView

SESSION_KEY = "kinerja_saved"
THEN = "then"  # the name of a form's "Complete" button (value "complete"): save, then complete;
# on a gate's format editor its "Ya" / "Tidak" buttons (values "ya", "tidak"): save, then answer
THEN_VALUES = ("complete", "ya", "tidak")


@dataclass(frozen=True)
class Posted:
    """What a data kinerja form posted besides its own fields: whether its "Complete"
    button was pressed, and then the completion's fields (:func:`read_form`)."""

    key: str
    task: int
    completing: bool = False
    draft: dict[str, Any] = field(default_factory=dict)

    @property
    def attachment_name(self) -> str:
        """The name of the completion's file, which a refused form cannot keep."""
        upload = self.draft.get("attachment")
        return upload.filename if isinstance(upload, UploadFile) and upload.filename else ""


async def asks_completion(request: Request) -> tuple[bool, dict[str, Any]]:
    """Whether the form's "Complete" button (``then=complete``), or on a gate its "Ya" /
    "Tidak" (``then=ya|tidak``), was pressed, and the form's fields (empty when it was not;
    ``then`` among them)."""
    form = await request.form()
    if form.get(THEN) not in THEN_VALUES:
        return False, {}
    return True, await read_form(request)


def remember_saved(request: Request, key: str, task: int, notice: str) -> None:
    """Keep ``notice`` for the next case page of case ``key`` (at task ``task``)."""
    request.set_session(
        {**request.session, SESSION_KEY: {"case": key, "task": task, "notice": notice}}
    )


def with_saved_notice(request: Request, view: CaseView) -> CaseView:
    """``view`` with the remembered notice next to its task's form (once), if any."""
    saved = request.session.get(SESSION_KEY) if isinstance(request.session, dict) else None
    if not isinstance(saved, dict):
        return view
    request.set_session({k: v for k, v in request.session.items() if k != SESSION_KEY})
    task = saved.get("task")
    if saved.get("case") != view.key or task not in view.kinerja:
        return view
    panel = replace(view.kinerja[task], notice=str(saved.get("notice", "")))
    return replace(view, kinerja={**view.kinerja, task: panel})
