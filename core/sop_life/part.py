"""The office's own part of an SOP, laid over the plugin's definition (the *base*).

What an office runs is the plugin's :class:`~alur.core.model.SopDefinition` plus its own
part: the header's identity fields (nomor, tanggal pembuatan / revisi / efektif, disahkan
oleh), the header lists (dasar hukum, kualifikasi pelaksana, keterkaitan,
peralatan/perlengkapan, peringatan, pencatatan dan pendataan), and per step the mutu baku
(kelengkapan, waktu, output) and keterangan. Actors, gates, the per-unit structure and the
data bindings are the institution's procedure and never an office's to change.

A part holds only what the office *sets*: a field it does not name follows the base, so a
draft started on a newer base keeps the office's changes and takes the rest from the new
base. Its mapping form is the shape of the SOP TOML (``docs/sop-format.md``)::

    [header]
    nomor = "800/12/2027"
    disahkan_oleh = { nama = "…", jabatan = "…", nip = "…" }
    dasar_hukum = ["…", "…"]

    [[steps]]
    number = 3
    waktu = "2 hari"

:func:`check_part` reports every problem at once, each under its field path
(``header.nomor``, ``steps.3.waktu``); :func:`apply_part` gives the office's definition.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from alur.core import limits
from alur.core.durations import Duration
from alur.core.errors import DurationError
from alur.core.i18n import format_message, gettext
from alur.core.model import Official, SopDefinition, SopHeader

# Header fields holding one line of text, and their lists (one line per entry).
HEADER_TEXT = ("nomor", "nama", "tanggal_pembuatan", "tanggal_revisi", "tanggal_efektif")
HEADER_LISTS = (
    "dasar_hukum",
    "kualifikasi_pelaksana",
    "keterkaitan",
    "peralatan_perlengkapan",
    "peringatan",
    "pencatatan_pendataan",
)
SIGNATORY = "disahkan_oleh"
OFFICIAL_FIELDS = ("nama", "jabatan", "nip")
HEADER_FIELDS = (*HEADER_TEXT, SIGNATORY, *HEADER_LISTS)
# Step fields an office part may name (the mutu baku, keterangan, and the kegiatan text).
STEP_FIELDS = ("kegiatan", "kelengkapan", "waktu", "output", "keterangan")

# The header fields that name the office, not the institution: a new office's first draft
# starts with them empty instead of the institution's (tenants.sop_life.revisions).
OWN_HEADER_FIELDS = ("nomor", "tanggal_pembuatan", "tanggal_revisi", "tanggal_efektif", SIGNATORY)

# What an office may change unless the plugin says otherwise (``[sop.office] editable``):
# the text of the header but not the SOP's name, and per step the mutu baku and keterangan
# but not the kegiatan text. Paths: ``header.<field>`` and ``steps.<field>``.
DEFAULT_EDITABLE: frozenset[str] = frozenset(
    [f"header.{f}" for f in HEADER_FIELDS if f != "nama"]
    + [f"steps.{f}" for f in ("kelengkapan", "waktu", "output", "keterangan")]
)
# Everything a plugin may open to offices: it can never open actors, gates, per-unit steps
# or data bindings.
EDITABLE_FIELDS: frozenset[str] = frozenset(
    [f"header.{f}" for f in HEADER_FIELDS] + [f"steps.{f}" for f in STEP_FIELDS]
)

# The longest waktu an office may give a step: a working year (longer is a typo, and would
# put its due time past any calendar), counted with the longest office day there is.
MAX_WAKTU_DAYS = 250
MINUTES_PER_DAY_MAX = 24 * 60

# Longest list an office may give (entries of a header list).
LIST_ITEMS = 50
_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class OfficePart:
    """What an office sets over the base: header fields by name (text, a tuple of lines, or
    an :class:`~alur.core.model.Official`), and per step number its fields (text)."""

    header: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    steps: Mapping[int, Mapping[str, str]] = field(default_factory=lambda: _EMPTY)

    @property
    def is_empty(self) -> bool:
        return not self.header and not any(self.steps.values())

    def to_mapping(self) -> dict[str, Any]:
        """The mapping form (module docstring): plain JSON/TOML values, steps in order."""
        header: dict[str, Any] = {}
        for name in HEADER_FIELDS:
            if name not in self.header:
                continue
            value = self.header[name]
            if isinstance(value, Official):
                header[name] = {"nama": value.nama, "jabatan": value.jabatan, "nip": value.nip}
            elif isinstance(value, tuple | list):
                header[name] = list(value)
            else:
                header[name] = value
        steps = [
            {"number": number, **{f: fields[f] for f in STEP_FIELDS if f in fields}}
            for number, fields in sorted(self.steps.items())
            if fields
        ]
        out: dict[str, Any] = {}
        if header:
            out["header"] = header
        if steps:
            out["steps"] = steps
        return out


def part_from_mapping(data: Any) -> tuple[OfficePart, dict[str, str]]:
    """Read a part from its mapping form; also every problem of its *shape* (unknown keys,
    wrong types), by field path. What is read is kept even when there are problems, so a
    form can show it back."""
    problems: dict[str, str] = {}
    header: dict[str, Any] = {}
    steps: dict[int, dict[str, str]] = {}
    if not isinstance(data, Mapping):
        return OfficePart(), {"part": gettext("give a table with [header] and [[steps]]")}
    for key in data:
        if key not in ("header", "steps"):
            problems[str(key)[:64]] = format_message(
                'unknown key "{key}" (known: header, steps)', key=str(key)[:64]
            )
    raw_header = data.get("header", {})
    if not isinstance(raw_header, Mapping):
        problems["header"] = gettext("give a table")
        raw_header = {}
    for key, value in raw_header.items():
        path = f"header.{str(key)[:64]}"
        if key in HEADER_TEXT:
            if isinstance(value, str):
                header[key] = value
            else:
                problems[path] = gettext("give text")
        elif key in HEADER_LISTS:
            if isinstance(value, str):
                value = [line for line in value.splitlines() if line.strip()]
            if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
                header[key] = tuple(value)
            else:
                problems[path] = gettext("give a list of lines")
        elif key == SIGNATORY:
            if isinstance(value, Mapping) and all(
                k in OFFICIAL_FIELDS and isinstance(v, str) for k, v in value.items()
            ):
                header[key] = Official(**{k: value.get(k, "") for k in OFFICIAL_FIELDS})
            else:
                problems[path] = gettext("give nama, jabatan and nip as text")
        else:
            problems[path] = format_message(
                'unknown header field "{key}" (known: {known})',
                key=str(key)[:64],
                known=", ".join(HEADER_FIELDS),
            )
    raw_steps = data.get("steps", [])
    if not isinstance(raw_steps, list | tuple):
        problems["steps"] = gettext("give a list of steps")
        raw_steps = []
    for i, entry in enumerate(raw_steps[: 10 * LIST_ITEMS]):
        if not isinstance(entry, Mapping):
            problems[f"steps[{i}]"] = gettext("give a table")
            continue
        number = entry.get("number")
        if isinstance(number, str) and number.strip().isascii() and number.strip().isdigit():
            number = int(number)
        if not isinstance(number, int) or isinstance(number, bool) or not 0 < number < 10_000:
            problems[f"steps[{i}].number"] = gettext("give the step's number")
            continue
        fields = steps.setdefault(number, {})
        for key, value in entry.items():
            if key == "number":
                continue
            path = f"steps.{number}.{str(key)[:64]}"
            if key not in STEP_FIELDS:
                problems[path] = format_message(
                    'unknown step field "{key}" (known: {known})',
                    key=str(key)[:64],
                    known=", ".join(STEP_FIELDS),
                )
            elif not isinstance(value, str):
                problems[path] = gettext("give text")
            else:
                fields[key] = value
    return OfficePart(header=header, steps=steps), problems


def check_part(
    base: SopDefinition, part: OfficePart, editable: Iterable[str] | None = None
) -> dict[str, str]:
    """Every problem of ``part`` over ``base``, by field path: a field the plugin keeps
    fixed (``editable``: the plugin's list, :data:`DEFAULT_EDITABLE` when ``None``), an
    unknown step, a waktu that does not parse, text too long or with control characters.
    Empty when the part can be applied."""
    if editable is None and base.office is not None:
        editable = base.office.editable
    allowed = frozenset(DEFAULT_EDITABLE if editable is None else editable)
    problems: dict[str, str] = {}
    for name, value in part.header.items():
        path = f"header.{name}"
        if name not in HEADER_FIELDS:
            problems[path] = format_message('unknown header field "{key}"', key=name)
            continue
        if path not in allowed:
            problems[path] = gettext("the plugin keeps this field fixed")
            continue
        if isinstance(value, Official):
            for f in OFFICIAL_FIELDS:
                if problem := limits.text_problem(getattr(value, f), limits.LINE):
                    problems[f"{path}.{f}"] = problem
        elif isinstance(value, tuple):
            if len(value) > LIST_ITEMS:
                problems[path] = format_message("use at most {count} lines", count=LIST_ITEMS)
            for i, line in enumerate(value):
                if problem := limits.text_problem(line, limits.NOTE, multiline=False):
                    problems[f"{path}.{i + 1}"] = problem
                    break
        elif problem := limits.text_problem(value, limits.LINE):
            problems[path] = problem
    for number, fields in part.steps.items():
        step = base.steps_by_number.get(number)
        if step is None:
            problems[f"steps.{number}"] = format_message(
                "the SOP has no step {number}", number=number
            )
            continue
        for name, value in fields.items():
            path = f"steps.{number}.{name}"
            if name not in STEP_FIELDS:
                problems[path] = format_message('unknown step field "{key}"', key=name)
            elif f"steps.{name}" not in allowed or name in step_fixed(base, number):
                problems[path] = gettext("the plugin keeps this field fixed")
            elif problem := limits.text_problem(value, limits.NOTE):
                problems[path] = problem
            elif name == "waktu":
                try:
                    waktu = Duration.parse(value)
                except DurationError:
                    problems[path] = format_message(
                        '"{text}" is not a waktu: write e.g. "30 menit", "2 jam", "1 hari"',
                        text=value[:80],
                    )
                    continue
                minutes = waktu.office_minutes(MINUTES_PER_DAY_MAX)
                if minutes is not None and minutes > MAX_WAKTU_DAYS * MINUTES_PER_DAY_MAX:
                    problems[path] = format_message(
                        "use at most {days} hari (a working year)", days=MAX_WAKTU_DAYS
                    )
                    continue
                if waktu.determined_at_start != step.waktu.determined_at_start:
                    problems[path] = gettext(
                        "a waktu set when the case starts cannot become a fixed time, "
                        "nor the other way round"
                    )
            elif name == "kegiatan" and not value.strip():
                problems[path] = gettext("give the kegiatan")
    return problems


def step_fixed(base: SopDefinition, number: int) -> frozenset[str]:
    """The fields of step ``number`` the plugin keeps fixed beyond its SOP-wide rule: the
    step's ``office_fixed`` (none by default; see ``docs/sop-format.md``)."""
    step = base.steps_by_number.get(number)
    return step.office_fixed if step is not None else frozenset()


def apply_part(base: SopDefinition, part: OfficePart) -> SopDefinition:
    """The office's definition: ``base`` with ``part`` laid over it. ``part`` must have no
    problems (:func:`check_part`); the result is validated by its caller like any
    definition."""
    header = base.header
    if part.header:
        header = replace(header, **dict(part.header))
    steps = base.steps
    if any(part.steps.values()):
        changed = []
        for s in base.steps:
            fields = dict(part.steps.get(s.number, {}))
            if "waktu" in fields:
                fields["waktu"] = Duration.parse(fields["waktu"])
            changed.append(replace(s, **fields) if fields else s)
        steps = tuple(changed)
    return SopDefinition(
        id=base.id,
        version=base.version,
        header=header,
        roles=base.roles,
        steps=steps,
        source=base.source,
        repeatable=base.repeatable,
        office=base.office,
    )


def part_between(base: SopDefinition, wanted: SopDefinition) -> OfficePart:
    """The smallest part that turns ``base`` into ``wanted`` (same steps): every header and
    step field whose value differs. How an editor's full form becomes a part."""
    header: dict[str, Any] = {}
    for name in HEADER_FIELDS:
        value = getattr(wanted.header, name)
        if value != getattr(base.header, name):
            header[name] = value
    steps: dict[int, dict[str, str]] = {}
    for s in base.steps:
        w = wanted.steps_by_number.get(s.number)
        if w is None:
            continue
        for name in STEP_FIELDS:
            mine, theirs = getattr(w, name), getattr(s, name)
            if name == "waktu":
                mine, theirs = mine.text, theirs.text
            if mine != theirs:
                steps.setdefault(s.number, {})[name] = mine
    return OfficePart(header=header, steps=steps)


def merged(part: OfficePart, more: OfficePart) -> OfficePart:
    """``part`` with ``more``'s fields set over it."""
    steps = {n: dict(f) for n, f in part.steps.items()}
    for n, f in more.steps.items():
        steps.setdefault(n, {}).update(f)
    return OfficePart(header={**part.header, **more.header}, steps=steps)


def without_fields(part: OfficePart, problems: Mapping[str, str]) -> OfficePart:
    """``part`` without the fields named by ``problems`` (paths ``header.x``,
    ``steps.n`` and ``steps.n.x``)."""
    header = {k: v for k, v in part.header.items() if f"header.{k}" not in problems}
    steps: dict[int, dict[str, str]] = {}
    for n, fields in part.steps.items():
        if f"steps.{n}" in problems:
            continue
        kept = {k: v for k, v in fields.items() if f"steps.{n}.{k}" not in problems}
        if kept:
            steps[n] = kept
    return OfficePart(header=header, steps=steps)


def starting_part(previous: OfficePart | None, *, institution: bool) -> OfficePart:
    """The part a new draft starts with: the ``previous`` revision's (the one in force)
    without its signatory and its revision and effective dates; with none, nothing for the
    plugin's own institution, else the fields that name an office left empty (a new office
    never inherits the institution's nomor, dates or signatory)."""
    if previous is not None:
        cleared = {"tanggal_revisi": "", "tanggal_efektif": "", SIGNATORY: Official(nama="")}
        return merged(previous, OfficePart(header=cleared))
    if institution:
        return OfficePart()
    return OfficePart(
        header={f: (Official(nama="") if f == SIGNATORY else "") for f in OWN_HEADER_FIELDS}
    )


def own_fields_blank(base: SopDefinition) -> OfficePart:
    """The header fields that name an office (:data:`OWN_HEADER_FIELDS`) left empty — those
    the plugin lets offices change — for an office that is not the plugin's institution."""
    editable = DEFAULT_EDITABLE
    if base.office is not None and base.office.editable is not None:
        editable = base.office.editable
    return OfficePart(
        header={
            f: (Official(nama="") if f == SIGNATORY else "")
            for f in OWN_HEADER_FIELDS
            if f"header.{f}" in editable
        }
    )


def approved_part(
    part: OfficePart,
    number: int,
    signatory: Official,
    *,
    approved_on: str,
    effective: str,
    base: SopHeader | None = None,
) -> OfficePart:
    """``part`` as approved: ``signatory`` is its *disahkan oleh*; an empty tanggal
    pembuatan (revision 0) or tanggal revisi (later ones) becomes ``approved_on``, an empty
    tanggal efektif ``effective`` (dates as the sheet writes them). A date the part does not
    name follows the ``base`` header: the plugin's institution approving its revision 0
    keeps the tanggal pembuatan its SOP was made on."""
    header: dict[str, Any] = {SIGNATORY: signatory}
    dated = "tanggal_pembuatan" if number == 0 else "tanggal_revisi"
    inherited = getattr(base, dated, "") if base is not None and dated not in part.header else ""
    if not part.header.get(dated) and not inherited:
        header[dated] = approved_on
    if not part.header.get("tanggal_efektif"):
        header["tanggal_efektif"] = effective
    return merged(part, OfficePart(header=header))
