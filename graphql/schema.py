"""The schema: root types assembled from the domain modules, and its extensions.

Limits (library code, no hand-rolled analysis): depth (strawberry's ``QueryDepthLimiter``
rule), aliases (``MaxAliasesLimiter``'s rule), document size (``MaxTokensLimiter``), and
page sizes capped at 100 by the connections. Parsed documents and validation results are
cached within a budget of bytes (:mod:`alur.graphql.document_cache`). Unexpected exceptions are logged and masked
("Unexpected error."); expected failures are union results (:mod:`alur.graphql.errors`).

``docs/schema.graphql`` is ``print(schema)``; ``tests/docs/test_graphql_docs.py`` fails when it
is stale. Regenerate it with::

    .venv/bin/python -m alur.graphql.schema > docs/schema.graphql
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import strawberry
from graphql import GraphQLError, StringValueNode, ValidationRule
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxTokensLimiter,
    SchemaExtension,
)
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from alur.core.i18n import current_language, error_message
from alur.graphql import queries
from alur.graphql.cases import mutations
from alur.graphql.context import DEFAULT_LANGUAGE
from alur.graphql.document_cache import DocumentCache
from alur.graphql.graphql_core_patches.executor import AlurExecutor
from alur.graphql.kinerja import mutations as kinerja_mutations
from alur.graphql.leaders.overview import LeadersQuery
from alur.graphql.monitoring.monev import MonevMutation, MonevQuery
from alur.graphql.monitoring.mutu_baku import MutuBakuQuery
from alur.graphql.notify import feed as notify_feed
from alur.graphql.notify import webhooks as notify_webhooks
from alur.graphql.sops import revisions as sop_revisions
from alur.graphql.sops.moving import MovingMutation
from alur.tenants.storage.database import RETRY_AFTER_SECONDS, DatabaseUnavailable, is_unavailable

DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE"  # extensions.code while the database is away
MAX_DEPTH = 10
MAX_ALIASES = 20
MAX_TOKENS = 2000

NUL_MESSAGE = "Text must not contain NUL characters (U+0000)."


class NoNulStrings(ValidationRule):
    """PostgreSQL cannot store U+0000 in text: refuse it in string literals up front."""

    def enter_string_value(self, node: StringValueNode, *_args: object) -> None:
        if "\x00" in node.value:
            self.report_error(GraphQLError(NUL_MESSAGE, node))


def has_nul(value: object) -> bool:
    """Whether a string in ``value`` (keys too) holds U+0000. Iterative: the variables may
    nest as deep as the JSON parser went (hundreds of levels), deeper than Python recurses."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            if "\x00" in node:
                return True
        elif isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)
    return False


class NoNulVariables(SchemaExtension):
    """The same for variables, which validation does not see."""

    def on_execute(self) -> Iterator[None]:
        if has_nul(self.execution_context.variables or {}):
            raise GraphQLError(NUL_MESSAGE)
        yield


# Built once, so that every request validates with the same rule classes and the
# validation cache (keyed by schema, document and rules) can answer repeated queries.
LIMIT_RULES = [depth_rule(MAX_DEPTH, None), alias_rule(MAX_ALIASES), NoNulStrings]


class Language(SchemaExtension):
    """Messages of one operation in the request's language (``context.language``)."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        token = current_language.set(getattr(context, "language", DEFAULT_LANGUAGE))
        try:
            yield
        finally:
            current_language.reset(token)


def unexpected(error: GraphQLError) -> bool:
    """Mask errors that come from a bug, not the ones raised on purpose (auth, validation)."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


class MaskUnexpected(MaskErrors):
    """Masks the errors of bugs as "Unexpected error."; a database that cannot be reached
    for a moment is not a bug: its error says so in the request's language, with
    ``extensions.code = "DATABASE_UNAVAILABLE"``, and the HTTP answer becomes a 503 with
    ``Retry-After`` (:data:`DATABASE_UNAVAILABLE` in the context's ``cache`` tells
    :mod:`alur.graphql.app`)."""

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        if not is_unavailable(error.original_error):
            return super().anonymise_error(error)
        context = self.execution_context.context
        if isinstance(getattr(context, "cache", None), dict):
            context.cache[DATABASE_UNAVAILABLE] = True
        return unavailable_error(error)


def unavailable_error(error: GraphQLError | None = None) -> GraphQLError:
    """The GraphQL error for a database that cannot be reached right now."""
    return GraphQLError(
        message=error_message(DatabaseUnavailable()),
        nodes=error.nodes if error else None,
        path=error.path if error else None,
        extensions={"code": DATABASE_UNAVAILABLE, "retryAfter": RETRY_AFTER_SECONDS},
    )


class AlurSchema(strawberry.Schema):
    """Logs only the errors that come from a bug: a missing token or a query over the
    limits is the client's business, answered in the response, not an incident."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        bugs = [e for e in errors if unexpected(e) and not is_unavailable(e.original_error)]
        super().process_errors(bugs, execution_context)


Query = merge_types(
    "Query",
    (
        queries.Query,
        notify_webhooks.WebhookQuery,
        notify_feed.FeedQuery,
        LeadersQuery,
        sop_revisions.SopRevisionQuery,
        MutuBakuQuery,
        MonevQuery,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        mutations.Mutation,
        kinerja_mutations.KinerjaMutation,
        notify_webhooks.WebhookMutation,
        notify_feed.FeedMutation,
        sop_revisions.SopRevisionMutation,
        MovingMutation,
        MonevMutation,
    ),
)

schema = AlurSchema(
    query=Query,
    mutation=Mutation,
    execution_context_class=AlurExecutor,
    extensions=[
        Language,
        NoNulVariables,
        partial(AddValidationRules, LIMIT_RULES),
        partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
        DocumentCache,
        partial(MaskUnexpected, should_mask_error=unexpected),
    ],
)


def sdl() -> str:
    """The schema in SDL, as kept in ``docs/schema.graphql``."""
    return str(schema).rstrip() + "\n"


if __name__ == "__main__":
    print(sdl(), end="")
