"""docs/operations.md states the migrations there are, taken from the code.

The number in "This version of Alur has **N migrations**", the counts in the ``alur migrate``
example and the migration ids it lists must be the ones piccolo finds in
``tenants/storage/piccolo_migrations/`` — so adding a migration without updating the
operations guide fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

from piccolo.apps.migrations.commands.base import BaseMigrationManager

from alur.tenants.storage.piccolo_app import APP_CONFIG

DOC = Path(__file__).resolve().parents[2] / "docs" / "operations.md"


def migration_ids() -> list[str]:
    """The migration ids piccolo runs, in order (what ``alur migrate`` applies)."""
    manager = BaseMigrationManager()
    return manager.get_migration_ids(
        manager.get_migration_modules(APP_CONFIG.resolved_migrations_folder_path)
    )


def test_migration_files_are_piccolos_migrations() -> None:
    folder = Path(APP_CONFIG.resolved_migrations_folder_path)
    files = sorted(p for p in folder.glob("*.py") if p.name != "__init__.py")
    assert len(files) == len(migration_ids())


def test_operations_doc_states_the_number_of_migrations() -> None:
    text = DOC.read_text(encoding="utf-8")
    ids = migration_ids()
    stated = re.search(r"This version of Alur has \*\*(\d+) migrations\*\*", text)
    assert stated, "docs/operations.md must say 'This version of Alur has **N migrations**'"
    assert int(stated.group(1)) == len(ids), (
        f"docs/operations.md says there are {stated.group(1)} migrations; there are {len(ids)}"
    )
    counts = [int(n) for n in re.findall(r"(\d+) migration\(s\)", text)]
    assert counts, "the `alur migrate` example is missing from docs/operations.md"
    assert set(counts) == {len(ids)}, f"the `alur migrate` example counts {counts}, not {len(ids)}"
    listed = re.findall(r"^  (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d:\d{6})$", text, re.MULTILINE)
    assert listed == ids, "the `alur migrate` example in docs/operations.md lists other migrations"
