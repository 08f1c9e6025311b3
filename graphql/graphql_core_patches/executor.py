"""How operations run: graphql-core's executor with a fast path for plain fields.

An inbox of 50 tasks is about 950 fields, and most of them are read straight off a
strawberry type with no resolver of its own: a number, a text, a date, or the task's
step and case. For each of them graphql-core builds a ``Path`` and a
``GraphQLResolveInfo``, calls strawberry's default resolver through two wrappers, tests
the result for awaitability, then walks ``complete_value`` through the non-null wrapper to
the scalar's ``coerce_output_value`` or the object's sub-selection: about two thirds of
the CPU an operation costs, for what is an attribute read.

:class:`AlurExecutor` (the schema's ``execution_context_class``) reads those fields
directly. A field qualifies when strawberry marks its resolver as its default one (a
*basic* field: no resolver, no permission classes, no field extensions), it takes no
arguments, and its type is a scalar, an enum or an object type without ``is_type_of``
(the only ones with it are the typed error results, which are reached through unions),
possibly non-null. Leaves are coerced here; objects go straight to their sub-selection,
with their path, so an error below is still reported where it happened.

Whatever is not the plain case — a missing value for a non-null field, a value that does
not coerce, an awaitable, an extension that wraps resolvers — goes through
graphql-core's own ``execute_field``, which reads the field again (an attribute read) and
reports the error at its path exactly as before. The answers are the same either way;
``tests/graphql/test_graphql_execution.py`` compares them.

Upstream code it overrides or mirrors: graphql-core's ``Executor.execute_fields``,
``execute_field`` and ``complete_value`` and ``IncrementalExecutor.execute_collected_root_fields``
(graphql-core 3.3.2; it also reads ``MiddlewareManager._middleware_resolvers``), and how
strawberry's ``GraphQLCoreConverter.from_resolver`` marks default resolvers (strawberry
0.341.2). tests/storage/test_library_patches.py pins their source and the names used here, and fails
when an upgrade changes them.
"""

from __future__ import annotations

import operator
import weakref
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from graphql import (
    GraphQLField,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
    Undefined,
    is_leaf_type,
)
from graphql.execution.collect_fields import DeferUsage, FieldDetailsList, GroupedFieldSet
from graphql.execution.executor import to_nodes
from graphql.pyutils import AwaitableOrValue, Path, gather_with_cancel
from strawberry.resolvers import is_default_resolver
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

from alur.graphql.limits import DEFAULT_COST_BUDGET, operation_cost, too_costly

# Values that are certainly neither errors nor awaitables (the common leaf values).
_PLAIN_VALUES = frozenset({str, int, float, bool, date, datetime, Decimal})


class PlainField(NamedTuple):
    """How to read one plain field of one object type."""

    field: GraphQLField
    read: Callable[[Any], Any]
    """The value from the source object (strawberry's default resolver, unwrapped)."""
    inner: GraphQLLeafType | GraphQLObjectType
    non_null: bool
    leaf: bool


# For each schema: (object type name, field name) -> PlainField, or None for a field that
# takes graphql-core's ordinary path. Filled lazily; a schema's fields never change.
_plans: weakref.WeakKeyDictionary[GraphQLSchema, dict[tuple[str, str], PlainField | None]] = (
    weakref.WeakKeyDictionary()
)


def plain_field(
    schema: GraphQLSchema, parent_type: GraphQLObjectType, name: str
) -> PlainField | None:
    """The fast path for ``parent_type.name``, or None when the field is not plain."""
    plans = _plans.setdefault(schema, {})
    key = (parent_type.name, name)
    if key not in plans:
        plans[key] = _plan(parent_type.fields.get(name))
    return plans[key]


def _plan(field: GraphQLField | None) -> PlainField | None:
    if field is None or field.args or not is_default_resolver(field.resolve):
        return None
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if definition is None or definition.base_resolver is not None:
        return None
    non_null = isinstance(field.type, GraphQLNonNull)
    inner = field.type.of_type if non_null else field.type
    if is_leaf_type(inner):
        leaf = True
    elif isinstance(inner, GraphQLObjectType) and inner.is_type_of is None:
        leaf = False
    else:
        return None
    resolver, name = definition.default_resolver, definition.python_name
    if resolver is getattr:
        read = operator.attrgetter(name)
    else:

        def read(source: Any) -> Any:
            return resolver(source, name)

    return PlainField(field, read, inner, non_null, leaf)


class AlurExecutor(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor, reading plain fields without the per-field machinery."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # id(grouped field set) -> (the set, kept alive so that its id is not reused; its plan)
        self._plans: dict[int, tuple[GroupedFieldSet, list[Any]]] = {}

    def execute_collected_root_fields(
        self,
        root_type: GraphQLObjectType,
        root_value: Any,
        grouped_field_set: GroupedFieldSet,
        serially: bool,
        new_defer_usages: Sequence[DeferUsage],
    ) -> AwaitableOrValue[dict[str, Any]]:
        """Refuse an operation over the cost budget (``context.cost_budget``) before any of
        its fields runs (:mod:`alur.graphql.limits`)."""
        budget = getattr(self.context_value, "cost_budget", DEFAULT_COST_BUDGET)
        cost = operation_cost(
            self.schema,
            root_type,
            grouped_field_set,
            self.variable_values,
            self.collect_subfields,
            budget=budget,
        )
        if cost > budget:
            raise too_costly(cost, budget)
        return super().execute_collected_root_fields(
            root_type, root_value, grouped_field_set, serially, new_defer_usages
        )

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        middleware = self.middleware_manager
        if middleware is not None and middleware._middleware_resolvers:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        is_awaitable = self.is_awaitable
        results: dict[str, Any] = {}
        awaitable_fields: list[str] = []
        try:
            for response_name, fields, plan in self._planned(parent_type, grouped_field_set):
                result: Any = Undefined
                if plan is not None:
                    result = self._execute_plain(
                        plan,
                        source_value,
                        fields,
                        path,
                        response_name,
                        parent_type,
                        position_context,
                    )
                    if plan.leaf and type(result) in _PLAIN_VALUES:
                        results[response_name] = result  # a coerced leaf: not awaitable
                        continue
                if result is Undefined:
                    result = self.execute_field(
                        parent_type,
                        source_value,
                        fields,
                        Path(path, response_name, parent_type.name),
                        position_context,
                    )
                    if result is Undefined:
                        continue
                results[response_name] = result
                if is_awaitable(result):
                    awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise

        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            awaited = await gather_with_cancel(*(results[field] for field in awaitable_fields))
            results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()

    def _planned(
        self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> list[tuple[str, FieldDetailsList, PlainField | None]]:
        """The grouped fields with their plans, worked out once per selection set.

        graphql-core collects a list's item selection once and reuses the same grouped
        field set for every item, so its identity is the key (kept alive with it).
        """
        cached = self._plans.get(id(grouped_field_set))
        if cached is not None:
            return cached[1]
        planned = []
        for response_name, fields in grouped_field_set.items():
            node = fields[0].node
            plan = (
                None if node.arguments else plain_field(self.schema, parent_type, node.name.value)
            )
            planned.append((response_name, fields, plan))
        self._plans[id(grouped_field_set)] = (grouped_field_set, planned)
        return planned

    def _execute_plain(
        self,
        plan: PlainField,
        source: Any,
        fields: FieldDetailsList,
        parent_path: Path | None,
        response_name: str,
        parent_type: GraphQLObjectType,
        position_context: Any,
    ) -> Any:
        """The field's result, or ``Undefined`` when it must take the ordinary path.

        The ordinary path reads the field again and reports whatever went wrong at the
        field's path; reading twice is harmless for an attribute. An awaitable value is
        not read twice: it is awaited and completed here, as graphql-core would.
        """
        try:
            value = plan.read(source)
        except Exception:
            return Undefined
        if value is None:
            return Undefined if plan.non_null else None
        if type(value) in _PLAIN_VALUES:
            pass
        elif isinstance(value, Exception):
            return Undefined
        elif self.is_awaitable(value):  # awaited and completed as graphql-core does
            path = Path(parent_path, response_name, parent_type.name)
            info = self.build_resolve_info(plan.field, to_nodes(fields), parent_type, path)
            return self.complete_awaitable_value(
                plan.field.type, fields, info, path, value, position_context
            )
        if plan.leaf:
            try:
                coerced = plan.inner.coerce_output_value(value)  # type: ignore[union-attr]
            except Exception:
                return Undefined
            return Undefined if coerced is None else coerced
        path = Path(parent_path, response_name, parent_type.name)
        object_type: GraphQLObjectType = plan.inner  # type: ignore[assignment]
        try:
            completed = self._sub_selection(object_type, fields, path, value, position_context)
        except Exception as raw_error:
            self.handle_field_error(raw_error, plan.field.type, fields, path)
            return None
        if self.is_awaitable(completed):
            return self._completed_later(completed, plan.field.type, fields, path)
        return completed

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[Any]:
        """An object value goes straight to its sub-selection (a list's items come here).

        graphql-core's own path takes four calls to get there; it still handles
        everything else: errors, nulls, lists, leaves, abstract types, ``is_type_of``.
        """
        object_type = return_type
        if isinstance(object_type, GraphQLNonNull):
            object_type = object_type.of_type
        if (
            isinstance(object_type, GraphQLObjectType)
            and object_type.is_type_of is None
            and result is not None
            and result is not Undefined
            and not isinstance(result, Exception)
        ):
            return self._sub_selection(
                object_type, field_details_list, path, result, position_context
            )
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _sub_selection(
        self,
        object_type: GraphQLObjectType,
        fields: FieldDetailsList,
        path: Path,
        value: Any,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        """The object's selected fields; ``@defer`` takes graphql-core's incremental path."""
        grouped_field_set, new_defer_usages, _ = self.collect_subfields(object_type, fields)
        if new_defer_usages or position_context is not None:
            return self.execute_collected_subfields(
                object_type, value, path, grouped_field_set, new_defer_usages, position_context
            )
        return self.execute_fields(object_type, value, path, grouped_field_set, None)

    async def _completed_later(
        self,
        completed: Awaitable[Any],
        field_type: GraphQLOutputType,
        fields: FieldDetailsList,
        path: Path,
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, field_type, fields, path)
            return None
