"""Several plugins per office: the plugins an operator allows an office, and the SOPs the
office adopts from them.

An office is bound to one plugin (``alur_tenant.plugin``: its roles, units and, by default,
every SOP it ships). A platform operator may allow it more (``alur_office_plugin``:
:func:`allow_plugin` / :func:`disallow_plugin`, from ``alur tenants allow-plugin`` and the
platform page), each recorded on the office's chain (``office_changed`` ``plugin_allowed`` /
``plugin_disallowed``, details ``plugin``) and on the platform log. The office's
administrator then adopts SOPs from them (:class:`OfficeSops`): ``alur_tenant.sops`` lists
what the office runs — SOP ids of its own plugin, and ``plugin:sop_id`` for one adopted from
another plugin (:func:`alur.tenants.offices.provisioning.tenant_sop_plugins` reads it). An
empty list means every SOP of its own plugin, as before; the first adoption writes them out
explicitly. An SOP id names one SOP of an office: adopting an id the office already runs
(from any plugin) is refused. Adopting and dropping are recorded as ``sop_adopted`` /
``sop_dropped`` (details ``sop``, ``plugin``).

The roles an office uses are those of the SOPs it runs
(:meth:`alur.tenants.offices.admin.TenantAdmin.roles`), so adopting an SOP brings its
pelaksana to the office's role choices. Plugin hooks still reach only the plugin that owns a
case's definition (``Case.plugin``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from alur.core import limits
from alur.core.i18n import format_message, gettext
from alur.core.plugins import AlurPlugins
from alur.tenants.audit.office_log import record_office_change, write_transaction
from alur.tenants.errors import Forbidden, InvalidInput, NotFound
from alur.tenants.offices.export import office_ref
from alur.tenants.offices.platform_log import record_platform_event
from alur.tenants.offices.provisioning import sop_entries, tenant_sop_plugins
from alur.tenants.storage.database import Database
from alur.tenants.storage.tables import Case, OfficePlugin, Tenant


@dataclass(frozen=True)
class AdoptableSop:
    """An SOP of a plugin the office may run: whether it runs it, and if another SOP of the
    same id is run (from ``clash``'s plugin) instead."""

    plugin: str
    plugin_label: str  # "Satuan Polisi Pamong Praja Kabupaten Banyumas (satpolpp_banyumas)"
    sop_id: str
    nama: str
    runs: bool
    clash: str = ""


def plugin_label(plugins: AlurPlugins, name: str) -> str:
    found = {p.name: p for p in plugins.plugins()}.get(name)
    if found is not None and found.institution is not None:
        return f"{found.institution.name} ({name})"
    return name


async def allowed_plugins(tenant_id: int) -> tuple[str, ...]:
    """The plugins office ``tenant_id`` may adopt SOPs from besides its own, by name."""
    rows = await OfficePlugin.select(OfficePlugin.plugin).where(OfficePlugin.tenant == tenant_id)
    return tuple(sorted(r["plugin"] for r in rows))


async def _head(tenant_id: int) -> tuple[int, str]:
    row = (
        await Tenant.select(Tenant.chain_seq, Tenant.chain_head)
        .where(Tenant.id == tenant_id)
        .first()
    )
    return row["chain_seq"], row["chain_head"] or ""


def _check_plugin(plugins: AlurPlugins, plugin: str) -> None:
    loaded = {p.name: p for p in plugins.plugins()}
    found = loaded.get(plugin) if isinstance(plugin, str) else None
    if found is None:
        raise InvalidInput(
            {
                "plugin": format_message(
                    'no plugin "{plugin}" (installed: {installed})',
                    plugin=str(plugin)[: limits.SHORT],
                    installed=", ".join(sorted(loaded)) or gettext("none"),
                )
            }
        )
    if not found.ok:
        raise InvalidInput(
            {
                "plugin": format_message(
                    'plugin "{plugin}" failed to load; run "alur plugins check"', plugin=plugin
                )
            }
        )


async def allow_plugin(
    db: Database, plugins: AlurPlugins, slug: str, plugin: str, *, actor: str
) -> bool:
    """Allow office ``slug`` to adopt SOPs from ``plugin`` (``actor``:
    ``operator:<username>``); False when it already may (nothing is recorded then)."""
    _check_plugin(plugins, plugin)
    async with write_transaction(db):
        ref, row = await office_ref(slug)
        if row["plugin"] == plugin or plugin in await allowed_plugins(ref.id):
            return False
        await OfficePlugin(tenant=ref.id, plugin=plugin, allowed_by=actor[:255]).save()
        await _record_both(db, ref, slug, "plugin_allowed", plugin, actor)
    return True


async def disallow_plugin(
    db: Database, plugins: AlurPlugins, slug: str, plugin: str, *, actor: str
) -> bool:
    """Take back what :func:`allow_plugin` allowed; refused while the office runs SOPs
    adopted from ``plugin`` (its administrator drops them first). False when it was not
    allowed."""
    async with write_transaction(db):
        ref, row = await office_ref(slug)
        if not isinstance(plugin, str) or plugin not in await allowed_plugins(ref.id):
            if isinstance(plugin, str) and plugin == row["plugin"]:
                raise InvalidInput(
                    {"plugin": gettext("An office always runs SOPs of its own plugin.")}
                )
            return False
        adopted = [e.split(":", 1)[1] for e in sop_entries(row) if e.startswith(plugin + ":")]
        if adopted:
            raise InvalidInput(
                {
                    "plugin": format_message(
                        "The office runs {sops} from {plugin}: its administrator stops running "
                        "them first.",
                        sops=", ".join(adopted),
                        plugin=plugin,
                    )
                }
            )
        await OfficePlugin.delete().where(
            (OfficePlugin.tenant == ref.id) & (OfficePlugin.plugin == plugin)
        )
        await _record_both(db, ref, slug, "plugin_disallowed", plugin, actor)
    return True


async def _record_both(
    db: Database, ref: Any, slug: str, change: str, plugin: str, actor: str
) -> None:
    await record_office_change(
        db, ref, change, actor=actor, actor_name=actor, details={"plugin": plugin}
    )
    seq, head = await _head(ref.id)
    await record_platform_event(
        change, slug, actor=actor, details={"plugin": plugin}, chain_seq=seq, chain_head=head
    )


class OfficeSops:
    """The SOPs an office runs, as its administrator (``user_id``) adopts and drops them.
    Opened on a :class:`~alur.tenants.cases.service.TenantService` (the office)."""

    def __init__(self, service: Any, user_id: int) -> None:
        self.service = service
        self.user_id = user_id

    async def _plugins(self) -> tuple[str, ...]:
        """The office's own plugin, then those it is allowed."""
        allowed = self.service.allowed_plugins()
        if allowed is None:
            allowed = await allowed_plugins(self.service.ref.id)
        own = self.service.tenant["plugin"]
        return (own, *(p for p in allowed if p != own))

    async def choices(self) -> list[AdoptableSop]:
        """Every SOP of the plugins the office may run SOPs from (its own first), each saying
        whether the office runs it."""
        await self.service.context(self.user_id)  # a member of the office, not suspended
        running = tenant_sop_plugins(self.service.tenant, self.service.plugins)
        loaded = {p.name: p for p in self.service.plugins.plugins()}
        found: list[AdoptableSop] = []
        for name in await self._plugins():
            plugin = loaded.get(name)
            if plugin is None or not plugin.ok:
                continue
            label = plugin_label(self.service.plugins, name)
            for sop_id, d in plugin.sops.items():
                runs_from = running.get(sop_id, ("", None))[0]
                found.append(
                    AdoptableSop(
                        name,
                        label,
                        sop_id,
                        d.header.nama,
                        runs_from == name,
                        runs_from if runs_from and runs_from != name else "",
                    )
                )
        return found

    async def _require_admin(self) -> None:
        ctx = await self.service.context(self.user_id)
        if not ctx.actor.administrator:
            raise Forbidden(what=gettext("choose the SOPs this office runs"))

    async def adopt(self, plugin: str, sop_id: str) -> None:
        """Run SOP ``sop_id`` of ``plugin`` (the office's own or one it is allowed)."""
        await self._require_admin()
        if not isinstance(plugin, str) or plugin not in await self._plugins():
            raise NotFound(what=format_message("plugin {plugin}", plugin=str(plugin)[:64]))
        loaded = {p.name: p for p in self.service.plugins.plugins()}.get(plugin)
        if loaded is None or not isinstance(sop_id, str) or sop_id not in loaded.sops:
            raise NotFound(what=format_message("SOP {sop}", sop=str(sop_id)[:64]))
        running = tenant_sop_plugins(self.service.tenant, self.service.plugins)
        if sop_id in running:
            other = running[sop_id][0]
            raise InvalidInput(
                {
                    "sop": gettext("The office already runs this SOP.")
                    if other == plugin
                    else format_message(
                        "The office already runs an SOP {sop}, from {plugin}: an office runs "
                        "one SOP of each id. Stop running that one first.",
                        sop=sop_id,
                        plugin=plugin_label(self.service.plugins, other),
                    )
                }
            )
        own = self.service.tenant["plugin"]
        entries = sop_entries(self.service.tenant) or [
            k for k, (p, _) in running.items() if p == own
        ]
        entries.append(sop_id if plugin == own else f"{plugin}:{sop_id}")
        await self._write(entries, "sop_adopted", sop_id, plugin)

    async def drop(self, sop_id: str) -> None:
        """Stop running ``sop_id``: refused while cases of it run, and for the office's
        last SOP."""
        await self._require_admin()
        running = tenant_sop_plugins(self.service.tenant, self.service.plugins)
        if not isinstance(sop_id, str) or sop_id not in running:
            raise NotFound(what=format_message("SOP {sop}", sop=str(sop_id)[:64]))
        if len(running) == 1:
            raise InvalidInput({"sop": gettext("An office runs at least one SOP.")})
        if await Case.exists().where(
            (Case.tenant == self.service.ref.id)
            & (Case.sop_id == sop_id)
            & (Case.status == "active")
        ):
            raise InvalidInput(
                {
                    "sop": gettext(
                        "Cases of this SOP are still running: finish or cancel them first."
                    )
                }
            )
        plugin = running[sop_id][0]
        entries = [
            (k if p == self.service.tenant["plugin"] else f"{p}:{k}")
            for k, (p, _) in running.items()
            if k != sop_id
        ]
        await self._write(entries, "sop_dropped", sop_id, plugin)

    async def _write(self, entries: list[str], change: str, sop_id: str, plugin: str) -> None:
        ctx = await self.service.context(self.user_id)
        stored = json.dumps(entries)
        async with write_transaction(self.service.db):
            await Tenant.update({Tenant.sops: stored}).where(Tenant.id == self.service.ref.id)
            await record_office_change(
                self.service.db,
                self.service.ref,
                change,
                actor=ctx.actor.id,
                actor_name=ctx.actor.name,
                details={"sop": sop_id, "plugin": plugin},
            )
        self.service.tenant = {**self.service.tenant, "sops": stored}
