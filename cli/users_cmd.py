"""``alur users`` and ``alur operators``: people who log in, and their roles in offices.

Passwords are never echoed: leave ``--password`` out to be asked twice (or set
``ALUR_PASSWORD`` for scripts); they are stored as argon2 hashes.
"""

from __future__ import annotations

import json
from typing import Any

import click

from alur.cli.context import get_plugins
from alur.cli.db import fail_invalid, run_with_database, transaction
from alur.cli.people_cmd import operator_name
from alur.core.errors import PluginNotFound
from alur.core.model import Role
from alur.core.plugins import AlurPlugins
from alur.tenants.errors import InvalidInput, NotFound
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import (
    create_operator,
    create_user,
    new_user_problems,
    user_by_username,
)
from alur.tenants.identity.people_admin import record_grant
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Membership, Tenant, User


def password_option(command: Any) -> Any:
    return click.option(
        "--password",
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        envvar="ALUR_PASSWORD",
        help="At least 8 characters. Omit it to be asked (not shown, asked twice).",
    )(command)


def membership_options(command: Any) -> Any:
    for option in reversed(
        (
            click.option("--tenant", "tenant_slug", metavar="SLUG", help="The office."),
            click.option("--role", metavar="ROLE", help="A pelaksana of the office's plugin."),
            click.option("--unit", metavar="UNIT", help="The unit, for a per-unit role."),
            click.option("--admin", is_flag=True, help="Make the user a tenant administrator."),
        )
    ):
        command = option(command)
    return command


@click.group()
def users() -> None:
    """People who log in to offices, and their roles (pelaksana) there."""


@users.command("create")
@click.option("--username", required=True, help="2–64 lowercase letters, digits, . _ -")
@click.option("--name", required=True, help="The person's full name.")
@click.option("--nip", default="", help="Nomor Induk Pegawai.")
@click.option("--jabatan", default="", help="The person's position.")
@password_option
@membership_options
@click.pass_context
def create(
    ctx: click.Context,
    username: str,
    name: str,
    nip: str,
    jabatan: str,
    password: str,
    tenant_slug: str | None,
    role: str | None,
    unit: str | None,
    admin: bool,
) -> None:
    """Create a user, optionally with a role (or administration) in an office.

    Examples: --tenant satpolpp-banyumas --role kabid --unit linmas, or --tenant
    satpolpp-banyumas --admin.
    """
    plugins = get_plugins(ctx)
    wanted = tenant_slug is not None or role is not None or unit is not None or admin
    # Every field error at once: the user's fields, the membership options and the role.
    errors = new_user_problems(username, name, password, nip=nip, jabatan=jabatan)
    if wanted:
        errors.update(membership_option_problems(tenant_slug, role, unit, admin))
    if errors and (not wanted or tenant_slug is None or role is None):
        fail_invalid(InvalidInput(errors))

    async def work(db: Database) -> str:
        async with transaction(db):
            if wanted and role is not None:
                assert tenant_slug is not None
                try:
                    find_role(plugins, await tenant_plugin(tenant_slug), role)
                except InvalidInput as exc:
                    errors.update(exc.errors)
            if errors:
                raise InvalidInput(errors)
            user = await create_user(username, name, password, nip=nip, jabatan=jabatan)
            if not wanted:
                return ""
            assert tenant_slug is not None
            return await grant(
                plugins, user.id, tenant_slug, role, unit, admin, db=db, change="person_created"
            )

    granted = run_with_database(work)
    click.echo(f'Created user "{username}" ({name.strip()}).')
    if granted:
        click.echo(granted)


@users.command("add-role")
@click.option("--username", required=True)
@membership_options
@click.pass_context
def add_role(
    ctx: click.Context,
    username: str,
    tenant_slug: str | None,
    role: str | None,
    unit: str | None,
    admin: bool,
) -> None:
    """Give an existing user a role (or administration) in an office."""
    plugins = get_plugins(ctx)
    check_membership_options(tenant_slug, role, unit, admin)
    assert tenant_slug is not None

    async def work(db: Database) -> str:
        user = await user_by_username(username)
        async with transaction(db):
            return await grant(plugins, user.id, tenant_slug, role, unit, admin, db=db)

    click.echo(run_with_database(work))


@users.command("list")
@click.option("--tenant", "tenant_slug", metavar="SLUG", help="Only the people of this office.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def list_users(tenant_slug: str | None, fmt: str) -> None:
    """Show users and their roles."""

    async def work(db: Database) -> list[dict[str, Any]]:
        where = None
        if tenant_slug is not None:
            tenant = await Tenant.select(Tenant.id).where(Tenant.slug == tenant_slug).first()
            if tenant is None:
                raise NotFound(what=f"office {tenant_slug}")
            where = Membership.tenant == tenant["id"]
        query = Membership.select(
            Membership.user,
            Membership.tenant.slug.as_alias("tenant"),
            Membership.role,
            Membership.unit.slug.as_alias("unit"),
            Membership.administrator,
        )
        memberships = await (query.where(where) if where is not None else query)
        people = await User.select(
            User.id, User.username, User.name, User.nip, User.jabatan, User.active
        ).order_by(User.username)
        by_user: dict[int, list[dict[str, Any]]] = {}
        for m in memberships:
            by_user.setdefault(m.pop("user"), []).append(m)
        return [
            {**{k: v for k, v in p.items() if k != "id"}, "roles": by_user.get(p["id"], [])}
            for p in people
            if tenant_slug is None or p["id"] in by_user
        ]

    found = run_with_database(work)
    if fmt == "json":
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    for p in found:
        roles = ", ".join(describe(m) for m in p["roles"]) or "no roles"
        inactive = "" if p["active"] else " [deactivated]"
        click.echo(f"{p['username']:<40} {p['name']}{inactive} — {roles}")


@click.group()
def operators() -> None:
    """Platform operators (provincial IT): manage offices, read across them."""


@operators.command("create")
@click.option("--username", required=True)
@click.option("--name", default="", help="Default: the username.")
@password_option
def create_operator_command(username: str, name: str, password: str) -> None:
    """Create a platform operator."""

    async def work(db: Database) -> None:
        await create_operator(username, name, password)

    run_with_database(work)
    click.echo(f'Created platform operator "{username}".')


# --- helpers -------------------------------------------------------------------------


def check_membership_options(
    tenant_slug: str | None, role: str | None, unit: str | None, admin: bool
) -> None:
    """Usage errors of --tenant/--role/--unit/--admin, before touching the database."""
    errors = membership_option_problems(tenant_slug, role, unit, admin)
    if errors:
        fail_invalid(InvalidInput(errors))


def membership_option_problems(
    tenant_slug: str | None, role: str | None, unit: str | None, admin: bool
) -> dict[str, str]:
    """What is wrong with --tenant/--role/--unit/--admin, per option."""
    errors: dict[str, str] = {}
    if tenant_slug is None:
        errors["tenant"] = "name the office the role or administration is in"
    if role is None and not admin:
        errors["role"] = "give --role ROLE (and --unit for a per-unit role) or --admin"
    if unit is not None and role is None:
        errors["unit"] = "a unit goes with a per-unit --role"
    return errors


async def tenant_plugin(tenant_slug: str) -> str:
    """The plugin of the office ``tenant_slug``; :class:`NotFound` if there is none."""
    tenant = await Tenant.select(Tenant.plugin).where(Tenant.slug == tenant_slug).first()
    if tenant is None:
        raise NotFound(what=f"office {tenant_slug}")
    return tenant["plugin"]


async def grant(
    plugins: AlurPlugins,
    user_id: int,
    tenant_slug: str,
    role_id: str | None,
    unit: str | None,
    admin: bool,
    *,
    db: Database,
    change: str = "role_granted",
) -> str:
    """Add the membership, recorded on the office's chain as ``change`` by the operator
    running the command; returns a sentence saying what the user now is."""
    tenant = await Tenant.select(Tenant.id, Tenant.plugin).where(Tenant.slug == tenant_slug).first()
    if tenant is None:
        raise NotFound(what=f"office {tenant_slug}")
    role = find_role(plugins, tenant["plugin"], role_id) if role_id else None
    what = describe({"role": role.name if role else "", "unit": unit, "administrator": admin})
    held = await Membership.select(
        Membership.role, Membership.unit.slug.as_alias("unit"), Membership.administrator
    ).where((Membership.tenant == tenant["id"]) & (Membership.user == user_id))
    if {"role": role.id if role else "", "unit": unit, "administrator": admin} in held:
        return f"Already {what} in {tenant_slug}: nothing to add."
    await add_membership(tenant["id"], user_id, role, unit, administrator=admin)
    user = await User.select(User.username).where(User.id == user_id).first()
    details = {"user": user["username"], "role": role.id if role else "", "unit": unit}
    details["administrator"] = admin
    await record_grant(db, tenant["id"], change, details, operator=operator_name())
    return f"Now {what} in {tenant_slug}."


def find_role(plugins: AlurPlugins, plugin: str, role_id: str) -> Role:
    try:
        roles = {r.id: r for r in plugins.get(plugin).roles}
    except PluginNotFound:
        raise InvalidInput(
            {
                "role": f'the plugin "{plugin}" of this office is not installed; its roles are unknown'
            }
        ) from None
    if role_id not in roles:
        known = ", ".join(roles) or "none"
        raise InvalidInput({"role": f'no role "{role_id}" in plugin {plugin} (roles: {known})'})
    return roles[role_id]


def describe(m: dict[str, Any]) -> str:
    parts = []
    if m.get("role"):
        parts.append(m["role"] + (f" ({m['unit']})" if m.get("unit") else ""))
    if m.get("administrator"):
        parts.append("administrator")
    text = " and ".join(parts)
    if m.get("tenant"):
        text += f" in {m['tenant']}"
    return text
