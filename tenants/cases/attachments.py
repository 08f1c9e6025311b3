"""The files of a case: the attachments of its tasks, stored in the database.

:class:`CaseFiles` is the part of :class:`~alur.tenants.cases.service.TenantService` that
adds a file to a case (:meth:`CaseFiles.attach`) and reads them back for someone who may
read the case; a completion's own files are written with its events by
:meth:`~alur.tenants.cases.service.TenantService.act` (:mod:`alur.tenants.cases.uploads`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from alur.core import limits
from alur.core.i18n import format_message, gettext
from alur.tenants.cases.uploads import attachment_row, check_upload
from alur.tenants.errors import InvalidInput, NotFound
from alur.tenants.storage.tables import Attachment, Task

if TYPE_CHECKING:
    from alur.core.engine import Context
    from alur.tenants.cases.store import StoredCase, TenantRef


@dataclass(frozen=True)
class AttachmentInfo:
    id: int
    case_key: str
    task_no: int | None
    filename: str
    content_type: str
    size: int
    sha256: str
    # the SOP step of the task the file was uploaded at (``task_no`` numbers the case's
    # tasks, not its steps); None for a file of the case itself
    step: int | None = None


class CaseFiles:
    """Attachments, scoped to the service's tenant (a mixin of ``TenantService``)."""

    ref: TenantRef

    if TYPE_CHECKING:

        async def case(self, case_key: str) -> StoredCase: ...

        async def case_for(self, user_id: int | None, case_key: str) -> StoredCase: ...

        async def context(self, user_id: int) -> Context: ...

    async def attach(
        self,
        user_id: int,
        case_key: str,
        task_no: int | None,
        filename: str,
        content_type: str,
        content: bytes,
    ) -> AttachmentInfo:
        name, errors = check_upload(filename, content_type, content)
        case = await self.case(case_key)
        await self.context(user_id)  # the uploader must be a member (and the tenant active)
        if task_no is not None and not await Task.exists().where(
            (Task.tenant == self.ref.id) & (Task.case == case.id) & (Task.task_no == task_no)
        ):
            errors["task"] = format_message(
                "task {task} is not part of case {case}", task=task_no, case=case_key
            )
        if errors:
            raise InvalidInput(errors)
        row = attachment_row(self.ref.id, case.id, task_no, name, content_type, content, user_id)
        await row.save()
        steps = await self._task_steps(case.id)
        return AttachmentInfo(
            row.id,
            case_key,
            task_no,
            row.filename,
            content_type,
            len(content),
            row.sha256,
            steps.get(task_no) if task_no is not None else None,
        )

    async def attachment(
        self, user_id: int | None, case_key: str, attachment_id: int
    ) -> tuple[AttachmentInfo, bytes]:
        """A file of case ``case_key``, for someone who may read the case (:meth:`case_for`)."""
        case = await self.case_for(user_id, case_key)
        if not limits.usable_id(attachment_id):
            raise NotFound(what=gettext("attachment"))
        row = (
            await Attachment.select(
                Attachment.all_columns(), Attachment.case.key.as_alias("case_key")
            )
            .where(
                (Attachment.tenant == self.ref.id)
                & (Attachment.case == case.id)
                & (Attachment.id == attachment_id)
            )
            .first()
        )
        if row is None:
            raise NotFound(what=gettext("attachment"))
        info = AttachmentInfo(
            row["id"],
            row["case_key"],
            row["task_no"],
            row["filename"],
            row["content_type"],
            row["size"],
            row["sha256"],
            (await self._task_steps(case.id)).get(row["task_no"]),
        )
        return info, bytes(row["content"])

    async def attachments(self, case_key: str) -> list[AttachmentInfo]:
        return await self.attachments_of(await self.case(case_key))

    async def attachments_of(self, case: StoredCase) -> list[AttachmentInfo]:
        case_key = case.key
        rows = await Attachment.select(
            Attachment.id,
            Attachment.task_no,
            Attachment.filename,
            Attachment.content_type,
            Attachment.size,
            Attachment.sha256,
        ).where((Attachment.tenant == self.ref.id) & (Attachment.case == case.id))
        steps = await self._task_steps(case.id) if rows else {}
        return [
            AttachmentInfo(
                r["id"],
                case_key,
                r["task_no"],
                r["filename"],
                r["content_type"],
                r["size"],
                r["sha256"],
                steps.get(r["task_no"]),
            )
            for r in rows
        ]

    async def _task_steps(self, case_id: int) -> dict[int, int]:
        """The step of each task of the case, by task number: the label of a file is the
        step it was uploaded at, not its task's number."""
        rows = await Task.select(Task.task_no, Task.step).where(
            (Task.tenant == self.ref.id) & (Task.case == case_id)
        )
        return {r["task_no"]: r["step"] for r in rows}
