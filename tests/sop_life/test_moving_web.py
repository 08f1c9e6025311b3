"""The page ``/t/{slug}/sops/{sop}/pindah`` on SQLite and PostgreSQL: admins only, the dry
run first (it writes nothing), then "Pindahkan"; wrong input answers 422 with the message."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from alur.web.app import create_app
from alur.web.settings import WebSettings
from alur.web.testing import FormSite
from tests.sop_life.test_moving_cli import prepare
from tests.sop_life.test_revisions import SOP

pytestmark = pytest.mark.usefixtures("cheap_hasher")
PAGE = f"/t/satpolpp-cilacap/sops/{SOP}/pindah"


@pytest.fixture
def site(installed, database_url) -> Iterator[tuple[FormSite, str]]:
    key = prepare(database_url, installed)
    app = create_app(WebSettings(database_url=database_url, secret_key="k" * 32), plugins=installed)
    with TestClient(app) as client:
        yield FormSite(client, "rahasia-2026"), key


def test_the_dry_run_then_the_move(site) -> None:
    web, key = site
    web.as_user("staf.satpolpp-cilacap")
    assert web.get(PAGE).status_code == 403
    assert web.post(PAGE + "/lihat", {"case": [key]}).status_code == 403
    web.as_user("admin.satpolpp-cilacap")
    page = web.get(PAGE)
    assert page.status_code == 200
    assert f'name="case" value="{key}"' in page.text
    assert "/pindah/lihat" in page.text
    nothing = web.post(PAGE + "/lihat", {})
    assert nothing.status_code == 422
    assert 'class="error" role="alert"' in nothing.text
    bad = web.post(PAGE + "/lihat", {"case": [key], "mapping": "1=x"})
    assert bad.status_code == 422
    assert 'id="mapping-error"' in bad.text
    dry = web.post(PAGE + "/lihat", {"case": [key], "mapping": ""})
    assert dry.status_code == 200
    assert 'class="kept"' in dry.text
    assert f'<input type="hidden" name="case" value="{key}">' in dry.text
    assert f'name="case" value="{key}" id="case-' in web.get(PAGE).text  # nothing moved
    moved = web.post(PAGE, {"case": [key], "mapping": ""})
    assert moved.status_code == 200
    assert 'class="moved"' in moved.text
    assert f'value="{key}" id="case-' not in moved.text  # no longer behind
    history = web.get(f"/t/satpolpp-cilacap/cases/{key}")
    assert history.status_code == 200
    assert "case_migrated" in history.text  # the move is in the case's history
