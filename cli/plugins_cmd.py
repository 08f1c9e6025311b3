"""``alur plugins``: list the installed institution plugins and check them."""

from __future__ import annotations

import json
from typing import Any

import click

from alur.cli.context import get_plugins
from alur.cli.render import plugins_table, print_listing, problem_count
from alur.core.errors import PluginError, Problem
from alur.core.plugins import DISABLE_ENV, LoadedPlugin


@click.group()
def plugins() -> None:
    """Institution plugins (entry point group "alur.plugins")."""


@plugins.command("list")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="json: a stable list of objects, for scripts.",
)
@click.pass_context
def list_plugins(ctx: click.Context, fmt: str) -> None:
    """Show every plugin: version, institution, SOPs and status (ok, failed, disabled)."""
    loaded = get_plugins(ctx).plugins()
    if fmt == "json":
        click.echo(json.dumps([plugin_to_dict(p) for p in loaded], ensure_ascii=False, indent=2))
        return
    if not loaded:
        click.echo(
            'No plugins installed. Install one with "pip install -e PATH" (see docs/plugins.md).'
        )
        return
    out = print_listing(plugins_table(loaded))
    for error in (e for p in loaded for e in p.errors):
        out.print(f"{error}", style="red", soft_wrap=not out.is_terminal)
        for problem in error.problems:
            out.print(f"  - {problem}", style="red", soft_wrap=not out.is_terminal)


@plugins.command("check")
@click.pass_context
def check_plugins(ctx: click.Context) -> None:
    """Load and validate every plugin; list each problem and exit 1 if there is any."""
    manager = get_plugins(ctx)
    errors = manager.load_errors
    for error in errors:
        click.echo(f"{error}")
        for problem in error.problems:
            click.echo(f"  {problem}")
    loaded = manager.plugins()
    disabled = sum(p.disabled for p in loaded)
    note = f", {disabled} disabled by {DISABLE_ENV}" if disabled else ""
    if errors:
        failed = len({e.plugin for e in errors})
        count = problem_count(errors)
        click.echo(f"FAILED: {count} problem(s) in {failed} plugin(s){note}", err=True)
        ctx.exit(1)
    ok = [p for p in loaded if p.ok]
    sops = sum(len(p.sops) for p in ok)
    click.echo(f"OK: {len(ok)} plugin(s), {sops} SOP(s) valid{note}")


def plugin_to_dict(p: LoadedPlugin) -> dict[str, Any]:
    """The JSON form of one plugin in ``alur plugins list --format json``."""
    inst = p.institution
    return {
        "name": p.name,
        "version": p.version,
        "status": p.status,
        "institution": None
        if inst is None
        else {"slug": inst.slug, "name": inst.name, "government": inst.government},
        "sops": [
            {
                "id": d.id,
                "nama": d.header.nama,
                "nomor": d.header.nomor,
                "version": d.version,
                "content_hash": d.content_hash,
            }
            for d in sorted(p.sops.values(), key=lambda d: d.id)
        ],
        "roles": [r.id for r in p.roles],
        "units": [u.id for u in p.units],
        "errors": [_error_to_dict(e) for e in p.errors],
    }


def _error_to_dict(e: PluginError) -> dict[str, Any]:
    return {
        "message": e.message,
        "hook": e.hook,
        "exception_type": e.exception_type,
        "problems": [_problem_to_dict(p) for p in e.problems],
    }


def _problem_to_dict(p: Problem) -> dict[str, Any]:
    return {"message": p.message, "code": p.code, "file": p.file, "sop": p.sop, "step": p.step}
