"""Uploaded files: the checks every attachment passes, and the row that stores it.

Shared by :meth:`alur.tenants.cases.service.TenantService.act` (a completion's files, written in
the transaction of its events), :meth:`~alur.tenants.cases.service.TenantService.attach` (one file)
and the data kinerja evidence (:mod:`alur.tenants.kinerja.service`, several files written with a
submission in one transaction): a file is checked with :func:`check_upload` first, and only
when nothing is wrong with any of them — and the action itself is allowed — are the rows of
:func:`attachment_row` saved, in the action's transaction.
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple

from alur.core.i18n import format_message, gettext
from alur.core.limits import file_name_problem
from alur.tenants.storage.tables import Attachment

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
ATTACHMENT_TYPES = {
    "application/pdf",
    "image/jpeg",
    "image/png",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/msword",
    "text/csv",
    "text/plain",
}


class Upload(NamedTuple):
    """One uploaded file (a plain ``(filename, content_type, content)`` tuple is accepted
    as well)."""

    filename: str
    content_type: str
    content: bytes


def check_upload(filename: str, content_type: str, content: bytes) -> tuple[str, dict[str, str]]:
    """An uploaded file's cleaned name and its problems per field (none: acceptable)."""
    errors: dict[str, str] = {}
    name = (filename or "").strip().replace("/", "_").replace("\\", "_")
    if not name:
        errors["filename"] = gettext("the file has no name")
    elif problem := file_name_problem(name):
        errors["filename"] = problem  # too long, control or bidi/format characters
    if content_type not in ATTACHMENT_TYPES:
        errors["content_type"] = format_message(
            "files of type {type} are not accepted (PDF, images, Word, Excel, CSV or text)",
            type=content_type or gettext("unknown"),
        )
    if not content:
        errors["content"] = gettext("the file is empty")
    elif len(content) > MAX_ATTACHMENT_BYTES:
        errors["content"] = format_message(
            "the file is larger than {size} MB", size=MAX_ATTACHMENT_BYTES // (1024 * 1024)
        )
    return name, errors


def attachment_row(
    tenant_id: int,
    case_id: int,
    task_no: int | None,
    name: str,
    content_type: str,
    content: bytes,
    user_id: int,
) -> Attachment:
    """An unsaved attachment row for a file that passed :func:`check_upload`."""
    return Attachment(
        tenant=tenant_id,
        case=case_id,
        task_no=task_no,
        filename=name,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_by=user_id,
    )
