"""The ledger's Piccolo app; its migrations live in the top-level ``migrations/`` folder."""

import os

from piccolo.conf.apps import AppConfig, table_finder

HERE = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="ledger",
    migrations_folder_path=os.path.join(os.path.dirname(HERE), "migrations"),
    table_classes=table_finder(modules=["ledger.tables"], exclude_imported=True),
    migration_dependencies=["piccolo.apps.user.piccolo_app"],
    commands=[],
)
