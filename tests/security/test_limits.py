"""The input limits of :mod:`alur.core.limits`, applied by the services the same way on
SQLite and PostgreSQL (the values the outside probe sent: a 1 MB period and name, a
33-character NIP, NUL bytes, ids beyond 64 bits, deep JSON)."""

from __future__ import annotations

from datetime import date

import pytest

from alur.core import limits
from alur.core.engine import Complete
from alur.core.officials import nip_problem
from alur.graphql.testing import PASSWORD, SOP_A, World
from alur.tenants.errors import InvalidInput, NotFound
from alur.tenants.identity.people import create_user, sign_in
from alur.tenants.storage.tables import Attachment, Case, Event, User
from alur.web.downloads import content_disposition

pytestmark = pytest.mark.anyio
MEGABYTE = "x" * 1_000_000


def test_the_rules_are_pure() -> None:
    assert limits.text_problem("Triwulan IV 2026", limits.PERIOD) is None
    assert limits.text_problem("a\x00b", limits.NOTE)
    assert limits.text_problem("\ud800", limits.NOTE)
    assert limits.text_problem("two\nlines", limits.LINE)
    assert limits.text_problem("two\nlines", limits.NOTE) is None
    today = date(2026, 12, 3)
    assert nip_problem("1" * 33, today)
    assert nip_problem("19800101 2005 1 001", today)
    assert nip_problem("19800101 200501 1 001", today) is None
    assert nip_problem("198001012005011001", today) is None
    assert not limits.usable_id(2**63)
    assert not limits.usable_id(2**31)  # row ids are SERIAL: 32-bit on PostgreSQL
    assert limits.usable_id(2**31 - 1)
    assert not limits.usable_id(-1)
    assert limits.usable_id(1)
    deep: object = "x"
    for _ in range(limits.JSON_DEPTH + 1):
        deep = {"k": deep}
    assert limits.json_problem(deep)
    assert limits.json_problem({"k": 2**70})
    assert limits.json_problem({"k": [1, {"a": "b"}]}) is None


def test_content_disposition_keeps_names_as_data() -> None:
    evil = content_disposition("x.pdf\"; filename*=UTF-8''evil.html")
    assert evil.count(";") == 2
    assert evil.count('"') == 2
    assert content_disposition("данные.pdf").endswith("''%D0%B4%D0%B0%D0%BD%D0%BD%D1%8B%D0%B5.pdf")
    assert "\r" not in content_disposition("a\r\nSet-Cookie: x=y.pdf")


async def test_the_services_refuse_what_postgresql_cannot_store(world: World) -> None:
    a, staf = world.a, world.users["staf"]
    with pytest.raises(InvalidInput) as period:
        await a.start_case(staf, SOP_A, MEGABYTE)
    assert set(period.value.errors) == {"period"}
    with pytest.raises(InvalidInput) as nul:
        await a.start_case(staf, SOP_A, "Triwulan\x00IV")
    assert set(nul.value.errors) == {"period"}
    with pytest.raises(InvalidInput) as person:
        await create_user("baru", MEGABYTE, PASSWORD, nip="1" * 33, jabatan="a\x00")
    assert set(person.value.errors) == {"name", "nip", "jabatan"}
    assert await User.count().where(User.username == "baru") == 0
    key = (await a.start_case(staf, SOP_A, "Triwulan IV 2026")).key
    events = await Event.count()
    for action in (Complete(1, "a\x00b"), Complete(1, "", {"k": [[[[[[[[["x"]]]]]]]]]})):
        with pytest.raises(InvalidInput):
            await a.act(staf, key, action)
    assert await Event.count() == events
    for lookup in (
        lambda: a.case("\x00"),
        lambda: a.case(MEGABYTE),
        lambda: a.attachment(staf, key, 2**64),
        lambda: a.user(-(2**70)),
        lambda: a.reassign(staf, key, 1, 2**63),
        lambda: a.reassign(staf, key, 1, 2**31),  # beyond PostgreSQL's SERIAL ids
    ):
        with pytest.raises(NotFound):
            await lookup()
    assert await Case.count() == 2  # office B's case and this one
    assert await sign_in("staf\x00", PASSWORD) is None
    assert await sign_in("staf", "rahasia\x00") is None
    assert await sign_in(MEGABYTE, PASSWORD) is None


# A file name that would lose its extension when cut to the column, and names with Unicode
# format characters (bidi overrides and isolates, zero-width marks): "invoice\u202efdp.exe"
# shows as "invoiceexe.pdf".
LONG_NAME = "a" * 252 + ".pdf"
DISGUISED_NAMES = tuple(
    f"invoice{c}fdp.exe"
    for c in ("\u202e", "\u202a", "\u202d", "\u200e", "\u200f", "\u2066", "\u2069", "\u200b")
)


def test_file_names_are_refused_rather_than_cut_or_disguised() -> None:
    from alur.tenants.cases.uploads import check_upload

    assert check_upload("a" * 251 + ".pdf", "application/pdf", b"%PDF")[1] == {}
    assert check_upload("laporan akhir (1).pdf", "application/pdf", b"%PDF")[1] == {}
    assert check_upload("данные ملف.pdf", "application/pdf", b"%PDF")[1] == {}
    for name in (LONG_NAME, *DISGUISED_NAMES):
        assert set(check_upload(name, "application/pdf", b"%PDF")[1]) == {"filename"}, name
    assert limits.file_name_problem("invoice\u202efdp.exe")
    assert limits.file_name_problem(LONG_NAME)


async def test_attachments_with_such_names_are_not_stored(world: World) -> None:
    a, staf = world.a, world.users["staf"]
    key = (await a.start_case(staf, SOP_A, "Triwulan IV 2026")).key
    for name in (LONG_NAME, *DISGUISED_NAMES):
        with pytest.raises(InvalidInput) as refused:
            await a.attach(staf, key, None, name, "application/pdf", b"%PDF-1.7")
        assert set(refused.value.errors) == {"filename"}, name
    assert await Attachment.count() == 0
