"""The drill-down's keyset order, as indexes (issue 14).

The rows behind a pay figure are read from ``figure_cell`` in (month, worker) order and the
placements behind ``workers_employed`` in (worker, placement) order; a page starts right
after the previous page's last key (``ledger.services.drilldown``). These indexes let the
database start there instead of counting its way down from the first row. The same
statements on SQLite and PostgreSQL.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-04T21:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "drill-down: keyset indexes"


class _Raw(Table, tablename="figure_cell"):
    pass


INDEXES = [
    "CREATE INDEX figure_cell_month_worker ON figure_cell (month, worker)",
    "CREATE INDEX placement_worker_id ON placement (worker, id)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ledger", description=DESCRIPTION)

    async def create():
        for sql in INDEXES:
            await _Raw.raw(sql)

    async def drop():
        for sql in INDEXES:
            await _Raw.raw("DROP INDEX " + sql.split(" INDEX ")[1].split(" ON ")[0])

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
