"""``alur users reset-password`` and ``alur operators reset-password``: one-time passwords.

The rules are in :mod:`alur.tenants.identity.passwords`, the same as the web administration's
reset: a one-time password (``ABCD-EFGH-JKMN``) replaces the password, every session of the
account ends, and the person must choose their own password at the next sign-in. It is
printed once, on standard output (nothing else is printed there, so a script can take it);
Alur keeps only its hash. A person's reset is recorded on the chain of every office of the
person (``--tenant`` only checks they work there), with the actor
``operator:<the system user running the command>``. An unusable
``ALUR_ONE_TIME_PASSWORD_HOURS`` is refused (exit 2) before the database is opened.
"""

from __future__ import annotations

import getpass

import click

from alur.cli.db import fail, run_with_database
from alur.tenants.audit.office_log import operator_actor
from alur.tenants.identity.passwords import (
    OneTimePassword,
    OneTimePasswordHoursError,
    office_ref,
    one_time_password_hours,
    reset_operator_password,
    reset_password,
)
from alur.tenants.storage.database import Database

HAND_OVER = (
    "Shown only this once. Hand it over in person or by a trusted channel: with it "
    "{username} signs in once and must choose a new password at once. Their previous "
    "password and open sessions no longer work."
)


def _hours() -> int:
    """``ALUR_ONE_TIME_PASSWORD_HOURS``, or exit 2 naming it."""
    try:
        return one_time_password_hours()
    except OneTimePasswordHoursError as exc:
        return fail(str(exc), 2)


def _shown(one_time: OneTimePassword) -> None:
    click.echo(one_time.password)
    click.echo(
        f"One-time password for {one_time.username} ({one_time.name}). "
        + HAND_OVER.format(username=one_time.username),
        err=True,
    )
    if one_time.expires_at is not None:
        when = one_time.expires_at.strftime("%Y-%m-%d %H:%M UTC")
        click.echo(f"It stops working at {when} if it is not used.", err=True)


@click.command("reset-password")
@click.argument("username")
@click.option(
    "--tenant",
    "tenant_slug",
    metavar="SLUG",
    help="Check that the person holds a role in this office. The reset is recorded on "
    "every office of the person.",
)
def reset_user_password(username: str, tenant_slug: str | None) -> None:
    """Give USERNAME a one-time password, printed once (ends their sessions)."""
    system_user = getpass.getuser()
    hours = _hours()

    async def work(db: Database) -> OneTimePassword:
        return await reset_password(
            db,
            username,
            actor=operator_actor(system_user),
            actor_name=f"{system_user} (command line)",
            office=await office_ref(tenant_slug),
            hours=hours,
        )

    _shown(run_with_database(work))


@click.command("reset-password")
@click.argument("username")
def reset_operator_password_command(username: str) -> None:
    """Give the platform operator USERNAME a one-time password, printed once."""
    hours = _hours()

    async def work(db: Database) -> OneTimePassword:
        return await reset_operator_password(username, hours=hours)

    _shown(run_with_database(work))
