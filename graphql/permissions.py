"""Who may call what: permission classes on the root fields.

* :class:`IsAuthenticated` — on every root field: a request without a usable token gets a
  GraphQL error with ``extensions.code = "UNAUTHENTICATED"`` (and, over HTTP, status 401
  with ``WWW-Authenticate: Bearer``). Introspection needs no token: the schema is public
  (``docs/schema.graphql``).
* :class:`CanWrite` — on every mutation: only an office's write token, which acts for a
  person, may change anything. Anything else gets the typed result ``Forbidden`` (an
  expected failure, not an error).
"""

from __future__ import annotations

from typing import Any

from strawberry.exceptions import StrawberryGraphQLError
from strawberry.permission import BasePermission, PermissionExtension

from alur.core.i18n import gettext
from alur.graphql.errors import Forbidden
from alur.tenants.errors import Forbidden as ForbiddenError

UNAUTHENTICATED = "UNAUTHENTICATED"


def _auth_message(problem: str | None) -> str:
    if problem == "malformed":
        return gettext('the Authorization header must read "Bearer <token>"')
    if problem == "invalid":
        return gettext(
            "the API token is not valid: it is unknown or revoked, or its person is deactivated "
            "or not a member of its office today"
        )
    return gettext('send an API token in the header "Authorization: Bearer <token>"')


class IsAuthenticated(BasePermission):
    """The request carries a valid bearer token."""

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        context = info.context
        if context.identity is not None:
            return True
        response = getattr(context, "response", None)
        if response is not None:  # over HTTP: answer 401, as RFC 6750 asks
            response.status_code = 401
            challenge = 'Bearer realm="alur"'
            if context.auth_problem in ("invalid", "malformed"):
                challenge += ', error="invalid_token"'
            response.headers["WWW-Authenticate"] = challenge
        raise StrawberryGraphQLError(
            _auth_message(context.auth_problem), extensions={"code": UNAUTHENTICATED}
        )


class CanWrite(BasePermission):
    """The token is a write token of an office, bound to a person."""

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        identity = info.context.identity
        return identity is not None and identity.can_write

    def on_unauthorized(self) -> Forbidden:  # type: ignore[override]
        return Forbidden(
            message=gettext(
                "this API token may only read: changes need a write token of the office, "
                "which acts for a person"
            ),
            code=ForbiddenError.code,
        )


def authenticated() -> list[PermissionExtension]:
    """The field extensions of a root query field."""
    return [PermissionExtension(permissions=[IsAuthenticated()], use_directives=False)]


def writing() -> list[PermissionExtension]:
    """The field extensions of a mutation."""
    return [PermissionExtension(permissions=[IsAuthenticated(), CanWrite()], use_directives=False)]
