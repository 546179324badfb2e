"""The drill-down's keyset order, as indexes (issue 14).

The rows behind a pay figure are read from ``figure_cell`` in (month, worker) order and the
placements behind ``workers_employed`` in (worker, placement) order; a page starts right
after the previous page's last key (``ledger.services.drilldown``). These indexes let the
database start there instead of counting its way down from the first row.

The cell index also carries the columns the page reads (workshop, low, fen), so a page is
an index-only walk: a county's low-income rows are about 1 cell in 1,000 of a province's
months, and checking each cell's workshop and status without reading the table is what
keeps such a page in milliseconds (223 ms → 9 ms at a tenth of a province, EXPLAIN ANALYZE). PostgreSQL
names them ``INCLUDE``; SQLite has no INCLUDE and takes them as trailing key columns.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-04T21:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "drill-down: keyset indexes"


class _Raw(Table, tablename="figure_cell"):
    pass


NAMES = ["figure_cell_month_worker", "placement_worker_id"]


def _indexes() -> list[str]:
    cells = ("(month, worker) INCLUDE (workshop, low, fen)" if _Raw._meta.db.engine_type == "postgres"
             else "(month, worker, workshop, low, fen)")
    return [f"CREATE INDEX figure_cell_month_worker ON figure_cell {cells}",
            "CREATE INDEX placement_worker_id ON placement (worker, id)"]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ledger", description=DESCRIPTION)

    async def create():
        for sql in _indexes():
            await _Raw.raw(sql)

    async def drop():
        for name in NAMES:
            await _Raw.raw(f"DROP INDEX {name}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
