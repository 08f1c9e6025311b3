"""Packaging: the repository layout never shadows graphql-core, and wheels are complete."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA_SUFFIXES = {".py", ".typed", ".md", ".html", ".css", ".js", ".po", ".txt"}
PORTIONS = {
    "core": "alur/core",
    "cli": "alur/cli",
    "tenants": "alur/tenants",
    "web": "alur/web",
    "graphql": "alur/graphql",
}


def test_graphql_folder_has_no_init() -> None:
    assert not (ROOT / "graphql" / "__init__.py").exists()


def test_import_graphql_from_the_repository_root_is_graphql_core() -> None:
    # "python -c" puts the working directory first on sys.path.
    out = subprocess.run(
        [sys.executable, "-c", "import graphql; print(graphql.__file__); print(graphql.version)"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    assert "site-packages" in out[0]
    assert not out[0].startswith(str(ROOT / "graphql"))
    assert out[1]  # graphql-core's version string


def test_alur_graphql_is_importable_as_our_namespace_portion() -> None:
    out = subprocess.run(
        [sys.executable, "-c", "import alur.graphql, graphql; print(list(alur.graphql.__path__))"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(ROOT / "graphql") in out


def _build_wheel(source: Path, out: Path) -> zipfile.ZipFile:
    """Build from a clean copy, so that no build/ or egg-info left in the tree helps."""
    clean = out / "src"
    shutil.copytree(
        source,
        clean,
        ignore=shutil.ignore_patterns(
            ".venv",
            ".git",
            "build",
            "dist",
            "*.egg-info",
            "__pycache__",
            ".hypothesis",
            "artifacts",
        ),
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(out),
            str(clean),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    (wheel,) = out.glob("*.whl")
    return zipfile.ZipFile(wheel)


@pytest.mark.slow
def test_wheel_contains_every_subpackage_and_data_file(tmp_path: Path) -> None:
    names = set(_build_wheel(ROOT, tmp_path).namelist())
    expected = set()
    for folder, target in PORTIONS.items():
        for f in (ROOT / folder).rglob("*"):
            if (
                f.is_file()
                and (f.suffix in {".py", ".typed", ".md"})
                and "__pycache__" not in f.parts
            ):
                expected.add(f"{target}/{f.relative_to(ROOT / folder).as_posix()}")
    missing = sorted(expected - names)
    assert not missing, f"files missing from the wheel: {missing}"
    assert "alur/core/engine/machine.py" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    with zipfile.ZipFile(next(tmp_path.glob("*.whl"))) as z:
        assert "alur = alur.cli.main:cli" in z.read(entry_points).decode()


@pytest.mark.slow
@pytest.mark.parametrize(
    "plugin",
    sorted(p.name for p in (ROOT / "plugins").iterdir() if (p / "pyproject.toml").exists()),
)
def test_plugin_wheels_contain_their_sop_files(plugin: str, tmp_path: Path) -> None:
    source = ROOT / "plugins" / plugin
    names = set(_build_wheel(source, tmp_path).namelist())
    sops = [f.relative_to(source).as_posix() for f in source.rglob("sop/*.toml")]
    assert sops
    assert set(sops) <= names
    ep = next(n for n in names if n.endswith("entry_points.txt"))
    with zipfile.ZipFile(next(tmp_path.glob("*.whl"))) as z:
        assert "[alur.plugins]" in z.read(ep).decode()
