"""The refusals of an import that need no writing (:mod:`alur.tenants.offices.importing`):
the archive's audit keys, its schema, the office's slug and case keys, its plugin, and the
usernames of its people."""

from __future__ import annotations

from typing import Any

from alur.core.errors import N_, AlurError
from alur.core.plugins import AlurPlugins
from alur.tenants.audit.keys import AuditKeys
from alur.tenants.offices.archive import ArchiveReader
from alur.tenants.offices.export import applied_migrations
from alur.tenants.storage.tables import Case, Tenant, User


class ImportRefused(AlurError):
    code = "import_refused"
    template = N_("the archive cannot be imported: {reason}")


class ArchiveDoesNotVerify(ImportRefused):
    code = "archive_does_not_verify"


def refuse(reason: str) -> ImportRefused:
    return ImportRefused(reason=reason)


def archive_keys_missing(manifest: dict[str, Any], keys: AuditKeys) -> list[str]:
    """The audit key ids the archive's chain and manifest signature name that ``keys`` lack
    (what the manifest says, before it is checked: only to say which key to add)."""
    chain, signature = manifest.get("chain"), manifest.get("signature")
    named = list(chain.get("key_ids") or []) if isinstance(chain, dict) else []
    if isinstance(signature, dict):
        named.append(signature.get("key_id"))
    return sorted({k for k in named if isinstance(k, str) and k and keys.key(k) is None})


async def preflight(
    reader: ArchiveReader, plugins: AlurPlugins, keys: AuditKeys
) -> tuple[list[str], list[str]]:
    """The refusals that need no writing; ``(notes, usernames linked to existing people)``."""
    manifest = reader.manifest
    office = manifest["office"]
    missing_keys = archive_keys_missing(manifest, keys)
    if missing_keys:
        raise refuse(
            f"its chain or manifest is signed with audit key {', '.join(missing_keys)}, which "
            f"{keys.source} lacks. Add the key after this installation's signing key "
            f'(ALUR_AUDIT_KEY="{keys.signing}:…,{missing_keys[0]}:…"; the first key signs, '
            "the others only verify), then import again"
        )
    newer = sorted(set(manifest.get("migrations", [])) - set(await applied_migrations()))
    if newer:
        raise refuse(
            f"it was made by a newer Alur (migrations {', '.join(newer)} have not run here): "
            "upgrade this installation and run `alur migrate` first"
        )
    if await Tenant.exists().where(Tenant.slug == office["slug"]):
        raise refuse(
            f'an office with slug "{office["slug"]}" already exists here; '
            "offboard or rename it first"
        )
    loaded = {p.name: p for p in plugins.plugins()}
    plugin = loaded.get(office["plugin"])
    if plugin is None or not plugin.ok:
        state = (
            "is not installed"
            if plugin is None
            else "is disabled (ALUR_DISABLE_PLUGINS)"
            if plugin.disabled
            else "failed to load"
        )
        raise refuse(
            f'the office runs plugin "{office["plugin"]}" {office.get("plugin_version", "")}, '
            f"which {state} here (installed: {', '.join(sorted(loaded)) or 'none'}): "
            "install it, check `alur plugins list`, then import again"
        )
    notes = []
    if plugin.version != office.get("plugin_version"):
        notes.append(
            f"plugin {plugin.name} is {plugin.version or '?'} here, "
            f"{office.get('plugin_version') or '?'} in the archive: the imported cases keep "
            "the SOP snapshots they pinned; new cases use the installed version"
        )
    keys_taken = []
    case_keys = [r["key"] for r in reader.rows("cases.jsonl")]
    for i in range(0, len(case_keys), 500):
        rows = await Case.select(Case.key).where(Case.key.is_in(case_keys[i : i + 500]))
        keys_taken += [r["key"] for r in rows]
    if keys_taken:
        raise refuse(f"case keys already used here: {', '.join(sorted(keys_taken)[:20])}")
    conflicts, linked = [], []
    for person in reader.rows("people.jsonl"):
        row = (
            await User.select(User.name, User.nip)
            .where(User.username == person["username"])
            .first()
        )
        if row is None:
            continue
        if person["nip"] and (row["nip"], row["name"]) == (person["nip"], person["name"]):
            linked.append(person["username"])
        else:
            conflicts.append(person["username"])
    if conflicts:
        raise refuse(
            "these usernames already exist here as other people (not the same NIP and "
            f"name): {', '.join(sorted(conflicts))}. Rename them here (`alur users`) first"
        )
    return notes, linked
