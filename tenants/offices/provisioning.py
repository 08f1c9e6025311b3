"""Creating tenants (OPD) from their institution plugin, and reading their calendars."""

from __future__ import annotations

import json
import re
from datetime import date, time
from zoneinfo import ZoneInfo

from alur.core import WorkingCalendar, limits
from alur.core.errors import PluginNotFound
from alur.core.i18n import format_message, gettext
from alur.core.model import SopDefinition
from alur.core.plugins import AlurPlugins
from alur.tenants.errors import InvalidInput
from alur.tenants.storage.tables import DayOff, Tenant, Unit

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


async def create_tenant(
    plugins: AlurPlugins, slug: str, name: str, plugin: str, sops: list[str] | None = None
) -> Tenant:
    """Create an OPD bound to ``plugin`` (all its SOPs unless ``sops`` names some), with the
    plugin's default units. Every problem is reported at once, per field."""
    errors: dict[str, str] = {}
    if not isinstance(slug, str) or not SLUG.fullmatch(slug):
        errors["slug"] = gettext(
            "use 2–63 lowercase letters, digits and dashes (e.g. satpolpp-banyumas)"
        )
    elif await Tenant.exists().where(Tenant.slug == slug):
        errors["slug"] = format_message('an office with slug "{slug}" already exists', slug=slug)
    if problem := limits.text_problem(name, limits.LINE):
        errors["name"] = problem
    elif not name.strip():
        errors["name"] = gettext("give the office's name")
    loaded = {p.name: p for p in plugins.plugins()}
    found = loaded.get(plugin)
    if not plugin:
        errors["plugin"] = gettext("Choose the plugin whose SOPs the office runs.")
    elif found is None:
        errors["plugin"] = format_message(
            'no plugin "{plugin}" (installed: {installed})',
            plugin=plugin,
            installed=", ".join(sorted(loaded)) or gettext("none"),
        )
    elif not found.ok:
        errors["plugin"] = format_message(
            'plugin "{plugin}" failed to load; run "alur plugins check"', plugin=plugin
        )
    elif sops:
        unknown = [s for s in sops if s not in found.sops]
        if unknown:
            errors["sops"] = format_message(
                "{sops} not in {plugin} (has: {available})",
                sops=", ".join(unknown),
                plugin=plugin,
                available=", ".join(found.sops),
            )
    if errors:
        raise InvalidInput(errors)
    assert found is not None
    tenant = Tenant(slug=slug, name=name.strip(), plugin=plugin, sops=json.dumps(sops or []))
    await tenant.save()
    if found.units:
        await Unit.insert(*[Unit(tenant=tenant.id, slug=u.id, name=u.name) for u in found.units])
    return tenant


def sop_entries(tenant: dict) -> list[str]:
    """The office's ``sops`` list as stored: SOP ids of its own plugin, and ``plugin:sop_id``
    for an SOP adopted from another plugin (:mod:`alur.tenants.sop_life.adoption`)."""
    chosen = json.loads(tenant["sops"]) if isinstance(tenant["sops"], str) else tenant["sops"]
    return [str(c) for c in chosen or ()]


def tenant_sop_plugins(tenant: dict, plugins: AlurPlugins) -> dict[str, tuple[str, SopDefinition]]:
    """Per SOP id the office runs, (the plugin it comes from, its current definition): all
    SOPs of its own plugin when its list is empty, else those the list names (an adopted SOP
    of a plugin that is no longer installed is left out). :class:`PluginNotFound` when the
    office's own plugin is not installed."""
    own = plugins.get(tenant["plugin"])
    entries = sop_entries(tenant)
    if not entries:
        return {k: (own.name, v) for k, v in own.sops.items()}
    found: dict[str, tuple[str, SopDefinition]] = {}
    for entry in entries:
        plugin_name, _, sop_id = entry.rpartition(":")
        if not plugin_name or plugin_name == own.name:
            if sop_id in own.sops:
                found[sop_id] = (own.name, own.sops[sop_id])
            continue
        try:
            other = plugins.get(plugin_name)
        except PluginNotFound:
            continue
        if sop_id in other.sops:
            found.setdefault(sop_id, (other.name, other.sops[sop_id]))
    return found


def tenant_sops(tenant: dict, plugins: AlurPlugins) -> dict[str, SopDefinition]:
    """The SOP definitions a tenant runs, by id (its plugins' current versions)."""
    return {k: d for k, (_, d) in tenant_sop_plugins(tenant, plugins).items()}


async def calendar_for(tenant: dict) -> WorkingCalendar:
    days = await DayOff.select(DayOff.day).where(DayOff.tenant == tenant["id"])
    return calendar_from(tenant, frozenset(d["day"] for d in days))


def calendar_from(tenant: dict, days_off: frozenset[date]) -> WorkingCalendar:
    """The working calendar of a tenant row with its days off."""
    return WorkingCalendar(
        office_start=time.fromisoformat(tenant["office_start"]),
        office_end=time.fromisoformat(tenant["office_end"]),
        timezone=ZoneInfo(tenant["timezone"]),
        days_off=days_off,
    )
