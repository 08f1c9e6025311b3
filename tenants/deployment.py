"""The production-settings rule: which settings are unsafe for how Alur is run.

:func:`unsafe_settings` is a pure function of the environment and the number of app
processes; it returns every problem at once (an empty list: safe). :func:`refuse_unsafe`
raises :class:`UnsafeSettings` listing them. ``alur serve`` (with ``--workers``) and
``alur.web.asgi`` (for process managers and the container image) call it before anything is
served, so an operator sees every fix to make in one go.

How many processes: ``alur serve --workers N`` knows its own; behind replicas (compose,
Kubernetes) a process cannot count the others, so ``ALUR_PROCESSES`` says it — the number of
app processes across all replicas. The larger of the two counts.

The rules:

- more than one process needs ``ALUR_SECRET_KEY`` (every process must sign CSRF tokens with
  the same key) and ``ALUR_AUDIT_KEY`` (every process must sign the chain with the same key);
- more than one process needs PostgreSQL, not SQLite (one file, one writer at a time);
- reached over TLS (``ALUR_BASE_URL`` starts with ``https://``) needs
  ``ALUR_SECURE_COOKIES=1``, else the session and CSRF cookies would also travel over plain
  HTTP;
- a value that cannot be used (:func:`unusable_settings`: ``ALUR_ONE_TIME_PASSWORD_HOURS``,
  ``ALUR_METRICS_ALLOW``, ``ALUR_LOG_FORMAT``, ``ALUR_LOG_LEVEL``) is refused at start rather
  than failing the first request that reads it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from alur.core.errors import N_, AlurError
from alur.tenants.identity.passwords import one_time_password_hours
from alur.tenants.observability.access import MetricsAccess
from alur.tenants.observability.logs import log_settings
from alur.tenants.settings import SettingError, is_on
from alur.tenants.storage.database import database_url, redacted

PROCESSES_ENV = "ALUR_PROCESSES"


class UnsafeSettings(AlurError):
    code = "unsafe_settings"
    template = N_("Alur will not start with {count} unsafe setting(s):\n{details}")

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            count=len(problems), details="\n".join(f"  - {problem}" for problem in problems)
        )


def unusable_settings(env: Mapping[str, str]) -> list[str]:
    """Every value in ``env`` that cannot be used, each message naming its variable."""
    problems = []
    for check in (one_time_password_hours, MetricsAccess.from_env, log_settings):
        try:
            check(env)
        except SettingError as exc:
            problems.append(str(exc))
    return problems


def unsafe_settings(env: Mapping[str, str], processes: int = 1) -> list[str]:
    """Every problem of running ``max(processes, ALUR_PROCESSES)`` app processes with the
    settings in ``env`` (messages an operator can act on; empty when it is safe)."""
    problems = unusable_settings(env)
    raw = env.get(PROCESSES_ENV, "").strip()
    if raw and not (raw.isdigit() and int(raw) >= 1):
        problems.append(
            f"{PROCESSES_ENV}={raw!r} is not a whole number of at least 1: set it to the "
            "number of app processes across all replicas"
        )
    elif raw:
        processes = max(processes, int(raw))
    if processes > 1:
        many = f"{processes} app processes will run"
        if not env.get("ALUR_SECRET_KEY", "").strip():
            problems.append(
                f"ALUR_SECRET_KEY is not set but {many}: each would sign CSRF tokens with "
                "a key of its own and refuse the others' forms. Set ALUR_SECRET_KEY to the "
                "same long random value in every process, e.g. the output of "
                "`python3 -c 'import secrets; print(secrets.token_urlsafe(48))'`"
            )
        if not env.get("ALUR_AUDIT_KEY", "").strip():
            problems.append(
                f"ALUR_AUDIT_KEY is not set but {many}: each would sign the audit chain "
                "with a key of its own. Set ALUR_AUDIT_KEY to the same value in every "
                "process (`alur audit keygen` prints one)"
            )
        url = database_url(dict(env))
        if url.startswith("sqlite:"):
            problems.append(
                f"ALUR_DATABASE_URL is SQLite ({redacted(url)}) but {many}: SQLite lets "
                "one process write at a time. Use PostgreSQL "
                "(postgresql://user:password@host:5432/dbname) or run one process "
                f"(--workers 1 and {PROCESSES_ENV}=1)"
            )
    base_url = env.get("ALUR_BASE_URL", "").strip()
    if base_url.lower().startswith("https://") and not is_on(env, "ALUR_SECURE_COOKIES"):
        problems.append(
            f"ALUR_BASE_URL is {base_url} (Alur is reached over TLS) but "
            "ALUR_SECURE_COOKIES is not 1: the session and CSRF cookies would also be sent "
            "over plain HTTP. Set ALUR_SECURE_COOKIES=1 (or correct ALUR_BASE_URL)"
        )
    return problems


def refuse_unsafe(env: Mapping[str, str] | None = None, processes: int = 1) -> None:
    """Raise :class:`UnsafeSettings` with every problem of :func:`unsafe_settings`."""
    problems = unsafe_settings(os.environ if env is None else env, processes)
    if problems:
        raise UnsafeSettings(problems)


__all__ = ["UnsafeSettings", "is_on", "refuse_unsafe", "unsafe_settings", "unusable_settings"]
