"""Relay-style connections (``edges { cursor node }``, ``pageInfo``, ``totalCount``) with
opaque keyset cursors.

Pages go forwards only: ``first`` (1 to :data:`MAX_PAGE`, default :data:`DEFAULT_PAGE`)
and ``after`` (the ``endCursor`` of the previous page). A cursor is the sort key of its row
(cases: last update and id; tasks: due time and id), so rows inserted or moved while a
client pages through never shift the following page. ``totalCount`` is only counted when
asked for.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import strawberry
from strawberry.relay import PageInfo

from alur.core.i18n import format_message, gettext
from alur.core.limits import usable_id
from alur.graphql.cases.types import Case, Task
from alur.graphql.limits import DEFAULT_PAGE as DEFAULT_PAGE  # defined with the cost analysis
from alur.graphql.limits import MAX_PAGE


class BadPage(ValueError):
    """``first`` or ``after`` is not acceptable; ``fields`` says why, per argument."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(fields)
        self.fields = fields


def check_first(first: int) -> None:
    if not 1 <= first <= MAX_PAGE:
        raise BadPage({"first": format_message("ask for 1 to {max} items per page", max=MAX_PAGE)})


def encode_cursor(kind: str, at: datetime | None, row_id: int) -> str:
    raw = json.dumps([kind, at.isoformat() if at else None, row_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(
    kind: str, cursor: str | None, *, nullable: bool = True
) -> tuple[datetime | None, int] | None:
    """The keyset of ``cursor`` (``None`` for no cursor); :class:`BadPage` if it is not a
    cursor of this list. ``nullable``: whether the sort key may be null (a task's due)."""
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        found, at, row_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if found != kind or not usable_id(row_id) or (at is None and not nullable):
            raise ValueError(cursor)
        when = datetime.fromisoformat(at) if at is not None else None
        if when is not None and when.tzinfo is None:
            raise ValueError(cursor)
        return when, row_id
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise BadPage(
            {"after": gettext("not a cursor of this list: use a pageInfo.endCursor")}
        ) from None


def page_info(keys: list[CursorKey], has_next: bool, after: str | None) -> PageInfo:
    """``pageInfo`` of a page whose rows have the cursor ``keys`` (in page order)."""
    return PageInfo(
        has_next_page=has_next,
        has_previous_page=after is not None,
        start_cursor=encode_cursor(*keys[0]) if keys else None,
        end_cursor=encode_cursor(*keys[-1]) if keys else None,
    )


CursorKey = tuple[str, datetime | None, int]
"""What a cursor encodes: the list's kind, and the row's sort key and id."""


@strawberry.type(description="A case and its cursor.")
class CaseEdge:
    node: Case
    key: strawberry.Private[CursorKey]

    @strawberry.field(description="Where this case is in the list (for `after`).")
    def cursor(self) -> str:
        return encode_cursor(*self.key)


@strawberry.type(description="A page of cases, most recently updated first.")
class CaseConnection:
    edges: list[CaseEdge]
    page_info: PageInfo
    counter: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many cases match the filter (all pages).")
    async def total_count(self) -> int:
        return await self.counter()


@strawberry.type(description="A task and its cursor.")
class TaskEdge:
    node: Task
    key: strawberry.Private[CursorKey]

    @strawberry.field(description="Where this task is in the list (for `after`).")
    def cursor(self) -> str:
        """Encoded only when asked for: an inbox rarely wants every row's cursor."""
        return encode_cursor(*self.key)


@strawberry.type(description="A page of open tasks, soonest due first.")
class TaskConnection:
    edges: list[TaskEdge]
    page_info: PageInfo
    counter: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many open tasks match the filter (all pages).")
    async def total_count(self) -> int:
        return await self.counter()


def split_page(rows: list[dict[str, Any]], first: int) -> tuple[list[dict[str, Any]], bool]:
    """The rows of the page, and whether there is a next page (one row more was read)."""
    return rows[:first], len(rows) > first
