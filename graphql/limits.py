"""What one request may cost: the cost budget of an operation, and the settings of the
per-token request rate (:mod:`alur.tenants.identity.api_rate` keeps the counters).

**Cost.** Before an operation runs, :func:`operation_cost` counts the values its answer can
hold at most: every selected field counts 1, and a list multiplies what is selected inside
it by the most rows it can return — a connection's ``edges`` by the page asked for
(``first``: a literal or a variable, else its default; never more than
:data:`~alur.graphql.pagination.MAX_PAGE`), every other list by its bound in
:data:`LIST_SIZES` (else :data:`DEFAULT_LIST_SIZE`). A union or interface costs as much as
its dearest member. Fields are collected exactly as the executor collects them
(:class:`~alur.graphql.graphql_core_patches.executor.AlurExecutor` calls this with its own ``collect_subfields``:
fragments, aliases of the same field, ``@skip``/``@include`` with the request's variables),
so the walk follows the shape of the answer, not the text of the document. Introspection
(``__schema``, ``__type``) costs nothing here: its size is bounded by the schema.

An operation over the budget is refused before any resolver runs, with a GraphQL error
whose ``extensions`` are ``{"code": "QUERY_TOO_COSTLY", "cost": …, "budget": …}``.

The lists that are not paginated (a case's tasks and events, a format's indicators…) have
no hard bound in the data: :data:`LIST_SIZES` gives the size an office's data reaches in
practice (the SOPs have 9 to 13 steps, at most three of them per unit; a case's events are
about two per task). The estimate is an upper bound for such data, not for any data.

**Settings** (read from the environment when the app is created, :meth:`ApiLimits.from_env`):

* ``ALUR_GRAPHQL_COST_BUDGET`` — the most an operation may cost (default 200,000);
* ``ALUR_GRAPHQL_RATE_LIMIT`` — requests per token and window (default 600; 0: no limit);
* ``ALUR_GRAPHQL_RATE_WINDOW`` — the window in seconds (default 60).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
)
from graphql.execution.collect_fields import CollectedFields, FieldDetailsList, GroupedFieldSet
from graphql.execution.values import VariableValues, get_argument_values

from alur.core.i18n import format_message

MAX_PAGE = 100  # items per page of a connection (alur.graphql.pagination)
DEFAULT_PAGE = 20
DEFAULT_COST_BUDGET = 200_000
DEFAULT_RATE_LIMIT = 600
DEFAULT_RATE_WINDOW = 60
TOO_COSTLY = "QUERY_TOO_COSTLY"

DEFAULT_LIST_SIZE = 20
LIST_SIZES: dict[tuple[str, str], int] = {
    # (type, field): the most rows the list holds in practice (see the module docstring)
    ("Query", "tenants"): 100,  # the offices of a province, for a platform token
    ("Case", "tasks"): 50,
    ("Case", "events"): 120,
    ("SopDefinition", "steps"): 50,
    ("IndicatorSet", "indicators"): 50,
    ("CaseKinerja", "submissions"): 50,
    ("CaseKinerja", "changes"): 50,
    ("Submission", "entries"): 50,
    ("Recap", "sasaran"): 10,
    ("KinerjaEntry", "evidence"): 10,
    ("UnitResult", "evidence"): 10,
    ("WebhookList", "webhooks"): 20,  # alur.tenants.notify.webhooks.MAX_WEBHOOKS
    ("Webhook", "deliveries"): 50,  # its ``first`` is capped at 50
    ("NotificationList", "notifications"): 100,  # its ``first`` is capped at 100
    ("SopRevisionList", "revisions"): 100,  # an office's revisions of all its SOPs, over years
    ("SopComparison", "changes"): 200,  # 12 header fields, 12 per step of an SOP's ~13
    ("MutuBakuReport", "sops"): 10,  # the SOPs an office runs
    ("MutuBakuSop", "steps"): 20,  # an SOP's ~13 steps (and those of a moved-to revision)
    ("MutuBakuSop", "bottlenecks"): 3,  # alur.core.monitoring.figures.bottlenecks' top
    ("MutuBakuSop", "people"): 200,  # per step and person: ~13 steps, a few people each
    ("MutuBakuStep", "units"): 20,  # an office's units
    ("ProvinceMutuBaku", "steps"): 20,
    ("ProvinceMutuBaku", "offices"): 100,  # the offices of a province
    ("OfficeMutuBaku", "steps"): 20,
}
MAX_STEPS = 20_000  # selection sets walked per operation; a larger shape is refused as is


def _env_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise ValueError(f"{name}={raw!r}: give a whole number (default {default})")
    return int(raw)


@dataclass(frozen=True)
class ApiLimits:
    """The API's limits per request and per token; ``clock`` gives the time in seconds
    (epoch) for the rate windows (tests pass their own)."""

    cost_budget: int = DEFAULT_COST_BUDGET
    rate_limit: int = DEFAULT_RATE_LIMIT
    rate_window: int = DEFAULT_RATE_WINDOW
    clock: Callable[[], float] = time.time

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ApiLimits:
        env = os.environ if environ is None else environ
        limits = cls(
            cost_budget=_env_int(env, "ALUR_GRAPHQL_COST_BUDGET", DEFAULT_COST_BUDGET),
            rate_limit=_env_int(env, "ALUR_GRAPHQL_RATE_LIMIT", DEFAULT_RATE_LIMIT),
            rate_window=_env_int(env, "ALUR_GRAPHQL_RATE_WINDOW", DEFAULT_RATE_WINDOW),
        )
        if limits.rate_window < 1:
            raise ValueError("ALUR_GRAPHQL_RATE_WINDOW: give at least 1 second")
        return limits


class _Walk:
    """One operation's cost walk (memoized per selection, as the executor collects)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        variables: VariableValues,
        collect: Callable[[GraphQLObjectType, FieldDetailsList], CollectedFields],
    ) -> None:
        self.schema = schema
        self.variables = variables
        self.collect = collect
        self.memo: dict[tuple[str, int, int], int] = {}
        self.steps = 0

    def fields(self, parent: GraphQLObjectType, grouped: GroupedFieldSet, page: int) -> int:
        return sum(self.field(parent, fields, page) for fields in grouped.values())

    def field(self, parent: GraphQLObjectType, fields: FieldDetailsList, page: int) -> int:
        node = fields[0].node
        name = node.name.value
        definition = parent.fields.get(name)
        if definition is None:  # __typename (1); __schema and __type: bounded by the schema
            return 1 if name == "__typename" else 0
        field_type = definition.type
        if isinstance(field_type, GraphQLNonNull):
            field_type = field_type.of_type
        named = get_named_type(field_type)
        if is_leaf_type(named):
            return 1
        if "first" in definition.args:
            page = self._first(definition, fields)
        rows = 1
        if is_list_type(field_type):
            rows = (
                page if name == "edges" else LIST_SIZES.get((parent.name, name), DEFAULT_LIST_SIZE)
            )
        if is_abstract_type(named):
            possible = self.schema.get_possible_types(named)  # type: ignore[arg-type]
            inner = max((self.selection(t, fields, page) for t in possible), default=0)
        else:
            inner = self.selection(named, fields, page)  # type: ignore[arg-type]
        return 1 + rows * inner

    def selection(self, object_type: GraphQLObjectType, fields: FieldDetailsList, page: int) -> int:
        key = (object_type.name, id(fields), page)
        cost = self.memo.get(key)
        if cost is None:
            self.steps += 1
            if self.steps > MAX_STEPS:
                raise _ShapeTooLarge
            grouped = self.collect(object_type, fields).grouped_field_set
            cost = self.memo[key] = self.fields(object_type, grouped, page)
        return cost

    def _first(self, definition: Any, fields: FieldDetailsList) -> int:
        details = fields[0]
        try:
            value = get_argument_values(
                definition, details.node, self.variables, details.fragment_variable_values
            ).get("first")
        except GraphQLError:  # reported by the execution itself
            return MAX_PAGE
        if not isinstance(value, int):
            return DEFAULT_PAGE if value is None else MAX_PAGE
        return min(max(value, 1), MAX_PAGE)


class _ShapeTooLarge(Exception):
    pass


def operation_cost(
    schema: GraphQLSchema,
    root_type: GraphQLObjectType,
    grouped: GroupedFieldSet,
    variables: VariableValues,
    collect: Callable[[GraphQLObjectType, FieldDetailsList], CollectedFields],
    *,
    budget: int | None = None,
) -> int:
    """The cost of an operation whose root fields are ``grouped``. ``collect`` collects an
    object's sub-fields (the executor's memoized ``collect_subfields``). A shape too large to
    walk (over :data:`MAX_STEPS` selections) costs more than any ``budget``."""
    walk = _Walk(schema, variables, collect)
    try:
        return walk.fields(root_type, grouped, DEFAULT_PAGE)
    except _ShapeTooLarge:
        return (budget or 0) + 1


def too_costly(cost: int, budget: int) -> GraphQLError:
    """The error that refuses an operation over the budget, before it runs."""
    return GraphQLError(
        format_message(
            "this query could return up to {cost} values, over the budget of {budget} per "
            "query: ask for fewer items per page (first), fewer nested lists or fewer aliases",
            cost=cost,
            budget=budget,
        ),
        extensions={"code": TOO_COSTLY, "cost": cost, "budget": budget},
    )
