"""An office's export archive (issue 15, the life of offices), on SQLite and PostgreSQL.

The demo office is exported, checked offline (``alur audit verify --archive``), imported
into the other backend beside another office (so every row id changes), exported again and
imported back: each time every case replays to its stored state, ``alur audit verify``
passes and the counts are equal. A tampered archive (a changed event, a changed attachment
byte, a removed member) is caught offline, and an import is refused with a reason when the
office exists, its plugin is missing, its audit key is unknown or a username is taken.
"""

from __future__ import annotations

import asyncio
import base64
import json
import zipfile
from pathlib import Path

import pytest

from alur.core import AlurPlugins, create_plugin_manager
from alur.tenants.audit.keys import audit_keys
from alur.tenants.cases.service import TenantService
from alur.tenants.demo.offices import DEMO_PASSWORD
from alur.tenants.offices.archive import signed
from alur.tenants.sop_life.revisions import SopRevisions
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.storage.tables import OfficePlugin, User
from tests.audit.test_audit_tamper import OFFICE, alur, one, sql

pytestmark = pytest.mark.usefixtures("cheap_hasher")

OTHER = {"sqlite": "postgresql", "postgresql": "sqlite"}
# what an import must carry over unchanged: (label, SQL counting it for the office {})
COUNTS = {
    "cases": "SELECT COUNT(*) FROM alur_case WHERE tenant = {}",
    "tasks": "SELECT COUNT(*) FROM alur_task WHERE tenant = {}",
    "timers": "SELECT COUNT(*) FROM alur_timer WHERE tenant = {}",
    "attachments": "SELECT COUNT(*) FROM alur_attachment WHERE tenant = {}",
    "submissions": "SELECT COUNT(*) FROM alur_kinerja_submission WHERE tenant = {}",
    "indicators": "SELECT COUNT(*) FROM alur_indicator WHERE tenant = {}",
    "memberships": "SELECT COUNT(*) FROM alur_membership WHERE tenant = {}",
    "units": "SELECT COUNT(*) FROM alur_unit WHERE tenant = {}",
    "case events": 'SELECT COUNT(*) FROM alur_event WHERE tenant = {} AND "case" IS NOT NULL',
    "attachment bytes": "SELECT SUM(size) FROM alur_attachment WHERE tenant = {}",
    "SOP revisions": "SELECT COUNT(*) FROM alur_sop_revision WHERE tenant = {}",
    "approved revisions": (
        "SELECT COUNT(*) FROM alur_sop_revision r JOIN alur_user u ON u.id = r.approved_by "
        "WHERE r.tenant = {} AND u.username = 'satpolpp.kepala_satuan'"
    ),
    "allowed plugins": "SELECT COUNT(*) FROM alur_office_plugin WHERE tenant = {}",
    "monev forms": "SELECT COUNT(*) FROM alur_monev_form WHERE tenant = {}",
    # every version still belongs to a form of the office (its ids moved with it)
    "monev versions": (
        "SELECT COUNT(*) FROM alur_monev_version v JOIN alur_monev_form f ON f.id = v.monev "
        "AND f.tenant = v.tenant WHERE v.tenant = {}"
    ),
}


def revise(url: str, plugins: AlurPlugins) -> None:
    """The office's own revision of its SOP, approved by its kepala, and a second plugin
    allowed: what the office's SOP life adds to an export."""

    async def work() -> None:
        db = await open_database(url)
        try:
            service = await TenantService.open(db, plugins, OFFICE)
            people = {
                r["username"]: r["id"]
                for r in await User.select(User.id, User.username).where(
                    User.username.is_in(["satpolpp.admin", "satpolpp.kepala_satuan"])
                )
            }
            sop = next(iter(service.sops()))
            drafts = SopRevisions(service, people["satpolpp.admin"])
            draft = await drafts.start_draft(sop)
            draft = await drafts.save_draft(
                sop,
                draft.number,
                {"header": {"nomor": "800/9/2027"}},
                effective_on=service.today().isoformat(),
                version=draft.version,
            )
            draft = await drafts.submit(sop, draft.number, version=draft.version)
            head = SopRevisions(service, people["satpolpp.kepala_satuan"])
            await head.approve(sop, draft.number, version=draft.version, password=DEMO_PASSWORD)
            await OfficePlugin.insert(
                OfficePlugin(tenant=service.ref.id, plugin="kesbangpol_pekalongan")
            )
        finally:
            await close_database(db)

    asyncio.run(work())


@pytest.fixture(scope="module")
def banyumas() -> AlurPlugins:
    return create_plugin_manager(
        environ={"ALUR_DISABLE_PLUGINS": "biro_organisasi_kalbar kesbangpol_pekalongan"}
    )


@pytest.fixture(scope="module")
def two_plugins() -> AlurPlugins:
    return create_plugin_manager(environ={"ALUR_DISABLE_PLUGINS": "biro_organisasi_kalbar"})


@pytest.fixture(scope="module")
def no_banyumas() -> AlurPlugins:
    return create_plugin_manager(environ={"ALUR_DISABLE_PLUGINS": "satpolpp_banyumas"})


def counts(url: str) -> dict[str, int]:
    tenant = one(url, "SELECT id FROM alur_tenant WHERE slug = {}", OFFICE)
    return {label: one(url, q, tenant) for label, q in COUNTS.items()}


def ok(url: str, plugins: AlurPlugins, *args: str) -> str:
    result = alur(url, plugins, *args)
    assert result.exit_code == 0, result.output
    return result.output


def exported(url: str, plugins: AlurPlugins, path: Path) -> Path:
    ok(url, plugins, "tenants", "export", OFFICE, "--output", str(path))
    assert "chain intact" in ok(url, plugins, "audit", "verify", "--archive", str(path))
    return path


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory, banyumas: AlurPlugins) -> Path:
    """One export of the demo office (SQLite), for the offline checks."""
    directory = tmp_path_factory.mktemp("archive")
    url = f"sqlite:///{directory / 'alur.db'}"
    ok(url, banyumas, "demo")
    return exported(url, banyumas, directory / "demo.zip")


def test_round_trip_between_backends(
    database_url: str,
    fresh_databases,
    banyumas: AlurPlugins,
    two_plugins: AlurPlugins,
    tmp_path: Path,
) -> None:
    ok(database_url, banyumas, "demo")
    revise(database_url, banyumas)
    before = counts(database_url)
    assert (before["SOP revisions"], before["approved revisions"]) == (1, 1)
    assert before["monev forms"] >= 1
    assert before["monev versions"] >= before["monev forms"]
    first = exported(database_url, banyumas, tmp_path / "first.zip")
    source_backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    # the other backend, already holding another office and its people: every id moves
    target = fresh_databases.url(OTHER[source_backend])
    ok(
        target,
        create_plugin_manager(
            environ={"ALUR_DISABLE_PLUGINS": "biro_organisasi_kalbar satpolpp_banyumas"}
        ),
        "demo",
    )
    imported = ok(target, two_plugins, "tenants", "import", str(first))
    assert "NO usable password" in imported
    assert "satpolpp.admin" in imported
    assert counts(target) == before
    verified = ok(target, two_plugins, "audit", "verify")
    assert f"{OFFICE}: " in verified
    assert "chain intact" in verified
    assert one(target, "SELECT COUNT(*) FROM alur_user WHERE password_hash LIKE '!imported%'") == 9
    # and back, into a fresh database of the first backend
    second = exported(target, two_plugins, tmp_path / "second.zip")
    home = fresh_databases.url(source_backend)
    ok(home, banyumas, "tenants", "import", str(second))
    assert counts(home) == before
    ok(home, banyumas, "audit", "verify")
    # the provenance: each import names the archive it came from, on the new chain
    payload = sql(
        home, "SELECT payload FROM alur_event WHERE kind = 'office_changed' ORDER BY chain_seq"
    )
    changes = [json.loads(p[0]) if isinstance(p[0], str) else p[0] for p in payload]
    assert [c["change"] for c in changes if c["change"].startswith("office_")] == [
        "office_exported",
        "office_imported",
        "office_exported",
        "office_imported",
    ]


def _rewrite(src: Path, dst: Path, change, *, rehash: bool = True, manifest_change=None) -> None:
    """Copy the archive, changing members with ``change(name, bytes) -> bytes | None``
    (None: leave the member out); with ``rehash`` the manifest is made to match and signed
    again with the audit key (as only a holder of the key could: the deeper checks still
    catch the change)."""
    with zipfile.ZipFile(src) as zin:
        manifest = json.loads(zin.read("manifest.json"))
        with zipfile.ZipFile(dst, "w") as zout:
            import hashlib

            for name in zin.namelist():
                if name == "manifest.json":
                    continue
                data = change(name, zin.read(name))
                if data is None:
                    continue
                if rehash:
                    manifest["members"][name] = hashlib.sha256(data).hexdigest()
                zout.writestr(name, data)
            if manifest_change is not None:
                manifest_change(manifest)
            if rehash:
                manifest = signed(manifest, audit_keys())
            zout.writestr("manifest.json", json.dumps(manifest))


def _verify(path: Path, banyumas: AlurPlugins) -> str:
    result = alur("sqlite:///unused.db", banyumas, "audit", "verify", "--archive", str(path))
    assert result.exit_code == 1, result.output
    return result.output


def test_a_changed_event_is_caught(archive: Path, tmp_path: Path, banyumas: AlurPlugins) -> None:
    def change(name: str, data: bytes) -> bytes:
        if name != "events.jsonl":
            return data
        lines = data.decode().splitlines(keepends=True)
        row = json.loads(lines[5])
        row["note"] = "diubah"
        lines[5] = json.dumps(row, sort_keys=True) + "\n"
        return "".join(lines).encode()

    _rewrite(archive, tmp_path / "a.zip", change, rehash=False)
    assert "member events.jsonl does not match its SHA-256" in _verify(tmp_path / "a.zip", banyumas)
    _rewrite(archive, tmp_path / "b.zip", change)  # the manifest fixed up too: the chain says
    assert "chain broken at event #6" in _verify(tmp_path / "b.zip", banyumas)


def test_a_changed_attachment_byte_is_caught(
    archive: Path, tmp_path: Path, banyumas: AlurPlugins
) -> None:
    def change(name: str, data: bytes) -> bytes:
        if name.startswith("attachments/") and not change.done:  # type: ignore[attr-defined]
            change.done = True  # type: ignore[attr-defined]
            return bytes([data[0] ^ 1]) + data[1:]
        return data

    change.done = False  # type: ignore[attr-defined]
    _rewrite(archive, tmp_path / "c.zip", change)
    assert "its content does not match its stored hash" in _verify(tmp_path / "c.zip", banyumas)


def test_a_removed_member_is_caught(archive: Path, tmp_path: Path, banyumas: AlurPlugins) -> None:
    _rewrite(
        archive, tmp_path / "d.zip", lambda n, d: None if n == "tasks.jsonl" else d, rehash=False
    )
    assert "member tasks.jsonl is listed in the manifest but missing" in _verify(
        tmp_path / "d.zip", banyumas
    )


def test_import_refusals(
    database_url: str, archive: Path, banyumas: AlurPlugins, no_banyumas: AlurPlugins
) -> None:
    ok(database_url, banyumas, "demo")
    exists = alur(database_url, banyumas, "tenants", "import", str(archive))
    assert exists.exit_code == 2
    assert f'an office with slug "{OFFICE}" already exists' in exists.output
    sql(database_url, "UPDATE alur_tenant SET slug = 'lain' WHERE slug = {}", OFFICE)
    missing = alur(database_url, no_banyumas, "tenants", "import", str(archive))
    assert missing.exit_code == 2, missing.output
    assert 'plugin "satpolpp_banyumas"' in missing.output
    assert "is disabled" in missing.output
    other_key = "other:" + base64.b64encode(b"another-installation-key" * 2).decode()
    result = alur_env(
        database_url, banyumas, {"ALUR_AUDIT_KEY": other_key}, "tenants", "import", str(archive)
    )
    assert result.exit_code == 2, result.output
    assert "signed with audit key test, which ALUR_AUDIT_KEY lacks" in result.output
    assert "the first key signs" in result.output
    sql(database_url, "UPDATE alur_user SET name = 'Orang Lain' WHERE username = 'satpolpp.staf'")
    taken = alur(database_url, banyumas, "tenants", "import", str(archive))
    assert taken.exit_code == 2, taken.output
    assert "already exist here as other people (not the same NIP and name): satpolpp.staf" in (
        taken.output
    )
    assert one(database_url, "SELECT COUNT(*) FROM alur_tenant WHERE slug = {}", OFFICE) == 0


def alur_env(url: str, plugins: AlurPlugins, env: dict[str, str], *args: str):
    from click.testing import CliRunner

    from alur.cli.main import cli

    return CliRunner().invoke(
        cli,
        list(args),
        obj=lambda: plugins,
        env={"ALUR_DATABASE_URL": url, "COLUMNS": "250", **env},
    )


NEW_MEMBERS = ("office_plugins.jsonl", "sop_revisions.jsonl")
REVISIONS_MIGRATION = "2026-12-03T12:00:00:000000"


def test_an_archive_from_before_sop_revisions_still_verifies(
    archive: Path, tmp_path: Path, banyumas: AlurPlugins
) -> None:
    """An archive made before the office SOP revisions existed has no such members: it is
    not refused for lacking them — but one made after is."""

    def older(manifest: dict) -> None:
        for name in NEW_MEMBERS:
            manifest["members"].pop(name, None)
            manifest["counts"].pop(name, None)
        manifest["migrations"] = [m for m in manifest["migrations"] if m != REVISIONS_MIGRATION]

    def drop(name: str, data: bytes) -> bytes | None:
        return None if name in NEW_MEMBERS else data

    _rewrite(archive, tmp_path / "old.zip", drop, manifest_change=older)
    result = alur(
        "sqlite:///unused.db", banyumas, "audit", "verify", "--archive", str(tmp_path / "old.zip")
    )
    assert result.exit_code == 0, result.output

    def newer_but_missing(manifest: dict) -> None:
        for name in NEW_MEMBERS:
            manifest["members"].pop(name, None)
            manifest["counts"].pop(name, None)

    _rewrite(archive, tmp_path / "new.zip", drop, manifest_change=newer_but_missing)
    assert "does not list the member sop_revisions.jsonl" in _verify(tmp_path / "new.zip", banyumas)
