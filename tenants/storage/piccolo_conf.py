"""piccolo configuration: ``DB`` and ``APP_REGISTRY``.

``DB`` starts unset; :func:`alur.tenants.storage.database.bind` assigns the engine chosen from
``ALUR_DATABASE_URL`` (piccolo's migration runner reads it from here). The ``piccolo`` CLI
works too: ``PICCOLO_CONF=alur.tenants.storage.piccolo_conf piccolo migrations check``.
"""

from __future__ import annotations

import os

from piccolo.conf.apps import AppRegistry
from piccolo.engine.base import Engine

DB: Engine | None = None

APP_REGISTRY = AppRegistry(apps=["alur.tenants.storage.piccolo_app"])

if os.environ.get("ALUR_PICCOLO_CLI"):  # only for `piccolo migrations new --auto`
    from alur.tenants.storage.database import database_url, engine_from_url

    DB = engine_from_url(database_url())
