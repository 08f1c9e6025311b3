"""The immutable definition model: institution, pelaksana (roles), units and SOPs.

Everything here is plain frozen data. A :class:`SopDefinition` is what a plugin ships (as a
TOML file loaded by :mod:`alur.core.loader`, or built in Python) and what a running case
pins as its snapshot. Construction does not validate cross-references; that is the job of
:func:`alur.core.validation.validate_definition`, which reports every problem at once.

Vocabulary (see DESIGN.md): a *Kegiatan* is a :class:`Step`; its *mutu baku* are the
``kelengkapan``, ``waktu`` and ``output`` fields; a decision step carries a :class:`Gate`
whose "tidak" branch returns work to an earlier step; a *Pelaksana* is a :class:`Role`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from alur.core.durations import Duration

if TYPE_CHECKING:
    from alur.core.clock.policy import StepClock
    from alur.core.segments import Segments


class StepKind(enum.StrEnum):
    """The flowchart symbol of a step (Permenpan RB 35/2012)."""

    START = "start"  # capsule: the first activity
    PROCESS = "process"  # rectangle
    DECISION = "decision"  # diamond with Ya/Tidak branches
    END = "end"  # capsule: the activity that closes the procedure


class Answer(enum.StrEnum):
    """The two branches of a gate."""

    YA = "ya"
    TIDAK = "tidak"


class DataAction(enum.StrEnum):
    """What a step does with the case's data kinerja (TOML: ``data = "fill"`` on a step).

    The web UI shows the matching form at a bound step; the storage layer records what the
    step did in its event (see :mod:`alur.core.kinerja`).
    """

    DESIGN = "design"  # edit the format (indicator set) of the case's period
    FILL = "fill"  # a unit enters its realisasi, explanation and evidence (a per_unit step)
    VERIFY = "verify"  # check one unit's or all units' data, with the changes since a "Tidak"
    RECAP = "recap"  # the recap is computed and shown; it must be complete to go on
    PARAF = "paraf"  # completing the step (or "Ya" on a gate) initials the current recap
    SIGN = "sign"  # completing the step (or "Ya" on a gate) signs the current recap
    ARCHIVE = "archive"  # the signed report is archived


@dataclass(frozen=True, slots=True)
class Role:
    """A pelaksana: an org role that performs steps.

    ``rank`` orders seniority (a larger number is more senior: Staf 1 … Kepala 5); it decides
    who may reassign a colleague's task. ``per_unit`` says the role exists once per unit
    (every bidang has its own Kabid), so its holders only see their own unit's tasks.
    """

    id: str
    name: str
    rank: int = 1
    per_unit: bool = False
    atasan: str | None = None  # the role a late task of this role escalates to (alur.core.clock)


@dataclass(frozen=True, slots=True)
class Unit:
    """An org unit (bidang, bagian) a fan-out step runs once for."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Official:
    """A named official, e.g. the one who signed the SOP (*disahkan oleh*)."""

    nama: str
    jabatan: str = ""
    nip: str = ""


@dataclass(frozen=True, slots=True)
class Institution:
    """The identity of the institution (the OPD) a plugin belongs to."""

    slug: str
    name: str
    government: str = ""  # e.g. "Pemerintah Kabupaten Banyumas"
    address: str = ""
    contact: str = ""
    place: str = ""  # the town its letters are dated from, e.g. "Purwokerto"


@dataclass(frozen=True, slots=True)
class SopHeader:
    """The SOP identity block, with every field of Permenpan RB 35/2012.

    Text is kept exactly as the institution wrote it; dates stay text ("08 JANUARI 2021")
    because the documents use several formats and some give only a month.
    """

    nomor: str
    nama: str
    tanggal_pembuatan: str = ""
    tanggal_revisi: str = ""
    tanggal_efektif: str = ""
    disahkan_oleh: Official = Official(nama="")
    dasar_hukum: tuple[str, ...] = ()
    kualifikasi_pelaksana: tuple[str, ...] = ()
    keterkaitan: tuple[str, ...] = ()
    peralatan_perlengkapan: tuple[str, ...] = ()
    peringatan: tuple[str, ...] = ()
    pencatatan_pendataan: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OfficeRules:
    """What the plugin lets each office do with this SOP (TOML ``[sop.office]``; see
    :mod:`alur.core.sop_life.part`). ``editable``: the field paths an office may set
    (``header.nomor``, ``steps.waktu``…), ``None`` for the default
    (:data:`alur.core.sop_life.part.DEFAULT_EDITABLE`); ``penyusun``: the role that drafts
    revisions besides the office admin (``None``: the admin only); ``pengesah``: the role
    that approves them (``None``: the SOP's most senior role that is not per unit)."""

    editable: frozenset[str] | None = None
    penyusun: str | None = None
    pengesah: str | None = None


@dataclass(frozen=True, slots=True)
class Gate:
    """The decision of a decision step: "ya" continues, "tidak" returns to an earlier step."""

    question: str
    ya: int | None
    tidak: int | None


@dataclass(frozen=True, slots=True)
class Step:
    """One kegiatan (uraian prosedur) with its actor and mutu baku.

    ``next`` is the following step for start and process steps; a decision step uses
    ``gate`` instead and an end step has neither. ``per_unit`` steps fan out: one task per
    unit, and the first step after them that is not per unit waits for every unit (the
    join). ``delegable`` is false where the law forbids an acting official (Plt/Plh) to act,
    e.g. signing. ``data`` binds the step to the data kinerja (:class:`DataAction`).
    ``office_fixed`` names fields of :data:`alur.core.sop_life.part.STEP_FIELDS` that
    offices keep as the plugin wrote them for this step.
    """

    number: int
    kegiatan: str
    actor: str
    kind: StepKind = StepKind.PROCESS
    kelengkapan: str = ""
    waktu: Duration = field(default_factory=lambda: Duration.parse("0 menit"))
    output: str = ""
    keterangan: str = ""
    next: int | None = None
    gate: Gate | None = None
    per_unit: bool = False
    delegable: bool = True
    data: DataAction | None = None
    clock: StepClock | None = None  # this step's override of the office's clock policy
    # Fields of this step an office may not change even where ``[sop.office] editable``
    # opens them (TOML ``office_fixed = ["waktu"]``; enters the hash only when set).
    office_fixed: frozenset[str] = frozenset()

    def successors(self) -> tuple[int, ...]:
        """Step numbers this step can lead to (both branches for a gate)."""
        if self.gate is not None:
            return tuple(n for n in (self.gate.ya, self.gate.tidak) if n is not None)
        return (self.next,) if self.next is not None else ()


@dataclass(frozen=True)
class SopDefinition:
    """One SOP: header, pelaksana, steps. Immutable; identified by ``id`` and ``version``.

    ``content_hash`` is the SHA-256 of the canonical JSON form (see
    :mod:`alur.core.snapshot`); a case pins it so a plugin upgrade never changes a running
    case. ``source`` is where the definition was loaded from, for error messages only, and
    is not part of the hash. ``repeatable`` lets an office start more than one case of the
    SOP for the same period (it enters the hash only when set).
    """

    id: str
    version: str
    header: SopHeader
    roles: tuple[Role, ...]
    steps: tuple[Step, ...]
    source: str = field(default="", compare=False)
    # May an office run several cases of this SOP for the same period? (``[sop] repeatable``;
    # by default a second case for a period already started is refused.)
    repeatable: bool = False
    # What offices may change and who drafts and approves their revisions (``[sop.office]``;
    # enters the hash only when set).
    office: OfficeRules | None = None

    @cached_property
    def content_hash(self) -> str:
        from alur.core.snapshot import definition_hash

        return definition_hash(self)

    @cached_property
    def steps_by_number(self) -> dict[int, Step]:
        return {s.number: s for s in self.steps}

    @cached_property
    def segments(self) -> Segments:
        from alur.core.segments import fan_out_segments

        return fan_out_segments(self)

    @cached_property
    def roles_by_id(self) -> dict[str, Role]:
        return {r.id: r for r in self.roles}

    @property
    def start_step(self) -> Step:
        for s in self.steps:
            if s.kind is StepKind.START:
                return s
        return self.steps[0]

    def step(self, number: int) -> Step:
        return self.steps_by_number[number]

    def role(self, role_id: str) -> Role:
        return self.roles_by_id[role_id]

    @property
    def binds_data(self) -> bool:
        """Whether any step works on the data kinerja (``Step.data``)."""
        return any(s.data is not None for s in self.steps)

    @property
    def pengesah_role(self) -> Role | None:
        """The role that approves (mengesahkan) an office's revision of this SOP: the
        plugin's choice, else the most senior role that is not per unit."""
        wanted = self.office.pengesah if self.office is not None else None
        if wanted is not None:
            return self.roles_by_id.get(wanted)
        ranked = sorted((r for r in self.roles if not r.per_unit), key=lambda r: -r.rank)
        return ranked[0] if ranked else None

    def needs_duration_at_start(self) -> tuple[int, ...]:
        """Steps whose waktu is "Sesuai dengan waktu yang ditentukan"."""
        return tuple(s.number for s in self.steps if s.waktu.determined_at_start)


def roles_of(definitions: Iterable[SopDefinition]) -> list[Role]:
    """Every pelaksana of ``definitions``, in order of appearance, each id once (the usual
    answer of a plugin's ``alur_roles`` hook)."""
    roles: dict[str, Role] = {}
    for definition in definitions:
        for role in definition.roles:
            roles.setdefault(role.id, role)
    return list(roles.values())
