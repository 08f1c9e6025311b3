"""What the chain records of stored content, so that a changed row is caught.

The event that closes a task (a completion, or a gate's answer) records, under
``data["attachments"]``, every file stored for that task so far: ``[{"id", "name",
"sha256"}]`` (an empty list when there is none, so a file added later is caught too). A file
stored in the same transaction as the event, before its row id is known, may be recorded as
``{"name", "sha256"}``: verification then matches it by name and hash. A
value sent by a client under that key is replaced, so it cannot be forged. The other
records are the data kinerja ones (:mod:`alur.tenants.kinerja.rules`: the format's
``set_hash``, the unit's submission ``sha256``). The task rows and the case state need no
record: they are recomputed from the events themselves. :mod:`alur.tenants.audit.content`
checks all of it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from alur.core.engine import Action, Complete, Decide
from alur.tenants.cases.store import StoredCase
from alur.tenants.storage.tables import Attachment

ATTACHMENTS = "attachments"


def attachment_record(attachment_id: int, name: str, sha256: str) -> dict[str, Any]:
    return {"id": attachment_id, "name": name, "sha256": sha256}


async def task_attachments(tenant_id: int, case_id: int, task_no: int) -> list[dict[str, Any]]:
    """The records of the files stored for one task, oldest first."""
    rows = (
        await Attachment.select(Attachment.id, Attachment.filename, Attachment.sha256)
        .where(
            (Attachment.tenant == tenant_id)
            & (Attachment.case == case_id)
            & (Attachment.task_no == task_no)
        )
        .order_by(Attachment.id)
    )
    return [attachment_record(r["id"], r["filename"], r["sha256"]) for r in rows]


async def with_attachments(
    tenant_id: int, case: StoredCase, action: Action, new: Sequence[Attachment] = ()
) -> Action:
    """``action`` with the records of its task's files, when it closes a task: those stored
    before, and ``new``, the unsaved rows stored in the same transaction as the action (by
    name and hash: their ids are not known yet)."""
    if not isinstance(action, Complete | Decide) or action.task not in case.state.open_tasks:
        return action
    files = await task_attachments(tenant_id, case.id, action.task)
    files += [{"name": row.filename, "sha256": row.sha256} for row in new]
    return dataclasses.replace(action, data={**action.data, ATTACHMENTS: files})
