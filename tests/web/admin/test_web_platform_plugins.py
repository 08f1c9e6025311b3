"""The platform page's plugins per office (issue 16): an operator allows an office another
plugin and takes it back (the office's Plugin cell: Allow / Remove), a plugin that failed to
load is refused next to the office; only operators reach it."""

from __future__ import annotations

from types import ModuleType

import pytest

from alur.core.plugins import AlurPlugins
from alur.tenants.storage.tables import OfficePlugin
from tests.web.admin.web_admin_helpers import SLUG, Site, db


@pytest.fixture
def second_plugin(plugin_manager: AlurPlugins, contoh_plugin: ModuleType) -> str:
    """The sample plugin once more, under another name (registered before the app starts)."""
    copy = ModuleType("contoh_dua")
    for hook in ("alur_roles", "alur_units", "alur_sop_definitions"):
        setattr(copy, hook, getattr(contoh_plugin, hook))
    assert plugin_manager.register(copy, name="contoh_dua", version="1.0").ok
    return "contoh_dua"


def test_an_operator_allows_and_removes_a_plugin(second_plugin: str, site: Site) -> None:
    site.as_user("admin")
    assert (
        site.post(f"/platform/tenants/{SLUG}/plugins", {"plugin": second_plugin}).status_code == 404
    )
    site.as_user("operator")
    page = site.get("/platform").text
    assert f'action="/platform/tenants/{SLUG}/plugins"' in page
    assert (
        site.post(f"/platform/tenants/{SLUG}/plugins", {"plugin": second_plugin}).status_code == 303
    )
    assert db(OfficePlugin.exists().where(OfficePlugin.plugin == second_plugin))
    page = site.get("/platform").text
    assert f"/platform/tenants/{SLUG}/plugins/{second_plugin}/remove" in page
    refused = site.post(f"/platform/tenants/{SLUG}/plugins", {"plugin": "rusak"}, htmx=True)
    assert refused.status_code == 422
    assert "alur plugins check" in refused.text
    removed = site.post(f"/platform/tenants/{SLUG}/plugins/{second_plugin}/remove")
    assert removed.status_code == 303
    assert not db(OfficePlugin.exists().where(OfficePlugin.plugin == second_plugin))
