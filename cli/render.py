"""Terminal rendering with rich: the plugin list and the SOP in the Permenpan RB 35/2012
layout (header block, then the flowchart table with one column per pelaksana)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from alur.core.errors import PluginError
from alur.core.model import SopDefinition, Step, StepKind
from alur.core.plugins import LoadedPlugin

SYMBOLS = {
    StepKind.START: "( )",
    StepKind.END: "( )",
    StepKind.PROCESS: "[ ]",
    StepKind.DECISION: "< >",
}
_WAKTU_WIDTH = 10
_MIN_KEGIATAN = 16
_WIDE_KEGIATAN = 50
_UNLIMITED = 100_000  # a console width no listing reaches
STATUS_STYLE = {"ok": "green", "failed": "bold red", "disabled": "yellow"}


def console() -> Console:
    """A console on the current stdout; text is never read as rich markup."""
    return Console(markup=False, highlight=False, emoji=False)


def print_listing(table: Table, out: Console | None = None) -> Console:
    """Print a listing (``alur plugins list``, ``alur tenants list``); returns the console.

    Identifiers (slugs, plugin and SOP names) are never broken: their columns do not wrap
    and are at least as wide as the longest one. On a terminal wide enough for that, free
    text (names) wraps to the width. Piped or redirected — or on a terminal too narrow even
    for the identifiers — nothing wraps: each row is one line as wide as its content, so
    ``grep``, ``cut`` and ``awk`` see whole identifiers (``--format json`` remains the
    format for scripts).
    """
    out = out or console()
    natural = Measurement.get(out, out.options.update_width(_UNLIMITED), table)
    if not out.is_terminal or natural.minimum > out.width:
        out.width = max(out.width, natural.maximum)
    out.print(table)
    return out


def id_column(table: Table, header: str, ids: Iterable[str], **options: Any) -> None:
    """Add a column whose cells hold identifiers: never narrower than the longest one, so a
    slug is never folded in the middle ("satpolpp\n-banyuma\ns")."""
    widest = max((len(i) for i in ids), default=0)
    table.add_column(header, min_width=max(widest, len(header)), **options)


def plugins_table(loaded: Sequence[LoadedPlugin]) -> Table:
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("Plugin", no_wrap=True)
    table.add_column("Version", no_wrap=True)
    slugs = [f"({p.institution.slug})" for p in loaded if p.institution]
    id_column(table, "Institution", slugs)
    id_column(table, "SOPs", [f"{d.id}:" for p in loaded for d in p.sops.values()])
    table.add_column("Status", no_wrap=True)
    for p in loaded:
        inst = f"{p.institution.name}\n({p.institution.slug})" if p.institution else ""
        sops = "\n".join(f"{d.id}: {d.header.nama}" for d in p.sops.values())
        status = Text(p.status, style=STATUS_STYLE[p.status])
        if p.errors:
            status.append(f" ({problem_count(p.errors)} problem(s), see below)")
        table.add_row(p.name, p.version, inst, sops, status)
    return table


def problem_count(errors: Iterable[PluginError]) -> int:
    """How many problems ``errors`` list: each definition problem once, and an error
    without any (a hook that raised, a wrong answer) as one."""
    return sum(len(e.problems) or 1 for e in errors)


def sop_document(d: SopDefinition, width: int) -> Group:
    """The whole SOP for a console ``width`` columns wide: header block, flowchart table.

    The flowchart table has a column per pelaksana, as in the document; when the console is
    too narrow for that, a compact table names the pelaksana in one column instead.
    """
    table = sop_table(d, width)
    return Group(sop_header(d), table if table is not None else sop_table_compact(d))


def sop_header(d: SopDefinition) -> Table:
    h = d.header
    grid = Table(box=box.SQUARE, show_header=False, title=h.nama, title_style="bold")
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    official = h.disahkan_oleh
    signed = "\n".join(x for x in (official.jabatan, official.nama) if x)
    if official.nip:
        signed += f"\nNIP. {official.nip}"
    rows: list[tuple[str, str]] = [
        ("Nomor SOP", h.nomor),
        ("Tanggal Pembuatan", h.tanggal_pembuatan),
        ("Tanggal Revisi", h.tanggal_revisi),
        ("Tanggal Efektif", h.tanggal_efektif),
        ("Disahkan oleh", signed),
        ("Nama SOP", h.nama),
        ("Dasar Hukum", _numbered(h.dasar_hukum)),
        ("Kualifikasi Pelaksana", _numbered(h.kualifikasi_pelaksana)),
        ("Keterkaitan", _numbered(h.keterkaitan)),
        ("Peralatan/Perlengkapan", _numbered(h.peralatan_perlengkapan)),
        ("Peringatan", _numbered(h.peringatan)),
        ("Pencatatan dan Pendataan", _numbered(h.pencatatan_pendataan)),
    ]
    for label, value in rows:
        grid.add_row(label, value or "-")
    return grid


def sop_table(d: SopDefinition, width: int) -> Table | None:
    """The Permenpan RB 35/2012 table, or ``None`` if it cannot fit in ``width`` columns."""
    columns = 6 + len(d.roles)  # No, Kegiatan, pelaksana…, Kelengkapan, Waktu, Output, Ket.
    # Pelaksana columns: the whole name on one line when the console is wide enough.
    for role_widths in (
        [max(8, min(len(r.name), 20)) for r in d.roles],
        [min(12, max([8, *(len(w) for w in r.name.split())])) for r in d.roles],
    ):
        free = width - 3 * columns - 1 - sum(role_widths) - _WAKTU_WIDTH - 3
        kegiatan = free * 3 // 7
        if kegiatan >= _WIDE_KEGIATAN:
            break
    if kegiatan < _MIN_KEGIATAN:
        return None
    table = Table(box=box.SQUARE, show_lines=True, title="Uraian Prosedur")
    table.add_column("No", justify="right", width=3)
    table.add_column("Kegiatan", width=kegiatan, overflow="fold")
    for role, role_width in zip(d.roles, role_widths, strict=True):
        table.add_column(role.name, justify="center", width=role_width, overflow="fold")
    rest = free - kegiatan
    table.add_column("Kelengkapan", width=rest * 3 // 8, overflow="fold")
    table.add_column("Waktu", width=_WAKTU_WIDTH, overflow="fold")
    table.add_column("Output", width=rest * 3 // 8, overflow="fold")
    table.add_column("Ket.", width=rest - 2 * (rest * 3 // 8), overflow="fold")
    following = _following(d)
    for step in d.steps:
        cells = [
            actor_cell(step, following.get(step.number)) if r.id == step.actor else ""
            for r in d.roles
        ]
        table.add_row(
            str(step.number),
            step.kegiatan,
            *cells,
            step.kelengkapan,
            step.waktu.text,
            step.output,
            step.keterangan,
        )
    return table


def sop_table_compact(d: SopDefinition) -> Table:
    """The steps for a narrow console: the pelaksana in one column, mutu baku under the
    kegiatan."""
    table = Table(box=box.SQUARE, show_lines=True, title="Uraian Prosedur")
    table.add_column("No", justify="right", no_wrap=True)
    table.add_column("Kegiatan / mutu baku", ratio=3, overflow="fold")
    table.add_column("Pelaksana", ratio=1, overflow="fold")
    table.add_column("Waktu", overflow="fold")
    following = _following(d)
    for step in d.steps:
        text = [step.kegiatan]
        for label, value in (
            ("Kelengkapan", step.kelengkapan),
            ("Output", step.output),
            ("Ket.", step.keterangan),
        ):
            if value:
                text.append(f"{label}: {value}")
        actor = d.roles_by_id.get(step.actor)
        who = (
            f"{actor.name if actor else step.actor}\n{actor_cell(step, following.get(step.number))}"
        )
        table.add_row(str(step.number), "\n".join(text), who, step.waktu.text)
    return table


def actor_cell(step: Step, following: int | None) -> str:
    """The flowchart symbol in the actor's column, with where the flow goes next."""
    lines = [SYMBOLS[step.kind]]
    if step.gate is not None:
        lines.append(f"ya→{step.gate.ya} / tidak→{step.gate.tidak}")
    elif step.next is not None and step.next != following:
        lines.append(f"→{step.next}")
    if step.per_unit:
        lines.append("per unit")
    if not step.delegable:
        lines.append("no Plt/Plh")
    return "\n".join(lines)


def _following(d: SopDefinition) -> dict[int, int]:
    return {a.number: b.number for a, b in zip(d.steps, d.steps[1:], strict=False)}


def _numbered(items: Sequence[str]) -> str:
    if len(items) == 1:
        return items[0]
    return "\n".join(f"{i}. {item}" for i, item in enumerate(items, 1))
