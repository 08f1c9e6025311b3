"""Unsafe production settings are refused before anything is served, every problem at once:
the rule (alur.tenants.deployment), ``alur serve`` (exit 2) and ``alur.web.asgi`` (exit 1,
the path of the container image's process managers)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from alur.cli.main import cli
from alur.core import AlurPlugins
from alur.tenants.deployment import UnsafeSettings, refuse_unsafe, unsafe_settings
from alur.web.testing import free_port

PG = "postgresql://alur:secret@db.internal:5432/alur"
SAFE_MANY = {
    "ALUR_DATABASE_URL": PG,
    "ALUR_SECRET_KEY": "s" * 48,
    "ALUR_AUDIT_KEY": "k1:" + "A" * 44,
    "ALUR_BASE_URL": "https://alur.example.go.id",
    "ALUR_SECURE_COOKIES": "1",
    "ALUR_PROCESSES": "4",
}
# Every setting the rule reads, unset unless a test sets it (the test process may have some).
RULE_SETTINGS = (
    "ALUR_DATABASE_URL",
    "ALUR_SECRET_KEY",
    "ALUR_AUDIT_KEY",
    "ALUR_BASE_URL",
    "ALUR_SECURE_COOKIES",
    "ALUR_PROCESSES",
)


def without(env: dict[str, str], *names: str) -> dict[str, str]:
    return {k: v for k, v in env.items() if k not in names}


def test_safe_settings_have_no_problem() -> None:
    assert unsafe_settings(SAFE_MANY) == []
    assert unsafe_settings({}) == []  # one process on the SQLite default: the demo
    assert unsafe_settings({"ALUR_BASE_URL": "http://127.0.0.1:8000"}, processes=1) == []


@pytest.mark.parametrize(
    ("env", "processes", "named"),
    [
        (without(SAFE_MANY, "ALUR_SECRET_KEY"), 1, "ALUR_SECRET_KEY"),
        (without(SAFE_MANY, "ALUR_SECRET_KEY", "ALUR_PROCESSES"), 2, "ALUR_SECRET_KEY"),
        (without(SAFE_MANY, "ALUR_AUDIT_KEY"), 1, "ALUR_AUDIT_KEY"),
        ({**SAFE_MANY, "ALUR_DATABASE_URL": "sqlite:///data/alur.db"}, 1, "SQLite"),
        (without(SAFE_MANY, "ALUR_DATABASE_URL", "ALUR_PROCESSES"), 3, "SQLite"),
        (without(SAFE_MANY, "ALUR_SECURE_COOKIES"), 1, "ALUR_SECURE_COOKIES"),
        ({**SAFE_MANY, "ALUR_SECURE_COOKIES": "0"}, 1, "ALUR_SECURE_COOKIES"),
        ({**SAFE_MANY, "ALUR_PROCESSES": "many"}, 1, "ALUR_PROCESSES='many'"),
    ],
)
def test_each_unsafe_setting_is_named(env: dict[str, str], processes: int, named: str) -> None:
    problems = unsafe_settings(env, processes)
    assert len(problems) == 1, problems
    assert named in problems[0]


def test_every_problem_is_listed_at_once() -> None:
    env = {
        "ALUR_DATABASE_URL": "sqlite:///alur.db",
        "ALUR_BASE_URL": "https://alur.example.go.id",
        "ALUR_PROCESSES": "2",
    }
    with pytest.raises(UnsafeSettings) as refused:
        refuse_unsafe(env)
    assert len(refused.value.problems) == 4
    assert "4 unsafe setting(s)" in refused.value.message


@pytest.fixture
def serve(installed: AlurPlugins, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """``alur serve ARGS`` in an empty working directory with exactly ``env`` of the rule's
    settings; returns the result."""
    monkeypatch.chdir(tmp_path)

    def invoke(args: list[str], env: dict[str, str]):
        full: dict[str, str | None] = dict.fromkeys(RULE_SETTINGS)
        full.update(env)
        return CliRunner().invoke(cli, ["serve", *args], obj=lambda: installed, env=full)

    return invoke


def test_serve_refuses_several_workers_on_sqlite_without_keys(serve, tmp_path: Path) -> None:
    result = serve(["--workers", "2"], {})
    assert result.exit_code == 2, result.output
    assert "3 unsafe setting(s)" in result.output
    for named in ("ALUR_SECRET_KEY", "ALUR_AUDIT_KEY", "SQLite"):
        assert named in result.output
    assert list(tmp_path.iterdir()) == []  # refused before the database was opened


def test_serve_refuses_tls_without_secure_cookies(serve, tmp_path: Path) -> None:
    result = serve([], {"ALUR_BASE_URL": "https://alur.example.go.id"})
    assert result.exit_code == 2, result.output
    assert "ALUR_SECURE_COOKIES" in result.output
    assert list(tmp_path.iterdir()) == []


def test_serve_counts_the_replicas_of_alur_processes(serve) -> None:
    result = serve([], {**without(SAFE_MANY, "ALUR_SECRET_KEY"), "ALUR_PROCESSES": "6"})
    assert result.exit_code == 2, result.output
    assert "6 app processes" in result.output


def start_asgi(
    tmp_path: Path, cleared: tuple[str, ...], **settings: str
) -> subprocess.CompletedProcess[str]:
    """``uvicorn alur.web.asgi:app`` in ``tmp_path`` on a SQLite file there, with the
    ``cleared`` variables left out of the environment and ``settings`` added (60 s at most)."""
    env = {k: v for k, v in os.environ.items() if k not in cleared}
    env.update(ALUR_DATABASE_URL=f"sqlite:///{tmp_path / 'alur.db'}", **settings)
    command = [sys.executable, "-m", "uvicorn", "alur.web.asgi:app", "--port", str(free_port())]
    return subprocess.run(
        command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )


def test_the_asgi_app_refuses_before_serving(tmp_path: Path) -> None:
    """``uvicorn alur.web.asgi:app`` (the image's process managers' path) exits at import
    with the problems, without answering a request."""
    done = start_asgi(
        tmp_path, RULE_SETTINGS, ALUR_PROCESSES="2", ALUR_BASE_URL="https://alur.example.go.id"
    )
    assert done.returncode == 1, done.stderr
    assert "4 unsafe setting(s)" in done.stderr
    assert "ALUR_SECURE_COOKIES" in done.stderr
    assert not (tmp_path / "alur.db").exists()
