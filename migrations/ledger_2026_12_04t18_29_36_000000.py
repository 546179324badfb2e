"""The live aggregates' indexes, and the triggers that queue what they must recompute.

Every row change that moves a figure (pay, adjustments, a placement moved to another worker
or workshop, a low-income status, a baseline) appends the (worker, month) it touches to
``figure_dirty`` — by trigger, so a write from any door, even plain SQL, is queued. The
write transaction then recomputes those keys before it commits
(``ledger.services.aggregates.flush``); a reader flushes whatever is still queued. A month
of '' means every month of that worker.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-04T18:29:36:000000"
VERSION = "1.38.0"
DESCRIPTION = "aggregates: indexes and dirty-key triggers"


class _Raw(Table, tablename="figure_dirty"):
    pass


INDEXES = [
    "CREATE INDEX figure_cell_worker_month ON figure_cell (worker, month)",
    "CREATE INDEX figure_cell_workshop_month ON figure_cell (workshop, month)",
    "CREATE INDEX figure_cell_shared ON figure_cell (month, workshop) WHERE single = 0",
    "CREATE UNIQUE INDEX figure_workshop_month_key ON figure_workshop_month (month, workshop)",
    "CREATE INDEX figure_worker_year_worker ON figure_worker_year (worker)",
    "CREATE INDEX figure_worker_year_year ON figure_worker_year (year, workshop)",
    # the flush looks queued keys up per cell: without this a 100,000-row import's flush is quadratic
    "CREATE INDEX figure_dirty_key ON figure_dirty (worker, workshop, month)",
]

# (trigger, table, event, when, rows to queue as SELECT worker, month ...)
SQLITE_TRIGGERS = [
    ("figure_dirty_pay_ins", "monthly_pay", "INSERT", "",
     ["SELECT worker, NEW.month FROM placement WHERE id = NEW.placement"]),
    ("figure_dirty_pay_upd", "monthly_pay", "UPDATE", "",
     ["SELECT worker, OLD.month FROM placement WHERE id = OLD.placement",
      "SELECT worker, NEW.month FROM placement WHERE id = NEW.placement"]),
    ("figure_dirty_pay_del", "monthly_pay", "DELETE", "",
     ["SELECT worker, OLD.month FROM placement WHERE id = OLD.placement"]),
    ("figure_dirty_adj_ins", "adjustment", "INSERT", "",
     ["SELECT worker, NEW.month FROM placement WHERE id = NEW.placement"]),
    ("figure_dirty_adj_upd", "adjustment", "UPDATE", "",
     ["SELECT worker, OLD.month FROM placement WHERE id = OLD.placement",
      "SELECT worker, NEW.month FROM placement WHERE id = NEW.placement"]),
    ("figure_dirty_adj_del", "adjustment", "DELETE", "",
     ["SELECT worker, OLD.month FROM placement WHERE id = OLD.placement"]),
    ("figure_dirty_placement_upd", "placement", "UPDATE",
     "WHEN OLD.worker <> NEW.worker OR OLD.workshop <> NEW.workshop",
     ["SELECT OLD.worker, ''", "SELECT NEW.worker, ''"]),
    ("figure_dirty_status_ins", "low_income_status", "INSERT", "", ["SELECT NEW.worker, ''"]),
    ("figure_dirty_status_upd", "low_income_status", "UPDATE", "",
     ["SELECT OLD.worker, ''", "SELECT NEW.worker, ''"]),
    ("figure_dirty_status_del", "low_income_status", "DELETE", "", ["SELECT OLD.worker, ''"]),
    ("figure_dirty_baseline_upd", "worker", "UPDATE",
     "WHEN OLD.baseline_income_fen IS NOT NEW.baseline_income_fen", ["SELECT NEW.id, ''"]),
]

POSTGRES_FUNCTIONS = {
    # pay and adjustments have the same shape: (placement, month)
    "figure_dirty_pay": """
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            INSERT INTO figure_dirty (worker, month) SELECT worker, OLD.month FROM placement WHERE id = OLD.placement;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO figure_dirty (worker, month) SELECT worker, NEW.month FROM placement WHERE id = NEW.placement;
        END IF;""",
    "figure_dirty_placement": """
        IF OLD.worker <> NEW.worker OR OLD.workshop <> NEW.workshop THEN
            INSERT INTO figure_dirty (worker, month) VALUES (OLD.worker, ''), (NEW.worker, '');
        END IF;""",
    "figure_dirty_status": """
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            INSERT INTO figure_dirty (worker, month) VALUES (OLD.worker, '');
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO figure_dirty (worker, month) VALUES (NEW.worker, '');
        END IF;""",
    "figure_dirty_baseline": """
        IF OLD.baseline_income_fen IS DISTINCT FROM NEW.baseline_income_fen THEN
            INSERT INTO figure_dirty (worker, month) VALUES (NEW.id, '');
        END IF;""",
}

POSTGRES_TRIGGERS = [
    ("figure_dirty_pay", "monthly_pay", "INSERT OR UPDATE OR DELETE", "figure_dirty_pay"),
    ("figure_dirty_adj", "adjustment", "INSERT OR UPDATE OR DELETE", "figure_dirty_pay"),
    ("figure_dirty_placement", "placement", "UPDATE", "figure_dirty_placement"),
    ("figure_dirty_status", "low_income_status", "INSERT OR UPDATE OR DELETE", "figure_dirty_status"),
    ("figure_dirty_baseline", "worker", "UPDATE", "figure_dirty_baseline"),
]


def _postgres() -> bool:
    return _Raw._meta.db.engine_type == "postgres"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ledger", description=DESCRIPTION)

    async def create():
        for sql in INDEXES:
            await _Raw.raw(sql)
        if _postgres():
            for name, body in POSTGRES_FUNCTIONS.items():
                await _Raw.raw(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                               f"BEGIN{body}\n    RETURN NULL;\nEND $$")
            for name, table, events, function in POSTGRES_TRIGGERS:
                await _Raw.raw(f"CREATE TRIGGER {name} AFTER {events} ON {table} "
                               f"FOR EACH ROW EXECUTE FUNCTION {function}()")
        else:
            for name, table, event, when, selects in SQLITE_TRIGGERS:
                inserts = " ".join(f"INSERT INTO figure_dirty (worker, month) {s};" for s in selects)
                await _Raw.raw(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW {when} "
                               f"BEGIN {inserts} END")
        # An installation with rows already: every placed worker is queued, and the first write
        # or figure read after the migration builds the aggregates (``ledger figures --rebuild``
        # does it at once).
        await _Raw.raw("INSERT INTO figure_dirty (worker, month) SELECT DISTINCT worker, '' FROM placement")

    async def drop():
        if _postgres():
            for name, table, _, _ in POSTGRES_TRIGGERS:
                await _Raw.raw(f"DROP TRIGGER {name} ON {table}")
            for name in POSTGRES_FUNCTIONS:
                await _Raw.raw(f"DROP FUNCTION {name}()")
        else:
            for name, *_ in SQLITE_TRIGGERS:
                await _Raw.raw(f"DROP TRIGGER {name}")
        for sql in INDEXES:
            await _Raw.raw("DROP INDEX " + sql.split(" INDEX ")[1].split(" ON ")[0])

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
