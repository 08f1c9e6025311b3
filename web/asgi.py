"""ASGI entry point for process managers: ``uvicorn alur.web.asgi:app`` (settings from the
environment, plugins from their entry points).

Unsafe production settings (:mod:`alur.tenants.deployment`, counting ``ALUR_PROCESSES``
processes) and unusable values (a bad ``ALUR_METRICS_ALLOW``, ``ALUR_ONE_TIME_PASSWORD_HOURS``,
``ALUR_LOG_FORMAT``, …) stop the process here (exit 1), with every problem listed, before
anything is served."""

import os
import sys

from alur.tenants.deployment import UnsafeSettings, refuse_unsafe
from alur.web.app import create_app

try:
    refuse_unsafe(os.environ)
except UnsafeSettings as exc:
    sys.exit(f"Error: {exc.message}")

app = create_app()
