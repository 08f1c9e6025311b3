"""``alur sop migrate``: move an office's running cases to the revision of their SOP in force.

Calls :class:`~alur.tenants.sop_life.moving.CaseMoves` as the office administrator named by
``--as`` (the same rules as the web page): with ``--dry-run`` it prints, per case, which
tasks are kept (with their new due time), closed and opened, or why the case cannot move,
and writes nothing; without, it moves each case that can move (a ``case_migrated`` event on
its chain) and reports the others. Exit codes: 0 every case moved (or would), 1 some case
was refused, 2 wrong usage or input, as every database command.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import click

from alur.cli.context import get_plugins
from alur.cli.db import fail, run_with_database
from alur.tenants.cases.service import TenantService
from alur.tenants.errors import Forbidden, InvalidInput, NotFound
from alur.tenants.sop_life.moving import CaseMovePlan, CaseMoves, parse_mapping
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import User


@click.command("migrate")
@click.option("--tenant", "slug", required=True, metavar="SLUG", help="The office.")
@click.option(
    "--case", "keys", required=True, multiple=True, metavar="KEY", help="A case (repeatable)."
)
@click.option(
    "--map",
    "pairs",
    multiple=True,
    metavar="OLD=NEW",
    help="Map step OLD of the case's definition to step NEW of the revision in force "
    "(repeatable; steps that keep their number and kegiatan map by themselves).",
)
@click.option("--dry-run", is_flag=True, help="Only show what would happen; write nothing.")
@click.option(
    "--as", "username", required=True, metavar="USERNAME", help="The office administrator."
)
@click.pass_context
def sop_migrate(
    ctx: click.Context,
    slug: str,
    keys: tuple[str, ...],
    pairs: tuple[str, ...],
    dry_run: bool,
    username: str,
) -> None:
    """Move running cases of an office to the revision of their SOP in force."""
    plugins = get_plugins(ctx)

    async def work(db: Database) -> tuple[list[tuple[CaseMovePlan, bool | None]], str]:
        try:
            mapping = parse_mapping(pairs)
        except InvalidInput as exc:  # the option is --map
            raise InvalidInput({"map": exc.errors["mapping"]}) from None
        user = await User.select(User.id).where(User.username == username).first()
        if user is None:
            raise NotFound(what=f"user {username}")
        service = await TenantService.open(db, plugins, slug)
        moves = CaseMoves(service, user["id"])
        timezone = service.tenant["timezone"]
        if dry_run:
            return [(p, None) for p in await moves.preview(keys, mapping)], timezone
        return [(r.plan, r.moved) for r in await moves.move(keys, mapping)], timezone

    try:
        results, timezone = run_with_database(work)
    except Forbidden as exc:
        fail(exc.message, 2)
    refused = 0
    for plan, moved in results:
        for line in plan_lines(plan, moved, ZoneInfo(timezone)):
            click.echo(line)
        refused += not plan.ok or moved is False
    if refused:
        raise click.exceptions.Exit(1)


def _revision(number: int | None, version: str) -> str:
    return f"Revisi ke-{number}" if number is not None else f"plugin version {version}"


def _at(value: datetime | None, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value is not None else "-"


def plan_lines(plan: CaseMovePlan, moved: bool | None, tz: ZoneInfo) -> list[str]:
    """What the command prints for one case (``moved``: None for a dry run)."""
    before = _revision(plan.from_revision, plan.from_version)
    after = _revision(plan.to_revision, plan.to_version)
    if moved is None:
        status = "can move" if plan.ok else "cannot move"
    else:
        status = "moved" if moved else "not moved"
    lines = [f"Case {plan.key} ({plan.period}): {before} -> {after}: {status}"]
    for reason in plan.refusals:
        lines.append(f"  refused: {reason}")
    if not plan.ok:
        return lines
    for k in plan.kept:
        step = plan.steps_after.get(k.step, "")
        where = f"step {k.from_step} -> {k.step}" if k.from_step != k.step else f"step {k.step}"
        lines.append(
            f"  keeps  task {k.task} at {where} ({plan.roles.get(k.role, k.role)}"
            f"{', ' + k.unit if k.unit else ''}) {step}: due {_at(k.due_before, tz)} -> "
            f"{_at(k.due, tz)}"
        )
    for c in plan.closed:
        lines.append(
            f"  closes task {c.task} at step {c.step} ({plan.roles.get(c.role, c.role)}"
            f"{', ' + c.unit if c.unit else ''}) {plan.steps_before.get(c.step, '')}"
        )
    for o in plan.opened:
        lines.append(
            f"  opens  step {o.step} ({plan.roles.get(o.role, o.role)}"
            f"{', ' + o.unit if o.unit else ''}) {plan.steps_after.get(o.step, '')}: "
            f"due {_at(o.due, tz)}"
        )
    return lines
