"""Render any SOP definition as the Permenpan RB 35/2012 document (HTML + inline SVG).

Every plugin's SOP renders without extra work: the document is generated from a
:class:`alur.core.SopDefinition` alone. :func:`build_document` turns a definition into plain
dataclasses (the identity block, the columns, page chunks of rows with their flowchart
geometry); :func:`render_document` renders them with ``templates/sop/document.html``, a
fragment (a ``<div class="sop-document">``) meant to be included in a page that links
``static/sopdoc.css``. Text from the definition is the institution's own words: it is kept
as written and always autoescaped. The geometry lives in :mod:`alur.web.sops.sopdoc_layout`,
the drawing of the flowchart in :mod:`alur.web.sops.sopdoc_routing`.

Pure Python: imports Jinja2 and alur.core only.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import jinja2

from alur.core import Institution, SopDefinition, Step, StepKind
from alur.web.sops import sopdoc_layout as lay
from alur.web.sops.sopdoc_routing import route

TEMPLATES = Path(__file__).parent.parent / "templates"
TEMPLATE = "sop/document.html"
PER_UNIT_NOTE = "per bidang/unit"
UNSIGNED = "Belum disahkan"


@dataclass(frozen=True, slots=True)
class SheetIdentity:
    """Who the sheet belongs to, in its identity cell: the office that runs the SOP (its
    pemerintah line, unit name, address and contact line)."""

    government: str = ""
    office: str = ""
    address: str = ""
    contact: str = ""

    @classmethod
    def of(cls, institution: Institution) -> SheetIdentity:
        return cls(
            institution.government, institution.name, institution.address, institution.contact
        )


__all__ = [
    "BodyRow",
    "Column",
    "DocumentRow",
    "HeaderBlock",
    "ListBlock",
    "PageChunk",
    "SheetIdentity",
    "SopDocument",
    "build_document",
    "environment",
    "render",
    "render_document",
]


@dataclass(frozen=True, slots=True)
class ListBlock:
    """A titled numbered list of the identity block (Dasar Hukum, Keterkaitan, …)."""

    title: str
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class HeaderBlock:
    """The identity table: institution cell, SOP identity rows and the six lists in pairs."""

    government: str
    institution: str
    address: str
    contact: str
    logo_url: str | None
    nomor: str
    tanggal_pembuatan: str
    tanggal_revisi: str
    tanggal_efektif: str
    disahkan_jabatan: str
    disahkan_nama: str
    disahkan_nip: str
    nama: str
    list_pairs: tuple[tuple[ListBlock, ListBlock], ...]
    revision: str = ""  # "Revisi ke-2" on the sheet of an office's revision after its first


@dataclass(frozen=True, slots=True)
class Column:
    """A column of the flowchart table; ``pad_left``/``pad_right`` keep a pelaksana name
    centred over its symbols when the column also holds a lane gutter."""

    kind: str  # no | kegiatan | role | kelengkapan | waktu | output | keterangan
    title: str
    width: float
    pad_left: float = 0
    pad_right: float = 0


@dataclass(frozen=True, slots=True)
class DocumentRow:
    """One kegiatan: its text cells and the drawing of its row."""

    number: int
    kegiatan: str
    actor: str
    kind: str
    per_unit: bool
    gate_question: str
    branches: str  # e.g. "Ya → 3 · Tidak → 1"
    kelengkapan: str
    waktu: str
    output: str
    keterangan: str
    height: float
    drawing: lay.Drawing


@dataclass(frozen=True, slots=True)
class BodyRow:
    """A row of a page's table body: a kegiatan (``step``) or an off-page connector row."""

    place: str  # "step", "top" or "bottom"
    height: float
    drawing: lay.Drawing
    step: DocumentRow | None = None


@dataclass(frozen=True, slots=True)
class PageChunk:
    """One printed page of the flowchart table (the column header repeats on each)."""

    number: int
    rows: tuple[DocumentRow, ...]
    top: lay.Drawing | None  # the off-page connectors above the first kegiatan, if any
    bottom: lay.Drawing | None  # the off-page connectors below the last kegiatan, if any

    @property
    def body(self) -> tuple[BodyRow, ...]:
        """The rows of the table body in order, connector rows included."""
        h = lay.CONNECTOR_ROW_HEIGHT
        top = (BodyRow("top", h, self.top),) if self.top else ()
        bottom = (BodyRow("bottom", h, self.bottom),) if self.bottom else ()
        steps = tuple(BodyRow("step", r.height, r.drawing, r) for r in self.rows)
        return top + steps + bottom


@dataclass(frozen=True, slots=True)
class SopDocument:
    """Everything the template needs to draw the SOP document."""

    sop_id: str
    version: str
    header: HeaderBlock
    columns: tuple[Column, ...]
    table_width: float
    flow_width: float
    grid: tuple[str, ...]  # x of the lines between pelaksana columns
    pages: tuple[PageChunk, ...]

    @property
    def role_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.kind == "role")


def _header(
    definition: SopDefinition,
    identity: SheetIdentity | None,
    logo_url: str | None,
    revision_number: int | None,
    unsigned: bool,
) -> HeaderBlock:
    h = definition.header
    lists = (
        ("Dasar Hukum", h.dasar_hukum, "Kualifikasi Pelaksana", h.kualifikasi_pelaksana),
        ("Keterkaitan", h.keterkaitan, "Peralatan/Perlengkapan", h.peralatan_perlengkapan),
        ("Peringatan", h.peringatan, "Pencatatan dan Pendataan", h.pencatatan_pendataan),
    )
    signed = h.disahkan_oleh
    blank = unsigned or not signed.nama.strip()  # no one of this office signed it (yet)
    dates = (
        (UNSIGNED, UNSIGNED, UNSIGNED)
        if unsigned
        else (h.tanggal_pembuatan, h.tanggal_revisi, h.tanggal_efektif)
    )
    identity = identity or SheetIdentity()
    return HeaderBlock(
        government=identity.government,
        institution=identity.office,
        address=identity.address,
        contact=identity.contact,
        logo_url=logo_url,
        nomor="-" if unsigned else h.nomor,
        tanggal_pembuatan=dates[0],
        tanggal_revisi=dates[1],
        tanggal_efektif=dates[2],
        disahkan_jabatan="" if blank else signed.jabatan,
        disahkan_nama=UNSIGNED if blank else signed.nama,
        disahkan_nip="" if blank else signed.nip,
        nama=h.nama,
        list_pairs=tuple(
            (ListBlock(t1, tuple(i1)), ListBlock(t2, tuple(i2))) for t1, i1, t2, i2 in lists
        ),
        revision=f"Revisi ke-{revision_number}" if revision_number else "",
    )


def _columns(definition: SopDefinition, geo: lay.Geometry) -> tuple[Column, ...]:
    fixed = lay.FIXED_WIDTHS
    roles = [Column("role", r.name, geo.role_width) for r in definition.roles]
    roles = roles or [Column("role", "Pelaksana", geo.role_width)]
    first = roles[0]
    roles[0] = replace(first, width=first.width + geo.gutter_left, pad_left=geo.gutter_left)
    last = roles[-1]
    roles[-1] = replace(last, width=last.width + geo.gutter_right, pad_right=geo.gutter_right)
    return (
        Column("no", "No", fixed["no"]),
        Column("kegiatan", "Kegiatan", geo.kegiatan_width),
        *roles,
        Column("kelengkapan", "Kelengkapan", fixed["kelengkapan"]),
        Column("waktu", "Waktu", fixed["waktu"]),
        Column("output", "Output", fixed["output"]),
        Column("keterangan", "Keterangan", fixed["keterangan"]),
    )


def _branches(step: Step) -> str:
    if step.gate is None:
        return ""
    return f"Ya → {step.gate.ya} · Tidak → {step.gate.tidak}"


def _row_height(step: Step, geo: lay.Geometry) -> float:
    fixed = lay.FIXED_WIDTHS
    small = [PER_UNIT_NOTE] if step.per_unit else []
    if step.gate is not None:
        small += [step.gate.question, _branches(step)]
    cells = [
        lay.text_height([step.kegiatan], geo.kegiatan_width)
        + lay.text_height(small, geo.kegiatan_width * 1.1, lay.SMALL_LINE_HEIGHT),
        lay.text_height([step.kelengkapan], fixed["kelengkapan"]),
        lay.text_height([step.waktu.text], fixed["waktu"]),
        lay.text_height([step.output], fixed["output"]),
        lay.text_height([step.keterangan], fixed["keterangan"]),
    ]
    return max(lay.MIN_ROW_HEIGHT, math.ceil(max(cells) + lay.CELL_PADDING + 4))


def _thead_height(columns: tuple[Column, ...]) -> float:
    return 22 + max(lay.text_height([c.title], c.width - c.pad_left - c.pad_right) for c in columns)


def _paginate(
    definition: SopDefinition,
    edges: list[lay.Edge],
    geo: lay.Geometry,
    rows_per_page: int | None,
) -> tuple[tuple[Column, ...], list[range]]:
    columns = _columns(definition, geo)
    heights = [_row_height(s, geo) for s in definition.steps]
    cuts = [
        sum(1 for e in edges if e.lane and min(e.source, e.target) <= i < max(e.source, e.target))
        for i in range(len(heights))
    ]
    room = lay.PAGE_HEIGHT - lay.PAGE_CAPTION - lay.PAGE_SAFETY - _thead_height(columns)
    if rows_per_page is not None:
        max_rows, single, multi = max(1, rows_per_page), float("inf"), float("inf")
    else:
        max_rows, single = lay.MAX_ROWS_PER_PAGE, room
        multi = room - 2 * lay.CONNECTOR_ROW_HEIGHT
    return columns, lay.paginate(heights, cuts, single, multi, max_rows)


def _crowded_offpage(edges: list[lay.Edge], chunks: list[range]) -> bool:
    """Whether a side with several lanes has a lane leaving its page (pentagons would touch)."""
    chunk_of = {r: c for c, rng in enumerate(chunks) for r in rng}
    lanes = Counter(side for side, _ in {(e.side, e.lane_index) for e in edges if e.lane})
    return any(
        lanes[e.side] > 1 and chunk_of[e.source] != chunk_of[e.target] for e in edges if e.lane
    )


def build_document(
    definition: SopDefinition,
    identity: SheetIdentity | Institution | None = None,
    rows_per_page: int | None = None,
    *,
    logo_url: str | None = None,
    revision_number: int | None = None,
    unsigned: bool = False,
) -> SopDocument:
    """Lay out ``definition`` as the Permenpan RB 35/2012 document.

    ``rows_per_page`` forces at most that many kegiatan per printed page; by default the
    rows are split by an estimate of their height on A4 landscape. ``identity`` (the office
    running the SOP; a plugin's :class:`Institution` is read as one) fills the identity
    cell; ``logo_url`` (optional) is shown there too. ``revision_number``: the sheet of an
    office's revision ("Revisi ke-n" from 1 on). ``unsigned``: the definition's nomor,
    dates and signatory are not this office's (a plugin's SOP the office runs without a
    revision of its own), so its cells say "Belum disahkan"; so does the signatory cell of
    a definition nobody signed yet.
    """
    if isinstance(identity, Institution):
        identity = SheetIdentity.of(identity)
    edges = lay.edges_of(definition)
    geo = lay.geometry_for(definition, edges)
    columns, chunks = _paginate(definition, edges, geo, rows_per_page)
    if _crowded_offpage(edges, chunks):  # widen the lanes so that the pentagons fit
        geo = lay.geometry_for(definition, edges, lay.WIDE_LANE_GAP)
        columns, chunks = _paginate(definition, edges, geo, rows_per_page)
    heights = [_row_height(s, geo) for s in definition.steps]
    flow = route(definition, edges, geo, chunks)
    role_names = {r.id: r.name for r in definition.roles}
    rows = [
        DocumentRow(
            number=s.number,
            kegiatan=s.kegiatan,
            actor=role_names.get(s.actor, s.actor),
            kind=s.kind.value,
            per_unit=s.per_unit,
            gate_question=s.gate.question if s.gate and s.kind is StepKind.DECISION else "",
            branches=_branches(s),
            kelengkapan=s.kelengkapan,
            waktu=s.waktu.text,
            output=s.output,
            keterangan=s.keterangan,
            height=h,
            drawing=d,
        )
        for s, h, d in zip(definition.steps, heights, flow.rows, strict=True)
    ]
    pages = tuple(
        PageChunk(i + 1, tuple(rows[r] for r in rng), flow.tops[i], flow.bottoms[i])
        for i, rng in enumerate(chunks)
    )
    table_width = sum(c.width for c in columns)
    return SopDocument(
        sop_id=definition.id,
        version=definition.version,
        header=_header(definition, identity, logo_url, revision_number, unsigned),
        columns=columns,
        table_width=table_width,
        flow_width=geo.flow_width,
        grid=tuple(f"{x:g}" for x in geo.boundaries()),
        pages=pages,
    )


@cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment for the document template (autoescape on)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(doc: SopDocument) -> str:
    """Render a built document as an HTML fragment (``<div class="sop-document">…</div>``)."""
    return environment().get_template(TEMPLATE).render(doc=doc)


def render_document(
    definition: SopDefinition,
    identity: SheetIdentity | Institution | None = None,
    *,
    rows_per_page: int | None = None,
    logo_url: str | None = None,
    revision_number: int | None = None,
    unsigned: bool = False,
) -> str:
    """Build and render ``definition`` (see :func:`build_document`) as an HTML fragment."""
    return render(
        build_document(
            definition,
            identity,
            rows_per_page,
            logo_url=logo_url,
            revision_number=revision_number,
            unsigned=unsigned,
        )
    )
