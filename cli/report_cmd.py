"""``alur report mutu-baku``: an office's Mutu baku figures at the command line, for platform
operators — the numbers of the web's Mutu baku page and of GraphQL's ``mutuBaku``, from the
same service (:meth:`~alur.tenants.monitoring.report.MutuBakuReports.report_for_operator`:
every step and unit, never per person).

``--format csv`` writes :func:`alur.tenants.monitoring.rows.report_rows` as they are: the
header row is :data:`~alur.tenants.monitoring.rows.COLUMNS`, an empty cell where there is no
data ("belum ada data", never 0), numbers with a "." decimal point, durations in office
minutes. ``--format json`` writes the same rows, with the office and the period. Exit codes:
0 done; 2 wrong usage (an unknown office, SOP or unit, a bad date: the option is named); 1
the database cannot be used.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from alur.cli.context import get_plugins
from alur.cli.db import run_with_database
from alur.tenants.cases.service import TenantService
from alur.tenants.errors import InvalidInput
from alur.tenants.monitoring.report import MutuBakuReport, MutuBakuReports, ReportFilter
from alur.tenants.monitoring.rows import COLUMNS, report_csv, report_rows
from alur.tenants.storage.database import Database

# The service's field names, as the options are called here.
OPTIONS = {"start": "from", "end": "to"}


@click.group("report")
def report() -> None:
    """Reports on an office's work, for platform operators."""


@report.command("mutu-baku")
@click.option("--tenant", "slug", required=True, metavar="SLUG", help="The office.")
@click.option("--sop", "sop_id", metavar="ID", help="Only this SOP (default: every SOP).")
@click.option(
    "--from", "start", metavar="DATE", help="First office date, YYYY-MM-DD (default: 6 months ago)."
)
@click.option("--to", "end", metavar="DATE", help="Last office date, YYYY-MM-DD (default: today).")
@click.option("--unit", metavar="SLUG", help="Only this unit's work.")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to FILE instead of standard output.",
)
@click.pass_context
def mutu_baku(
    ctx: click.Context,
    slug: str,
    sop_id: str | None,
    start: str | None,
    end: str | None,
    unit: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    """How long each step of an office's SOPs actually took against its mutu baku, over a
    period (a step's work counts when it closed within it): median, p75, p90, waiting and
    working, share within the standard, returns, rework, per step and per unit; office
    minutes on the office's working calendar."""
    plugins = get_plugins(ctx)

    async def work(db: Database) -> MutuBakuReport:
        service = await TenantService.open(db, plugins, slug)
        try:
            f = ReportFilter.parse(sop_id, start, end, unit, today=service.today())
            return await MutuBakuReports(service).report_for_operator(f)
        except InvalidInput as exc:
            raise InvalidInput({OPTIONS.get(k, k): v for k, v in exc.errors.items()}) from None

    found = run_with_database(work)
    text = report_csv(found) if fmt == "csv" else report_json(found)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from exc
    click.echo(f"wrote {output}", err=True)


def report_json(found: MutuBakuReport) -> str:
    """The report's rows as JSON, with the office and the period."""
    data: dict[str, Any] = {
        "office": found.office,
        "office_name": found.office_name,
        "from": found.period.start.isoformat(),
        "to": found.period.end.isoformat(),
        "sop": found.sop_id,
        "unit": found.unit,
        "minutes_per_day": found.minutes_per_day,
        "columns": list(COLUMNS),
        "rows": list(report_rows(found)),
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
