"""The fast flush: keys for its upserts, partial indexes for the rows that reached zero.

When only (worker, month) keys are queued (pay and adjustments), the flush adds each
change (new cells − old) to the workshop-months, worker-years, person-years and (span,
month)s with ``INSERT ... ON CONFLICT DO UPDATE`` (``ledger.services.aggregates``,
``fast_flush_statements``), which needs a unique index on each row key: the worker-year
and person-year ones replace the plain indexes on ``worker`` that had the same prefix. A
row whose change took it to zero is then deleted: a workshop-month with no cells (counted
in the new ``all_cells``, filled here from ``figure_cell``), a worker-year or person-year
with no paid month, a (span, month) of zero sums. Partial indexes hold only those rows —
empty, except inside a flush — so the delete reads an empty index instead of a table.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-05T06:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "aggregates: fast flush keys and zero-row indexes"


class _Raw(Table, tablename="figure_workshop_month"):
    pass


SPAN_MONTH_ZERO = " AND ".join(f"{c} = 0" for c in (
    "person_months", "person_months_low", "uplift_fen", "uplift_n", "uplift_fen_low", "uplift_n_low"))

INDEXES = [
    "CREATE UNIQUE INDEX figure_worker_year_key ON figure_worker_year (worker, workshop, year)",
    "CREATE UNIQUE INDEX figure_person_year_key ON figure_person_year (worker, year)",
    "CREATE INDEX figure_workshop_month_empty ON figure_workshop_month (workshop, month) WHERE all_cells = 0",
    "CREATE INDEX figure_worker_year_unpaid ON figure_worker_year (worker) WHERE paid_mask = 0",
    "CREATE INDEX figure_person_year_unpaid ON figure_person_year (worker) WHERE paid_mask = 0",
    f"CREATE INDEX figure_span_month_zero ON figure_span_month (span, month) WHERE {SPAN_MONTH_ZERO}",
    # the flush asks whether any worker is queued with every month before it takes the fast path
    "CREATE INDEX figure_dirty_all_months ON figure_dirty (worker) WHERE month = ''",
]
DROPPED = ["figure_worker_year_worker", "figure_person_year_worker"]  # prefixes of the keys above
DROPPED_SQL = ["CREATE INDEX figure_worker_year_worker ON figure_worker_year (worker)",
               "CREATE INDEX figure_person_year_worker ON figure_person_year (worker)"]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ledger", description=DESCRIPTION)

    async def create():
        await _Raw.raw("UPDATE figure_workshop_month SET all_cells = (SELECT COUNT(*) FROM figure_cell c "
                       "WHERE c.workshop = figure_workshop_month.workshop AND c.month = figure_workshop_month.month)")
        for name in DROPPED:
            await _Raw.raw(f"DROP INDEX {name}")
        for sql in INDEXES:
            await _Raw.raw(sql)

    async def drop():
        for sql in INDEXES:
            await _Raw.raw("DROP INDEX " + sql.split(" INDEX ")[1].split(" ON ")[0])
        for sql in DROPPED_SQL:
            await _Raw.raw(sql)

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
