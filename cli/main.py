"""The ``alur`` command (console script ``alur = "alur.cli.main:cli"``).

One module per command group: :mod:`alur.cli.plugins_cmd`, :mod:`alur.cli.sop_cmd`. Which
plugins the commands see is decided in :mod:`alur.cli.context`. Only this package decides
exit codes: 0 success, 1 problems found (``alur plugins check``), 2 wrong usage (e.g. an
unknown plugin or SOP).
"""

from __future__ import annotations

import click

from alur.cli.context import CliState
from alur.cli.plugins_cmd import plugins
from alur.cli.sop_cmd import sop


@click.group()
@click.version_option(package_name="alur", prog_name="alur")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Alur runs the SOPs of Indonesian government offices as workflows."""
    ctx.obj = CliState.from_obj(ctx.obj)


cli.add_command(plugins)
cli.add_command(sop)
