from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-05T06:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "aggregates: every cell of a workshop-month counted (all_cells)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="ledger", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="FigureWorkshopMonth",
        tablename="figure_workshop_month",
        column_name="all_cells",
        db_column_name="all_cells",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
