"""``alur tokens``: bearer tokens for the GraphQL API (``/graphql``).

A token is shown once, when it is created, and stored only as a SHA-256 hash. An office's
write token acts on behalf of the person given with ``--user`` (their roles decide what it
may do, and every event names them); a platform token reads every office and changes
nothing. See docs/graphql.md.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import click

from alur.cli.db import run_with_database
from alur.tenants.identity.tokens import (
    NewToken,
    TokenInfo,
    create_token,
    list_tokens,
    revoke_token,
)
from alur.tenants.storage.database import Database


@click.group()
def tokens() -> None:
    """API tokens for the GraphQL API: create, list, revoke."""


@tokens.command("create")
@click.option("--name", required=True, help="What the token is for, e.g. the system using it.")
@click.option("--tenant", "tenant_slug", metavar="SLUG", help="The office the token belongs to.")
@click.option(
    "--scope",
    type=click.Choice(["read", "write"]),
    default="read",
    show_default=True,
    help="write: may also start cases and act on tasks (needs --user).",
)
@click.option(
    "--user",
    "username",
    metavar="USERNAME",
    help="The person the token acts for: a member of the office (required for write).",
)
@click.option("--platform", is_flag=True, help="A platform token: reads every office.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the token (for scripts).")
def create(
    name: str,
    tenant_slug: str | None,
    scope: str,
    username: str | None,
    platform: bool,
    quiet: bool,
) -> None:
    """Create a token and print it — the only time it is shown.

    Examples: --tenant satpolpp-banyumas --name dashboard; --tenant satpolpp-banyumas
    --name e-kinerja --scope write --user satpolpp.staf; --platform --name monitoring.
    """

    async def work(db: Database) -> NewToken:
        return await create_token(name, scope, tenant=tenant_slug, user=username, platform=platform)

    new = run_with_database(work)
    if quiet:
        click.echo(new.token)
        return
    click.echo(f"Created {describe(new.info)}.")
    click.echo("The token is shown only now; keep it in a secret store:")
    click.echo(new.token)


@tokens.command("list")
@click.option("--tenant", "tenant_slug", metavar="SLUG", help="Only the tokens of this office.")
@click.option("--platform", is_flag=True, help="Only platform tokens.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def list_command(tenant_slug: str | None, platform: bool, fmt: str) -> None:
    """Show tokens (never the secrets), newest first."""
    found = run_with_database(lambda db: list_tokens(tenant_slug, platform=platform))
    if fmt == "json":
        click.echo(json.dumps([as_json(t) for t in found], ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo('No API tokens. Create one with "alur tokens create".')
        return
    for t in found:
        status = "active" if t.active else f"revoked {_when(t.revoked_at)}"
        used = f"last used {_when(t.last_used_at)}" if t.last_used_at else "never used"
        click.echo(f"{t.id:>5}  {describe(t)} — {status}, {used}")


@tokens.command("revoke")
@click.argument("token_id", type=int, metavar="ID")
@click.option("--tenant", "tenant_slug", metavar="SLUG", help="Only if it is this office's.")
def revoke(token_id: int, tenant_slug: str | None) -> None:
    """Revoke token ID (see "alur tokens list"); requests with it fail from now on."""

    async def work(db: Database) -> TokenInfo:
        return await revoke_token(token_id, tenant=tenant_slug)

    info = run_with_database(work)
    click.echo(f"Revoked {describe(info)} at {_when(info.revoked_at)}.")


def describe(t: TokenInfo) -> str:
    if t.platform:
        return f'platform token {t.id} "{t.name}" (read, every office)'
    acting = f", acts for {t.username}" if t.username else ""
    return f'token {t.id} "{t.name}" ({t.scope}, office {t.tenant_slug}{acting})'


def as_json(t: TokenInfo) -> dict[str, Any]:
    return {
        "id": t.id,
        "name": t.name,
        "scope": t.scope,
        "platform": t.platform,
        "tenant": t.tenant_slug,
        "user": t.username,
        "active": t.active,
        "created_at": _iso(t.created_at),
        "revoked_at": _iso(t.revoked_at),
        "last_used_at": _iso(t.last_used_at),
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _when(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if value else "-"
