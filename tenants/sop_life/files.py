"""An office's revision of an SOP as a TOML file, for those who prefer files to the editor.

The file holds the office's *part* (docs/sop-format.md, "What an office may change") in its
mapping form — ``[header]`` and ``[[steps]]``, only what the office sets — after a commented
header naming the office, the SOP, "Revisi ke-n", its state and the plugin definition it
builds on, and a ``[revision]`` table with its tanggal efektif::

    # Revisi ke-1 of pengumpulan-data-kinerja …
    [revision]
    sop = "pengumpulan-data-kinerja"
    number = 1
    effective_on = "2027-02-01"

    [[steps]]
    number = 3
    waktu = "2 hari"

:func:`revision_toml` writes it; :func:`read_revision_toml` reads one back with every
problem of the file itself (not TOML — with its line —, too large, the wrong shape);
:func:`import_revision` saves it as a draft through
:meth:`~alur.tenants.sop_life.revisions.SopRevisions.save_draft` — the same rules and limits
as the editor, every problem at once, nothing saved when there is one.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import tomli_w

from alur.core.i18n import format_message, gettext
from alur.core.model import SopDefinition
from alur.core.sop_life.part import check_part, part_from_mapping
from alur.tenants.errors import InvalidInput
from alur.tenants.sop_life.revisions import Revision, SopRevisions, parse_effective_on

MAX_BYTES = 256 * 1024  # the largest revision file read (a full SOP part is a few KiB)
# Keys of the [revision] table; sop and number are informational, written on export and
# checked against the revision the file is imported into when given.
_REVISION_KEYS = ("sop", "number", "effective_on")


def revision_toml(revision: Revision, base: SopDefinition, *, office: str = "") -> str:
    """The TOML file of ``revision`` (built on ``base``, the plugin definition): a commented
    header, then ``[revision]`` and the office's part. Loads back with
    :func:`read_revision_toml`."""
    lines = [
        "# " + gettext("Alur: an office's own part of an SOP (docs/sop-format.md)"),
    ]
    if office:
        lines.append("# " + format_message("Office: {office}", office=_one_line(office)))
    lines += [
        "# "
        + format_message(
            "SOP: {sop} — {name}", sop=revision.sop_id, name=_one_line(base.header.nama)
        ),
        "# "
        + format_message(
            "Revisi ke-{number}, state: {state}",
            number=revision.number,
            state=str(revision.state),
        ),
        "# "
        + format_message(
            "Base: plugin {plugin}, version {version}, hash {hash}",
            plugin=revision.plugin,
            version=_one_line(base.version),
            hash=revision.base_hash,
        ),
        "# " + format_message("Content hash: {hash}", hash=revision.content_hash),
        "# "
        + gettext(
            "Only what the office sets is listed; a field left out follows the plugin's definition."
        ),
        "",
    ]
    table: dict[str, Any] = {"sop": revision.sop_id, "number": revision.number}
    if revision.effective_on is not None:
        table["effective_on"] = revision.effective_on.isoformat()
    body = tomli_w.dumps({"revision": table, **revision.part.to_mapping()})
    return "\n".join(lines) + "\n" + body


def read_revision_toml(
    text: str | bytes, *, sop_id: str | None = None, number: int | None = None
) -> tuple[dict[str, Any], date | None, dict[str, str]]:
    """The part (mapping form), the tanggal efektif and every problem of a revision file,
    by field path (``file``, ``revision.sop``, ``effective_on``, ``header.nomor``,
    ``steps.3.waktu``…). ``sop_id`` and ``number``, when given, must match the file's
    ``[revision]`` table if it names them (a file of another SOP is refused)."""
    problems: dict[str, str] = {}
    size = len(text.encode("utf-8") if isinstance(text, str) else text)
    if size > MAX_BYTES:
        return {}, None, {"file": format_message(
            "the file is {size} KiB; a revision file may be at most {limit} KiB",
            size=(size + 1023) // 1024,
            limit=MAX_BYTES // 1024,
        )}  # fmt: skip
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            return {}, None, {"file": gettext("the file is not UTF-8 text")}
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return {}, None, {"file": format_message("not valid TOML: {error}", error=str(exc))}
    raw = data.pop("revision", {})
    effective_on = None
    if not isinstance(raw, Mapping):
        problems["revision"] = gettext("give a table")
        raw = {}
    for key in raw:
        if key not in _REVISION_KEYS:
            problems[f"revision.{str(key)[:64]}"] = format_message(
                'unknown key "{key}" (known: {known})',
                key=str(key)[:64],
                known=", ".join(_REVISION_KEYS),
            )
    if sop_id is not None and "sop" in raw and raw["sop"] != sop_id:
        problems["revision.sop"] = format_message(
            "the file is of SOP {found}, not {wanted}", found=str(raw["sop"])[:64], wanted=sop_id
        )
    if number is not None and "number" in raw and raw["number"] != number:
        problems["revision.number"] = format_message(
            "the file is of Revisi ke-{found}, not Revisi ke-{wanted}",
            found=str(raw["number"])[:16],
            wanted=number,
        )
    if "effective_on" in raw:
        value = raw["effective_on"]
        if isinstance(value, date) and not isinstance(value, datetime):
            value = value.isoformat()  # written without quotes: a TOML date
        problem = None
        if isinstance(value, str):
            effective_on, problem = parse_effective_on(value)
        if problem or not isinstance(value, str):
            problems["effective_on"] = problem or gettext(
                "give the date as YYYY-MM-DD, e.g. 2027-01-04"
            )
    _, shape = part_from_mapping(data)
    problems.update(shape)
    return data, effective_on, problems


async def import_revision(
    revisions: SopRevisions,
    sop_id: str,
    number: int,
    text: str | bytes,
    *,
    version: int | None = None,
) -> Revision:
    """Save the revision file ``text`` as draft ``number`` of ``sop_id`` (on ``version``;
    ``None``: the version there now). Every problem at once — of the file, and of its part
    over the revision's base — as :class:`InvalidInput`; nothing is saved when there is
    one. A tanggal efektif the file does not give is kept."""
    revision = await revisions.get(sop_id, number)
    part, effective_on, problems = read_revision_toml(text, sop_id=sop_id, number=number)
    if problems:
        if "file" not in problems:  # also what the part breaks over its base
            read, _ = part_from_mapping(part)
            for path, message in check_part(await revisions.base(revision), read).items():
                problems.setdefault(path, message)
        raise InvalidInput(problems)
    return await revisions.save_draft(
        sop_id,
        number,
        part,
        effective_on=effective_on if effective_on is not None else revision.effective_on,
        version=revision.version if version is None else version,
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())[:200]
