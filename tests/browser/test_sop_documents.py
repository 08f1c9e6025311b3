"""The SOP document page (Permenpan RB 35/2012 layout) of every installed plugin's every
SOP, opened in the browser by a member of the office that runs it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from alur.core import create_plugin_manager


def installed_sops() -> list[tuple[str, str]]:
    plugins = create_plugin_manager().plugins()
    return [(p.name, sop_id) for p in plugins if p.ok for sop_id in p.sops]


SOPS = installed_sops()


def test_every_bundled_plugin_is_covered():
    names = {plugin for plugin, _ in SOPS}
    assert {"satpolpp_banyumas", "kesbangpol_pekalongan", "biro_organisasi_kalbar"} <= names


@pytest.mark.parametrize(("plugin", "sop_id"), SOPS, ids=[f"{p}/{s}" for p, s in SOPS])
def test_sop_document_page(plugin, sop_id, live_server, new_page, screenshot):
    definition = create_plugin_manager().sop(plugin, sop_id)
    office = live_server.office_of_plugin(plugin)
    page = new_page(office.staff_login())

    # Listed on the office's SOPs page, and the link opens the document.
    page.goto(f"/t/{office.slug}/sops")
    link = page.locator(f"main a[href='/t/{office.slug}/sops/{sop_id}']")
    expect(link).to_have_count(1)
    with page.expect_navigation() as navigation:
        link.click()
    response = navigation.value
    assert response is not None
    assert response.status == 200, response.status
    assert page.url.endswith(f"/t/{office.slug}/sops/{sop_id}"), page.url

    document = page.locator(f".sop-document[data-sop='{sop_id}']")
    expect(document).to_be_visible()
    identity = document.locator(".sop-identity-table")
    expect(identity.locator(".sop-nomor")).to_have_text(definition.header.nomor)
    expect(identity.locator(".sop-nama")).to_contain_text(definition.header.nama)

    for step in definition.steps:
        row = document.locator(f"tr.sop-row[data-step='{step.number}']")
        expect(row).to_have_count(1)
        expect(row.locator("td.sop-no")).to_have_text(str(step.number))
        expect(row.locator("td.sop-kegiatan")).to_contain_text(step.kegiatan)
        expect(row.locator("td.sop-output")).to_have_text(step.output)
        # Its flowchart symbol, of the step's kind, drawn with a real size.
        symbol = row.locator(f"svg.sop-flow-svg g.sop-symbol[data-step='{step.number}']")
        expect(symbol).to_have_count(1)
        expect(symbol).to_have_attribute("data-kind", str(step.kind))
        box = symbol.locator("path.sop-shape").bounding_box()
        assert box is not None, f"step {step.number}: symbol not rendered"
        assert box["width"] > 5, box
        assert box["height"] > 5, box
        if step.gate is not None:
            expect(row.locator(".sop-gate")).to_contain_text(step.gate.question)
    # The arrows between the steps are drawn too.
    assert document.locator("svg.sop-flow-svg g.sop-arrow").count() >= len(definition.steps) - 1

    screenshot(page, f"sop-document-{plugin}-{sop_id}")
