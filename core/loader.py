"""Loading SOP definitions from TOML files (or any mapping of the same shape).

The file format is documented in ``docs/sop-format.md``. Loading collects *every* problem
(unknown keys, wrong types, unparseable waktu, then the rules of
:mod:`alur.core.validation`) and raises one :class:`DefinitionError` listing them all, each
located by plugin, file and step number.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from alur.core.clock.policy import parse_step_clock
from alur.core.durations import Duration, TimeUnit
from alur.core.errors import DefinitionError, DurationError, Problem
from alur.core.model import (
    DataAction,
    Gate,
    OfficeRules,
    Official,
    Role,
    SopDefinition,
    SopHeader,
    Step,
    StepKind,
)
from alur.core.validation import validate_definition

_TEXT_LISTS = (
    "dasar_hukum",
    "kualifikasi_pelaksana",
    "keterkaitan",
    "peralatan_perlengkapan",
    "peringatan",
    "pencatatan_pendataan",
)
_HEADER_TEXT = ("nomor", "nama", "tanggal_pembuatan", "tanggal_revisi", "tanggal_efektif")
_SOP_KEYS = {
    "id",
    "version",
    "repeatable",
    "office",
    "content_hash",
}  # content_hash: informational, written on export
_OFFICE_KEYS = {"editable", "penyusun", "pengesah"}
_ROLE_KEYS = {"id", "name", "rank", "per_unit", "atasan"}
_STEP_KEYS = {
    "number", "kegiatan", "actor", "kind", "kelengkapan", "waktu", "waktu_menit", "output",
    "keterangan", "next", "gate", "per_unit", "delegable", "data", "clock", "office_fixed",
}  # fmt: skip
_GATE_KEYS = {"question", "ya", "tidak"}
_OFFICIAL_KEYS = {"nama", "jabatan", "nip"}
_ZERO = Duration(text="0 menit", amount=0, unit=TimeUnit.MENIT)  # stands in for a bad waktu


def load_definition(path: str | Path | Traversable, *, plugin: str = "") -> SopDefinition:
    """Read, build and validate one SOP definition from a TOML file.

    Raises :class:`DefinitionError` with every problem found, located by ``plugin``, file
    and step.
    """
    source = str(path)
    try:
        text = (
            path.read_text(encoding="utf-8")
            if not isinstance(path, str)
            else Path(path).read_text(encoding="utf-8")
        )
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(
            [Problem(f"cannot read the file: {exc}", code="unreadable", file=source, plugin=plugin)]
        ) from exc
    return loads_definition(text, source=source, plugin=plugin)


def loads_definition(text: str, *, source: str = "<string>", plugin: str = "") -> SopDefinition:
    """Like :func:`load_definition`, from TOML text."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError(
            [Problem(f"not valid TOML: {exc}", code="toml_syntax", file=source, plugin=plugin)]
        ) from exc
    return definition_from_mapping(data, source=source, plugin=plugin)


def definition_from_mapping(
    data: Mapping[str, Any], *, source: str = "", plugin: str = ""
) -> SopDefinition:
    """Build and validate a definition from its mapping form (TOML table or JSON object)."""
    reader = _Reader()
    definition = reader.definition(data, source)
    problems = reader.problems
    if definition is not None:
        problems += validate_definition(definition)
    if problems:
        sop = definition.id if definition is not None else ""
        raise DefinitionError([p.located(plugin=plugin, file=source, sop=sop) for p in problems])
    assert definition is not None
    return definition


class _Reader:
    """Turns a mapping into model objects, recording problems instead of stopping."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, message: str, code: str = "invalid", step: int | None = None) -> None:
        self.problems.append(Problem(message, code=code, step=step))

    def _keys(
        self, table: Mapping[str, Any], known: set[str], where: str, step: int | None = None
    ) -> None:
        for key in table:
            if key not in known:
                hint = ", ".join(sorted(known))
                self.problem(
                    f'unknown key "{key}" in {where} (known keys: {hint})', "unknown_key", step
                )

    def _get(
        self,
        table: Mapping[str, Any],
        key: str,
        kind: type | tuple[type, ...],
        where: str,
        default: Any = None,
        *,
        required: bool = False,
        step: int | None = None,
    ) -> Any:
        if key not in table:
            if required:
                self.problem(f'{where} needs "{key}"', "missing_key", step)
            return default
        value = table[key]
        if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
            names = (
                kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            )
            self.problem(
                f'"{key}" in {where} must be {_TYPE_WORDS.get(names, names)}, not {value!r}',
                "wrong_type",
                step,
            )
            return default
        return value

    def _text_list(self, table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if isinstance(value, str):
            return (value,) if value else ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(f'"{key}" in {where} must be a list of texts', "wrong_type")
            return ()
        return tuple(value)

    def definition(self, data: Mapping[str, Any], source: str) -> SopDefinition | None:
        if not isinstance(data, Mapping):
            self.problem("the definition must be a table")
            return None
        self._keys(data, {"sop", "header", "roles", "steps"}, "the file")
        sop = self._table(data, "sop", "the file")
        self._keys(sop, _SOP_KEYS, "[sop]")
        sop_id = self._get(sop, "id", str, "[sop]", "", required=True)
        version = self._get(sop, "version", str, "[sop]", "", required=True)
        repeatable = self._get(sop, "repeatable", bool, "[sop]", False)
        office = self.office(sop)
        header = self.header(self._table(data, "header", "the file"))
        roles = tuple(self.role(r, i) for i, r in enumerate(self._array(data, "roles")))
        steps = tuple(self.step(s, i) for i, s in enumerate(self._array(data, "steps")))
        steps = _default_next(steps)
        return SopDefinition(
            id=sop_id,
            version=version,
            header=header,
            roles=tuple(r for r in roles if r),
            steps=tuple(s for s in steps if s),
            source=source,
            repeatable=repeatable,
            office=office,
        )

    def office(self, sop: Mapping[str, Any]) -> OfficeRules | None:
        """``[sop.office]``: what offices may change (the paths and roles are checked by
        :mod:`alur.core.validation`, also for definitions built in Python)."""
        if "office" not in sop:
            return None
        table = sop["office"]
        where = "[sop.office]"
        if not isinstance(table, Mapping):
            self.problem(f'"office" in [sop] must be a table ({where})', "wrong_type")
            return None
        self._keys(table, _OFFICE_KEYS, where)
        editable = None
        if "editable" in table:
            value = table["editable"]
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                editable = frozenset(value)
            else:
                self.problem(
                    f'"editable" in {where} must be a list of field paths, e.g. '
                    '["header.nomor", "steps.waktu"]',
                    "wrong_type",
                )
        return OfficeRules(
            editable=editable,
            penyusun=self._get(table, "penyusun", str, where, None),
            pengesah=self._get(table, "pengesah", str, where, None),
        )

    def _table(self, data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
        value = data.get(key)
        if value is None:
            self.problem(f"{where} needs a [{key}] table", "missing_key")
            return {}
        if not isinstance(value, Mapping):
            self.problem(f'"{key}" in {where} must be a table', "wrong_type")
            return {}
        return value

    def _array(self, data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            self.problem(f'"{key}" must be an array of tables ([[{key}]])', "wrong_type")
            return []
        return value

    def header(self, h: Mapping[str, Any]) -> SopHeader:
        self._keys(h, {*_HEADER_TEXT, *_TEXT_LISTS, "disahkan_oleh"}, "[header]")
        text = {
            k: self._get(h, k, str, "[header]", "", required=k in ("nomor", "nama"))
            for k in _HEADER_TEXT
        }
        lists = {k: self._text_list(h, k, "[header]") for k in _TEXT_LISTS}
        official = h.get("disahkan_oleh", {})
        if not isinstance(official, Mapping):
            self.problem(
                '"disahkan_oleh" in [header] must be a table with nama, jabatan, nip', "wrong_type"
            )
            official = {}
        self._keys(official, _OFFICIAL_KEYS, "[header.disahkan_oleh]")
        disahkan = Official(
            **{k: self._get(official, k, str, "[header.disahkan_oleh]", "") for k in _OFFICIAL_KEYS}
        )
        return SopHeader(disahkan_oleh=disahkan, **text, **lists)

    def role(self, r: Mapping[str, Any], index: int) -> Role | None:
        where = f"role #{index + 1}"
        self._keys(r, _ROLE_KEYS, where)
        role_id = self._get(r, "id", str, where, required=True)
        if role_id is None:
            return None
        where = f'role "{role_id}"'
        return Role(
            id=role_id,
            name=self._get(r, "name", str, where, "", required=True),
            rank=self._get(r, "rank", int, where, 1),
            per_unit=self._get(r, "per_unit", bool, where, False),
            atasan=self._get(r, "atasan", str, where, None),
        )

    def step(self, s: Mapping[str, Any], index: int) -> Step | None:
        number = self._get(s, "number", int, f"step #{index + 1}", None, required=True)
        if number is None:
            return None
        where = "the step"  # the problem itself is located at step ``number``
        g: Callable[..., Any] = lambda key, kind, default=None, required=False: self._get(  # noqa: E731
            s, key, kind, where, default, required=required, step=number
        )
        self._keys(s, _STEP_KEYS, where, number)
        kind_text = g("kind", str, "process")
        try:
            kind = StepKind(kind_text)
        except ValueError:
            self.problem(
                f'kind must be one of start, process, decision, end (not "{kind_text}")',
                "bad_kind",
                number,
            )
            kind = StepKind.PROCESS
        waktu_text = g("waktu", str, None, True)
        waktu = _ZERO
        if waktu_text is not None:
            try:
                waktu = Duration.parse(waktu_text)
            except DurationError as exc:
                self.problem(exc.message, exc.code, number)
        data = self._data_action(g("data", str, None), number)
        gate = None
        if "gate" in s:
            gt = s["gate"]
            if not isinstance(gt, Mapping):
                self.problem(
                    '"gate" must be a table with question, ya and tidak', "wrong_type", number
                )
            else:
                gw = "the gate"  # located at step ``number`` like the step's problems
                self._keys(gt, _GATE_KEYS, gw, number)
                gate = Gate(
                    question=self._get(gt, "question", str, gw, "", step=number),
                    ya=self._get(gt, "ya", int, gw, None, step=number),
                    tidak=self._get(gt, "tidak", int, gw, None, step=number),
                )
        clock = None
        if "clock" in s:
            clock, clock_problems = parse_step_clock(s["clock"], number)
            self.problems += clock_problems
        fixed = s.get("office_fixed", [])
        if not isinstance(fixed, list) or not all(isinstance(v, str) for v in fixed):
            self.problem(
                '"office_fixed" must be a list of step fields, e.g. ["waktu"]', "wrong_type", number
            )
            fixed = []
        return Step(
            number=number,
            kegiatan=g("kegiatan", str, "", True),
            actor=g("actor", str, "", True),
            kind=kind,
            kelengkapan=g("kelengkapan", str, ""),
            waktu=waktu,
            output=g("output", str, ""),
            keterangan=g("keterangan", str, ""),
            next=g("next", int, _UNSET),
            gate=gate,
            per_unit=g("per_unit", bool, False),
            delegable=g("delegable", bool, True),
            data=data,
            clock=clock,
            office_fixed=frozenset(fixed),
        )

    def _data_action(self, text: str | None, number: int) -> DataAction | None:
        if text is None:
            return None
        try:
            return DataAction(text)
        except ValueError:
            allowed = ", ".join(a.value for a in DataAction)
            self.problem(f'data must be one of {allowed} (not "{text}")', "bad_data_action", number)
            return None


_UNSET: Any = object()
_TYPE_WORDS = {"str": "text", "int": "a whole number", "bool": "true or false"}


def _default_next(steps: tuple[Step | None, ...]) -> tuple[Step | None, ...]:
    """A start/process step without "next" continues with the following step of the table."""
    result: list[Step | None] = []
    for i, s in enumerate(steps):
        if s is None or s.next is not _UNSET:
            result.append(s)
            continue
        follower = next((t for t in steps[i + 1 :] if t is not None), None)
        auto = None
        if s.kind in (StepKind.START, StepKind.PROCESS) and follower is not None:
            auto = follower.number
        result.append(_replace_next(s, auto))
    return tuple(result)


def _replace_next(s: Step, value: int | None) -> Step:
    from dataclasses import replace

    return replace(s, next=value)


def load_package_definitions(
    package: str, folder: str = "sop", *, plugin: str = ""
) -> list[SopDefinition]:
    """Load every ``*.toml`` in ``folder`` of the installed ``package``, in name order.

    Problems of all files are collected and raised together as one :class:`DefinitionError`.
    """
    from importlib.resources import files

    root = files(package).joinpath(folder)
    if not root.is_dir():
        raise DefinitionError(
            [
                Problem(
                    f'the package has no "{folder}" folder of SOP files',
                    code="no_sop_folder",
                    file=str(root),
                    plugin=plugin,
                )
            ]
        )
    definitions: list[SopDefinition] = []
    problems: list[Problem] = []
    for entry in sorted(root.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".toml"):
            continue
        try:
            definitions.append(load_definition(entry, plugin=plugin or package))
        except DefinitionError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DefinitionError(problems)
    return definitions
