"""Expected failures as typed results (members of each field's result union).

A client asks ``... on NotFound { message }`` and so on instead of parsing error strings.
GraphQL ``errors`` are kept for what a client cannot recover from in the query itself: no
or a bad token (``extensions.code = "UNAUTHENTICATED"``), a query over the limits, a syntax
error, or a bug (masked as "Unexpected error.").

Messages are in the request's language (English unless ``Accept-Language: id``), produced
by :func:`alur.core.i18n.error_message` from the same error classes the web UI shows.
"""

from __future__ import annotations

import strawberry

from alur.core.errors import AlurError, DurationError, TaskNotFound
from alur.core.i18n import error_message
from alur.tenants.errors import Conflict as ConflictError
from alur.tenants.errors import Forbidden as ForbiddenError
from alur.tenants.errors import InvalidInput as InvalidInputError
from alur.tenants.errors import NotFound as NotFoundError
from alur.tenants.errors import TenantSuspended


@strawberry.interface(
    description="An expected failure, with a message for people and a stable `code` for "
    "programs (the same code the web UI sends in its `X-Alur-Error` header)."
)
class Error:
    message: str
    code: str = strawberry.field(
        description="The error's stable code, e.g. `not_found`, `invalid_input`, `wrong_role`."
    )


@strawberry.type(
    description="The object does not exist, or belongs to another office (the two look "
    "the same on purpose)."
)
class NotFound(Error):
    pass


@strawberry.type(
    description="The token may not do this: a read-only or platform token asked to change "
    "something, or its person may no longer act in the office."
)
class Forbidden(Error):
    pass


@strawberry.type(
    description="Someone else acted on the case (or the SOP revision) at the same moment, or "
    "its state no longer allows the action; `code` says which. Read it again and retry."
)
class Conflict(Error):
    pass


@strawberry.type(description="One field's problem.")
class FieldError:
    field: str
    message: str


@strawberry.type(description="The input is not valid; every wrong field is listed.")
class InvalidInput(Error):
    fields: list[FieldError]


@strawberry.type(
    description="The workflow refused the action (wrong role, task not open, a 'tidak' "
    "without a note, …); nothing changed. `code` is stable (e.g. `wrong_role`)."
)
class ActionRefused(Error):
    pass


def invalid(fields: dict[str, str]) -> InvalidInput:
    """An :class:`InvalidInput` result for ``{field: message}``."""
    return from_error(InvalidInputError(fields))  # type: ignore[return-value]


def from_error(exc: AlurError, *, field_names: dict[str, str] | None = None) -> Error:
    """The result type for an expected error of the service layer or the engine.

    ``field_names`` renames the service's field names to the mutation's argument names.
    """
    names = field_names or {}
    if isinstance(exc, NotFoundError | TaskNotFound):
        return NotFound(message=error_message(exc), code=exc.code)
    if isinstance(exc, ConflictError):
        return Conflict(message=error_message(exc), code=exc.code)
    if isinstance(exc, ForbiddenError | TenantSuspended):
        return Forbidden(message=error_message(exc), code=exc.code)
    if isinstance(exc, InvalidInputError):
        fields = [FieldError(field=names.get(k, k), message=v) for k, v in exc.errors.items()]
        message = "; ".join(f"{f.field}: {f.message}" for f in fields)
        return InvalidInput(message=message, fields=fields, code=exc.code)
    if isinstance(exc, DurationError):
        field = names.get("durations", "durations")
        text = error_message(exc)
        return InvalidInput(
            message=text, fields=[FieldError(field=field, message=text)], code=exc.code
        )
    # the engine's refusals (ActionError) and any other expected error, with its code
    return ActionRefused(message=error_message(exc), code=exc.code)
