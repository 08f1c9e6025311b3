"""Pinned SOP definitions read back from their snapshot rows, parsed once per process.

A case pins the exact definition it started with (its content hash);
:meth:`~alur.tenants.cases.store.CaseStore.pin_definition` stores the snapshot and
:func:`pinned_definitions` reads it back, checking that the body still hashes to its key.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from alur.core.loader import definition_from_mapping
from alur.core.model import SopDefinition
from alur.tenants.caches import ByteBoundedCache
from alur.tenants.cases.rows import from_json
from alur.tenants.storage.tables import SopSnapshot

# Snapshots parsed in this process, by content hash. A content-addressed definition is the
# same in every tenant and database, so sharing the parsed object is safe; storing the
# snapshot row is still tracked per store (see pin_definition). Weighed by the length of
# the snapshot's JSON: a parsed definition measured about 2 bytes per character of it (its
# texts and objects); 4, and a fixed part, err on the large side.
_PARSED: ByteBoundedCache[str, tuple[SopDefinition, int]] = ByteBoundedCache(
    "definitions", 1 / 4, lambda entry: entry[1]
)


def _definition_bytes(body: Any) -> int:
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return 16_384 + 4 * len(text)


async def pinned_definitions(hashes: Sequence[str]) -> dict[str, SopDefinition]:
    """The pinned definitions of ``hashes``, by hash, parsed once per process: a statement
    only for those this process has not seen yet. A hash with no snapshot row, or whose
    row's body does not hash to it (a tampered or corrupt row), is left out."""
    found = {h: e[0] for h in hashes if (e := _PARSED.get(h)) is not None}
    missing = [h for h in hashes if h not in found]
    if missing:
        rows = await SopSnapshot.select(SopSnapshot.definition_hash, SopSnapshot.body).where(
            SopSnapshot.definition_hash.is_in(missing)
        )
        for row in rows:
            h = row["definition_hash"]
            d = definition_from_mapping(from_json(row["body"]), source=f"snapshot {h[:12]}")
            if d.content_hash == h:
                found[h] = d
                _PARSED.put(h, (d, _definition_bytes(row["body"])))
    return found
