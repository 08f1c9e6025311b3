"""What an export archive must prove before it is believed (review of issue 15's archives).

The manifest is signed with the audit key: people or memberships added to an archive with
the member hashes recomputed (the reviewer's /tmp/review/tamper.py) are refused by
``alur audit verify --archive`` and by ``alur tenants import``, as is a manifest without a
signature or signed with a key this installation lacks. A file that is not a ZIP, a
truncated ZIP and a ZIP holding only a bare manifest are refused with a reason, never a
traceback. An export whose output cannot be written records nothing on the chain.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from alur.core import AlurPlugins
from tests.audit.test_audit_tamper import OFFICE, alur, one
from tests.offices import test_archive as shared
from tests.offices.test_archive import alur_env, ok

pytestmark = pytest.mark.usefixtures("cheap_hasher")
archive, banyumas = shared.archive, shared.banyumas  # its fixtures: one demo export, its plugins
OTHER_KEY = "other:" + base64.b64encode(b"another-installation-key" * 2).decode()


def tamper(src: Path, dst: Path) -> None:
    """/tmp/review/tamper.py: a new administrator added to people and memberships, the
    manifest's hashes and counts recomputed."""
    with zipfile.ZipFile(src) as zin:
        members = {n: zin.read(n) for n in zin.namelist()}
    manifest = json.loads(members["manifest.json"])
    people = members["people.jsonl"].decode()
    evil = dict(json.loads(people.splitlines()[0]), id=9999, username="penyusup", nip="1" * 18)
    members["people.jsonl"] = (people + json.dumps(evil) + "\n").encode()
    memberships = members["memberships.jsonl"].decode()
    m0 = json.loads(memberships.splitlines()[0])
    added = dict(m0, id=9999, user=9999, administrator=True)
    members["memberships.jsonl"] = (memberships + json.dumps(added) + "\n").encode()
    for name in ("people.jsonl", "memberships.jsonl"):
        manifest["members"][name] = hashlib.sha256(members[name]).hexdigest()
        manifest["counts"][name] += 1
    members["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(dst, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)


def with_manifest(src: Path, dst: Path, change) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name == "manifest.json":
                data = json.dumps(change(json.loads(data))).encode()
            zout.writestr(name, data)


def refused_offline(path: Path, plugins: AlurPlugins, env: dict[str, str] | None = None) -> str:
    args = ("audit", "verify", "--archive", str(path))
    result = alur_env("sqlite:///unused.db", plugins, env or {}, *args)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # no traceback
    assert "FAILED: the archive" in result.output
    return result.output


def refused_import(url: str, plugins: AlurPlugins, path: Path, code: int = 1) -> str:
    result = alur(url, plugins, "tenants", "import", str(path))
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # no traceback
    assert one(url, "SELECT COUNT(*) FROM alur_tenant WHERE slug = {}", OFFICE) == 0
    assert one(url, "SELECT COUNT(*) FROM alur_user WHERE username = 'penyusup'") == 0
    return result.output


def test_a_tampered_manifest_is_refused(
    database_url: str, archive: Path, banyumas: AlurPlugins, tmp_path: Path
) -> None:
    assert "every member matches" in ok("sqlite:///unused.db", banyumas, *_verify(archive))
    tamper(archive, tmp_path / "evil.zip")
    assert "its manifest signature does not match" in refused_offline(
        tmp_path / "evil.zip", banyumas
    )
    output = refused_import(database_url, banyumas, tmp_path / "evil.zip")
    assert "does not verify: its manifest signature does not match" in output

    with_manifest(archive, tmp_path / "unsigned.zip", lambda m: {**m, "signature": None})
    unsigned = "its manifest is not signed: it was made before Alur signed archives"
    assert unsigned in refused_offline(tmp_path / "unsigned.zip", banyumas)
    assert unsigned in refused_import(database_url, banyumas, tmp_path / "unsigned.zip")

    # signed with a key this installation lacks: offline, and the import says which to add
    both = {"ALUR_AUDIT_KEY": OTHER_KEY}
    assert "signed with audit key 'test', which ALUR_AUDIT_KEY lacks" in refused_offline(
        archive, banyumas, both
    )


def _verify(path: Path) -> tuple[str, ...]:
    return ("audit", "verify", "--archive", str(path))


def test_bad_archives_are_refused_with_a_reason(
    database_url: str, archive: Path, banyumas: AlurPlugins, tmp_path: Path
) -> None:
    not_zip = tmp_path / "not.zip"
    not_zip.write_bytes(b"hello\n")
    bare = tmp_path / "bare.zip"
    with zipfile.ZipFile(bare, "w") as z:
        z.writestr("manifest.json", json.dumps({"format": "alur-office-export/1"}))
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    for path, reason in (
        (not_zip, "is not an export archive"),
        (bare, "what an export writes: alur_version, exported_at, exported_by, office, "),
        (truncated, "is not an export archive"),
    ):
        assert reason in refused_offline(path, banyumas), path.name
    assert "is not a readable export archive (BadZipFile" in refused_import(
        database_url, banyumas, not_zip
    )
    output = refused_import(database_url, banyumas, bare)
    assert "does not verify: its manifest lacks (or holds a wrong type for) what" in output
    assert "migrations, chain, not_moved, counts, members, signature" in output
    assert "is not a readable export archive (BadZipFile" in refused_import(
        database_url, banyumas, truncated
    )


def test_an_export_that_cannot_be_written_records_nothing(
    database_url: str, banyumas: AlurPlugins, tmp_path: Path
) -> None:
    ok(database_url, banyumas, "demo")
    count = "SELECT chain_seq FROM alur_tenant WHERE slug = {}"
    before = one(database_url, count, OFFICE)
    output = tmp_path / "missing" / "x.zip"
    result = alur(database_url, banyumas, "tenants", "export", OFFICE, "--output", str(output))
    assert result.exit_code == 2, result.output
    assert f"cannot write the archive {output}: No such file or directory" in result.output
    assert "cannot use the database" not in result.output
    assert one(database_url, count, OFFICE) == before
    offboard = ("tenants", "offboard", OFFICE, "--export", str(output))
    assert alur(database_url, banyumas, *offboard).exit_code == 2
    assert one(database_url, count, OFFICE) == before
    assert not (tmp_path / "missing").exists()
    ok(database_url, banyumas, "audit", "verify")
