"""``alur users edit | deactivate | reactivate | remove-role | end-delegation``: the life of
a person at the command line, by a platform operator.

Each command calls :class:`~alur.tenants.identity.people_admin.PeopleAdmin` — the same rules
as an office administrator's person page, except that an operator may act on anyone. The
operator is the account running the command (``getpass.getuser()``), recorded as
``operator:<name>``; a change of a person is recorded on the chain of each office they
belong to (``--tenant SLUG``: only on that one). Exit codes: 0 done, 2 wrong usage or input
(every problem listed, one line per option), 1 the database cannot be used.
"""

from __future__ import annotations

import getpass
from typing import Any

import click

from alur.cli.db import fail, fail_invalid, run_with_database
from alur.tenants.errors import InvalidInput
from alur.tenants.identity.people_admin import PeopleAdmin
from alur.tenants.identity.roles_held import office_by_slug
from alur.tenants.storage.database import Database

# Option names of the command line for the service's fields.
EDIT_OPTIONS = {
    "name": "The person's full name.",
    "nip": "NIP: 18 digits (spaces as printed are fine); '' removes it.",
    "jabatan": "The person's position.",
    "pangkat": "Pangkat/golongan, e.g. 'Penata, III/c'; '' removes it.",
    "email": "Email address; '' removes it.",
    "phone": "Mobile (WhatsApp) number, e.g. '0812 3456 7890'; '' removes it.",
}


def operator_name() -> str:
    """Who runs the command: the operating system's account."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        return "unknown"


def note_option(command: Any) -> Any:
    return click.option("--note", default="", help="Why (kept on the office's audit log).")(command)


def record_option(command: Any) -> Any:
    return click.option(
        "--tenant",
        "record_on",
        metavar="SLUG",
        help="Record the change only on this office (default: every office of the person).",
    )(command)


def register(users: click.Group) -> None:
    """Add this module's commands to the ``users`` group."""
    for command in (edit, deactivate, reactivate, remove_role, end_delegation):
        users.add_command(command)


@click.command("edit")
@click.argument("username")
@click.option("--name", default=None, help=EDIT_OPTIONS["name"])
@click.option("--nip", default=None, help=EDIT_OPTIONS["nip"])
@click.option("--jabatan", default=None, help=EDIT_OPTIONS["jabatan"])
@click.option("--pangkat", default=None, help=EDIT_OPTIONS["pangkat"])
@click.option("--email", default=None, help=EDIT_OPTIONS["email"])
@click.option("--phone", default=None, help=EDIT_OPTIONS["phone"])
@record_option
@note_option
def edit(username: str, record_on: str | None, note: str, **given: str | None) -> None:
    """Change a person's name, NIP, jabatan, pangkat/golongan, email or phone (only the
    options given)."""
    values = {("whatsapp" if k == "phone" else k): v for k, v in given.items() if v is not None}
    if not values:
        fail("give at least one of --name, --nip, --jabatan, --pangkat, --email, --phone", 2)

    async def work(db: Database) -> list[str]:
        admin = await PeopleAdmin.operator(db, operator_name(), record_on)
        return await admin.edit(username, values, note)

    changed = run_with_database(work)
    shown = ", ".join("phone" if f == "whatsapp" else f for f in changed)
    click.echo(f"Changed {shown} of {username}." if changed else f"{username}: nothing changed.")


def _set_active(username: str, active: bool, record_on: str | None, note: str) -> None:
    async def work(db: Database) -> list[dict]:
        admin = await PeopleAdmin.operator(db, operator_name(), record_on)
        return await admin.set_active(username, active, note)

    held = run_with_database(work)
    if active:
        click.echo(f"{username} is active again: they can sign in.")
        return
    click.echo(f"{username} is deactivated: their sessions and API tokens stop now.")
    if held:
        click.echo("Open tasks they hold, to reassign on the case page:")
        for t in held:
            click.echo(f"  {t['label']} (step {t['step']}, {t['role']})")


@click.command("deactivate")
@click.argument("username")
@record_option
@note_option
def deactivate(username: str, record_on: str | None, note: str) -> None:
    """Deactivate a person's account: they cannot sign in, their sessions and API tokens
    stop at once; their open tasks are listed for reassignment."""
    _set_active(username, False, record_on, note)


@click.command("reactivate")
@click.argument("username")
@record_option
@note_option
def reactivate(username: str, record_on: str | None, note: str) -> None:
    """Let a deactivated person sign in again."""
    _set_active(username, True, record_on, note)


@click.command("remove-role")
@click.argument("username")
@click.option("--tenant", "tenant_slug", required=True, metavar="SLUG", help="The office.")
@click.option("--role", metavar="ROLE", help="The role (pelaksana) to remove.")
@click.option("--unit", metavar="UNIT", help="Its unit, for a per-unit role.")
@click.option("--admin", is_flag=True, help="Remove the office's administration instead.")
@note_option
def remove_role(
    username: str, tenant_slug: str, role: str | None, unit: str | None, admin: bool, note: str
) -> None:
    """Take a role (or the administration) of an office away from a person."""
    if (role is None) == (not admin):
        fail_invalid(InvalidInput({"role": "give --role ROLE (and --unit) or --admin"}))

    async def work(db: Database) -> None:
        office = await office_by_slug(tenant_slug)
        people = await PeopleAdmin.operator(db, operator_name())
        await people.remove_role(
            username, office.id, role or "", unit, administrator=admin, note=note
        )

    run_with_database(work)
    what = "administration" if admin else f"role {role}" + (f" ({unit})" if unit else "")
    click.echo(f"Removed the {what} of {username} in {tenant_slug}.")


@click.command("end-delegation")
@click.argument("username")
@click.option("--tenant", "tenant_slug", required=True, metavar="SLUG", help="The office.")
@click.option("--role", metavar="ROLE", help="The role held, when they act in several.")
@click.option("--official", metavar="USERNAME", help="For whom, when they act for several.")
@note_option
def end_delegation(
    username: str, tenant_slug: str, role: str | None, official: str | None, note: str
) -> None:
    """End a person's Plt/Plh now: its last day becomes yesterday (in the office's time
    zone), so they stop acting at once."""

    async def work(db: Database) -> str:
        office = await office_by_slug(tenant_slug)
        people = await PeopleAdmin.operator(db, operator_name())
        found = await people.delegations_to_end(username, office.id, role, official)
        if len(found) != 1:
            listed = "; ".join(d["label"] for d in found)
            raise InvalidInput(
                {
                    "role": f"{username} acts in no Plt/Plh here that has not ended"
                    if not found
                    else f"several match ({listed}): name one with --role and --official"
                }
            )
        ended = await people.end_delegation(found[0]["id"], note)
        return f"Ended {ended['label']}: the last day was {ended['ends_on'].isoformat()}."

    click.echo(run_with_database(work))
