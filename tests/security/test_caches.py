"""The process's caches are bounded by bytes (``alur.tenants.caches``, issue 11).

Each test fills a cache with entries that carry large texts and counts what stays alive
(``gc``), so it does not depend on how the cache is built: a cache bounded by a count, or
one that keeps an inbox per office event counter, keeps them all.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from graphql import DocumentNode

from alur.core import SopDefinition, loads_definition
from alur.core.engine.actors import Actor, Membership
from alur.graphql.schema import schema
from alur.tenants import caches
from alur.tenants.caches import MIB, ByteBoundedCache, CacheConfigError, text_bytes
from alur.tenants.cases.inbox import InboxCache, InboxTask
from alur.tenants.cases.snapshots import pinned_definitions
from alur.tenants.cases.store import CaseStore
from alur.tenants.storage.database import Database
from tests.conftest import SAMPLE_TOML

LARGE = 1_000_000


@pytest.fixture
def small_budget() -> Iterator[None]:
    """``ALUR_CACHE_MB=8``: 4 MiB of inboxes, 2 of definitions, 1 of GraphQL documents."""
    caches.configure({"ALUR_CACHE_MB": "8"})
    yield
    caches.configure({})


def alive(kind: type, marked: str, text: Callable[[Any], str] = repr) -> int:
    """How many objects of ``kind`` are alive whose text holds ``marked``."""
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, kind) and marked in text(o)[:400])


def test_entries_are_dropped_by_bytes_not_count() -> None:
    cache: ByteBoundedCache[int, str] = ByteBoundedCache("test", 1 / 64, text_bytes)
    assert cache.budget == MIB  # 1/64 of the default 64 MiB
    for n in range(20):
        cache.put(n, f"{n:02d}" + "x" * 200_000)
    assert cache.size <= cache.budget
    assert len(cache) == 5  # 200 kB each
    assert cache.get(19) is not None
    assert cache.get(0) is None
    cache.put(99, "x" * (2 * MIB))  # larger than the whole budget: not kept
    assert cache.get(99) is None
    assert len(cache) == 5
    cache.put(19, "small")  # replacing an entry frees its bytes
    assert cache.size < 5 * 200_000
    caches._ALL.remove(cache)


def test_the_budget_is_shared_out_from_alur_cache_mb(small_budget: None) -> None:
    import alur.web.cases.view  # noqa: F401  (its rendered documents are a cache too)

    names = {c.name: c.budget for c in caches.all_caches()}
    assert names == {
        "inboxes": 4 * MIB,
        "definitions": 2 * MIB,
        "graphql_documents": MIB,
        "sop_documents": MIB,
    }
    assert caches.budget_mb({}) == 64
    for wrong in ("0", "7", "lots", "-1", "65537"):
        with pytest.raises(CacheConfigError, match="ALUR_CACHE_MB"):
            caches.budget_mb({"ALUR_CACHE_MB": wrong})


# --- inboxes --------------------------------------------------------------------------------


def inbox(marker: str) -> list[InboxTask]:
    """An inbox of one task whose case has a 1 MB period."""
    period = f"{marker} " + "x" * LARGE
    now = datetime.now(UTC)
    return [InboxTask("k", "sop", period, 1, 1, "Menyusun", None, "staf", now, False, False, "")]


def person(n: int) -> Actor:
    return Actor(str(n), f"Orang {n}", (Membership("staf"),))


def test_a_new_event_counter_replaces_the_inbox_read_at_the_old_one() -> None:
    """The issue's leak: every write in the office moved the counter on, and each person's
    next inbox was kept beside the ones before (a copy of every large period each time)."""
    cache = InboxCache()
    staf = person(1)
    for seq in range(1, 31):
        assert cache.get((7, seq, staf)) is None  # the office moved on: read afresh
        cache.put((7, seq, staf), inbox("seq-marker"))
        assert cache.get((7, seq, staf)) is not None
    assert alive(InboxTask, "seq-marker") == 1
    latest = cache.get((7, 30, staf))
    cache.put((7, 29, staf), inbox("late"))  # a request that read before the last write
    assert cache.get((7, 30, staf)) is latest
    assert cache.get((7, 29, staf)) is None
    cache.clear()


def test_inboxes_are_kept_within_their_budget_in_bytes(small_budget: None) -> None:
    cache = InboxCache()
    for n in range(30):  # 30 people, each inbox 1 MB; 4 MiB of room
        cache.put((7, 1, person(n)), inbox("people-marker"))
    assert 1 <= alive(InboxTask, "people-marker") <= 4
    assert cache.get((7, 1, person(29))) is not None
    cache.clear()


# --- parsed definitions ---------------------------------------------------------------------


def large_definition(n: int) -> SopDefinition:
    name = f"def-marker {n} " + "x" * 300_000
    return loads_definition(
        SAMPLE_TOML.replace('nama = "Contoh Pengumpulan Data Kinerja"', f'nama = "{name}"'),
        source="large.toml",
    )


@pytest.mark.anyio
async def test_parsed_definitions_are_kept_within_their_budget_in_bytes(
    database: Database, small_budget: None
) -> None:
    store = CaseStore(database)
    hashes = []
    for n in range(8):  # each about 1.2 MB by the estimate; 2 MiB of room
        d = large_definition(n)
        await store.pin_definition("contoh", d)
        hashes.append(d.content_hash)
    del d, store
    for h in hashes:
        found = await pinned_definitions([h])
        assert found[h].header.nama.startswith("def-marker")
    del found
    assert alive(SopDefinition, "def-marker") <= 2


# --- GraphQL documents ----------------------------------------------------------------------


def type_query(n: int, size: int) -> str:
    name = f"doc-marker {n} " + "x" * size
    return '{ __type(name: "' + name + '") { name } }'


@pytest.mark.anyio
async def test_graphql_documents_are_kept_within_their_budget_in_bytes(
    small_budget: None,
) -> None:
    for n in range(24):  # 200 kB each: a few tokens, a long string literal; 1 MiB of room
        result = await schema.execute(type_query(n, 200_000))
        assert result.errors is None
        assert result.data == {"__type": None}
    assert alive(DocumentNode, "doc-marker", lambda d: d.loc.source.body) <= 5


@pytest.mark.anyio
async def test_a_remembered_document_is_parsed_and_validated_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from alur.graphql import document_cache

    parsed, validated = [], []
    real_parse, real_validate = document_cache.parse, document_cache.validate_document
    monkeypatch.setattr(
        document_cache, "parse", lambda *a, **k: parsed.append(1) or real_parse(*a, **k)
    )
    monkeypatch.setattr(
        document_cache,
        "validate_document",
        lambda *a: validated.append(1) or real_validate(*a),
    )
    wrong = "{ __type(name: 1) { nosuch } }"
    for _ in range(3):
        assert (await schema.execute(type_query(1, 10))).errors is None
        errors = (await schema.execute(wrong)).errors
        assert errors is not None
        assert {e.message for e in errors} >= {"Cannot query field 'nosuch' on type '__Type'."}
    assert (len(parsed), len(validated)) == (2, 2)
