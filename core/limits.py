"""Input limits: how long each kind of text may be, how deep JSON may
nest, which numbers can be ids — defined once, checked by the service layer before anything
reaches the database, so SQLite and PostgreSQL answer the same, and the web forms and
GraphQL give the same field messages.

Text is refused (a message per field, see :func:`text_problem`) when it is longer than its
limit, contains a NUL or another control character (except tab and line breaks in long
text), or is not valid UTF-8: a lone surrogate, or U+FFFD — the replacement character that
undecodable bytes become when a form is parsed (``%FF`` in an urlencoded body), refused so
that garbage is never stored (a person never needs to type U+FFFD). A lookup
key that breaks these rules (an id, a slug, a case key) cannot name anything, so a lookup
answers "not found" (:func:`usable_key`, :func:`usable_id`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from alur.core.i18n import format_message, gettext

# The longest text of each kind, in characters (the database columns are at least this).
SHORT = 64  # identifiers: usernames, slugs, role ids, unit slugs, indicator codes, targets
LINE = 255  # one line: names, jabatan, file names, labels
PERIOD = 100  # a case's period, e.g. "Triwulan III 2026"
NOTE = 10_000  # free text: notes, explanations, sasaran, indicator text
PASSWORD = 1024

JSON_DEPTH = 8  # nesting of objects/lists in a JSON argument (a step's data)
JSON_ITEMS = 1000  # values in a JSON argument, all levels together
ID_MAX = 2**63 - 1  # the largest number a JSON value may hold (18 digits and a bit)
# Row ids are SERIAL columns, 32-bit on PostgreSQL: anything larger (or below 1) is nothing
# stored, and must not reach the driver (asyncpg refuses to encode it: a 500).
ROW_ID_MAX = 2**31 - 1

REPLACEMENT = "\ufffd"  # what a parser makes of bytes that are not UTF-8
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f]")


def text_problem(value: str, limit: int, *, multiline: bool | None = None) -> str | None:
    """What is wrong with ``value`` as a text of at most ``limit`` characters, or ``None``.

    Line breaks and tabs are allowed in long text (``limit`` above :data:`LINE`, unless
    ``multiline`` says otherwise), never in a line."""
    if multiline is None:
        multiline = limit > LINE
    if not isinstance(value, str):
        return gettext("give text")
    if len(value) > limit:
        return format_message("use at most {count} characters", count=limit)
    if (_CONTROL if multiline else _CONTROL_IN_LINE).search(value):
        return gettext("remove the control characters (such as NUL) from the text")
    if REPLACEMENT in value:
        return gettext("the text is not valid UTF-8")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return gettext("the text is not valid UTF-8")
    return None


def file_name_problem(name: str) -> str | None:
    """What is wrong with an uploaded file's name, or ``None``: a line of at most
    :data:`LINE` characters (a longer name is refused, not cut: cutting loses its
    extension), without Unicode format characters (category Cf: bidi overrides and isolates
    such as U+202E, which make ``invoice\u202efdp.exe`` show as "invoiceexe.pdf", and
    zero-width marks) — the name is shown in pages and sent back in downloads."""
    if problem := text_problem(name, LINE, multiline=False):
        return problem
    if any(unicodedata.category(c) == "Cf" for c in name):
        return gettext(
            "remove the invisible formatting characters (such as right-to-left marks) "
            "from the file name"
        )
    return None


def text_problems(fields: Mapping[str, tuple[str | None, int]]) -> dict[str, str]:
    """Per field, what is wrong with its ``(value, limit)``; ``None`` values are skipped."""
    errors: dict[str, str] = {}
    for field, (value, limit) in fields.items():
        if value is None:
            continue
        problem = text_problem(value, limit)
        if problem is not None:
            errors[field] = problem
    return errors


def usable_key(value: object, limit: int = SHORT) -> bool:
    """Whether ``value`` can name a stored object (otherwise: "not found")."""
    return isinstance(value, str) and text_problem(value, limit, multiline=False) is None


def usable_id(value: object) -> bool:
    """Whether ``value`` can be the id of a stored row (a positive 32-bit integer)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= ROW_ID_MAX


def json_problem(value: Any, *, limit: int = NOTE) -> str | None:
    """What is wrong with a JSON value given as an argument: nested deeper than
    :data:`JSON_DEPTH`, more than :data:`JSON_ITEMS` values, a key or string breaking
    :func:`text_problem` (keys: :data:`SHORT`, strings: ``limit``), or an integer outside
    64 bits."""
    items = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        items += 1
        if items > JSON_ITEMS:
            return format_message("give at most {count} values", count=JSON_ITEMS)
        if isinstance(node, dict | list):
            if depth > JSON_DEPTH:
                return format_message("nest values at most {count} levels deep", count=JSON_DEPTH)
            if isinstance(node, dict):
                for key, child in node.items():
                    problem = text_problem(str(key), SHORT)
                    if problem is not None:
                        return problem
                    stack.append((child, depth + 1))
            else:
                stack.extend((child, depth + 1) for child in node)
        elif isinstance(node, str):
            problem = text_problem(node, limit)
            if problem is not None:
                return problem
        elif isinstance(node, int) and not isinstance(node, bool) and abs(node) > ID_MAX:
            return gettext("use numbers of at most 18 digits")
    return None
