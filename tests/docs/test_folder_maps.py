"""Every folder of tenants/, web/ and graphql/ has a README.md that maps each of its modules
and subfolders, so a module added or moved without its line in the map fails here."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("tenants", "web", "graphql")


def _package_folders() -> list[Path]:
    folders = []
    for layer in LAYERS:
        for folder in sorted([ROOT / layer, *(ROOT / layer).rglob("*")]):
            if (
                folder.is_dir()
                and "__pycache__" not in folder.parts
                and folder.name != "piccolo_migrations"
                and any(folder.glob("*.py"))
            ):
                folders.append(folder)
    return folders


@pytest.mark.parametrize("folder", _package_folders(), ids=lambda f: f.relative_to(ROOT).as_posix())
def test_the_folder_readme_maps_every_module(folder: Path) -> None:
    readme = folder / "README.md"
    where = folder.relative_to(ROOT).as_posix()
    assert readme.is_file(), f"{where}/ has no README.md mapping its modules"
    text = readme.read_text(encoding="utf-8")
    names = [f.name for f in folder.glob("*.py") if f.name != "__init__.py"]
    names += [
        f"{d.name}/"
        for d in folder.iterdir()
        if d.is_dir() and (any(d.glob("*.py")) or d.name == "piccolo_migrations")
    ]
    missing = sorted(
        name for name in names if f"`{name}`" not in text and f"[`{name}`]" not in text
    )
    assert not missing, f"{where}/README.md does not map {missing}"
