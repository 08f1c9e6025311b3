"""A piccolo ``ForeignKey`` whose ordinary attributes are read at ordinary speed.

piccolo's ``ForeignKey.__getattribute__`` calls ``dir(self)`` on every attribute whose
name does not start with an underscore (to set up lazily referenced tables), so reading a
method such as ``get_select_string`` off a foreign-key column costs about 15 µs. Building
one query reads dozens of them: in the web benchmark it was 15 % of the server's CPU.

Here an attribute whose name starts with an underscore (``_meta``), or that the column's
class defines and the instance does not override, is read directly. That is what piccolo returns for it anyway: its own logic only
matters for the columns of the referenced table (``Task.case.key``, a join), which the
instance holds in its ``__dict__`` and which still go through piccolo unchanged.

Upstream code it replaces: ``piccolo.columns.column_types.ForeignKey.__getattribute__``
(read in piccolo 1.38.0). tests/storage/test_library_patches.py pins its source and fails when an
upgrade changes it; tests/storage/test_columns.py checks the behaviour.
"""

from __future__ import annotations

from typing import Any

from piccolo.columns import ForeignKey as PiccoloForeignKey

_class_attributes: dict[type, frozenset[str]] = {}


class ForeignKey(PiccoloForeignKey):  # type: ignore[type-arg]
    """piccolo's ``ForeignKey``, minus the ``dir()`` call on reading its own methods."""

    def __getattribute__(self, name: str) -> Any:
        if name[0] == "_":  # piccolo returns these unchanged too
            return object.__getattribute__(self, name)
        cls = object.__getattribute__(self, "__class__")
        names = _class_attributes.get(cls)
        if names is None:
            names = _class_attributes[cls] = frozenset(dir(cls))
        if name in names and name not in object.__getattribute__(self, "__dict__"):
            return object.__getattribute__(self, name)
        return super().__getattribute__(name)
