"""What request handlers share, held in the app state: settings, database, plugins."""

from __future__ import annotations

from dataclasses import dataclass

from alur.core.plugins import AlurPlugins
from alur.tenants.storage.database import Database
from alur.web.settings import WebSettings


@dataclass
class Services:
    settings: WebSettings
    plugins: AlurPlugins
    db: Database | None = None

    @property
    def database(self) -> Database:
        if self.db is None:
            raise RuntimeError("the database is opened when the app starts")
        return self.db
