"""Indexes that let SQLite answer a county's figures from the county's rows (issue 14).

A region scope is ``workshop.region_code LIKE '330784%'``. SQLite's LIKE is case-insensitive, so it
uses an index only when the column's index has NOCASE collation; without one every figure query
read the whole province by the month or year index and tested each row's workshop: a county of a
12 M-pay-row province took 3.2 s (``bench/county.py --whole``). With the region index SQLite starts
from the county's ~130 workshops; the other four let it go on from each workshop without a table
read per row (SQLite opens a connection per query, so the page cache starts cold every time):
0.05-0.1 s. PostgreSQL plans these with hash joins and is left as it was (not measured at that scale
here). Region codes are digits: NOCASE changes no answer.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-04T21:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "SQLite: indexes for region-scoped figures"


class _Raw(Table, tablename="workshop"):
    pass


SQLITE_INDEXES = [
    "CREATE INDEX workshop_region_code_nocase ON workshop (region_code COLLATE NOCASE)",
    "CREATE INDEX figure_workshop_month_workshop ON figure_workshop_month (workshop, month)",
    "CREATE INDEX figure_cell_shared_workshop ON figure_cell (workshop, month) WHERE single = 0",
    "CREATE INDEX figure_worker_year_workshop ON figure_worker_year "
    "(workshop, year, worker, paid_mask, paid_low_mask)",
    "CREATE INDEX placement_workshop_period ON placement (workshop, hired_on, left_on, worker)",
]


def _sqlite() -> bool:
    return _Raw._meta.db.engine_type == "sqlite"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ledger", description=DESCRIPTION)

    async def create():
        if _sqlite():
            for sql in SQLITE_INDEXES:
                await _Raw.raw(sql)

    async def drop():
        if _sqlite():
            for sql in SQLITE_INDEXES:
                await _Raw.raw("DROP INDEX " + sql.split(" INDEX ")[1].split(" ON ")[0])

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
