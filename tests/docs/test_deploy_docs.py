"""docs/deploy.md's settings table names every ``ALUR_`` variable that the code, the
benchmarks, the scripts and deploy/ use, with a default and a meaning, so it cannot go stale
when a setting is added."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "deploy.md"
# Where settings are read or set; the tests' own variables (tests/, plugins/*/tests/) are not
# settings of an installation.
SOURCES = ("core", "cli", "tenants", "web", "graphql", "reports", "bench", "plugins", "scripts")
NAME = re.compile(r"\bALUR_[A-Z0-9]+(?:_[A-Z0-9]+)*\b")
ROW = re.compile(r"^\| `(ALUR_[A-Z0-9_]+)` \| ([^|]+) \| ([^|]+) \|$", re.MULTILINE)


def documented() -> dict[str, tuple[str, str]]:
    section = DOC.read_text(encoding="utf-8").split("## Settings", 1)[1].split("\n## ", 1)[0]
    return {
        name: (default.strip(), meaning.strip()) for name, default, meaning in ROW.findall(section)
    }


def used_in_code() -> dict[str, str]:
    found: dict[str, str] = {}
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*")):
            parts = path.relative_to(ROOT).parts
            if not path.is_file() or "tests" in parts or "__pycache__" in parts:
                continue
            if path.suffix not in (".py", ".html", ".toml", "") and path.name != "setup":
                continue
            for name in NAME.findall(path.read_text(encoding="utf-8", errors="replace")):
                found.setdefault(name, path.relative_to(ROOT).as_posix())
    return found


def set_by_deploy_files() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted((ROOT / "deploy").rglob("*")):
        if path.is_file() and (path.suffix in (".yaml", ".conf") or path.name == "env.example"):
            for name in NAME.findall(path.read_text(encoding="utf-8", errors="replace")):
                found.setdefault(name, path.relative_to(ROOT).as_posix())
    return found


def test_the_table_has_a_default_and_a_meaning_for_each_setting() -> None:
    rows = documented()
    assert len(rows) >= 30
    for name, (default, meaning) in rows.items():
        assert default, name
        assert len(meaning) > 10, name


def test_every_setting_the_code_reads_is_documented() -> None:
    rows = documented()
    missing = {name: where for name, where in used_in_code().items() if name not in rows}
    assert not missing, f"add these to the table in docs/deploy.md: {missing}"


def test_every_setting_deploy_sets_is_documented() -> None:
    rows = documented()
    missing = {name: where for name, where in set_by_deploy_files().items() if name not in rows}
    assert not missing, f"add these to the table in docs/deploy.md: {missing}"


def test_the_manifests_set_only_alur_settings_and_their_own() -> None:
    """What the ConfigMap and the Secret carry is all in the table (no stray variable)."""
    rows = documented()
    for name in ("configmap.yaml", "secret.example.yaml"):
        (document,) = yaml.safe_load_all((ROOT / "deploy" / "k8s" / name).read_text())
        keys = {**document.get("data", {}), **document.get("stringData", {})}
        assert keys
        assert set(keys) <= set(rows), name
