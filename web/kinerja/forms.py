"""The posted data kinerja forms of the web UI, read into what
:class:`~alur.tenants.kinerja.service.KinerjaService` takes — and the values shown back in them.

Field names (every form also carries ``_csrf_token``):

- the format editor: ``r{index}.{field}`` for each field of
  :data:`~alur.core.kinerja.forms.INDICATOR_FIELDS`, ``index`` counting rows from 0;
  ``r{index}.units`` is repeated (one checkbox per unit, none checked = every unit) and
  ``r{index}.allow_negative`` is a checkbox ("on"). A row with nothing typed and nothing
  checked is a spare row: its direction select is ignored, so it is skipped by the reader
  and its row index still lines up with the reader's ``"{row}.{field}"`` error keys;
- copying a format: ``from_period``;
- a unit's data: ``{code}.realisasi``, ``{code}.explanation``, ``{code}.evidence`` (files,
  repeated) and ``{code}.remove`` (SHA-256 of an evidence file to drop, repeated). A code's
  realisasi or explanation sent twice, or a code the unit does not report, is passed on as
  sent: the service refuses it (``"{code}.code"``), as it does over GraphQL.

Numbers are written back into inputs in the notation of the page's language without
thousands grouping ("87,5" in Indonesian, "87.5" in English): exactly what
:func:`~alur.core.kinerja.numbers.parse_number` reads back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from litestar.datastructures import FormMultiDict, UploadFile

from alur.core.kinerja.forms import INDICATOR_FIELDS, MAX_ROWS
from alur.core.kinerja.model import Indicator
from alur.core.kinerja.numbers import decimal_text
from alur.tenants.kinerja.service import Upload

_ROW_FIELD = re.compile(r"r(\d{1,4})\.([a-z_]+)")
_FILL_FIELDS = ("realisasi", "explanation")


def input_number(value: Decimal, language: str) -> str:
    """``value`` as typed into a form input: "87,5" (Indonesian) or "87.5" (English)."""
    text = decimal_text(value)
    return text.replace(".", ",") if language == "id" else text


def indicator_row(indicator: Indicator, language: str) -> dict[str, str]:
    """An indicator as a row of the format editor (the texts the reader reads back)."""
    return {
        "code": indicator.code,
        "sasaran": indicator.sasaran,
        "text": indicator.text,
        "unit_of_measure": indicator.unit_of_measure,
        "target": input_number(indicator.target, language),
        "direction": str(indicator.direction),
        "units": ",".join(indicator.units),
        "allow_negative": "on" if indicator.allow_negative else "",
    }


def design_rows(form: FormMultiDict) -> list[dict[str, str]]:
    """The rows of a posted format editor, in index order, spare rows included (as all
    empty), so that row ``i`` of the list is the form's row ``i``."""
    found: dict[int, dict[str, Any]] = {}
    for key, value in form.multi_items():
        match = _ROW_FIELD.fullmatch(key)
        if match is None or not isinstance(value, str):
            continue
        index, name = int(match.group(1)), match.group(2)
        if index >= MAX_ROWS or name not in INDICATOR_FIELDS:
            continue
        row = found.setdefault(index, {"units": []})
        if name == "units":
            if value.strip():
                row["units"].append(value.strip())
        else:
            row[name] = value
    rows: list[dict[str, str]] = []
    for index in range(max(found, default=-1) + 1):
        given = found.get(index, {"units": []})
        row = {name: str(given.get(name, "")) for name in INDICATOR_FIELDS if name != "units"}
        row["units"] = ",".join(dict.fromkeys(given["units"]))
        if not any(v.strip() for k, v in row.items() if k != "direction"):
            row["direction"] = ""  # a spare row: its select's default is not an entry
        rows.append(row)
    return rows


@dataclass
class FillForm:
    """A posted unit form: ``values``, the (code, fields) pairs in the order sent — a code
    sent twice is two pairs, which the service refuses — the new evidence files and the
    evidence to remove, per indicator code."""

    values: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    evidence: dict[str, list[Upload]] = field(default_factory=dict)
    remove: dict[str, list[str]] = field(default_factory=dict)

    def typed(self) -> dict[str, dict[str, str]]:
        """What was typed per code, to show back in the form (the first of a code sent
        twice)."""
        found: dict[str, dict[str, str]] = {}
        for code, fields in self.values:
            found.setdefault(code, fields)
        return found

    def file_names(self) -> dict[str, list[str]]:
        """The names of the new evidence files, per code (a refused form asks for them
        again: a browser cannot be given files back)."""
        return {code: [u.filename for u in uploads] for code, uploads in self.evidence.items()}


async def fill_form(form: FormMultiDict) -> FillForm:
    """Read a posted unit form (files are read into memory; an empty file input is no
    file)."""
    result = FillForm()
    current: dict[str, dict[str, str]] = {}  # the latest pair of each code
    for key, value in form.multi_items():
        code, _, name = key.rpartition(".")
        if not code:
            continue
        if name in _FILL_FIELDS and isinstance(value, str):
            fields = current.get(code)
            if fields is None or name in fields:  # a field sent again: another value
                fields = current[code] = {}
                result.values.append((code, fields))
            fields[name] = value
        elif name == "evidence" and isinstance(value, UploadFile) and value.filename:
            content = await value.read()
            upload = Upload(value.filename, value.content_type or "", content)
            result.evidence.setdefault(code, []).append(upload)
        elif name == "remove" and isinstance(value, str) and value:
            result.remove.setdefault(code, []).append(value)
    return result


def row_units(row: Mapping[str, str]) -> tuple[str, ...]:
    """The unit slugs of a format editor row (its ``units`` text)."""
    return tuple(u for u in re.split(r"[\s,]+", row.get("units", "")) if u)
