"""The yearly evaluation page (/t/{slug}/mutu-baku/evaluasi) over HTTP, on SQLite and
PostgreSQL: the proposals table for the office's leaders (403 for a Staf), the year and SOP
checked next to their fields, "Buat draf revisi" making the draft revision and opening its
editor, and SopRevisions' refusals shown on the page."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from alur.core import AlurPlugins, loads_definition
from alur.core.model import SopDefinition
from alur.tenants.storage.database import close_database, open_database
from alur.web.app import create_app
from alur.web.settings import WebSettings
from alur.web.testing import fetch_csrf, sign_in_sync
from tests.kinerja.conftest import definition, plugins
from tests.kinerja.kinerja_helpers import make_office
from tests.monitoring.evaluation_helpers import FIXED_WAKTU_TOML, five_designed, with_admin

__all__ = ["definition", "plugins"]

SLUG = "dinas-uji"
PAGE = f"/t/{SLUG}/mutu-baku/evaluasi"
PASSWORD = "x" * 12


async def _provision(url: str, plugins: AlurPlugins) -> None:
    db = await open_database(url)
    try:
        office = await make_office(db, plugins, SLUG)
        await with_admin(office)
        await five_designed(office)
    finally:
        await close_database(db)


@pytest.fixture
def client(database_url: str, plugins: AlurPlugins, cheap_hasher: None) -> Iterator[TestClient]:
    asyncio.run(_provision(database_url, plugins))
    app = create_app(WebSettings(database_url=database_url, secret_key="k" * 40), plugins)
    with TestClient(app) as c:
        yield c


def as_(client: TestClient, who: str) -> None:
    client.cookies.clear()
    sign_in_sync(client, f"{SLUG}.{who}", PASSWORD)


def test_leaders_see_the_proposals_others_are_refused(client: TestClient) -> None:
    as_(client, "staf")
    assert client.get(PAGE).status_code == 403
    as_(client, "kepala")
    page = client.get(PAGE, params={"sop": "uji-kinerja", "tahun": "2026"})
    assert page.status_code == 200, page.text[:400]
    row = re.search(r'<tr data-step="1" data-reason="proposed">(.*?)</tr>', page.text, re.S)
    assert row is not None
    assert "1 hari" in row.group(1)
    assert "<strong>3 jam</strong>" in row.group(1)
    assert "2 jam 37 menit" in row.group(1)  # the measured p75 as people write it
    assert 'name="step"' not in page.text  # the Kepala does not draft revisions
    empty = client.get(PAGE, params={"sop": "uji-kinerja", "tahun": "2025"})
    assert "Belum ada data" in empty.text


def test_bad_year_and_sop_are_shown_next_to_their_fields(client: TestClient) -> None:
    as_(client, "kepala")
    page = client.get(PAGE, params={"sop": "uji-kinerja", "tahun": "2099"})
    assert page.status_code == 422
    assert 'id="tahun-error"' in page.text
    page = client.get(PAGE, params={"sop": "tidak-ada", "tahun": "2026"})
    assert page.status_code == 422
    assert 'id="sop-error"' in page.text


def test_accepting_opens_the_draft_editor(client: TestClient) -> None:
    as_(client, "admin")
    revisions = client.get(f"/t/{SLUG}/sops/uji-kinerja/revisi")
    assert f'href="{PAGE}?sop=uji-kinerja"' in revisions.text  # how leaders find the page
    empty = client.get(PAGE, params={"sop": "uji-kinerja", "tahun": "2025"})
    assert "Belum ada data" in empty.text
    assert 'class="evaluation-accept"' in empty.text  # the form, saying why it is empty
    page = client.get(PAGE, params={"sop": "uji-kinerja", "tahun": "2026"})
    assert 'name="step" value="1"' in page.text
    token = fetch_csrf(client, PAGE)
    nothing = client.post(PAGE, data={"_csrf_token": token, "sop": "uji-kinerja", "tahun": "2026"})
    assert nothing.status_code == 422
    assert 'id="step-error"' in nothing.text
    forged = client.post(
        PAGE, data={"_csrf_token": token, "sop": "uji-kinerja", "tahun": "2026", "step": "x"}
    )
    assert forged.status_code == 422
    made = client.post(
        PAGE,
        data={"_csrf_token": token, "sop": "uji-kinerja", "tahun": "2026", "step": "1"},
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text[:400]
    editor = made.headers["location"]
    assert editor == f"/t/{SLUG}/sops/uji-kinerja/revisi/0/edit"
    assert 'value="3 jam"' in client.get(editor).text
    page = client.get(PAGE, params={"sop": "uji-kinerja", "tahun": "2026"})
    assert "Revisi ke-0" in page.text  # the accepted proposals go into the open draft


class TestAWaktuThePluginKeepsFixed:
    @pytest.fixture
    def definition(self) -> SopDefinition:
        return loads_definition(FIXED_WAKTU_TOML, source="uji-kinerja.toml")

    def test_the_refusal_stands_next_to_its_row(self, client: TestClient) -> None:
        as_(client, "admin")
        token = fetch_csrf(client, PAGE)
        refused = client.post(
            PAGE, data={"_csrf_token": token, "sop": "uji-kinerja", "tahun": "2026", "step": "1"}
        )
        assert refused.status_code == 422
        row = re.search(r'<tr data-step="1" data-reason="proposed">(.*?)</tr>', refused.text, re.S)
        assert row is not None
        assert 'id="step-1-error"' in row.group(1)
        assert 'aria-describedby="step-1-error"' in row.group(1)
