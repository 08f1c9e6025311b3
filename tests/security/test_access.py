"""Membership is decided from *current* roles, at every door (issue 11, point 1), on SQLite
and PostgreSQL.

A person of office A whose only link to office B is a Plt/Plh delegation that ended last
month — or that starts next month — gets 404 on every page, download and form of office B
(the routes are read from the app, not listed by hand), does not see B at ``/``, and a
GraphQL token bound to them is refused. A delegation of today still opens B, pages and
downloads alike. The rule itself (today in each office's timezone) is tested without the
database in :func:`test_current_offices_reads_the_date_in_each_offices_timezone`.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from litestar.testing import TestClient

from alur.core import create_plugin_manager
from alur.graphql.testing import OFFICE_B, World
from alur.tenants.cases.service import TenantService
from alur.tenants.identity.belonging import Person, current_offices, office_today
from alur.tenants.identity.memberships import add_delegation, add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.identity.tokens import create_token
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.storage.tables import Attachment, Case, Delegation, Event, Task
from alur.web.app import create_app
from alur.web.settings import WebSettings
from alur.web.testing import fetch_csrf, sign_in_sync

PASSWORD = "rahasia-2026"
A = "satpolpp-banyumas"
B = "kesbangpol-pekalongan"
SOP_B = "pengumpulan-pengolahan-data-kinerja"
TODAY = office_today("Asia/Jakarta", datetime.now(UTC))  # both offices' timezone (WIB)
# username: (first day, last day) of their Plt in office B
DELEGATES = {
    "plt.lalu": (TODAY - timedelta(days=60), TODAY - timedelta(days=30)),  # ended last month
    "plt.nanti": (TODAY + timedelta(days=30), TODAY + timedelta(days=60)),  # starts next month
    "plt.kini": (TODAY - timedelta(days=3), TODAY + timedelta(days=3)),  # holds it now
}


# --- the rule -------------------------------------------------------------------------------


def test_current_offices_reads_the_date_in_each_offices_timezone() -> None:
    """At 18:00 UTC on 30 November it is already 1 December in Jakarta (UTC+7) and Jayapura
    (UTC+9): a Plt whose last day is 30 November has ended there, and one starting on
    1 December has begun."""

    def delegation(tenant: int, zone: str, starts: date, ends: date) -> dict:
        return {
            "tenant": tenant,
            "slug": f"office-{tenant}",
            "tenant_name": f"Office {tenant}",
            "timezone": zone,
            "starts_on": starts,
            "ends_on": ends,
        }

    nov30, dec1 = date(2026, 11, 30), date(2026, 12, 1)
    member = {"tenant": 9, "slug": "office-9", "tenant_name": "Office 9", "administrator": True}
    person = Person(
        1,
        "Plt",
        "plt",
        True,
        (member,),
        (
            delegation(1, "Asia/Jakarta", date(2026, 11, 1), nov30),  # ended there
            delegation(2, "Asia/Jayapura", dec1, date(2026, 12, 31)),  # begun there
            delegation(3, "UTC", date(2026, 11, 1), nov30),  # still the 30th in UTC
            delegation(4, "UTC", dec1, date(2026, 12, 31)),  # not yet in UTC
        ),
    )
    now = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
    assert [(o["id"], o["admin"]) for o in current_offices(person, now)] == [
        (2, False),
        (3, False),
        (9, True),
    ]


# --- the web UI ----------------------------------------------------------------------------


async def provision(url: str) -> dict:
    """Office A with the three delegates as Staf; office B with its Kepala Dinas, one case
    (data kinerja) with an attachment, and a Plt of the Kepala Dinas for each delegate."""
    db = await open_database(url)
    plugins = create_plugin_manager()
    a = await create_tenant(plugins, A, "Satpol PP Banyumas", "satpolpp_banyumas")
    b = await create_tenant(plugins, B, "Kesbangpol Pekalongan", "kesbangpol_pekalongan")
    staf = (await TenantService.open(db, plugins, A)).sop("pengumpulan-data-kinerja")
    svc_b = await TenantService.open(db, plugins, B)
    kepala = await create_user("kepala.b", "Kepala B", PASSWORD)
    await add_membership(b.id, kepala.id, svc_b.sop(SOP_B).roles_by_id["kepala_dinas"])
    for username, (starts, ends) in DELEGATES.items():
        user = await create_user(username, username.title(), PASSWORD)
        await add_membership(a.id, user.id, staf.roles_by_id["staf"])
        await add_delegation(b.id, user.id, kepala.id, "kepala_dinas", None, "Plt", starts, ends)
    case = await svc_b.start_case(kepala.id, SOP_B, "Triwulan IV 2026")
    attached = await svc_b.attach(
        kepala.id, case.key, None, "rahasia.pdf", "application/pdf", b"%PDF-1.7 rahasia"
    )
    await close_database(db)
    return {
        "key": case.key,
        "attachment": str(attached.id),
        "task": str(next(iter(case.state.open_tasks))),
        "sop_id": SOP_B,
        "slug": B,
    }


@pytest.fixture
def site(database_url: str, cheap_hasher: None) -> Iterator[TestClient]:
    ids = asyncio.run(provision(database_url))
    app = create_app(WebSettings(database_url=database_url, secret_key="k" * 40))
    with TestClient(app) as client:
        client.ids = ids  # type: ignore[attr-defined]
        yield client


def sign_in(c: TestClient, username: str) -> None:
    c.cookies.clear()
    sign_in_sync(c, username, PASSWORD)


def csrf_token(c: TestClient) -> str:
    return fetch_csrf(c, f"/t/{A}/cases")


def office_b_routes(c: TestClient) -> list[tuple[str, str]]:
    """(method, path) of every GET and POST route of the app under ``/t/{slug}``, filled
    with office B's slug, case key, attachment id, task number and SOP id."""
    ids = c.ids  # type: ignore[attr-defined]
    fill = {**ids, "action": "complete", "unit": "x", "change": "deactivate"}
    fill |= {"day": TODAY.isoformat(), "token_id": "1", "webhook_id": "1"}
    fill |= {"username": "x", "delegation": "1"}  # the person page
    fill |= {"number": "0", "other": "berlaku"}  # office B's SOP revisions
    fill |= {"form_id": "1"}  # office B's monev forms
    routes = []
    for route in c.app.routes:
        if not route.path.startswith("/t/{slug"):
            continue
        path = re.sub(r"\{(\w+):\w+\}", lambda m: fill[m.group(1)], route.path)
        routes += [(m, path) for m in sorted(route.methods) if m in ("GET", "POST")]
    return routes


DOWNLOADS = ("/attachments/{attachment}", "/kinerja/rekap.xlsx", "/kinerja/laporan.pdf")


async def _written() -> tuple[int, ...]:
    return tuple([await t.count() for t in (Case, Event, Task, Attachment, Delegation)])


@pytest.mark.parametrize("username", ["plt.lalu", "plt.nanti"])
def test_an_expired_or_future_plt_opens_nothing_of_the_office(
    site: TestClient, username: str
) -> None:
    sign_in(site, username)
    assert site.get("/", follow_redirects=False).headers["location"] == f"/t/{A}/inbox"
    token = csrf_token(site)
    before = site.blocking_portal.call(_written)  # on the app's event loop
    routes = office_b_routes(site)
    assert len(routes) >= 25, routes
    opened = []
    for method, path in routes:
        if method == "GET":
            status = site.get(path, follow_redirects=False).status_code
        else:
            data = {"_csrf_token": token, "note": "x", "name": "x", "slug": "x"}
            status = site.post(path, data=data, follow_redirects=False).status_code
        if status != 404:
            opened.append((method, path, status))
    assert opened == []
    assert site.blocking_portal.call(_written) == before


def test_a_plt_of_today_reads_the_office_and_its_downloads(site: TestClient) -> None:
    """The control: the same pages and downloads open for a delegation that holds today."""
    sign_in(site, "plt.kini")
    home = site.get("/", follow_redirects=False)
    assert home.status_code == 200
    assert f"/t/{A}/inbox" in home.text
    assert f"/t/{B}/inbox" in home.text
    ids = site.ids  # type: ignore[attr-defined]
    case = f"/t/{B}/cases/{ids['key']}"
    for path in (f"/t/{B}/inbox", case, f"{case}/kinerja"):
        assert site.get(path).status_code == 200, path
    for suffix in DOWNLOADS:
        download = site.get(case + suffix.format(**ids))
        assert download.status_code == 200, suffix
        assert download.headers["content-disposition"].startswith("attachment;")
    # the Mutu baku page and its files (a Plt of the Kepala Dinas is one of its leaders)
    for path in (f"/t/{B}/mutu-baku", f"/t/{B}/mutu-baku.csv", f"/t/{B}/mutu-baku.xlsx"):
        assert site.get(path).status_code == 200, path
    # an attachment is read through its own case only
    other = site.get(f"/t/{B}/cases/{'0' * 16}/attachments/{ids['attachment']}")
    assert other.status_code == 404


# --- GraphQL -------------------------------------------------------------------------------


QUERY = """
query($key: String!) {
  me { tenant { slug } user { username } }
  tenants { slug }
  cases(first: 10) { ... on CaseConnection { edges { node { key } } } }
  case(key: $key) { __typename ... on Case { key } }
}
"""


@pytest.mark.anyio
@pytest.mark.usefixtures("cheap_hasher")
async def test_a_token_of_an_expired_or_future_plt_sees_nothing(world: World) -> None:
    plt = await create_user("plt.b", "Plt Kepala B", PASSWORD)
    await add_delegation(
        world.b.ref.id,
        plt.id,
        world.users["b.kepala"],
        "kepala_dinas",
        None,
        "Plt",
        TODAY,
        TODAY,
    )
    for scope in ("read", "write"):  # bound to the Plt while it held: then its dates move
        made = await create_token(f"plt-{scope}", scope, tenant=OFFICE_B, user="plt.b")
        world.tokens[f"plt-{scope}"] = made.token
    for label in ("plt-read", "plt-write"):
        result = await world.run(QUERY, label, key=world.case_b)
        assert result.errors is None, result.errors
        assert result.data is not None
        assert result.data["case"] == {"__typename": "Case", "key": world.case_b}
    for starts, ends in DELEGATES.values():
        if starts <= TODAY <= ends:
            continue
        await Delegation.update({Delegation.starts_on: starts, Delegation.ends_on: ends}).where(
            Delegation.delegate == plt.id
        )
        for label in ("plt-read", "plt-write"):
            result = await world.run(QUERY, label, key=world.case_b)
            assert result.data is None, (starts, result.data)
            assert result.errors
            assert {e.extensions["code"] for e in result.errors} == {"UNAUTHENTICATED"}
            assert world.case_b not in str(result.errors)
