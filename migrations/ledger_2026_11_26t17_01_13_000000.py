"""At most one pay record per placement and month (SPEC), as a unique index.

An index rather than a table constraint: SQLite cannot ALTER TABLE ADD CONSTRAINT, and
the unique index is the same guarantee on both engines.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-26T17:01:13:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique monthly pay per placement and month"


class _Raw(Table, tablename="monthly_pay"):
    pass


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ledger", description=DESCRIPTION)

    async def create_index():
        await _Raw.raw(
            "CREATE UNIQUE INDEX monthly_pay_placement_month ON monthly_pay (placement, month)"
        )

    async def drop_index():
        await _Raw.raw("DROP INDEX monthly_pay_placement_month")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
