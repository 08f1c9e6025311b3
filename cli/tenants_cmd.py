"""``alur migrate`` and ``alur tenants``: the database schema and the offices (OPD) it hosts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from piccolo.apps.migrations.tables import Migration

from alur.cli.context import get_plugins
from alur.cli.db import fail, run_with_database, shown_url
from alur.cli.render import id_column, print_listing
from alur.tenants.audit.keys import AuditKeyError, AuditKeys, audit_keys
from alur.tenants.audit.office_log import operator_actor
from alur.tenants.clock.jobs import ensure_queue_schema
from alur.tenants.offices.export import ExportOutputError, ExportResult, export_office
from alur.tenants.offices.import_checks import ArchiveDoesNotVerify, ImportRefused
from alur.tenants.offices.importing import ImportResult, import_office
from alur.tenants.offices.offboarding import (
    OffboardRefused,
    delete_office,
    resume_office,
    suspend_office,
)
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.sop_life.adoption import allow_plugin, allowed_plugins, disallow_plugin
from alur.tenants.storage.database import Database, database_url
from alur.tenants.storage.database import migrate as migrate_database
from alur.tenants.storage.tables import Case, Membership, Tenant, Unit

APP = "alur_tenants"


@click.command()
def migrate() -> None:
    """Create or update the tables of the database in ALUR_DATABASE_URL.

    Safe to run again: migrations that already ran are skipped. Every other command also
    migrates a new database on first use.
    """

    async def work(db: Database) -> tuple[list[str], list[str]]:
        before = await applied_migrations()
        await migrate_database(db.engine)
        await ensure_queue_schema(db)  # the worker's job queue (PostgreSQL only)
        return before, await applied_migrations()

    before, after = run_with_database(work, run_migrations=False)
    click.echo(f"Database: {shown_url(database_url())}")
    ran = [name for name in after if name not in before]
    if ran:
        click.echo(f"Applied {len(ran)} migration(s):")
        for name in ran:
            click.echo(f"  {name}")
    else:
        click.echo(f"Up to date: all {len(after)} migration(s) had already been applied.")


async def applied_migrations() -> list[str]:
    if not await Migration.table_exists():
        return []
    rows = (
        await Migration.select(Migration.name)
        .where(Migration.app_name == APP)
        .order_by(Migration.id)
    )
    return [r["name"] for r in rows]


@click.group()
def tenants() -> None:
    """Offices (OPD): each one a tenant bound to its institution plugin."""


@tenants.command("create")
@click.option("--slug", required=True, help="Short name in URLs, e.g. satpolpp-banyumas.")
@click.option("--name", required=True, help="The office's full name.")
@click.option("--plugin", required=True, help="The institution plugin whose SOPs it runs.")
@click.option(
    "--sop",
    "sops",
    multiple=True,
    metavar="ID",
    help="Run only this SOP of the plugin (repeat for more; default: all of them).",
)
@click.pass_context
def create(ctx: click.Context, slug: str, name: str, plugin: str, sops: tuple[str, ...]) -> None:
    """Create an office with the plugin's default units."""
    plugins = get_plugins(ctx)

    async def work(db: Database) -> list[str]:
        tenant = await create_tenant(plugins, slug, name, plugin, list(sops) or None)
        rows = await Unit.select(Unit.slug).where(Unit.tenant == tenant.id).order_by(Unit.id)
        return [r["slug"] for r in rows]

    units = run_with_database(work)
    click.echo(f'Created office "{slug}" ({name}), plugin {plugin}.')
    click.echo(f"Units: {', '.join(units) or 'none'}")
    click.echo(f"SOPs: {', '.join(sops) if sops else 'all of the plugin'}")


@tenants.command("list")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="json: a stable list of objects, for scripts.",
)
def list_tenants(fmt: str) -> None:
    """Show every office: plugin, SOPs, units, people, cases and audit chain length."""
    found = run_with_database(lambda db: tenant_summaries())
    if fmt == "json":
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo('No offices yet. Create one with "alur tenants create" or try "alur demo".')
        return
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("Slug", no_wrap=True)
    table.add_column("Name")
    table.add_column("Plugin", no_wrap=True)
    id_column(table, "SOPs", [f"{s}," for t in found for s in t["sops"]])
    for column in ("Units", "People", "Cases", "Status"):
        table.add_column(column, no_wrap=column != "Cases")
    for t in found:
        table.add_row(
            t["slug"],
            t["name"],
            t["plugin"],
            ", ".join(t["sops"]) or "all",
            str(len(t["units"])),
            str(t["people"]),
            f"{t['cases']['active']} active / {t['cases']['total']}",
            "suspended" if t["suspended"] else "active",
        )
    print_listing(table)


async def tenant_summaries() -> list[dict[str, Any]]:
    """The JSON form of ``alur tenants list``: one object per office, by slug."""
    rows = await Tenant.select().order_by(Tenant.slug)
    result = []
    for t in rows:
        units = await Unit.select(Unit.slug).where(Unit.tenant == t["id"]).order_by(Unit.id)
        people = (
            await Membership.select(Membership.user).where(Membership.tenant == t["id"]).distinct()
        )
        total = await Case.count().where(Case.tenant == t["id"])
        active = await Case.count().where((Case.tenant == t["id"]) & (Case.status == "active"))
        sops = json.loads(t["sops"]) if isinstance(t["sops"], str) else t["sops"]
        allowed = await allowed_plugins(t["id"])
        result.append(
            {
                "slug": t["slug"],
                "name": t["name"],
                "plugin": t["plugin"],
                "sops": sops,
                "allowed_plugins": list(allowed),
                "units": [u["slug"] for u in units],
                "people": len(people),
                "cases": {"total": total, "active": active},
                "events": t["chain_seq"],
                "suspended": t["suspended"],
                "created_at": t["created_at"].isoformat() if t["created_at"] else None,
            }
        )
    return result


def _operator() -> str:
    """Who acts at the command line, for the logs: ``operator:<login name>``."""
    import getpass

    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        name = "cli"
    return operator_actor(name)


@tenants.command("export")
@click.argument("slug")
@click.option(
    "--output",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="The archive to write (a ZIP file, e.g. dinas-a.alur.zip).",
)
@click.pass_context
def export(ctx: click.Context, slug: str, output: Path) -> None:
    """Export one office into an archive that `alur audit verify --archive` checks offline.

    The archive holds its SOP snapshots, cases, tasks, events with their chain, data
    kinerja, attachments, people (without password hashes), units, Plt/Plh, notifications,
    webhooks (without secrets) and logo. API tokens do not move. The export is recorded on
    the office's chain (in the archive) and on the platform log (with the archive's SHA-256).
    """
    plugins = get_plugins(ctx)

    async def work(db: Database) -> ExportResult:
        return await export_office(db, plugins, slug, output, actor=_operator())

    try:
        result = run_with_database(work)
    except ExportOutputError as exc:
        fail(exc.message, 2)
    click.echo(f'Exported office "{slug}" to {result.path}')
    click.echo(f"  SHA-256 {result.sha256}")
    click.echo(f"  chain: {result.chain_seq} events, head {result.chain_head[:16]}")
    counts = ", ".join(f"{n.removesuffix('.jsonl')} {c}" for n, c in result.counts.items() if c)
    click.echo(f"  rows: {counts}")


@tenants.command("import")
@click.argument(
    "archive", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="FILE"
)
@click.pass_context
def import_(ctx: click.Context, archive: Path) -> None:
    """Import an office from an archive of `alur tenants export` (another installation's).

    Refused, with the reason, when the archive does not verify, its audit key is not in
    ALUR_AUDIT_KEY, the office or a case already exists here, its plugin is not installed,
    or a username belongs to someone else here. Imported people have no usable password:
    they are listed, give each a new one. API tokens do not move.
    """
    plugins = get_plugins(ctx)
    keys = _audit_keys()

    async def work(db: Database) -> ImportResult:
        return await import_office(db, plugins, archive, keys, actor=_operator())

    try:
        result = run_with_database(work)
    except ArchiveDoesNotVerify as exc:
        fail(exc.message, 1)
    except ImportRefused as exc:
        fail(exc.message, 2)
    click.echo(
        f'Imported office "{result.slug}": {result.cases} case(s), chain of {result.events} '
        f"events re-linked with key {keys.signing}."
    )
    for note in result.notes:
        click.echo(f"  note: {note}")
    if result.linked_people:
        click.echo(f"  linked to people already here: {', '.join(result.linked_people)}")
    if result.new_people:
        click.echo(
            f"  {len(result.new_people)} new people have NO usable password; give each a new "
            "one (the office admin's people page, or `alur users`):"
        )
        for username in result.new_people:
            click.echo(f"    {username}")
    click.echo("  API tokens do not move: make new ones with `alur tokens create`.")


def _audit_keys() -> AuditKeys:
    try:
        return audit_keys()
    except AuditKeyError as exc:
        return fail(exc.message, 1)


@tenants.command("offboard")
@click.argument("slug")
@click.option(
    "--suspend", "do_suspend", is_flag=True, help="1. Suspend it: sign-ins and API refused."
)
@click.option(
    "--export",
    "export_file",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="2. Export it to this archive (required before --delete).",
)
@click.option("--delete", "do_delete", is_flag=True, help="3. Delete every row of it.")
@click.option("--confirm", metavar="SLUG", help="The slug, typed for --delete (for scripts).")
@click.pass_context
def offboard(
    ctx: click.Context,
    slug: str,
    do_suspend: bool,
    export_file: Path | None,
    do_delete: bool,
    confirm: str | None,
) -> None:
    """Offboard an office: suspended → exported → deleted (each step on the platform log).

    The steps may be given together; they run in that order. --delete refuses unless the
    office is suspended and an export holds its current chain, and asks for the slug to be
    typed (or --confirm SLUG). People who belong to no other office are deleted with it
    (deactivated instead when another office's history names them).
    """
    if not (do_suspend or export_file or do_delete):
        fail("give at least one step: --suspend, --export FILE, --delete", 2)
    plugins = get_plugins(ctx)
    actor = _operator()
    if do_delete and confirm is None:
        confirm = click.prompt(f'Type "{slug}" to delete the office and every row of it')

    async def work(db: Database) -> list[str]:
        done = []
        if do_suspend:
            changed = await suspend_office(db, slug, actor=actor)
            done.append("suspended" if changed else "already suspended")
        if export_file is not None:
            result = await export_office(db, plugins, slug, export_file, actor=actor)
            done.append(f"exported to {result.path} (SHA-256 {result.sha256})")
        if do_delete:
            deleted = await delete_office(db, slug, confirm=confirm or "", actor=actor)
            done.append(
                f"deleted, with {len(deleted.people_removed)} people who belonged to no other "
                f"office; its export: SHA-256 {deleted.export.archive_sha256}"
            )
            if deleted.people_deactivated:
                done.append(
                    f"deactivated (not deleted: other offices' history names them): "
                    f"{', '.join(deleted.people_deactivated)}"
                )
        return done

    try:
        done = run_with_database(work)
    except (OffboardRefused, ExportOutputError) as exc:
        fail(exc.message, 2)
    for step in done:
        click.echo(f"{slug}: {step}")


@tenants.command("resume")
@click.argument("slug")
def resume(slug: str) -> None:
    """Undo a suspension: the office's people can sign in and work again."""
    actor = _operator()
    changed = run_with_database(lambda db: resume_office(db, slug, actor=actor))
    click.echo(f"{slug}: {'resumed' if changed else 'was not suspended'}")


@tenants.command("allow-plugin")
@click.argument("slug")
@click.argument("plugin")
@click.pass_context
def allow_plugin_cmd(ctx: click.Context, slug: str, plugin: str) -> None:
    """Let office SLUG adopt SOPs from PLUGIN besides its own plugin's (its administrator
    then chooses them on the office's SOPs page). Recorded on the office's chain and the
    platform log."""
    plugins, actor = get_plugins(ctx), _operator()
    changed = run_with_database(lambda db: allow_plugin(db, plugins, slug, plugin, actor=actor))
    click.echo(f"{slug}: {'may now adopt SOPs from' if changed else 'already may use'} {plugin}")


@tenants.command("disallow-plugin")
@click.argument("slug")
@click.argument("plugin")
@click.pass_context
def disallow_plugin_cmd(ctx: click.Context, slug: str, plugin: str) -> None:
    """Take back allow-plugin (refused while the office runs SOPs adopted from PLUGIN)."""
    plugins, actor = get_plugins(ctx), _operator()
    changed = run_with_database(lambda db: disallow_plugin(db, plugins, slug, plugin, actor=actor))
    click.echo(f"{slug}: {'no longer allowed' if changed else 'was not allowed'} {plugin}")
