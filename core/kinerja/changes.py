"""What changed between two versions of a unit's submission.

After a "Tidak" at verification the unit corrects its data and saves a new version; the
verifier is shown :func:`changes_between` the version they returned and the new one.

Each :class:`Change` is one field of one indicator, with the text before and after ("" when
absent):

- ``realisasi``, as a canonical decimal (:func:`~alur.core.kinerja.numbers.decimal_text`),
  so 12.50 and 12.5 are no change;
- ``explanation``;
- ``evidence``, compared by (name, SHA-256), one change per file: added, removed, or the
  same name with other content, then shown as "name (first 8 hex digits of its SHA-256)".

An indicator entered only in one version shows its fields as changed from or to "".
Compared against no earlier version (``before`` is ``None``), every field that has a value
is a change.

Order: the indicators of ``after`` in its order, then those only in ``before``; within an
indicator realisasi, explanation, evidence.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from alur.core.kinerja.model import Entry, Evidence, Submission
from alur.core.kinerja.numbers import decimal_text

REALISASI = "realisasi"
EXPLANATION = "explanation"
EVIDENCE = "evidence"


@dataclass(frozen=True, slots=True)
class Change:
    """One changed field of one indicator (``field``: realisasi, explanation, evidence)."""

    indicator: str  # Indicator.code
    field: str
    before: str
    after: str


def changes_between(before: Submission | None, after: Submission) -> tuple[Change, ...]:
    """Every change from ``before`` (``None``: nothing yet) to ``after``."""
    old = {e.indicator: e for e in before.entries} if before is not None else {}
    new = {e.indicator: e for e in after.entries}
    codes = list(dict.fromkeys([*new, *old]))
    changes: list[Change] = []
    for code in codes:
        changes += _entry_changes(code, old.get(code), new.get(code))
    return tuple(changes)


def _entry_changes(code: str, old: Entry | None, new: Entry | None) -> list[Change]:
    changes: list[Change] = []
    before = decimal_text(old.realisasi) if old is not None else ""
    after = decimal_text(new.realisasi) if new is not None else ""
    if before != after:
        changes.append(Change(code, REALISASI, before, after))
    before = old.explanation if old is not None else ""
    after = new.explanation if new is not None else ""
    if before != after:
        changes.append(Change(code, EXPLANATION, before, after))
    changes += _evidence_changes(
        code, old.evidence if old is not None else (), new.evidence if new is not None else ()
    )
    return changes


def _evidence_changes(
    code: str, old: tuple[Evidence, ...], new: tuple[Evidence, ...]
) -> list[Change]:
    removed = list((Counter(old) - Counter(new)).elements())
    added = list((Counter(new) - Counter(old)).elements())
    changes: list[Change] = []
    for gone in removed:
        replacement = next((e for e in added if e.name == gone.name), None)
        if replacement is None:
            changes.append(Change(code, EVIDENCE, gone.name, ""))
        else:
            added.remove(replacement)
            changes.append(Change(code, EVIDENCE, _with_hash(gone), _with_hash(replacement)))
    changes += [Change(code, EVIDENCE, "", e.name) for e in added]
    return changes


def _with_hash(evidence: Evidence) -> str:
    return f"{evidence.name} ({evidence.sha256[:8]})"
