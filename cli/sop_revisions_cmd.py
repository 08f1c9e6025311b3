"""``alur sop revisions | export-revision | import-revision``: an office's SOP revisions at the
command line, for platform operators.

Listing and exporting read across offices (:mod:`alur.tenants.sop_life.operator_view`).
Importing saves a draft *as a person of the office* (``--as USERNAME``: the office admin or
the SOP's penyusun) through :func:`alur.tenants.sop_life.files.import_revision` — the same
rules and limits as the web editor, recorded on the office's chain as that person. Exit
codes: 0 done; 1 refused (every problem of the file listed, nothing saved), or the database
cannot be used; 2 wrong usage (an unknown office, SOP, revision or user).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

import click
from rich import box
from rich.table import Table

from alur.cli.context import get_plugins
from alur.cli.db import fail, run_with_database
from alur.cli.render import id_column, print_listing
from alur.tenants.errors import Conflict, Forbidden, InvalidInput
from alur.tenants.sop_life.files import MAX_BYTES, import_revision, revision_toml
from alur.tenants.sop_life.operator_view import (
    RevisionLine,
    office_revision,
    office_revisions,
    user_id_of,
)
from alur.tenants.sop_life.revisions import Revision, SopRevisions
from alur.tenants.storage.database import Database

HASH_SHOWN = 12  # characters of a content hash in the table


def tenant_option(command: Any) -> Any:
    return click.option("--tenant", "slug", required=True, metavar="SLUG", help="The office.")(
        command
    )


@click.command("revisions")
@tenant_option
@click.option("--sop", "sop_id", metavar="ID", help="Only this SOP's revisions.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_context
def revisions(ctx: click.Context, slug: str, sop_id: str | None, fmt: str) -> None:
    """List an office's SOP revisions: Revisi ke-n, state, tanggal efektif, disahkan oleh,
    content hash, and which one is in force today."""
    plugins = get_plugins(ctx)

    async def work(db: Database) -> list[RevisionLine]:
        _, lines = await office_revisions(db, plugins, slug, sop_id)
        return lines

    lines = run_with_database(work)
    if fmt == "json":
        click.echo(json.dumps([_as_json(line) for line in lines], ensure_ascii=False, indent=2))
        return
    if not lines:
        click.echo(f"{slug} has no SOP revisions" + (f" of {sop_id}." if sop_id else "."))
        return
    table = Table(box=box.SIMPLE_HEAD)
    id_column(table, "SOP", [line.revision.sop_id for line in lines], no_wrap=True)
    table.add_column("Revisi", no_wrap=True)
    table.add_column("State", no_wrap=True)
    table.add_column("Tanggal efektif", no_wrap=True)
    table.add_column("Disahkan oleh")
    table.add_column("Hash", no_wrap=True)
    table.add_column("In force", no_wrap=True)
    for line in lines:
        r = line.revision
        signed = f"{r.signatory.nama} (NIP {r.signatory.nip})" if r.signatory else "-"
        table.add_row(
            r.sop_id,
            f"ke-{r.number}",
            str(r.state),
            r.effective_on.isoformat() if r.effective_on else "-",
            signed,
            r.content_hash[:HASH_SHOWN],
            "*" if line.in_force else "",
        )
    print_listing(table)


@click.command("export-revision")
@tenant_option
@click.option("--sop", "sop_id", required=True, metavar="ID", help="The SOP.")
@click.option("--number", type=int, required=True, help="The revision (Revisi ke-N).")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to FILE instead of standard output.",
)
@click.pass_context
def export_revision(
    ctx: click.Context, slug: str, sop_id: str, number: int, output: Path | None
) -> None:
    """Write an office's revision as a TOML file: the office's own part of the SOP (see
    docs/sop-format.md, "What an office may change"); import-revision reads it back."""
    plugins = get_plugins(ctx)

    async def work(db: Database) -> str:
        service, revision, base = await office_revision(db, plugins, slug, sop_id, number)
        return revision_toml(revision, base, office=str(service.tenant.get("name") or slug))

    text = run_with_database(work)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from exc
    click.echo(f"wrote {output}", err=True)


@click.command("import-revision")
@tenant_option
@click.option("--sop", "sop_id", required=True, metavar="ID", help="The SOP.")
@click.option("--number", type=int, required=True, help="The draft (Revisi ke-N).")
@click.option(
    "--as",
    "username",
    required=True,
    metavar="USERNAME",
    help="Save as this person of the office (its admin, or the SOP's penyusun).",
)
@click.argument("file", type=click.File("rb"))
@click.pass_context
def import_revision_command(
    ctx: click.Context, slug: str, sop_id: str, number: int, username: str, file: IO[bytes]
) -> None:
    """Save FILE (a revision's TOML, '-' for standard input) as the draft Revisi ke-N of an
    office's SOP. Every problem is listed and nothing is saved when there is one."""
    plugins = get_plugins(ctx)
    data = file.read(MAX_BYTES + 1)  # one byte more than allowed is enough to refuse it

    async def work(db: Database) -> Revision | InvalidInput | Forbidden | Conflict:
        service, _, _ = await office_revision(db, plugins, slug, sop_id, number)
        drafts = SopRevisions(service, await user_id_of(username))
        try:
            return await import_revision(drafts, sop_id, number, data)
        except (InvalidInput, Forbidden, Conflict) as exc:  # reported below, exit 1
            return exc

    result = run_with_database(work)
    if isinstance(result, InvalidInput):
        click.echo(f"Error: Revisi ke-{number} of {sop_id} was not saved:", err=True)
        for path, message in result.errors.items():
            click.echo(f"  {path}: {message}", err=True)
        raise click.exceptions.Exit(1)
    if isinstance(result, Forbidden | Conflict):
        fail(result.message, 1)
    assert isinstance(result, Revision)
    click.echo(
        f"Saved Revisi ke-{result.number} of {sop_id} ({result.state}, version "
        f"{result.version}, hash {result.content_hash[:HASH_SHOWN]}) as {username}."
    )


COMMANDS = (revisions, export_revision, import_revision_command)


def _as_json(line: RevisionLine) -> dict[str, Any]:
    r = line.revision
    return {
        "sop": r.sop_id,
        "plugin": r.plugin,
        "number": r.number,
        "state": str(r.state),
        "effective_on": r.effective_on.isoformat() if r.effective_on else None,
        "disahkan_oleh": (
            {"nama": r.signatory.nama, "jabatan": r.signatory.jabatan, "nip": r.signatory.nip}
            if r.signatory
            else None
        ),
        "content_hash": r.content_hash,
        "base_hash": r.base_hash,
        "in_force": line.in_force,
        "version": r.version,
        "updated_by": r.updated_by,
        "updated_at": r.updated_at.isoformat() if hasattr(r.updated_at, "isoformat") else None,
        "note": r.note,
    }
