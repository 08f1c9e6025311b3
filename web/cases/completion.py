"""The posted action forms of a task, read as the service takes them.

:func:`read_form` reads a submitted form, urlencoded or multipart; :func:`completion_of`
turns its completion fields (the output ``note``, the named data rows, the ``attachment``)
into the :class:`~alur.core.engine.Complete` action and its files, and :func:`decision_of` a
gate's answer into :class:`~alur.core.engine.Decide` — for the plain forms
(web/cases/controller.py) and for a data kinerja form completed or answered in the same press
(web/kinerja/controller.py).
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import UploadFile

from alur.core.engine import Complete, Decide
from alur.core.model import Answer
from alur.tenants.cases.rules import step_data_from_rows
from alur.tenants.cases.uploads import Upload

# The repeated fields of the action forms: a completion's data rows (name, value), and the
# units a "tidak" sends back (offered only after a join, see web/cases/view.py).
DATA_NAMES, DATA_VALUES, UNITS = "data_name", "data_value", "units"
UNITS_OFFERED = "units_offered"
LISTS = (DATA_NAMES, DATA_VALUES, UNITS)


async def read_form(request: Request) -> dict[str, Any]:
    """The submitted form, urlencoded or multipart (uploads stay UploadFile objects); the
    repeated fields (:data:`LISTS`) as lists of texts."""
    form = await request.form()
    data: dict[str, Any] = {name: [] for name in LISTS}
    for k, v in form.multi_items():
        if k in LISTS:
            data[k].append(str(v))
        else:
            data[k] = v
    return data


async def completion_of(task: int, data: dict[str, Any]) -> tuple[Complete, list[Upload]]:
    """The completion a form read by :func:`read_form` asks for: its output note, its named
    data rows (:class:`~alur.tenants.errors.InvalidInput` on ``data`` when they are wrong)
    and its attachment, read into memory."""
    files = []
    upload = data.get("attachment")
    if isinstance(upload, UploadFile) and upload.filename:
        content = await upload.read()
        files.append(Upload(upload.filename, upload.content_type or "", content))
    rows = list(zip(data.get(DATA_NAMES, []), data.get(DATA_VALUES, []), strict=False))
    note = str(data.get("note", "")).strip()
    return Complete(task, note, step_data_from_rows(rows)), files


def decision_of(task: int, answer: str, data: dict[str, Any]) -> Decide:
    """The gate's answer (``ya`` / ``tidak``) a form read by :func:`read_form` gives: its
    note, and for a "tidak" the units whose work it sends back where the form offered the
    choice (after a join)."""
    units = None
    if answer == "tidak" and data.get(UNITS_OFFERED):
        units = tuple(data.get(UNITS, []))
    return Decide(task, Answer(answer), str(data.get("note", "")).strip(), units)
