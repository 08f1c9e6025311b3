"""What ``/readyz`` checks: the database answers, its migrations are current, and (reported,
required only when the operator asks) a worker's heartbeat is fresh.

Cheap by design: while the migrations are not yet known to be current, one query reads the
applied migration ids (it also proves the database answers); once they are current this
process remembers it (code and migrations only move forward together, at a deploy) and the one
query left is the newest heartbeat — which proves the database answers too. Every query is
bounded by :data:`TIMEOUT_SECONDS`.

Why the worker does not fail readiness by default: Kubernetes takes an unready pod out of its
Service, and every app pod reads the same heartbeat — a dead worker would take the whole site
off the air, although pages and the API work without it (reminders wait). So ``/readyz``
*reports* the worker (``ok`` / ``stale`` / ``absent``) and fails on it only when
``ALUR_READY_REQUIRES_WORKER=1`` or for ``/readyz?worker=1`` (for a monitor that pages someone).
"""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from piccolo.apps.migrations.tables import Migration

from alur.tenants.observability.heartbeat import STALE_AFTER, last_seen
from alur.tenants.storage import piccolo_migrations

TIMEOUT_SECONDS = 2.0
APP_NAME = "alur_tenants"
T = TypeVar("T")


class _Known:
    current = False  # set once the applied migrations were seen to include every shipped one


def shipped_migrations() -> frozenset[str]:
    """The migration ids this code ships (the ``ID`` of each module in piccolo_migrations)."""
    ids = set()
    for info in pkgutil.iter_modules(piccolo_migrations.__path__):
        module = importlib.import_module(f"{piccolo_migrations.__name__}.{info.name}")
        if hasattr(module, "ID"):
            ids.add(module.ID)
    return frozenset(ids)


@dataclass
class Readiness:
    """The answer: each check's word, and whether the process is ready."""

    checks: dict[str, str] = field(default_factory=dict)
    ready: bool = True

    def fail(self, check: str, word: str) -> None:
        self.checks[check] = word
        self.ready = False

    def as_json(self) -> dict[str, Any]:
        return {"status": "ok" if self.ready else "unavailable", "checks": self.checks}


async def _bounded(call: Awaitable[T], timeout: float) -> T:
    return await asyncio.wait_for(call, timeout)


async def check_readiness(
    *, require_worker: bool, now: datetime | None = None, timeout: float = TIMEOUT_SECONDS
) -> Readiness:
    """Run the checks (see the module docstring); never raises for a database problem."""
    result = Readiness()
    now = now or datetime.now(UTC)
    try:
        if not _Known.current:
            rows = await _bounded(
                Migration.select(Migration.name).where(Migration.app_name == APP_NAME), timeout
            )
            missing = shipped_migrations() - {row["name"] for row in rows}
            if missing:
                result.checks["database"] = "ok"
                result.fail("migrations", f"{len(missing)} not applied: run alur migrate")
                return result
            _Known.current = True
        seen = await _bounded(last_seen(), timeout)
    except TimeoutError:
        result.fail("database", f"no answer within {timeout:g} s")
        return result
    except Exception as exc:  # unreachable, refused, restarting: say which kind, never the DSN
        result.fail("database", f"unreachable ({type(exc).__name__})")
        return result
    result.checks["database"] = "ok"
    result.checks.setdefault("migrations", "ok")
    if seen is None:
        worker = "absent"
    else:
        seen = seen if seen.tzinfo else seen.replace(tzinfo=UTC)
        worker = "ok" if now - seen <= STALE_AFTER else "stale"
    if worker != "ok" and require_worker:
        result.fail("worker", worker)
    else:
        result.checks["worker"] = worker
    return result


def forget_current() -> None:
    """Check the migrations again at the next call (tests)."""
    _Known.current = False
