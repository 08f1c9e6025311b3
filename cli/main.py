"""The ``alur`` command (console script ``alur = "alur.cli.main:cli"``).

One module per command group: :mod:`alur.cli.plugins_cmd`, :mod:`alur.cli.sop_cmd`,
:mod:`alur.cli.tenants_cmd` (``migrate``, ``tenants``), :mod:`alur.cli.users_cmd`
(``users``, ``operators``; their ``reset-password`` in :mod:`alur.cli.passwords_cmd`) and :mod:`alur.cli.demo_cmd` (``demo``), :mod:`alur.cli.audit_cmd` (``audit``), :mod:`alur.cli.worker_cmd` (``worker``), :mod:`alur.cli.report_cmd` (``report``). Which
plugins the commands see is decided in :mod:`alur.cli.context`; how the database commands
open ``ALUR_DATABASE_URL`` in :mod:`alur.cli.db`. Only this package decides exit codes: 0
success, 1 problems found (``alur plugins check``, a broken audit chain, a database that
cannot be used), 2 wrong usage (e.g. an unknown plugin, SOP or office, invalid input).
"""

from __future__ import annotations

import click

from alur.cli.audit_cmd import audit
from alur.cli.backup_cmd import backup
from alur.cli.context import CliState
from alur.cli.demo_cmd import demo
from alur.cli.passwords_cmd import reset_operator_password_command, reset_user_password
from alur.cli.people_cmd import register as register_people_commands
from alur.cli.plugins_cmd import plugins
from alur.cli.report_cmd import report
from alur.cli.serve_cmd import serve
from alur.cli.sop_cmd import sop
from alur.cli.sop_migrate_cmd import sop_migrate
from alur.cli.tenants_cmd import migrate, tenants
from alur.cli.tokens_cmd import tokens
from alur.cli.users_cmd import operators, users
from alur.cli.worker_cmd import worker


@click.group()
@click.version_option(package_name="alur", prog_name="alur")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Alur runs the SOPs of Indonesian government offices as workflows."""
    ctx.obj = CliState.from_obj(ctx.obj)


cli.add_command(plugins)
cli.add_command(sop)
cli.add_command(migrate)
cli.add_command(tenants)
cli.add_command(users)
register_people_commands(users)  # edit, deactivate, reactivate, remove-role, end-delegation
cli.add_command(operators)
cli.add_command(demo)
cli.add_command(audit)
cli.add_command(serve)
cli.add_command(tokens)
cli.add_command(worker)
cli.add_command(backup)
cli.add_command(report)
users.add_command(reset_user_password)  # alur users reset-password (cli/passwords_cmd.py)
operators.add_command(reset_operator_password_command)
sop.add_command(sop_migrate)  # alur sop migrate (cli/sop_migrate_cmd.py)
