"""Completing a task with files is one service call and one transaction: a refused
completion — someone else's task, a task already done, a bound step refusing its data, a
concurrent winner — stores no file. Through the service and through the web's multipart
form, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import hashlib
from concurrent.futures import ThreadPoolExecutor

import pytest
from litestar.testing import TestClient

from alur.core import create_plugin_manager
from alur.core.engine import Complete
from alur.core.errors import ActionError
from alur.graphql.testing import PASSWORD, SOP_A, World, provision
from alur.tenants.audit.content import verify_content
from alur.tenants.demo.kinerja_samples import seed_sample_format
from alur.tenants.errors import Conflict, InvalidInput
from alur.tenants.kinerja.service import Upload
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.storage.tables import Attachment, Event
from alur.web.app import create_app
from alur.web.settings import WebSettings
from alur.web.testing import fetch_csrf, sign_in_sync

PERIOD = "Triwulan IV 2026"
PDF = Upload("draft.pdf", "application/pdf", b"%PDF-1.7 draft")


async def counts() -> tuple[int, int]:
    return await Attachment.count(), await Event.count()


@pytest.mark.anyio
async def test_a_refused_completion_stores_no_file(world: World) -> None:
    a, staf, kasubag = world.a, world.users["staf"], world.users["kasubag"]
    key = (await a.start_case(staf, SOP_A, PERIOD)).key
    before = await counts()
    # a bound step refusing its data: step 1 designs the format, and there is none yet
    with pytest.raises(InvalidInput):
        await a.act(staf, key, Complete(1, "draft"), [PDF])
    assert await counts() == before
    # someone else's task
    await seed_sample_format(a, PERIOD)
    with pytest.raises(ActionError):
        await a.act(kasubag, key, Complete(1, "draft"), [PDF])
    assert await counts() == before
    # a bad file refuses the whole completion
    with pytest.raises(InvalidInput):
        await a.act(staf, key, Complete(1, "draft"), [PDF, Upload("x.exe", "application/x", b"MZ")])
    assert await counts() == before
    # the completion that is allowed stores its file with its events
    await a.act(staf, key, Complete(1, "draft"), [PDF])
    assert (await Attachment.count()) == 1
    rows = await Attachment.select(Attachment.task_no, Attachment.filename)
    assert rows == [{"task_no": 1, "filename": "draft.pdf"}]
    # the task already done
    again = await counts()
    with pytest.raises(ActionError):
        await a.act(staf, key, Complete(1, "again"), [Upload("b.pdf", "application/pdf", b"%b")])
    assert await counts() == again


@pytest.mark.anyio
async def test_twenty_concurrent_completions_with_files_store_one_set(world: World) -> None:
    a, staf = world.a, world.users["staf"]
    key = (await a.start_case(staf, SOP_A, PERIOD)).key
    await seed_sample_format(a, PERIOD)

    async def complete(i: int) -> object:
        upload = Upload(f"draft-{i}.pdf", "application/pdf", f"%PDF {i}".encode())
        try:
            return await a.act(staf, key, Complete(1, f"draft {i}"), [upload, PDF])
        except (Conflict, ActionError) as exc:
            return exc

    results = await asyncio.gather(*(complete(i) for i in range(20)))
    winners = [r for r in results if not isinstance(r, Exception)]
    assert len(winners) == 1, results
    rows = await Attachment.select(Attachment.filename).order_by(Attachment.id)
    assert len(rows) == 2, rows  # the winner's two files, nobody else's
    assert rows[1]["filename"] == "draft.pdf"


@pytest.mark.anyio
async def test_the_files_of_a_completion_are_recorded_on_its_event(world: World) -> None:
    """Stored in the completion's transaction, the files are on its event all the same (by
    name and hash), so ``alur audit verify`` catches a file replaced with its hash."""
    a, staf = world.a, world.users["staf"]
    key = (await a.start_case(staf, SOP_A, PERIOD)).key
    await seed_sample_format(a, PERIOD)
    lampiran = Upload("lampiran.pdf", "application/pdf", b"%PDF-1.7 lampiran")
    await a.act(staf, key, Complete(1, "draft"), [PDF, lampiran])
    assert await verify_content(a.store, a.ref) == []
    forged = b"%PDF-1.7 forged"
    await Attachment.update(
        {Attachment.content: forged, Attachment.sha256: hashlib.sha256(forged).hexdigest()}
    ).where(Attachment.filename == "lampiran.pdf")
    found = [str(m) for m in await verify_content(a.store, a.ref)]
    assert any("lampiran.pdf" in m for m in found), found
    assert not any("draft.pdf" in m for m in found), found


async def _office_with_a_case(url: str) -> tuple[str, str]:
    db = await open_database(url, run_migrations=False)
    try:
        world = await provision(db, create_plugin_manager(environ={}))
        key = (await world.a.start_case(world.users["staf"], SOP_A, PERIOD)).key
        await seed_sample_format(world.a, PERIOD)
        return world.a.ref.slug, key
    finally:
        await close_database(db)


async def _attachments(url: str) -> int:
    db = await open_database(url, run_migrations=False)
    try:
        return await Attachment.count()
    finally:
        await close_database(db)


@pytest.mark.usefixtures("cheap_hasher")
def test_the_web_form_refuses_and_races_without_leftover_files(database_url: str) -> None:
    """The multipart "complete" of the case page: 422 on someone else's task and nothing
    stored; 20 concurrent posts by the task's person store one file."""
    slug, key = asyncio.run(_office_with_a_case(database_url))
    app = create_app(WebSettings(database_url=database_url, secret_key="k" * 40))
    path = f"/t/{slug}/cases/{key}"

    def signed_in(client: TestClient, username: str) -> str:
        client.cookies.clear()
        sign_in_sync(client, username, PASSWORD)
        return fetch_csrf(client, path)

    def post(client: TestClient, token: str, i: int) -> int:
        return client.post(
            f"{path}/tasks/1/complete",
            data={"_csrf_token": token, "note": f"draft {i}"},
            files={"attachment": (f"draft-{i}.pdf", f"%PDF {i}".encode(), "application/pdf")},
            follow_redirects=False,
        ).status_code

    with TestClient(app) as client:
        token = signed_in(client, "kasubag")
        assert post(client, token, 0) == 422
        assert f"{path}/attachments/" not in client.get(path).text
        token = signed_in(client, "staf")
        with ThreadPoolExecutor(max_workers=20) as pool:
            codes = sorted(pool.map(lambda i: post(client, token, i), range(1, 21)))
    assert codes.count(303) == 1, codes
    assert set(codes) <= {303, 422}, codes
    assert asyncio.run(_attachments(database_url)) == 1
