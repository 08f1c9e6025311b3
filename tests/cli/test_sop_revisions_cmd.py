"""``alur sop revisions | export-revision | import-revision`` on SQLite and PostgreSQL: an
operator lists an office's revisions (table and JSON, the one in force marked), exports a
draft, edits and imports it as the office admin; a bad file lists every problem with exit 1
and saves nothing; someone without the right is refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import anyio
import pytest

from alur.core import AlurPlugins
from alur.tenants.cases.service import TenantService
from alur.tenants.sop_life.revisions import SopRevisions
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.storage.tables import User
from tests.cli.cli_helpers import ok, usage_error

pytestmark = pytest.mark.usefixtures("cheap_hasher")
SLUG = "satpolpp-cilacap"
SOP = "pengumpulan-data-kinerja"
NIP = "197001012000031001"


def as_person(url: str, installed: AlurPlugins, username: str, act) -> object:
    """Run ``act(revisions)`` as ``username`` of the office (what the web pages would do)."""

    async def work() -> object:
        db = await open_database(url, run_migrations=False)
        try:
            service = await TenantService.open(db, installed, SLUG)
            user = await User.select(User.id).where(User.username == username).first()
            return await act(SopRevisions(service, user["id"]))
        finally:
            await close_database(db)

    return anyio.run(work)


def listed(run, url: str) -> list[dict]:
    return json.loads(ok(run(f"sop revisions --tenant {SLUG} --format json", url=url)).stdout)


def test_an_operator_lists_exports_and_imports_revisions(
    run, database_url: str, installed: AlurPlugins, tmp_path: Path
) -> None:
    url = database_url
    ok(run(f"tenants create --slug {SLUG} --name 'Satpol PP Cilacap' "
           "--plugin satpolpp_banyumas", url=url))  # fmt: skip
    create = "users create --password rahasia-2026 --tenant " + SLUG
    ok(run(f"{create} --username admin --name Admin --admin", url=url))
    ok(run(f"{create} --username staf --name Staf --role staf", url=url))
    ok(run(f"{create} --username kepala --name 'Drs. KEPALA' --nip {NIP} "
           "--jabatan 'Kepala Satpol PP' --role kepala_satuan", url=url))  # fmt: skip
    assert "has no SOP revisions" in ok(run(f"sop revisions --tenant {SLUG}", url=url)).stdout

    draft = as_person(url, installed, "admin", lambda r: r.start_draft(SOP))
    exported = tmp_path / "revisi-0.toml"
    ok(run(f"sop export-revision --tenant {SLUG} --sop {SOP} --number 0 -o {exported}", url=url))
    text = exported.read_text(encoding="utf-8")
    assert "Satpol PP Cilacap" in text
    assert "Revisi ke-0" in text
    assert draft.base_hash in text

    today = datetime.now(UTC).date().isoformat()
    edited = tmp_path / "edited.toml"
    edited.write_text(
        text.replace("[revision]", f'[revision]\neffective_on = "{today}"')
        + '\n[[steps]]\nnumber = 2\nwaktu = "3 hari"\n',
        encoding="utf-8",
    )
    imported = ok(
        run(f"sop import-revision --tenant {SLUG} --sop {SOP} --number 0 --as admin {edited}",
            url=url)
    )  # fmt: skip
    assert "Saved Revisi ke-0" in imported.stdout
    (row,) = listed(run, url)
    assert (row["number"], row["state"], row["effective_on"]) == (0, "draf", today)
    assert row["in_force"] is False

    # Every problem of a bad file at once, exit 1, nothing saved.
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[header]\nnama = "Lain"\nwarna = "merah"\n\n[[steps]]\nnumber = 2\nwaktu = "sebentar"\n'
        '\n[[steps]]\nnumber = 99\nwaktu = "1 hari"\n',
        encoding="utf-8",
    )
    refused = run(f"sop import-revision --tenant {SLUG} --sop {SOP} --number 0 --as admin {bad}",
                  url=url)  # fmt: skip
    assert refused.exit_code == 1, refused.output
    for line in ("header.nama:", "header.warna:", "steps.2.waktu:", "steps.99:"):
        assert line in refused.stderr
    assert "Traceback" not in refused.output
    broken = tmp_path / "broken.toml"
    broken.write_text('[header]\nnomor = "800\n', encoding="utf-8")
    refused = run(f"sop import-revision --tenant {SLUG} --sop {SOP} --number 0 --as admin "
                  f"{broken}", url=url)  # fmt: skip
    assert refused.exit_code == 1
    assert "line 2" in refused.stderr
    refused = run(f"sop import-revision --tenant {SLUG} --sop {SOP} --number 0 --as staf "
                  f"{edited}", url=url)  # fmt: skip
    assert refused.exit_code == 1
    assert "draft revisions of this SOP" in refused.stderr
    assert listed(run, url)[0]["version"] == row["version"]

    usage_error(run("sop revisions --tenant nowhere", url=url), "nowhere")
    usage_error(run(f"sop revisions --tenant {SLUG} --sop nothing", url=url), "nothing")
    usage_error(run(f"sop export-revision --tenant {SLUG} --sop {SOP} --number 7", url=url), "7")

    # Submitted and approved by the kepala: in force today, marked, signed with the NIP.
    async def submit(r: SopRevisions):
        current = await r.get(SOP, 0)
        return await r.submit(SOP, 0, version=current.version)

    submitted = as_person(url, installed, "admin", submit)
    as_person(
        url,
        installed,
        "kepala",
        lambda r: r.approve(SOP, 0, version=submitted.version, password="rahasia-2026"),
    )
    (row,) = listed(run, url)
    assert (row["state"], row["in_force"]) == ("berlaku", True)
    assert row["disahkan_oleh"] == {"nama": "Drs. KEPALA", "jabatan": "Kepala Satpol PP",
                                    "nip": NIP}  # fmt: skip
    table = ok(run(f"sop revisions --tenant {SLUG} --sop {SOP}", url=url)).stdout
    (line,) = [t for t in table.splitlines() if SOP in t]
    for cell in ("ke-0", "berlaku", today, "Drs. KEPALA", row["content_hash"][:12], "*"):
        assert cell in line, table
