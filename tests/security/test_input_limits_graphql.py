"""Input limits hold on both backends at the GraphQL door (issue 11, point 6): random values
(hypothesis, a fixed number of derandomized examples, counted) for every argument of every
root field, and the probe bodies for each; no server error, and after a refused request the
database's rows are unchanged. The web forms and the method: test_input_limits.py."""

from __future__ import annotations

import json
from typing import Any

import graphql
from hypothesis import given
from hypothesis import strategies as st

from alur.graphql.schema import schema
from tests.security.input_limits_helpers import (
    Site,
    fixed_examples,
    raw_values,
)

GRAPHQL_EXAMPLES = 100  # per backend


# --- GraphQL ----------------------------------------------------------------------------------


def _value(draw: st.DrawFn, t: graphql.GraphQLInputType, depth: int = 0) -> Any:
    if isinstance(t, graphql.GraphQLNonNull):
        return _value(draw, t.of_type, depth)
    if draw(st.integers(0, 9)) == 0:
        return None
    if isinstance(t, graphql.GraphQLList):
        return [_value(draw, t.of_type, depth + 1) for _ in range(draw(st.integers(0, 3)))]
    if isinstance(t, graphql.GraphQLInputObjectType):
        return {name: _value(draw, f.type, depth + 1) for name, f in t.fields.items()}
    if isinstance(t, graphql.GraphQLEnumType):
        return draw(st.sampled_from(list(t.values)))
    name = t.name
    if name == "Int":
        return draw(st.one_of(st.integers(-(2**31), 2**31 - 1), st.sampled_from([0, -1, 1])))
    if name == "Boolean":
        return draw(st.booleans())
    if name == "JSON":
        deep: Any = "x"
        for _ in range(draw(st.integers(0, 60))):
            deep = {"k": deep} if draw(st.booleans()) else [deep]
        return draw(
            st.one_of(
                st.just(deep),
                st.dictionaries(st.text(max_size=5), st.text(max_size=10), max_size=3),
                st.dictionaries(
                    st.sampled_from(["a", "\x00"]),
                    st.sampled_from(["\x00", "x" * 20_000, 2**70, -(2**70)]),
                    max_size=2,
                ),
            )
        )
    raw = draw(raw_values)
    return raw.decode("utf-8", "replace") if draw(st.booleans()) else raw.decode("latin-1")


def _operation(kind: str, name: str, f: graphql.GraphQLField) -> tuple[str, dict]:
    defs = ", ".join(f"${a}: {arg.type}" for a, arg in f.args.items())
    args = ", ".join(f"{a}: ${a}" for a in f.args)
    named = graphql.get_named_type(f.type)
    selection = (
        ""
        if isinstance(named, graphql.GraphQLScalarType | graphql.GraphQLEnumType)
        else ("{ __typename }")
    )
    head = f"{kind} Fuzz({defs})" if defs else kind
    call = f"{name}({args})" if args else name
    return f"{head} {{ {call} {selection} }}", dict(f.args)


def test_graphql_arguments_survive_random_input(site: Site) -> None:
    gql = schema._schema
    fields = [("query", n, f) for n, f in gql.query_type.fields.items() if f.args] + [
        ("mutation", n, f) for n, f in gql.mutation_type.fields.items()
    ]
    ran = 0

    @fixed_examples(GRAPHQL_EXAMPLES)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        nonlocal ran
        ran += 1
        kind, name, f = data.draw(st.sampled_from(fields))
        query, args = _operation(kind, name, f)
        variables = {a: _value(data.draw, arg.type) for a, arg in args.items()}
        before = site.counts()
        r = site.client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {site.token}"},
        )
        assert r.status_code < 500, (name, variables, r.text[:300])
        body = r.json()
        assert "Unexpected error" not in r.text, (name, str(variables)[:300], r.text[:500])
        result = (body.get("data") or {}).get(name)
        refused = body.get("errors") or (
            isinstance(result, dict) and result.get("__typename") != "CaseChanged"
        )
        if refused:
            assert site.counts() == before, (name, str(variables)[:300])

    check()
    assert ran >= GRAPHQL_EXAMPLES


def _raw_body(query: str, variables: dict[str, bytes]) -> bytes:
    """A GraphQL POST body whose variables are given as raw JSON bytes (any bytes)."""
    head = json.dumps({"query": query, "variables": dict.fromkeys(variables, "@")}).encode()
    for name, raw in variables.items():
        head = head.replace(b'"%s": "@"' % name.encode(), b'"%s": %s' % (name.encode(), raw), 1)
    return head


GRAPHQL_SWEEP = (  # each argument's variable, as raw JSON bytes
    b'"\xff\xfe"',  # a string that is not UTF-8
    b'{"a": ' + b"[" * 900 + b"]" * 900 + b"}",  # parsed, then refused as too deep
    b"[" * 1200 + b"]" * 1200,  # deeper than the JSON parser goes
)


def test_every_graphql_argument_refuses_the_probe_bodies(site: Site) -> None:
    """The sweep of the raw bodies the probe sent: each argument of each root field gets
    each value while the others are null; and a body starting with an undecodable byte."""
    gql = schema._schema
    fields = [("query", n, f) for n, f in gql.query_type.fields.items() if f.args] + [
        ("mutation", n, f) for n, f in gql.mutation_type.fields.items()
    ]
    bodies = [b'\xff{"query": "{ me { __typename } }"}']
    for kind, name, f in fields:
        query, args = _operation(kind, name, f)
        for arg in args:
            bodies += [
                _raw_body(query, {a: value if a == arg else b"null" for a in args})
                for value in GRAPHQL_SWEEP
            ]
    before = site.counts()
    for body in bodies:
        r = site.client.post(
            "/graphql",
            content=body,
            headers={"Authorization": f"Bearer {site.token}", "Content-Type": "application/json"},
        )
        assert r.status_code < 500, (body[:80], r.text[:300])
        assert "recursion" not in r.text, (body[:80], r.text[:300])
        assert "Unexpected error" not in r.text, (body[:80], r.text[:300])
    assert site.counts() == before
    assert len(bodies) >= 90, len(bodies)
