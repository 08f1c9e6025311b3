"""``alur demo``: demo offices, people and cases."""

from __future__ import annotations

import click

from alur.cli.context import get_plugins
from alur.cli.db import run_with_database
from alur.tenants.demo.history import HISTORY
from alur.tenants.demo.offices import DEMO_PASSWORD, DemoReport, provision_demo


@click.command()
@click.option(
    "--password",
    default=DEMO_PASSWORD,
    show_default=True,
    help="The password of every demo login (at least 8 characters).",
)
@click.option(
    "--second-office/--no-second-office",
    default=True,
    show_default=True,
    help="Also the second office on the Banyumas plugin (satpolpp-cilacap), with its own "
    "kop and its own approved SOP.",
)
@click.option(
    "--history/--no-history",
    default=True,
    show_default=True,
    help="Also finished cases over the past six months, with varied times (the figures of "
    "the Mutu baku page).",
)
@click.pass_context
def demo(ctx: click.Context, password: str, second_office: bool, history: bool) -> None:
    """Create one demo office per installed plugin, with people and cases.

    Every pelaksana gets a login (per unit for per-unit roles), each office an
    administrator, and the platform an operator. Each SOP gets four cases: just started,
    waiting at a fan-out, returned at a gate, finished; and a history of finished cases
    over the past months. Safe to run again: what is already there is left alone.
    """
    plugins = get_plugins(ctx)
    report = run_with_database(
        lambda db: provision_demo(
            plugins, password=password, db=db, second_office=second_office, history=history
        )
    )
    print_report(report)


def print_report(report: DemoReport) -> None:
    if not report.tenants:
        click.echo('No plugin loaded, so no demo office: see "alur plugins check".')
    for t in report.tenants:
        state = "created" if t.created else "already there"
        click.echo(f"\n{t.slug} — {t.name} (plugin {t.plugin}): {state}")
        if t.note:
            click.echo(f"  {t.note}")
        past: dict[str, int] = {}
        for c in t.cases:
            if c.story == HISTORY:
                past[c.sop_id] = past.get(c.sop_id, 0) + 1
                continue
            click.echo(f"  case {c.key}  {c.sop_id}  {c.period:<18} {c.status:<9} {c.story}")
        for sop_id, n in past.items():
            click.echo(f"  {n} finished case(s) of {sop_id} over the past months ({HISTORY})")
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
