"""Values of ``ALUR_*`` settings that cannot be used are refused at start with a message naming
the variable — not a traceback, not a crash of every request later, not silently replaced —
and every yes/no setting means the same (alur.tenants.settings)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from alur.cli.main import cli
from alur.cli.worker_cmd import in_process_default
from alur.core import AlurPlugins, create_plugin_manager
from alur.tenants.deployment import unsafe_settings
from alur.tenants.identity.passwords import OneTimePasswordHoursError, one_time_password_hours
from alur.tenants.notify.settings import smtp_settings
from alur.web.observability.controller import ObservabilitySettings
from alur.web.settings import WebSettings
from tests.deploy.test_production_settings import start_asgi

HOURS = "ALUR_ONE_TIME_PASSWORD_HOURS"
CHECKED = (HOURS, "ALUR_METRICS_ALLOW", "ALUR_LOG_FORMAT", "ALUR_LOG_LEVEL", "ALUR_PROCESSES")


@pytest.mark.parametrize(("raw", "hours"), [("", 72), (" 0 ", 0), ("8760", 8760), ("24", 24)])
def test_one_time_password_hours(raw: str, hours: int) -> None:
    assert one_time_password_hours({HOURS: raw}) == hours


@pytest.mark.parametrize("raw", ["99999999999", "8761", "abc", "-1", "1.5", "٣"])
def test_unusable_one_time_password_hours_are_named(raw: str) -> None:
    with pytest.raises(OneTimePasswordHoursError, match=f"{HOURS}=.*from 0 to 8760"):
        one_time_password_hours({HOURS: raw})
    [problem] = unsafe_settings({HOURS: raw})
    assert problem.startswith(f"{HOURS}=")


def test_every_unusable_value_is_listed_at_start() -> None:
    env = {"ALUR_METRICS_ALLOW": "foo", HOURS: "abc", "ALUR_LOG_FORMAT": "xml"}
    problems = unsafe_settings(env)
    assert len(problems) == 3, problems
    assert "ALUR_METRICS_ALLOW: 'foo' is not an IP address" in problems[1]


@pytest.fixture
def serve(installed: AlurPlugins, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """``alur serve`` with exactly ``env`` of the checked settings; never serves."""
    import uvicorn

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("alur serve started serving")

    monkeypatch.setattr(uvicorn, "run", never)
    monkeypatch.chdir(tmp_path)

    def invoke(env: dict[str, str]):
        full: dict[str, str | None] = dict.fromkeys(CHECKED)
        full.update(env, ALUR_DATABASE_URL=f"sqlite:///{tmp_path / 'alur.db'}")
        return CliRunner().invoke(cli, ["serve"], obj=lambda: installed, env=full)

    return invoke


@pytest.mark.parametrize(
    "env", [{"ALUR_METRICS_ALLOW": "foo"}, {HOURS: "99999999999"}, {HOURS: "abc"}]
)
def test_serve_refuses_an_unusable_value(serve, tmp_path: Path, env: dict[str, str]) -> None:
    result = serve(env)
    assert result.exit_code == 2, result.output
    [(name, _)] = env.items()
    assert f"  - {name}" in result.output
    assert not isinstance(result.exception, AssertionError | ValueError)
    assert not (tmp_path / "alur.db").exists()  # refused before the database was opened


def test_the_asgi_app_refuses_an_unusable_value(tmp_path: Path) -> None:
    done = start_asgi(
        tmp_path,
        CHECKED,
        ALUR_METRICS_ALLOW="10.0.0.0/8, foo",
        ALUR_ONE_TIME_PASSWORD_HOURS="abc",
    )
    assert done.returncode == 1, done.stderr
    assert "2 unsafe setting(s)" in done.stderr
    assert "ALUR_METRICS_ALLOW: 'foo'" in done.stderr
    assert f"{HOURS}='abc'" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("raw", ["99999999999", "abc"])
def test_the_reset_commands_refuse_unusable_hours(database_url: str, raw: str) -> None:
    env = {"ALUR_DATABASE_URL": database_url, HOURS: raw}
    for group in ("users", "operators"):
        result = CliRunner().invoke(
            cli, [group, "reset-password", "nobody"], obj=create_plugin_manager, env=env
        )
        assert result.exit_code == 2, result.output
        assert f"Error: {HOURS}={raw!r}: use a whole number" in result.output


ON = ["1", "true", "TRUE", " yes ", "Yes", "on", "ON", " On\n"]
OFF = ["", "0", "false", "no", "off", "nope", "2"]


@pytest.mark.parametrize(("raw", "on"), [(v, True) for v in ON] + [(v, False) for v in OFF])
def test_every_yes_no_setting_reads_the_same(raw: str, on: bool) -> None:
    assert WebSettings.from_env({"ALUR_SECURE_COOKIES": raw}).secure_cookies is on
    assert ObservabilitySettings.from_env({"ALUR_READY_REQUIRES_WORKER": raw}).requires_worker is on
    https = {"ALUR_BASE_URL": "https://alur.example.go.id", "ALUR_SECURE_COOKIES": raw}
    assert (unsafe_settings(https) == []) is on
    smtp = smtp_settings({"ALUR_SMTP_URL": f"smtp://mail.example:587?starttls={raw.strip()}"})
    assert smtp is not None
    assert smtp.starttls is on
    if raw.strip().lower() not in ("nope", "2"):  # a tri-state: anything else is refused
        assert in_process_default("postgresql://x", {"ALUR_WORKER_IN_PROCESS": raw}) is on
