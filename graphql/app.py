"""``/graphql`` in the litestar app: strawberry's litestar integration, with GraphiQL.

:func:`graphql_controller` returns the controller ``alur.web.app.create_app`` mounts. It is
strawberry's ``make_graphql_controller`` with two adjustments:

* its HTTP handlers are re-declared with explicit ``NamedDependency`` markers — strawberry's
  own rely on dependencies inferred by parameter name, which litestar 2.24+ deprecates
  (and this project's test suite treats that warning as an error);
* the context is :func:`alur.graphql.context.request_context` (the bearer token, the app's
  database and plugins, per-request DataLoaders), there are no subscriptions (so no
  websocket route), and a request strawberry cannot read (no query, a body that is not
  JSON, not UTF-8 or nested deeper than the JSON parser goes) answers HTTP 400 and JSON
  ``{"errors": [{"message": …, "extensions": {"code": "BAD_REQUEST"}}]}``, an unexpected
  exception HTTP 500 and ``{"errors": [...]}``; never text or HTML.

Before strawberry sees a request with a valid token, the token's request is counted
(:func:`alur.tenants.identity.api_rate.count_request`, shared by every process through the
database): over ``ALUR_GRAPHQL_RATE_LIMIT`` requests in a window answers HTTP 429 with
``Retry-After`` and a GraphQL error whose ``extensions.code`` is ``RATE_LIMITED``. The
context carries the cost budget the executor enforces (:mod:`alur.graphql.limits`).

CSRF protection does not apply to ``/graphql`` (``create_app`` excludes it): requests
authenticate with a bearer header, not a cookie, so another site cannot forge them.
"""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from cross_web import HTTPException as CrossWebHTTPException
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.background_tasks import BackgroundTasks
from litestar.di import NamedDependency, Provide
from litestar.exceptions import HTTPException
from strawberry.litestar import make_graphql_controller

from alur.core.i18n import current_language, error_message, gettext
from alur.graphql.context import AlurContext, language_from, request_context
from alur.graphql.limits import ApiLimits
from alur.graphql.schema import DATABASE_UNAVAILABLE, schema, unavailable_error
from alur.tenants.errors import RateLimited
from alur.tenants.identity.api_rate import count_request
from alur.tenants.storage.database import RETRY_AFTER_SECONDS, is_unavailable

PATH = "/graphql"
RATE_LIMITED = "RATE_LIMITED"
BAD_REQUEST = "BAD_REQUEST"  # a body that cannot be read as a GraphQL request (HTTP 400)
log = logging.getLogger(__name__)


def _fresh_response() -> Response:
    """The response strawberry fills in (status, headers) while executing."""
    return Response({}, background=BackgroundTasks([]))


def _json_error(request: Request[Any, Any, Any], exc: Exception) -> Response:
    if is_unavailable(exc):  # reading the token or counting the request failed
        log.warning("database unavailable on %s: %r", request.url.path, exc)
        language = current_language.set(language_from(request.headers.get("accept-language")))
        try:
            error = unavailable_error()
        finally:
            current_language.reset(language)
        return _unavailable({"errors": [error.formatted]})
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status >= 500:
        log.exception("error serving %s", request.url.path, exc_info=exc)
        message = "Unexpected error."
    else:
        message = str(exc.detail) if isinstance(exc, HTTPException) else str(exc)
    return Response(
        {"errors": [{"message": message}]}, status_code=status, media_type=MediaType.JSON
    )


def _unavailable(body: Any) -> Response:
    return Response(
        body,
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        media_type=MediaType.JSON,
    )


def _rate_limited(error: RateLimited, language: str) -> Response:
    token = current_language.set(language)
    try:
        message = error_message(error)
    finally:
        current_language.reset(token)
    retry_after = error.params["retry_after"]
    extensions = {"code": RATE_LIMITED, "retryAfter": retry_after}
    return Response(
        {"errors": [{"message": message, "extensions": extensions}]},
        status_code=429,
        headers={"Retry-After": str(retry_after)},
        media_type=MediaType.JSON,
    )


def graphql_controller(limits: ApiLimits | None = None) -> type[Controller]:
    """The controller serving ``/graphql``: GET and POST, and GraphiQL in a browser.
    ``limits``: the cost budget and request rate (default: from the environment, now)."""
    limits = limits or ApiLimits.from_env()
    base = make_graphql_controller(schema, path=PATH, graphql_ide="graphiql")

    class GraphQLController(base):  # type: ignore[valid-type,misc]
        dependencies = {  # noqa: RUF012 - litestar reads it from the class
            "context": Provide(request_context),
            "response": Provide(_fresh_response, sync_to_thread=False),
        }
        exception_handlers = {Exception: _json_error}  # noqa: RUF012
        websocket_endpoint = None  # no subscriptions

        def encode_json(self, data: object) -> bytes:
            """msgspec, as litestar's own responses (several times faster than json)."""
            return msgspec.json.encode(data)

        @get(raises=[HTTPException])
        async def handle_http_get(
            self,
            request: Request[Any, Any, Any],
            context: NamedDependency[AlurContext],
            response: NamedDependency[Response],
        ) -> Response:
            return await self._serve(request, context, response)

        @post(status_code=200)
        async def handle_http_post(
            self,
            request: Request[Any, Any, Any],
            context: NamedDependency[AlurContext],
            response: NamedDependency[Response],
        ) -> Response:
            return await self._serve(request, context, response)

        async def _serve(
            self, request: Request[Any, Any, Any], context: AlurContext, response: Response
        ) -> Response:
            request.state.graphql_response = response
            context.cost_budget = limits.cost_budget
            if context.identity is not None:
                try:
                    await count_request(
                        context.identity.token_id,
                        limit=limits.rate_limit,
                        window=limits.rate_window,
                        now=limits.clock(),
                    )
                except RateLimited as error:
                    return _rate_limited(error, context.language)
            language = current_language.set(context.language)  # for parse_json's messages
            try:
                answer = await self.run(request, context=context, root_value=None)
                if context.cache.get(DATABASE_UNAVAILABLE):  # see MaskUnexpected
                    answer.status_code = 503
                    answer.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
                return answer
            except CrossWebHTTPException as exc:  # no query, a body that is not JSON, …
                error: dict[str, Any] = {"message": exc.reason}
                if exc.status_code == 400:
                    error["extensions"] = {"code": BAD_REQUEST}
                return Response(
                    {"errors": [error]}, status_code=exc.status_code, media_type=MediaType.JSON
                )
            finally:
                current_language.reset(language)

        def parse_json(self, data: str | bytes) -> Any:
            """The body (or GET's ``variables``) as JSON; bytes that are not UTF-8, and
            values nested deeper than the parser goes (about 900 levels), are a 400 like
            text that is not JSON — strawberry catches only the latter."""
            try:
                return super().parse_json(data)
            except UnicodeDecodeError:
                raise CrossWebHTTPException(
                    400, gettext("the request body is not valid UTF-8")
                ) from None
            except RecursionError:
                raise CrossWebHTTPException(
                    400, gettext("the request body nests values too deeply")
                ) from None

        async def get_sub_response(self, request: Request[Any, Any, Any]) -> Response:
            return request.state.graphql_response

    return GraphQLController
