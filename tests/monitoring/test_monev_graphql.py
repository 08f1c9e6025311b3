"""The monev forms through GraphQL on SQLite and PostgreSQL: the same service and the same
typed errors as the pages — read by the assessor, not by the staf; a save with a catatan too
long (field named), on an old version (Conflict ``stale_monev``); a Plh fills but cannot
initial; the paraf with a wrong then the right password."""

from __future__ import annotations

import pytest

from alur.graphql.testing import OFFICE_A, PASSWORD, World
from alur.tenants.cases.service import TenantService
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.monitoring.monev import MonevForms
from alur.tenants.monitoring.monev_policy import save_policy

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]

FORM = "id state version contentHash rows { step kegiatan proposed evidence judgement tindakan }"
FAILURES = "... on Error { message code } ... on InvalidInput { fields { field message } }"
LIST = (
    "{ monevForms { __typename ... on MonevFormList { forms { " + FORM + " } } "
    "... on Error { message code } } }"
)
SAVE = (
    "mutation($id: Int!, $version: Int!, $rows: [MonevRowInput!]!) { saveMonevForm(id: $id, "
    "version: $version, rows: $rows) { __typename ... on MonevFormChanged { form { "
    + FORM
    + " } } "
    + FAILURES
    + " } }"
)
PARAF = (
    "mutation($id: Int!, $version: Int!, $password: String) { parafMonevForm(id: $id, "
    "version: $version, password: $password) { __typename ... on MonevFormChanged { form { "
    + FORM
    + " parafName versions { version what } } } "
    + FAILURES
    + " } }"
)


async def opened(world: World) -> int:
    admin = await create_user("admin.monev", "Admin Monev (A)", PASSWORD)
    await add_membership(world.a.ref.id, admin.id, None, administrator=True)
    await save_policy(world.a, admin.id, "kasubag_perencanaan", 6)
    service = await TenantService.open(world.a.db, world.a.plugins, OFFICE_A)
    (form, *_) = await MonevForms(service).open_now(admin.id)
    return form.id


async def test_read_save_and_initial_through_graphql(world: World) -> None:
    form_id = await opened(world)
    refused = await world.data(LIST, "a-staf")
    assert refused["monevForms"]["__typename"] == "Forbidden"
    forms = (await world.data(LIST, "a-kasubag"))["monevForms"]["forms"]
    (form,) = [f for f in forms if f["id"] == form_id]
    assert form["state"] == "OPEN"
    assert form["version"] == 1
    steps = [r["step"] for r in form["rows"]]

    long = await world.data(
        SAVE, "a-kasubag", id=form_id, version=1, rows=[{"step": steps[0], "catatan": "c" * 2001}]
    )
    assert long["saveMonevForm"]["__typename"] == "InvalidInput"
    assert [f["field"] for f in long["saveMonevForm"]["fields"]] == [f"rows.{steps[0]}.catatan"]
    twice = await world.data(
        SAVE,
        "a-kasubag",
        id=form_id,
        version=1,
        rows=[{"step": steps[0], "judgement": "BAIK"}, {"step": steps[0], "judgement": "TIDAK"}],
    )
    assert twice["saveMonevForm"]["__typename"] == "InvalidInput"  # never the last one silently
    assert [f["field"] for f in twice["saveMonevForm"]["fields"]] == [f"rows.{steps[0]}"]

    rows = [{"step": n, "judgement": "BAIK"} for n in steps]
    rows[0] = {"step": steps[0], "judgement": "TIDAK", "tindakan": "latih ulang"}
    saved = (await world.data(SAVE, "a-plh", id=form_id, version=1, rows=rows))["saveMonevForm"]
    assert saved["__typename"] == "MonevFormChanged", saved
    assert saved["form"]["rows"][0]["judgement"] == "TIDAK"
    assert saved["form"]["rows"][0]["tindakan"] == "latih ulang"
    stale = await world.data(SAVE, "a-kasubag", id=form_id, version=1, rows=rows)
    assert stale["saveMonevForm"]["__typename"] == "Conflict"
    assert stale["saveMonevForm"]["code"] == "stale_monev"

    version = saved["form"]["version"]
    plh = await world.data(PARAF, "a-plh", id=form_id, version=version, password=PASSWORD)
    assert plh["parafMonevForm"]["__typename"] == "Forbidden"
    wrong = await world.data(PARAF, "a-kasubag", id=form_id, version=version, password="salah")
    assert [f["field"] for f in wrong["parafMonevForm"]["fields"]] == ["password"]
    done = await world.data(PARAF, "a-kasubag", id=form_id, version=version, password=PASSWORD)
    form = done["parafMonevForm"]["form"]
    assert form["state"] == "DIPARAF"
    assert form["contentHash"] == saved["form"]["contentHash"]
    assert form["parafName"] == "Kasubag (A)"
    assert [v["what"] for v in form["versions"]] == ["diparaf", "saved", "opened"]
