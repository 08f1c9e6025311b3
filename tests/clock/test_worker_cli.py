"""``alur worker --once --now …`` on the demo database (SQLite and PostgreSQL) with a real SMTP
server: reminder emails for overdue tasks, the events recorded, ``alur audit verify`` intact,
and a second run sends nothing; a bad ``--now`` is a usage error."""

from __future__ import annotations

import json
import shlex
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from click.testing import CliRunner, Result

from alur.cli.main import cli
from alur.core import AlurPlugins, WorkingCalendar
from alur.core.calendar import JAKARTA
from alur.tenants.storage.database import close_database, open_database
from alur.tenants.storage.tables import Tenant
from alur.tenants.testing.postgres import run_coroutine
from tests.clock.clock_helpers import SmtpServer


def sql(url: str, query: str) -> list[dict[str, Any]]:
    async def read() -> list[dict[str, Any]]:
        db = await open_database(url, run_migrations=False)
        try:
            return await Tenant.raw(query)
        finally:
            await close_database(db)

    return run_coroutine(read())


@pytest.fixture
def run(installed: AlurPlugins, database_url: str, smtp: SmtpServer):
    def invoke(command: str) -> Result:
        env = {
            "ALUR_DATABASE_URL": database_url,
            "ALUR_SMTP_URL": smtp.url,
            "ALUR_SMTP_FROM": "Alur Demo <alur@example.org>",
            "ALUR_BASE_URL": "https://alur.example.org",
            "COLUMNS": "200",
        }
        return CliRunner().invoke(cli, shlex.split(command), obj=lambda: installed, env=env)

    return invoke


def office_morning(days: int) -> datetime:
    """10:00 WIB on the first working day ``days`` or more from today (office hours: the
    messages go out at once)."""
    calendar = WorkingCalendar()
    day = datetime.now(UTC).date() + timedelta(days=days)
    for _ in range(30):
        if calendar.is_working_day(day):
            break
        day += timedelta(days=1)
    return datetime.combine(day, time(10), JAKARTA)


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result


def test_the_worker_reminds_on_the_demo_database_once(
    run, smtp: SmtpServer, database_url: str
) -> None:
    ok(run("demo"))
    before = sql(database_url, "SELECT count(*) AS n FROM alur_event")[0]["n"]
    last_id = sql(database_url, "SELECT max(id) AS n FROM alur_event")[0]["n"]
    later = office_morning(30).isoformat()

    out = ok(run(f"worker --once --now {later} --allow-future")).stdout
    assert "timers fired" in out
    mails = smtp.all()
    reminders = [m for m in mails if m.key.startswith("task_reminded:")]
    escalations = [m for m in mails if m.key.startswith("task_escalated:")]
    assert reminders
    assert escalations
    assert all(m.recipients[0].endswith("@example.org") for m in mails)
    assert len({m.message_id for m in mails}) == len(mails)
    first = reminders[0]
    assert "https://alur.example.org/t/" in first.text
    assert first.message["Subject"].strip().startswith(("Pengingat", "Jatuh tempo"))
    kinds = sql(
        database_url,
        "SELECT kind, count(*) AS n FROM alur_event WHERE kind IN ('task_reminded', "
        "'task_escalated') GROUP BY kind ORDER BY kind",
    )
    assert [k["kind"] for k in kinds] == ["task_escalated", "task_reminded"]
    after = sql(database_url, "SELECT count(*) AS n FROM alur_event")[0]["n"]
    # the office's own records of the round: the half-year's monev forms, made to cover the
    # whole period now that it has ended, and their assessors reminded
    office = sql(
        database_url,
        f"SELECT payload FROM alur_event WHERE id > {last_id} AND kind = 'office_changed'",
    )
    changes = {
        (json.loads(r["payload"]) if isinstance(r["payload"], str) else r["payload"])["change"]
        for r in office
    }
    assert changes <= {"monev_extended", "monev_reminded"}
    assert after == before + sum(k["n"] for k in kinds) + len(office)
    assert sql(database_url, "SELECT count(*) AS n FROM alur_timer")[0]["n"] == 0
    sent = sql(database_url, "SELECT status, count(*) AS n FROM alur_delivery GROUP BY status")
    assert sent == [{"status": "sent", "n": len(mails)}]

    verified = ok(run("audit verify")).stdout
    assert verified.count("chain intact") == 4  # three institutions, Satpol PP Cilacap

    again = ok(run(f"worker --once --now {later} --allow-future")).stdout
    assert "timers fired 0" in again
    assert "deliveries sent 0" in again
    assert len(smtp.all()) == len(mails)
    assert sql(database_url, "SELECT count(*) AS n FROM alur_event")[0]["n"] == after


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("yesterday", "is not an ISO 8601 time"),
        ("2026-12-07T09:00", "has no time zone"),
        ("0001-01-01T00:00+07:00", "is out of range"),
        ("2999-01-01T09:00+07:00", "--now is in the future"),
    ],
)
def test_a_bad_now_is_a_usage_error(installed: AlurPlugins, value: str, message: str) -> None:
    result = CliRunner().invoke(cli, ["worker", "--once", "--now", value], obj=lambda: installed)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_now_needs_once(installed: AlurPlugins) -> None:
    result = CliRunner().invoke(
        cli, ["worker", "--now", "2026-12-07T09:00+07:00"], obj=lambda: installed
    )
    assert result.exit_code == 2, result.output
    assert "--now is only for a single round: add --once" in result.output


def test_migrate_creates_the_job_queue_on_postgresql_once(
    installed: AlurPlugins, fresh_databases
) -> None:
    url = fresh_databases.url("postgresql", migrated=False)
    for _ in range(2):  # the second run finds everything there
        result = CliRunner().invoke(
            cli, ["migrate"], obj=lambda: installed, env={"ALUR_DATABASE_URL": url}
        )
        ok(result)
    made = sql(url, "SELECT to_regclass('procrastinate_jobs') IS NOT NULL AS made")
    assert made == [{"made": True}]
