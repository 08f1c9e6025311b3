"""docs/plugins.md stays true: every hook documented with its exact signature, no hook
documented that does not exist, and the complete example plugin works.

Conventions of docs/plugins.md that these tests rely on:

* a hook's signature is a fenced ``python`` block holding only ``def alur_…(…) -> …``
  (no body, no trailing colon), under a heading naming the hook in backticks;
* the files of the complete example are the fenced blocks with a ``title="PATH"`` info
  string, PATH relative to the example project's root.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from litestar.testing import TestClient

from alur.core import AlurPlugins, create_plugin_manager, hookspecs, load_package_definitions
from alur.tenants.identity.memberships import add_membership
from alur.tenants.identity.people import create_user
from alur.tenants.offices.provisioning import create_tenant
from alur.tenants.storage.database import close_database, open_database
from alur.web.app import create_app
from alur.web.settings import WebSettings
from alur.web.testing import fetch_csrf, sign_in_sync

DOC = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
FENCE = re.compile(r"^```(?P<info>[^\n]*)\n(?P<body>.*?)^```\s*$", re.MULTILINE | re.DOTALL)
TITLE = re.compile(r'title="(?P<path>[^"]+)"')
EXAMPLE_PACKAGE = "alur_diskominfo_contoh"
PASSWORD = "rahasia-2026"


def doc_text() -> str:
    return DOC.read_text(encoding="utf-8")


def hookspec_functions() -> dict[str, object]:
    return {n: f for n, f in vars(hookspecs).items() if hasattr(f, f"{hookspecs.PROJECT}_spec")}


def expected_signature(function: object) -> str:
    """``def name(param: Annotation, ...) -> Return``, annotations as written in the source."""
    signature = inspect.signature(function)  # type: ignore[arg-type]
    params = ", ".join(f"{p.name}: {p.annotation}" for p in signature.parameters.values())
    return f"def {function.__name__}({params}) -> {signature.return_annotation}"  # type: ignore[attr-defined]


def documented_signatures() -> dict[str, str]:
    found: dict[str, str] = {}
    for m in FENCE.finditer(doc_text()):
        body = " ".join(m["body"].split())
        if (
            m["info"].strip() == "python"
            and body.startswith("def alur_")
            and not body.endswith(":")
        ):
            name = body[4 : body.index("(")]
            assert name not in found, f"{name} is documented twice"
            found[name] = body.replace("( ", "(").replace(", )", ")")
    return found


def test_hookspecs_use_string_annotations() -> None:
    # The rendering below relies on ``from __future__ import annotations`` in hookspecs.
    for function in hookspec_functions().values():
        signature = inspect.signature(function)  # type: ignore[arg-type]
        assert isinstance(signature.return_annotation, str)


@pytest.mark.parametrize("name", sorted(hookspec_functions()))
def test_every_hook_is_documented_with_its_exact_signature(name: str) -> None:
    documented = documented_signatures()
    assert name in documented, f"docs/plugins.md has no signature block for {name}"
    assert documented[name] == expected_signature(hookspec_functions()[name])
    assert re.search(rf"^#+ `{name}`$", doc_text(), re.MULTILINE), f"no heading for {name}"


def test_docs_mention_only_real_hooks() -> None:
    text = doc_text()
    mentioned = set(re.findall(r"^#+ `(alur_\w+)`", text, re.MULTILINE))
    mentioned |= set(re.findall(r"\bdef (alur_\w+)\(", text))
    assert mentioned  # the patterns still match the document
    assert sorted(mentioned - set(hookspec_functions())) == []


# --- the complete example ----------------------------------------------------------------


def example_files() -> dict[str, str]:
    files: dict[str, str] = {}
    for m in FENCE.finditer(doc_text()):
        title = TITLE.search(m["info"])
        if title:
            files[title["path"]] = m["body"]
    return files


@pytest.fixture
def example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """The example project written to ``tmp_path``, its package imported from there."""
    for path, body in example_files().items():
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    module = importlib.import_module(EXAMPLE_PACKAGE)
    assert Path(module.__file__ or "").is_relative_to(tmp_path)
    yield module
    for name in [n for n in sys.modules if n.split(".")[0] == EXAMPLE_PACKAGE]:
        del sys.modules[name]


def test_example_has_the_three_files() -> None:
    assert sorted(example_files()) == [
        f"{EXAMPLE_PACKAGE}/__init__.py",
        f"{EXAMPLE_PACKAGE}/sop/permintaan-data.toml",
        "pyproject.toml",
    ]


def test_example_entry_point(example: ModuleType) -> None:
    project = tomllib.loads(example_files()["pyproject.toml"])
    assert project["project"]["entry-points"]["alur.plugins"] == {
        "diskominfo_contoh": EXAMPLE_PACKAGE
    }
    assert project["tool"]["setuptools"]["packages"] == [EXAMPLE_PACKAGE]
    assert project["tool"]["setuptools"]["package-data"][EXAMPLE_PACKAGE] == ["sop/*.toml"]


def test_example_plugin_loads_and_its_sop_validates(example: ModuleType) -> None:
    manager = create_plugin_manager(load_entrypoints=False, environ={})
    loaded = manager.register(example, name="diskominfo_contoh", version="1.0.0")
    assert loaded.ok, loaded.errors
    assert loaded.institution is not None
    assert loaded.institution.slug == "diskominfo-contoh"
    assert [r.id for r in loaded.roles] == ["staf", "sekretaris", "kepala"]
    sop = manager.sop("diskominfo_contoh", "permintaan-data")
    assert len(sop.steps) == 3
    assert sop.step(2).gate is not None
    assert (sop.step(2).gate.ya, sop.step(2).gate.tidak) == (3, 1)
    assert load_package_definitions(EXAMPLE_PACKAGE) == [sop]
    owner = {"plugin": "diskominfo_contoh"}
    assert manager.validate_step_data(sop, sop.step(1), None, {"output": ""}, **owner) == [
        "Lampirkan draft laporan data kinerja."
    ]
    assert (
        manager.validate_step_data(sop, sop.step(1), None, {"output": "draft.pdf"}, **owner) == []
    )


def test_testing_section_runs(tmp_path: Path) -> None:
    """The "Testing a plugin" example passes against the example plugin."""
    [test_code] = [m["body"] for m in FENCE.finditer(doc_text()) if "def test_loads" in m["body"]]
    for path, body in example_files().items():
        target = tmp_path / "project" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")
    (tmp_path / "test_example_plugin.py").write_text(test_code, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_example_plugin.py"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path / "project"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout  # test_loads, test_requires_a_draft, test_conformant


# --- the example on the web: what a new institution does first ----------------------------


async def _example_office(url: str, manager: AlurPlugins) -> None:
    """The example plugin's office with one Staf, who starts the cases."""
    db = await open_database(url)
    try:
        office = await create_tenant(
            manager, "diskominfo-contoh", "Diskominfo", "diskominfo_contoh"
        )
        staf = await create_user("staf", "Staf Contoh", PASSWORD)
        role = manager.sop("diskominfo_contoh", "permintaan-data").roles_by_id["staf"]
        await add_membership(office.id, staf.id, role)
    finally:
        await close_database(db)


@pytest.mark.usefixtures("cheap_hasher")
def test_example_plugin_completes_its_first_step_on_the_web(
    example: ModuleType, database_url: str
) -> None:
    """A plugin written from the docs checks ``data.get("output")``: the web form's output
    note must reach it there, so its first step can be completed (and stays refused empty)."""
    manager = create_plugin_manager(load_entrypoints=False, environ={})
    assert manager.register(example, name="diskominfo_contoh", version="1.0.0").ok
    asyncio.run(_example_office(database_url, manager))
    app = create_app(WebSettings(database_url=database_url, secret_key="k" * 40), manager)
    with TestClient(app) as c:
        sign_in_sync(c, "staf", PASSWORD)
        cases = "/t/diskominfo-contoh/cases"
        data = {
            "_csrf_token": fetch_csrf(c, cases),
            "sop": "permintaan-data",
            "period": "Tahun 2026",
        }
        started = c.post(cases, data=data, follow_redirects=False)
        assert started.status_code == 303, started.text[:300]
        case = started.headers["location"]
        complete = f"{case}/tasks/1/complete"
        empty = c.post(complete, data={"_csrf_token": fetch_csrf(c, case), "note": " "})
        assert empty.status_code == 422
        assert empty.headers["x-alur-error"] == "invalid_input"
        assert "Lampirkan draft laporan data kinerja." in empty.text
        data = {"_csrf_token": fetch_csrf(c, case), "note": "draft.pdf"}
        done = c.post(complete, data=data, follow_redirects=False)
        assert done.status_code == 303, done.text[:500]
        page = c.get(case).text
        assert "draft.pdf" in page  # the timeline shows the output note
        assert 'data-step="2"' in page  # the decision is open now
