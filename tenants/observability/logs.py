"""Structured logs with structlog; every stdlib logger (Alur's own, uvicorn, litestar,
procrastinate) goes through the same processors and renderer.

``ALUR_LOG_FORMAT`` = ``json`` (one JSON object a line: production, log shippers) or
``console`` (readable, for a developer); unset: ``console`` when stderr is a terminal, else
``json``. ``ALUR_LOG_LEVEL`` (default ``INFO``; even at ``DEBUG`` the libraries that would log data
— SQL parameters, form parts, headers: :data:`DATA_LOGGERS` — stay at ``INFO``). :func:`configure_logging` installs one handler
on the root logger (replacing only its own, so test harnesses keep theirs) and turns off
uvicorn's access log: Alur writes its own access line (:mod:`alur.web.observability.requests`),
which never carries a query string, a form body or a header.

Request context: the web layer binds ``request_id`` with :func:`bind_request`; every line logged
while the request runs carries it (structlog's contextvars, merged into stdlib lines too).
:func:`redact` replaces the value of any field whose name says it is a secret.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Mapping, MutableMapping
from contextvars import ContextVar
from typing import Any

import structlog

from alur.tenants.settings import SettingError

FORMATS = ("json", "console")
# Libraries whose DEBUG lines carry data (SQL with its parameters — a session id, a note —,
# form parts, HTTP headers): kept at INFO whatever ALUR_LOG_LEVEL says.
DATA_LOGGERS = (
    "aiosqlite",
    "asyncpg",
    "psycopg",
    "httpcore",
    "hpack",
    "multipart",
    "python_multipart",
)
SECRET_FIELDS = ("password", "secret", "token", "authorization", "cookie", "csrf", "api_key")
REDACTED = "[redacted]"
_SECRET_NAME = re.compile("|".join(SECRET_FIELDS), re.IGNORECASE)


class LogSettingsError(SettingError):
    pass


def log_settings(environ: Mapping[str, str] | None = None) -> tuple[str, int]:
    """(format, level) from ``ALUR_LOG_FORMAT`` and ``ALUR_LOG_LEVEL``."""
    env = os.environ if environ is None else environ
    fmt = env.get("ALUR_LOG_FORMAT", "").strip().lower()
    if not fmt:
        fmt = "console" if sys.stderr.isatty() else "json"
    if fmt not in FORMATS:
        raise LogSettingsError(f"ALUR_LOG_FORMAT={fmt!r}: use json or console")
    name = env.get("ALUR_LOG_LEVEL", "").strip().upper() or "INFO"
    level = logging.getLevelName(name)
    if not isinstance(level, int):
        raise LogSettingsError(f"ALUR_LOG_LEVEL={name!r}: use DEBUG, INFO, WARNING or ERROR")
    return fmt, level


def redact(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """A processor: the value of a field named like a secret is never written."""
    for name in [name for name in event if _SECRET_NAME.search(name)]:
        event[name] = REDACTED
    return event


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is now (test runners swap it)."""

    def __init__(self) -> None:
        super().__init__()

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def _shared() -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact,
    ]


_configured: list[tuple[str, int]] = []


def configure_logging(environ: Mapping[str, str] | None = None, *, force: bool = False) -> None:
    """Route every log line through structlog (once per process unless ``force``)."""
    fmt, level = log_settings(environ)
    if _configured and _configured[-1] == (fmt, level) and not force:
        return
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        # plain tracebacks: rich's would print local variables (a password among them)
        else structlog.dev.ConsoleRenderer(exception_formatter=structlog.dev.plain_traceback)
    )
    final = [structlog.processors.format_exc_info] if fmt == "json" else []
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = _Stderr()
    handler.set_name("alur")
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=_shared(),
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                *final,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "alur"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "litestar", "procrastinate"):
        logger = logging.getLogger(name)
        logger.handlers.clear()  # uvicorn's own format otherwise
        logger.propagate = True
    for name in DATA_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.INFO))
    access = logging.getLogger("uvicorn.access")  # the raw path with its query string
    access.handlers.clear()
    access.propagate = False
    access.disabled = True
    _configured.append((fmt, level))


def bind_request(**fields: Any) -> None:
    """Carry ``fields`` (the request id) on every line logged in this context."""
    structlog.contextvars.bind_contextvars(**fields)


def clear_request() -> None:
    structlog.contextvars.clear_contextvars()


def get_logger(name: str) -> Any:
    return structlog.stdlib.get_logger(name)


# What a door learns during a request that the access line should carry (the office and the
# user of a GraphQL token): a dict set per request by the web layer, filled by :func:`note`.
request_notes: ContextVar[dict[str, Any] | None] = ContextVar("alur_request_notes", default=None)


def note(**fields: Any) -> None:
    """Add ``fields`` (office, user_id) to this request's access line, if there is one."""
    notes = request_notes.get()
    if notes is not None:
        notes.update({k: v for k, v in fields.items() if v is not None})
