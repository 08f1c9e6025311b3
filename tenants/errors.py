"""Errors of the storage and tenancy layer, with messages a user can act on."""

from __future__ import annotations

from alur.core.errors import N_, ActionError, AlurError


class NotFound(AlurError):
    """Asked for something that does not exist *in this tenant* (another tenant's object
    is indistinguishable from a missing one)."""

    code = "not_found"
    template = N_("{what} not found")


class Conflict(ActionError):
    code = "conflict"
    template = N_(
        "someone else acted on this case at the same moment; reload the case and try again"
    )


class Forbidden(AlurError):
    code = "forbidden"
    template = N_("you may not {what}")


class InvalidInput(AlurError):
    """Bad input; ``errors`` maps each field to its message."""

    code = "invalid_input"
    template = N_("{summary}")

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__(summary="; ".join(f"{k}: {v}" for k, v in self.errors.items()))


class TenantSuspended(AlurError):
    code = "tenant_suspended"
    template = N_("the office {slug} is suspended; ask the platform operators")
