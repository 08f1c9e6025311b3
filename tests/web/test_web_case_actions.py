"""Issue 14 (points 6, 7, 9) over HTTP: the period chosen from two selects and a second case
of a period refused by the period field; the case list's "waiting on"; the SOP preselected;
the step list of a returned case; cancel with a reason (only for those the engine allows);
give a task back; "Ambil" and "Serahkan" only where the engine accepts them."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from alur.tenants.storage.tables import Case
from alur.web.app import create_app
from alur.web.settings import WebSettings
from alur.web.testing import fetch_csrf as csrf
from tests.web.test_web_core import SOP, act, as_user, open_task, provision

CASES = "/t/satpolpp-banyumas/cases"


@pytest.fixture
def client(tmp_path: Path, cheap_hasher: None) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path / 'web.db'}"
    asyncio.run(provision(url))
    app = create_app(WebSettings(database_url=url, secret_key="k" * 40))
    with TestClient(app) as c:
        yield c


def start(c: TestClient, part: str = "Triwulan IV", year: str = "2026"):
    data = {"_csrf_token": csrf(c, CASES), "sop": SOP, "period_part": part, "period_year": year}
    return c.post(CASES, data=data, follow_redirects=False)


def test_the_period_is_chosen_and_a_second_case_of_it_refused(client: TestClient) -> None:
    as_user(client, "staf")
    page = client.get(CASES).text
    assert '<select name="period_part"' in page
    assert '<select name="period_year"' in page
    assert 'name="period"' not in page.split('class="filters')[0]  # no typed period
    # the office runs one SOP: it is chosen already
    assert re.search(rf'<option value="{SOP}" selected', page)
    first = start(client)
    assert first.status_code == 303
    again = start(client)
    assert again.status_code == 422
    assert again.headers["x-alur-error"] == "invalid_input"
    error = re.search(r'<small class="error" id="period-error"[^>]*>([^<]+)</small>', again.text)
    assert error, again.text[:2000]
    assert "Triwulan IV 2026" in error.group(1)
    assert 'aria-describedby="period-error"' in again.text
    assert '<option value="Triwulan IV" selected>' in again.text  # what was chosen, kept
    assert start(client, "Semester I").status_code == 303
    bad = start(client, "Bulan Mei")
    assert bad.status_code == 422
    assert 'id="period-error"' in bad.text
    assert asyncio.run(_count()) == 2


async def _count() -> int:
    return await Case.count().where(Case.tenant.slug == "satpolpp-banyumas")


def test_the_list_says_whom_each_case_waits_on(client: TestClient) -> None:
    as_user(client, "staf")
    key = start(client).headers["location"].rsplit("/", 1)[-1]
    row = re.search(
        rf'<tr[^>]*>\s*<td><a href="{CASES}/{key}">.*?</tr>', client.get(CASES).text, re.S
    )
    assert row
    waiting = re.search(r'<td class="waiting"[^>]*>(.*?)</td>', row.group(0), re.S)
    assert waiting
    assert re.search(r"Staf: \S", waiting.group(1)), waiting.group(1)


def test_a_returned_step_is_not_shown_done(client: TestClient) -> None:
    as_user(client, "staf")
    key = start(client).headers["location"].rsplit("/", 1)[-1]
    assert act(client, key, 1, "complete", note="Draft").status_code == 303
    as_user(client, "kasubag-perencanaan")
    assert act(client, key, open_task(client, key, 2), "tidak", note="Kurang").status_code == 303
    page = client.get(f"{CASES}/{key}").text
    gate = re.search(
        r'<li class="step step-returned[^"]*" data-step="2" data-state="returned"', page
    )
    assert gate, re.findall(r'<li class="step[^>]*>', page)
    assert re.search(r'data-step="1" data-state="current" data-returned="1"', page)
    assert 'data-returned="2 "' in page  # the flowchart marks for alur.js


def test_cancel_is_offered_to_those_allowed_and_needs_a_reason(client: TestClient) -> None:
    as_user(client, "staf")
    key = start(client).headers["location"].rsplit("/", 1)[-1]
    page = f"{CASES}/{key}"
    as_user(client, "kabid.linmas")
    assert "data-cancel-form" not in client.get(page).text
    refused = client.post(
        f"{page}/cancel",
        data={"_csrf_token": csrf(client, page), "reason": "x"},
        follow_redirects=False,
    )
    assert refused.status_code == 422
    assert refused.headers["x-alur-error"] == "not_permitted"
    as_user(client, "staf")
    assert "data-cancel-form" in client.get(page).text
    empty = client.post(
        f"{page}/cancel",
        data={"_csrf_token": csrf(client, page), "reason": "  "},
        follow_redirects=False,
    )
    assert empty.status_code == 422
    assert 'id="cancel-reason-error"' in empty.text
    assert 'aria-invalid="true" aria-describedby="cancel-reason-error"' in empty.text
    done = client.post(
        f"{page}/cancel",
        data={"_csrf_token": csrf(client, page), "reason": "Salah periode"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    shown = client.get(page).text
    assert "status-cancelled" in shown
    assert "Salah periode" in shown
    assert "data-cancel-form" not in shown  # no longer active


def test_claim_give_back_and_hand_over_only_where_allowed(client: TestClient) -> None:
    as_user(client, "staf")
    key = start(client).headers["location"].rsplit("/", 1)[-1]
    page = client.get(f"{CASES}/{key}").text
    # the office's one Staf: no "Ambil" (she simply works it), and nothing to hand over
    assert "/tasks/1/claim" not in page
    assert "/tasks/1/reassign" not in page
    assert act(client, key, 1, "claim").status_code == 303  # the engine still accepts it
    page = client.get(f"{CASES}/{key}").text
    assert "/tasks/1/unclaim" in page
    assert "/tasks/1/reassign" not in page  # nobody else holds the role: nobody to offer
    assert act(client, key, 1, "unclaim").status_code == 303
    page = client.get(f"{CASES}/{key}").text
    assert "/tasks/1/unclaim" not in page
    assert "mengembalikan tugas" in page  # the history names it
    # the Kepala (more senior) sees the task's hand-over: to the Staf, the one who may take it
    as_user(client, "kepala-satuan")
    page = client.get(f"{CASES}/{key}").text
    handover = re.search(r'data-reassign="1".*?</details>', page, re.S)
    assert handover, page[:3000]
    assert len(re.findall(r"<option value=", handover.group(0))) == 1
