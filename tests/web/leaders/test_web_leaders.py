"""The leaders' dashboard over HTTP, on the demo offices: the Kepala, a Plh-less Sekretaris
and the office admin see it (with its nav link), a Staf gets 403 and someone of another
office 404; without JavaScript every chart's figures are in the table its canvas names."""

from __future__ import annotations

import html
import json
import re

from litestar.testing import TestClient

from alur.tenants.demo.offices import DemoReport
from alur.web.testing import sign_in_sync

OFFICE = "satpolpp-banyumas"
PASSWORD = "rahasia-2026"
PAGE = f"/t/{OFFICE}/dashboard"


def login(report: DemoReport, tenant: str, what: str) -> str:
    return next(
        lo.username for lo in report.logins if lo.tenant == tenant and lo.what.startswith(what)
    )


def test_leaders_see_the_dashboard_and_its_link(demo: tuple[TestClient, DemoReport]) -> None:
    client, report = demo
    for what in ("Kepala Satuan", "Sekretaris", "administrator"):
        client.cookies.clear()
        sign_in_sync(client, login(report, OFFICE, what), PASSWORD)
        inbox = client.get(f"/t/{OFFICE}/inbox")
        assert f'href="{PAGE}"' in inbox.text, what
        page = client.get(PAGE)
        assert page.status_code == 200, (what, page.text[:500])
        assert 'data-section="work"' in page.text
        assert 'data-section="capaian"' in page.text


def test_others_are_refused(demo: tuple[TestClient, DemoReport]) -> None:
    client, report = demo
    sign_in_sync(client, login(report, OFFICE, "Staf"), PASSWORD)
    assert f'href="{PAGE}"' not in client.get(f"/t/{OFFICE}/inbox").text
    assert client.get(PAGE).status_code == 403
    client.cookies.clear()
    other = next(t.slug for t in report.tenants if t.slug != OFFICE)
    sign_in_sync(client, login(report, other, "administrator"), PASSWORD)
    assert client.get(PAGE).status_code == 404
    assert client.get(f"/t/{other}/dashboard").status_code == 200


def test_every_chart_has_its_table(demo: tuple[TestClient, DemoReport]) -> None:
    """No JavaScript is needed for the figures: each canvas names (aria-describedby) a
    table on the page holding the same labels and numbers as its chart."""
    client, report = demo
    sign_in_sync(client, login(report, OFFICE, "Kepala Satuan"), PASSWORD)
    page = client.get(PAGE).text
    canvases = re.findall(r"<canvas data-chart='([^']*)'[^>]*aria-describedby=\"([^\"]+)\"", page)
    assert len(canvases) >= 4  # by kegiatan, by unit, capaian by indicator and by unit
    for spec_text, table_id in canvases:
        spec = json.loads(html.unescape(spec_text))
        table = re.search(rf'<table id="{re.escape(table_id)}".*?</table>', page, re.S)
        assert table is not None, table_id
        cells = html.unescape(re.sub(r"<[^>]+>", " ", table.group(0)))
        for label in spec["labels"]:
            assert label.split(". ", 1)[-1] in cells, (table_id, label)
        for dataset in spec["datasets"]:
            for value in dataset["data"]:
                if value:
                    shown = f"{value:.2f}".replace(".", ",") if spec.get("percent") else str(value)
                    assert shown in cells, (table_id, dataset["label"], value)
