"""``alur audit``: verify, anchor and re-sign the per-office keyed chains; make a key.

``verify`` recomputes every office's chain with the keys of ``ALUR_AUDIT_KEY`` and compares
the stored rows a decision rests on with it (:mod:`alur.tenants.audit.content`); with
``--anchors FILE`` it also checks each office's chain against the heads anchored in FILE.
``anchor`` writes those signed heads; ``rekey`` re-signs whole chains with the first key;
``keygen`` prints a new key entry. See docs/operations.md.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from alur.cli.db import fail, run_with_database, transaction
from alur.tenants.audit.anchors import (
    AnchorError,
    check_anchor,
    make_anchor,
    read_anchor,
)
from alur.tenants.audit.content import verify_content
from alur.tenants.audit.keys import AuditKeyError, audit_keys, new_key_entry
from alur.tenants.audit.links import ChainReport
from alur.tenants.audit.monev_check import verify_monev
from alur.tenants.audit.revisions_check import verify_revisions
from alur.tenants.audit.verify import rekey as rekey_chain
from alur.tenants.cases.store import CaseStore, TenantRef
from alur.tenants.errors import NotFound
from alur.tenants.offices.archive_verify import verify_archive
from alur.tenants.offices.platform_log import verify_platform_log
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Event, Tenant


@click.group()
def audit() -> None:
    """The per-office keyed, hash-chained event log."""


async def _offices(slug: str | None) -> list[TenantRef]:
    query = Tenant.select(Tenant.id, Tenant.slug).order_by(Tenant.slug)
    if slug is not None:
        query = query.where(Tenant.slug == slug)
    rows = await query
    if slug is not None and not rows:
        raise NotFound(what=f"office {slug}")
    return [TenantRef(r["id"], r["slug"]) for r in rows]


def _keys() -> Any:
    try:
        return audit_keys()
    except AuditKeyError as exc:
        return fail(exc.message, 1)


@audit.command("verify")
@click.option("--tenant", "tenant_slug", metavar="SLUG", help="Only this office.")
@click.option(
    "--anchors",
    "anchor_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Also check each office's chain against the heads anchored in this file.",
)
@click.option(
    "--archive",
    "archive_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Check this export archive instead, offline (no database is opened).",
)
def verify(tenant_slug: str | None, anchor_file: Path | None, archive_file: Path | None) -> None:
    """Recompute every office's chain and check its stored rows; exit 1 if anything is wrong.

    Prints one line per office; a broken chain names its first bad event, and every stored
    row that differs from the chain (task rows, attachments, data kinerja, formats) is
    listed under its office; then the platform-level log (offboarding, exports, imports).
    With --archive FILE, checks an archive of `alur tenants export` the same way, offline.
    """
    keys = _keys()
    if archive_file is not None:
        _verify_archive(archive_file, keys)
        return
    anchors = None
    if anchor_file is not None:
        try:
            anchors = read_anchor(anchor_file.read_text(encoding="utf-8"), keys, str(anchor_file))
        except (AnchorError, OSError, UnicodeDecodeError) as exc:
            fail(str(getattr(exc, "message", exc)), 1)

    async def work(db: Database) -> tuple[list[tuple[ChainReport, str, list[str]]], Any]:
        store = CaseStore(db)
        results = []
        offices = await _offices(tenant_slug)
        for ref in offices:
            report = await store.verify_chain(ref)
            where = await _where(ref.id, report)
            problems = [str(m) for m in await verify_content(store, ref)]
            problems += [str(m) for m in await verify_revisions(ref)]
            problems += [str(m) for m in await verify_monev(ref)]
            anchored = (anchors or {}).get("offices", {}).get(ref.slug)
            if anchored is not None:
                wrong = await check_anchor(anchored, ref)
                if wrong:
                    problems.insert(0, f"against the anchor of {anchors['signed_at']}: {wrong}")
            results.append((report, where, problems))
        if anchors is not None and tenant_slug is None:
            known = {ref.slug for ref in offices}
            for slug in sorted(set(anchors["offices"]) - known):
                gone = ChainReport(slug, 0, False, None, "anchored, but the office is gone")
                results.append((gone, "", []))
        platform = await verify_platform_log(keys) if tenant_slug is None else None
        return results, platform

    results, platform = run_with_database(work)
    if not results:
        click.echo("No offices yet: nothing to verify.")
    failed = 0
    for report, where, problems in results:
        if report.ok and problems:
            click.echo(f"{report.tenant}: {report.events} events, chain intact, but:")
        else:
            click.echo(f"{report}{where}")
        for problem in problems:
            click.echo(f"  {problem}")
        failed += bool(problems) or not report.ok
    # the platform log is shown once it holds something (or does not verify)
    if platform is not None and (platform.events or not platform.ok):
        click.echo(str(platform))
    if failed:
        click.echo(f"FAILED: {failed} of {len(results)} office(s) do not verify", err=True)
    if platform is not None and not platform.ok:
        click.echo("FAILED: the platform log does not verify", err=True)
    if failed or (platform is not None and not platform.ok):
        raise click.exceptions.Exit(1)


def _verify_archive(path: Path, keys: Any) -> None:
    """``verify --archive``: the same report and exit codes, from the archive alone."""
    report = verify_archive(path, keys)
    if report.chain is None:
        click.echo(f"{report.office}: the archive does not verify")
    elif report.chain.ok and report.problems:
        click.echo(f"{report.office}: {report.chain.events} events, chain intact, but:")
    else:
        click.echo(str(report.chain))
    for problem in report.problems:
        click.echo(f"  {problem}")
    if not report.ok:
        click.echo(f"FAILED: the archive {path} does not verify", err=True)
        raise click.exceptions.Exit(1)
    chain = report.manifest.get("chain", {})
    click.echo(
        f"Archive {path}: every member matches its manifest; head {chain.get('head', '')[:16]}"
    )


async def _where(tenant_id: int, report: ChainReport) -> str:
    """Which case and event the first broken link is, when that event is still stored."""
    if report.ok or report.broken_at is None:
        return ""
    row = (
        await Event.select(Event.seq, Event.kind, Event.case.key.as_alias("case_key"))
        .where((Event.tenant == tenant_id) & (Event.chain_seq == report.broken_at))
        .first()
    )
    if row is None:
        return ""
    return f" (case {row['case_key']}, event {row['seq']} of the case, {row['kind']})"


@audit.command("anchor")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (JSON); keep it outside the database server.",
)
@click.option("--tenant", "tenant_slug", metavar="SLUG", help="Only this office.")
def anchor(out: Path, tenant_slug: str | None) -> None:
    """Write the signed chain heads of every office to a file kept elsewhere.

    `alur audit verify --anchors FILE` later catches a chain rewritten or cut short after
    this point. Run `alur audit verify` first: an anchor certifies the chains as they are.
    """
    keys = _keys()

    async def work(db: Database) -> dict[str, Any]:
        return await make_anchor(keys, await _offices(tenant_slug), datetime.now(UTC))

    try:
        doc = run_with_database(work)
    except AnchorError as exc:
        fail(exc.message, 1)
    import json

    out.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    click.echo(f"Anchored {len(doc['offices'])} office(s) in {out} (key {doc['key_id']}).")


@audit.command("rekey")
@click.option("--tenant", "tenant_slug", metavar="SLUG", help="Only this office.")
def rekey(tenant_slug: str | None) -> None:
    """Re-sign every office's chain with the first key of ALUR_AUDIT_KEY.

    For chains written before the chain was keyed, and to retire an old key after a
    rotation. A chain that does not verify is left alone (exit 1). Anchors taken before
    no longer match: take a new one right after.
    """
    keys = _keys()

    async def work(db: Database) -> list[tuple[ChainReport, int]]:
        results = []
        for ref in await _offices(tenant_slug):
            async with transaction(db):
                results.append(await rekey_chain(ref, keys))
        return results

    failed = 0
    for report, changed in run_with_database(work):
        click.echo(f"{report} ({changed} event(s) re-signed with key {keys.signing})")
        failed += not report.ok
    if failed:
        click.echo(f"FAILED: {failed} chain(s) were not re-signed", err=True)
        raise click.exceptions.Exit(1)


@audit.command("keygen")
@click.option("--id", "key_id", metavar="ID", help="The key id (default: k + today's date).")
def keygen(key_id: str | None) -> None:
    """Print a new audit key entry (ID:BASE64KEY) for ALUR_AUDIT_KEY.

    To rotate, put it first: ALUR_AUDIT_KEY="NEW,OLD"; once `alur audit rekey` has
    re-signed the chains, OLD can be dropped.
    """
    try:
        click.echo(new_key_entry(key_id))
    except AuditKeyError as exc:
        fail(exc.message, 2)
