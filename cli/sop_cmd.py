"""``alur sop``: show an SOP as its Permenpan RB 35/2012 table, or export its definition;
an office's revisions (``revisions``, ``export-revision``, ``import-revision``:
:mod:`alur.cli.sop_revisions_cmd`)."""

from __future__ import annotations

from pathlib import Path

import click

from alur.cli.context import get_plugins
from alur.cli.render import console, sop_document
from alur.cli.sop_revisions_cmd import COMMANDS as REVISION_COMMANDS
from alur.core.calendar import WorkingCalendar
from alur.core.errors import PluginNotFound, SopNotFound
from alur.core.model import SopDefinition
from alur.core.snapshot import definition_to_json, definition_to_toml


@click.group()
def sop() -> None:
    """SOP definitions of the installed plugins, and offices' revisions of them."""


for _command in REVISION_COMMANDS:
    sop.add_command(_command)


@sop.command("show")
@click.argument("plugin")
@click.argument("sop_id", metavar="SOP")
@click.pass_context
def show(ctx: click.Context, plugin: str, sop_id: str) -> None:
    """Print SOP of PLUGIN as a table: header, then one column per pelaksana.

    Symbols in a pelaksana's column: ( ) start/end, [ ] process, < > decision.
    """
    definition = _find(ctx, plugin, sop_id)
    out = console()
    out.print(sop_document(definition, out.width))


@sop.command("export")
@click.argument("plugin")
@click.argument("sop_id", metavar="SOP")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "toml"]), default="json", show_default=True
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to FILE instead of standard output.",
)
@click.pass_context
def export(ctx: click.Context, plugin: str, sop_id: str, fmt: str, output: Path | None) -> None:
    """Write the validated definition of SOP (with durations also in office minutes).

    The output loads back unchanged: it is the format of docs/sop-format.md.
    """
    definition = _find(ctx, plugin, sop_id)
    minutes_per_day = WorkingCalendar().minutes_per_day
    dump = definition_to_json if fmt == "json" else definition_to_toml
    text = dump(definition, minutes_per_day=minutes_per_day)
    if not text.endswith("\n"):
        text += "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from exc
    click.echo(f"wrote {output}", err=True)


def _find(ctx: click.Context, plugin: str, sop_id: str) -> SopDefinition:
    try:
        return get_plugins(ctx).sop(plugin, sop_id)
    except PluginNotFound as exc:
        raise click.BadParameter(exc.message, ctx=ctx, param_hint="PLUGIN") from None
    except SopNotFound as exc:
        raise click.BadParameter(exc.message, ctx=ctx, param_hint="SOP") from None
