"""``alur demo`` (demo offices, people and cases) and ``alur audit verify`` (hash chains)."""

from __future__ import annotations

import click

from alur.cli.context import get_plugins
from alur.cli.db import run_with_database
from alur.tenants.audit import ChainReport
from alur.tenants.database import Database
from alur.tenants.demo import DEMO_PASSWORD, DemoReport, provision_demo
from alur.tenants.errors import NotFound
from alur.tenants.store import CaseStore, TenantRef
from alur.tenants.tables import Event, Tenant


@click.command()
@click.option(
    "--password",
    default=DEMO_PASSWORD,
    show_default=True,
    help="The password of every demo login (at least 8 characters).",
)
@click.pass_context
def demo(ctx: click.Context, password: str) -> None:
    """Create one demo office per installed plugin, with people and cases.

    Every pelaksana gets a login (per unit for per-unit roles), each office an
    administrator, and the platform an operator. Each SOP gets four cases: just started,
    waiting at a fan-out, returned at a gate, finished. Safe to run again: what is already
    there is left alone.
    """
    plugins = get_plugins(ctx)
    report = run_with_database(lambda db: provision_demo(plugins, password=password, db=db))
    print_report(report)


def print_report(report: DemoReport) -> None:
    if not report.tenants:
        click.echo('No plugin loaded, so no demo office: see "alur plugins check".')
    for t in report.tenants:
        state = "created" if t.created else "already there"
        click.echo(f"\n{t.slug} — {t.name} (plugin {t.plugin}): {state}")
        if t.note:
            click.echo(f"  {t.note}")
        for c in t.cases:
            click.echo(f"  case {c.key}  {c.sop_id}  {c.period:<18} {c.status:<9} {c.story}")
        for login in (x for x in report.logins if x.tenant == t.slug):
            new = "" if login.created else "  (already there)"
            click.echo(f"  login {login.username:<38} {login.name} — {login.what}{new}")
    for login in (x for x in report.logins if x.tenant is None):
        new = "" if login.created else " (already there)"
        click.echo(f"\nPlatform operator login: {login.username}{new}")
    click.echo(f"\nPassword of every demo login: {report.password}")
    if not all(login.created for login in report.logins):
        click.echo("(logins that were already there keep the password they had)")
    if report.created_anything:
        click.echo(
            f"Created {report.created_tenants} office(s), {report.created_logins} login(s), "
            f"{report.created_cases} case(s)."
        )
    else:
        click.echo("Everything was already there: nothing created.")


@click.group()
def audit() -> None:
    """The per-office hash-chained event log."""


@audit.command("verify")
@click.option("--tenant", "tenant_slug", metavar="SLUG", help="Only this office.")
def verify(tenant_slug: str | None) -> None:
    """Recompute every office's hash chain; exit 1 if any is broken.

    Prints one line per office; a broken chain names its first bad event.
    """

    async def work(db: Database) -> list[tuple[ChainReport, str]]:
        query = Tenant.select(Tenant.id, Tenant.slug).order_by(Tenant.slug)
        if tenant_slug is not None:
            query = query.where(Tenant.slug == tenant_slug)
        rows = await query
        if tenant_slug is not None and not rows:
            raise NotFound(what=f"office {tenant_slug}")
        store = CaseStore(db)
        results = []
        for row in rows:
            ref = TenantRef(row["id"], row["slug"])
            report = await store.verify_chain(ref)
            where = await _where(row["id"], report)
            if report.ok:
                stale = await store.verify_cases(ref)
                if stale:
                    report = ChainReport(
                        ref.slug,
                        report.events,
                        False,
                        None,
                        "stored case state differs from its events",
                    )
                    where = f" (case(s) {', '.join(stale)})"
            results.append((report, where))
        return results

    results = run_with_database(work)
    if not results:
        click.echo("No offices yet: nothing to verify.")
    for report, where in results:
        click.echo(f"{report}{where}")
    broken = [r for r, _ in results if not r.ok]
    if broken:
        click.echo(f"FAILED: {len(broken)} of {len(results)} chain(s) broken", err=True)
        raise click.exceptions.Exit(1)


async def _where(tenant_id: int, report: ChainReport) -> str:
    """Which case and event the first broken link is, when that event is still stored."""
    if report.ok or report.broken_at is None:
        return ""
    row = (
        await Event.select(Event.seq, Event.kind, Event.case.key.as_alias("case_key"))
        .where((Event.tenant == tenant_id) & (Event.chain_seq == report.broken_at))
        .first()
    )
    if row is None:
        return ""
    return f" (case {row['case_key']}, event {row['seq']} of the case, {row['kind']})"
