"""Parsed and validated documents, remembered per process within a budget of bytes.

Clients send the same few operations again and again, so parsing and validating each text
once pays. strawberry's ``ParserCache`` and ``ValidationCache`` bound their
``functools.lru_cache`` by a count, and a count bounds nothing here: the token limit
(``MAX_TOKENS``) does not limit the length of a string literal, so one document of a few
tokens can hold megabytes of text, and 256 of them as many hundreds of megabytes.

:class:`DocumentCache` keeps each query text's document and validation errors in the
``graphql_documents`` cache of :mod:`alur.tenants.caches` (1/8 of ``ALUR_CACHE_MB``),
weighed as the text plus about 600 bytes per token (graphql-core keeps every token and a
node per few tokens: measured 420–520 bytes per token). A text that does not fit is parsed
and validated as if there were no cache.

It relies on strawberry internals: its ``_parse_operation_document`` skips a document an
extension already set, its ``_run_validation`` skips validation when an extension already
set ``pre_execution_errors``, and ``Schema._schema`` is graphql-core's schema (strawberry
0.341.2). tests/storage/test_library_patches.py pins them and fails when an upgrade changes them.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass

from graphql import DocumentNode, GraphQLError, parse
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from alur.tenants.caches import ByteBoundedCache

TOKEN_BYTES = 600


@dataclass(slots=True)
class Remembered:
    document: DocumentNode
    weight: int  # estimated bytes
    rules: tuple[type, ...] | None = None  # the validation rules ``errors`` were found with
    errors: list[GraphQLError] | None = None


def document_bytes(query: str, document: DocumentNode) -> int:
    tokens = 0
    token = document.loc.start_token if document.loc is not None else None
    while token is not None:
        tokens += 1
        token = token.next
    return sys.getsizeof(query) + TOKEN_BYTES * tokens


documents: ByteBoundedCache[str, Remembered] = ByteBoundedCache(
    "graphql_documents", 1 / 8, lambda entry: entry.weight
)


class DocumentCache(SchemaExtension):
    """Parse and validate each query text once (while it stays in the cache)."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        if query is not None and context.graphql_document is None:
            found = documents.get(query)
            if found is None:
                document = parse(query, **context.parse_options)
                found = Remembered(document, document_bytes(query, document))
                documents.put(query, found)
            context.graphql_document = found.document
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        found = documents.get(context.query) if context.query is not None else None
        if found is not None and found.document is context.graphql_document:
            rules = tuple(context.validation_rules)
            if found.errors is None or found.rules != rules:
                found.errors = validate_document(context.schema._schema, found.document, rules)
                found.rules = rules
            context.pre_execution_errors = list(found.errors)
        yield
