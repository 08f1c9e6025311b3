"""A revision as a TOML file (alur.tenants.sop_life.files): exported with its commented
header and read back unchanged, on SQLite and PostgreSQL; a bad file is refused with every
problem (the TOML line, the size, the shape, a field the plugin keeps fixed) and nothing
saved."""

from __future__ import annotations

import pytest

from alur.tenants.errors import InvalidInput
from alur.tenants.sop_life.files import (
    MAX_BYTES,
    import_revision,
    read_revision_toml,
    revision_toml,
)
from alur.tenants.sop_life.revisions import SopRevisions
from alur.tenants.storage.tables import SopRevision
from tests.sop_life.test_revisions import SOP, office, opened

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("cheap_hasher")]


async def test_a_revision_file_is_exported_and_imported_back(installed, database) -> None:
    slug, admin, *_ = await office(installed, database)
    service = await opened(database, installed, slug)
    drafts = SopRevisions(service, admin)
    draft = await drafts.start_draft(SOP)
    step = next(s for s in service.sop(SOP).steps if s.waktu.amount is not None)
    part = {
        "header": {"nomor": "800/1/2027", "dasar_hukum": ["Perda Cilacap 1/2027", "Perbup 2"]},
        "steps": [{"number": step.number, "waktu": "3 hari", "keterangan": 'dicek "ganda"'}],
    }
    saved = await drafts.save_draft(SOP, 0, part, effective_on="2027-02-01", version=draft.version)
    base = await drafts.base(saved)
    text = revision_toml(saved, base, office="Satpol PP Cilacap")
    head = text.split("[revision]")[0]
    assert "Satpol PP Cilacap" in head
    assert "Revisi ke-0" in head
    assert saved.base_hash in head
    assert base.header.nama in head
    mapping, effective_on, problems = read_revision_toml(text, sop_id=SOP, number=0)
    assert problems == {}
    assert effective_on.isoformat() == "2027-02-01"
    assert mapping == saved.part.to_mapping()

    changed = text.replace('waktu = "3 hari"', 'waktu = "4 hari"').replace(
        'effective_on = "2027-02-01"', 'effective_on = "2027-03-01"'
    )
    imported = await import_revision(drafts, SOP, 0, changed.encode())
    assert imported.version == saved.version + 1
    assert imported.part.steps[step.number]["waktu"] == "4 hari"
    assert imported.part.header["nomor"] == "800/1/2027"
    assert imported.effective_on.isoformat() == "2027-03-01"
    # A file without [revision] keeps the draft's tanggal efektif.
    bare = f'[[steps]]\nnumber = {step.number}\nwaktu = "5 hari"\n'
    again = await import_revision(drafts, SOP, 0, bare)
    assert again.effective_on == imported.effective_on
    assert again.part.to_mapping()["steps"] == [{"number": step.number, "waktu": "5 hari"}]
    # …and the fields naming the office stay empty: never the institution's again.
    assert (again.part.header["nomor"], again.part.header["disahkan_oleh"].nama) == ("", "")


def test_a_broken_file_is_refused_with_what_is_wrong() -> None:
    _, _, problems = read_revision_toml('[header]\nnomor = "800/1\n')
    assert set(problems) == {"file"}
    assert "not valid TOML" in problems["file"]
    assert "line 2" in problems["file"]

    big = "# " + "x" * MAX_BYTES + "\n"
    _, _, problems = read_revision_toml(big)
    assert set(problems) == {"file"}
    assert "256 KiB" in problems["file"]

    _, _, problems = read_revision_toml(b"\xff\xfe[header]")
    assert set(problems) == {"file"}

    shape = """
[revision]
sop = "sop-lain"
number = 3
effective_on = "1 Februari 2027"
signed = true

[header]
nomor = 800
warna = "merah"

[[steps]]
number = 2
actor = "kepala_satuan"
"""
    part, effective_on, problems = read_revision_toml(shape, sop_id=SOP, number=0)
    assert effective_on is None
    assert set(problems) == {
        "revision.sop",
        "revision.number",
        "revision.signed",
        "effective_on",
        "header.nomor",
        "header.warna",
        "steps.2.actor",
    }
    assert "revision" not in part
    _, _, problems = read_revision_toml("[revision]\neffective_on = 2027-02-01\n")
    assert problems == {}  # a TOML date is a date too


async def test_an_import_lists_every_problem_and_saves_nothing(installed, database) -> None:
    slug, admin, *_ = await office(installed, database)
    service = await opened(database, installed, slug)
    drafts = SopRevisions(service, admin)
    draft = await drafts.start_draft(SOP)
    bad = """
[revision]
effective_on = "2027-13-01"

[header]
nama = "Nama lain"
tanggal = "kemarin"

[[steps]]
number = 1
waktu = "sebentar"

[[steps]]
number = 99
waktu = "1 hari"
"""
    with pytest.raises(InvalidInput) as refused:
        await import_revision(drafts, SOP, 0, bad)
    assert set(refused.value.errors) == {
        "effective_on",
        "header.tanggal",  # the file's shape
        "header.nama",  # the plugin keeps it fixed
        "steps.1.waktu",
        "steps.99",
    }
    row = await SopRevision.select(SopRevision.version, SopRevision.part).first()
    assert row["version"] == draft.version
    with pytest.raises(InvalidInput) as refused:
        await import_revision(drafts, SOP, 0, "[header\n")
    assert set(refused.value.errors) == {"file"}
