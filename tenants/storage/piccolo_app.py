"""The piccolo app of alur.tenants: its tables and migrations folder."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from alur.tenants.storage.tables import TABLES

APP_CONFIG = AppConfig(
    app_name="alur_tenants",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=list(TABLES),
    migration_dependencies=[],
    commands=[],
)
