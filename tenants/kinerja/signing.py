"""Paraf and tanda tangan: the signer's confirmation, asked again at the moment of approval.

A step bound with ``data = "paraf"`` or ``"sign"`` is *done* (completed, or answered "ya" at a
gate) only when its actor confirms with a credential checked by the office's :class:`Signer`.
:func:`~alur.tenants.kinerja.rules.with_step_data` calls :func:`confirm` for such a step, so
both doors (the web's Paraf / Tandatangani form and GraphQL's ``completeTask`` /
``decideGate`` with ``password``) go through this one rule; the record on the event names the
method (``{"approval", "recap_hash", "method": "password"}``).

Today the one signer is :class:`PasswordSigner`: the person's own password, checked with the
password hashing of :mod:`alur.tenants.identity.people` and counted by the login throttle
(:func:`~alur.tenants.identity.throttle.reauthenticate_throttled`). A certified electronic
signature (BSrE) later is another :class:`Signer` — its ``confirm`` would ask the provider to
sign the recap hash with the person's passphrase and return the provider's reference in the
record — chosen by :func:`signer_for`; nothing else changes.

:func:`preview_approval` is the approval as it *would* be recorded (for the report preview the
signer checks before confirming); it records nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from alur.core.engine import membership_for
from alur.core.errors import ActionError
from alur.core.i18n import error_message, format_message, gettext
from alur.core.kinerja.model import Approval, ApprovalKind
from alur.core.model import DataAction, SopDefinition
from alur.tenants.cases.store import StoredCase
from alur.tenants.errors import Forbidden, InvalidInput, NotFound
from alur.tenants.identity.throttle import LoginLocked, ThrottleRules, reauthenticate_throttled
from alur.tenants.storage.tables import User

if TYPE_CHECKING:
    from alur.tenants.cases.service import TenantService

APPROVALS = (DataAction.PARAF, DataAction.SIGN)
PASSWORD_FIELD = "password"


class Signer(Protocol):
    """How a person confirms a paraf or tanda tangan."""

    method: str  # recorded on the event: "password" today, e.g. "bsre" later

    async def confirm(
        self, user_id: int, credential: str | None, kind: DataAction, recap_hash: str
    ) -> dict[str, Any]:
        """Check the confirmation; return what to add to the event's record (at least
        ``{"method": ...}``) or raise :class:`InvalidInput` under ``"password"``."""
        ...


class PasswordSigner:
    """The person's own password, asked again (counted like a failed sign-in when wrong)."""

    method = "password"

    def __init__(self, rules: ThrottleRules | None = None) -> None:
        self.rules = rules or ThrottleRules()

    async def confirm(
        self, user_id: int, credential: str | None, kind: DataAction, recap_hash: str
    ) -> dict[str, Any]:
        if not credential:
            what = gettext("paraf") if kind is DataAction.PARAF else gettext("tanda tangan")
            raise InvalidInput(
                {
                    PASSWORD_FIELD: format_message(
                        "Enter your password to confirm this {what}.", what=what
                    )
                }
            )
        try:
            right = await reauthenticate_throttled(user_id, credential, self.rules)
        except LoginLocked as exc:
            raise InvalidInput({PASSWORD_FIELD: error_message(exc)}) from exc
        if not right:
            raise InvalidInput(
                {PASSWORD_FIELD: gettext("The password is not right. Nothing was recorded.")}
            )
        return {"method": self.method}


_PASSWORD = PasswordSigner()


def signer_for(service: TenantService) -> Signer:
    """The signer of ``service``'s office: the password for every office today."""
    return _PASSWORD


async def confirm(
    service: TenantService,
    user_id: int | None,
    kind: DataAction,
    credential: str | None,
    recap_hash: str,
) -> dict[str, Any]:
    """The signer's record for a paraf/tanda tangan by ``user_id``, or a refusal."""
    if user_id is None:
        raise InvalidInput({PASSWORD_FIELD: gettext("A paraf or tanda tangan needs a person.")})
    return await signer_for(service).confirm(user_id, credential, kind, recap_hash)


async def preview_approval(
    service: TenantService, user_id: int, case: StoredCase, d: SopDefinition, task_no: int
) -> Approval:
    """The paraf/tanda tangan ``user_id`` would record at open task ``task_no`` now, for the
    current recap; :class:`NotFound` / :class:`Forbidden` as for acting on the task."""
    from alur.tenants.kinerja.rules import case_recap  # rules imports this module

    task = case.state.open_tasks.get(task_no)
    if task is None:
        raise NotFound(
            what=format_message("open task {task} of case {case}", task=task_no, case=case.key)
        )
    step = d.step(task.step)
    if step.data not in APPROVALS:
        raise NotFound(what=gettext("paraf or tanda tangan"))
    ctx = await service.context(user_id)
    try:
        membership = membership_for(ctx.actor, d, step, task.unit)
    except ActionError as exc:
        raise Forbidden(
            what=format_message(
                "act on task {task}: {reason}", task=task_no, reason=error_message(exc)
            )
        ) from exc
    ids = [user_id]
    official_id = membership.acting_for if membership.delegation else None
    if official_id and official_id.isdigit():
        ids.append(int(official_id))
    rows = await User.select(User.id, User.name, User.nip, User.jabatan, User.pangkat).where(
        User.id.is_in(ids)
    )
    by_id = {r["id"]: r for r in rows}
    me = by_id.get(user_id, {})
    holder = by_id.get(int(official_id), {}) if official_id and official_id.isdigit() else me
    role = d.roles_by_id.get(step.actor)
    recap = await case_recap(service, case)
    return Approval(
        kind=ApprovalKind(str(step.data)),
        step=step.number,
        recap_hash=recap.content_hash,
        name=me.get("name", ""),
        jabatan=holder.get("jabatan", "") or (role.name if role else ""),
        nip=me.get("nip", ""),
        pangkat=me.get("pangkat", ""),
        acting=str(membership.delegation) if membership.delegation else "",
        acting_for=(membership.acting_for_name or "") if membership.delegation else "",
        at=service.clock(),
    )
