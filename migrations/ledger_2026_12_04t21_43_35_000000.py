"""The second generation of the figures' aggregates: indexes, and triggers for what moves a
worker's span or employed intervals.

A hire, a departure, a placement's dates, a deleted placement and a workshop moved to
another region now queue the workers concerned (month '' = all their months), like a
low-income status already did: they move ``figure_worker_span`` and ``figure_interval``.
Every placed worker is queued, so the first write or figure read builds the new tables
(``ledger figures --rebuild`` right after ``ledger migrate`` does it at once).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-04T21:43:35:000000"
VERSION = "1.38.0"
DESCRIPTION = "aggregates: span and interval indexes, placement and workshop triggers"


class _Raw(Table, tablename="figure_dirty"):
    pass


INDEXES = [
    # a county's shared cells are found by its workshops, not by scanning the year's
    "CREATE INDEX figure_cell_shared_by_workshop ON figure_cell (workshop, month) WHERE single = 0",
    "CREATE INDEX figure_workshop_month_by_workshop ON figure_workshop_month (workshop, month)",
    "CREATE UNIQUE INDEX figure_worker_span_key ON figure_worker_span (worker)",
    "CREATE INDEX figure_worker_span_span ON figure_worker_span (span)",
    "CREATE INDEX figure_person_year_worker ON figure_person_year (worker)",
    # covering indexes: a province's counts read index entries only, never the table
    "CREATE INDEX figure_person_year_span ON figure_person_year (year, span, paid_mask, paid_low_mask)",
    "CREATE INDEX figure_interval_worker ON figure_interval (worker)",
    "CREATE INDEX figure_interval_span ON figure_interval (low, span, first_month, last_month, prev_last)",
    "CREATE UNIQUE INDEX figure_span_month_key ON figure_span_month (span, month)",
    # a county is read by workshop: its worker-years, placements and their statuses from the index
    "CREATE INDEX figure_worker_year_by_workshop ON figure_worker_year (workshop, year, paid_mask, paid_low_mask, worker)",
    "CREATE INDEX placement_for_figures ON placement (workshop, hired_on, left_on, worker)",
    "CREATE INDEX low_income_status_for_figures ON low_income_status (worker, valid_from, valid_to)",
]
DROPPED = ["figure_cell_shared", "figure_worker_year_year"]  # replaced by the ones above
DROPPED_SQL = ["CREATE INDEX figure_cell_shared ON figure_cell (month, workshop) WHERE single = 0",
               "CREATE INDEX figure_worker_year_year ON figure_worker_year (year, workshop)"]

PLACEMENT_CHANGED = ("OLD.worker <> NEW.worker OR OLD.workshop <> NEW.workshop "
                     "OR OLD.hired_on IS NOT NEW.hired_on OR OLD.left_on IS NOT NEW.left_on")

SQLITE_OLD = ["figure_dirty_placement_upd"]
SQLITE_OLD_SQL = ["CREATE TRIGGER figure_dirty_placement_upd AFTER UPDATE ON placement FOR EACH ROW "
                  "WHEN OLD.worker <> NEW.worker OR OLD.workshop <> NEW.workshop BEGIN "
                  "INSERT INTO figure_dirty (worker, month) SELECT OLD.worker, ''; "
                  "INSERT INTO figure_dirty (worker, month) SELECT NEW.worker, ''; END"]
SQLITE_TRIGGERS = [
    ("figure_dirty_placement_ins", "placement", "INSERT", "", ["SELECT NEW.worker, ''"]),
    ("figure_dirty_placement_upd", "placement", "UPDATE", f"WHEN {PLACEMENT_CHANGED}",
     ["SELECT OLD.worker, ''", "SELECT NEW.worker, ''"]),
    ("figure_dirty_placement_del", "placement", "DELETE", "", ["SELECT OLD.worker, ''"]),
    ("figure_dirty_workshop_region", "workshop", "UPDATE", "WHEN OLD.region_code IS NOT NEW.region_code",
     ["SELECT DISTINCT worker, '' FROM placement WHERE workshop = NEW.id"]),
]

POSTGRES_FUNCTIONS = {
    "figure_dirty_placement": """
        IF TG_OP = 'INSERT' THEN
            INSERT INTO figure_dirty (worker, month) VALUES (NEW.worker, '');
        ELSIF TG_OP = 'DELETE' THEN
            INSERT INTO figure_dirty (worker, month) VALUES (OLD.worker, '');
        ELSIF OLD.worker <> NEW.worker OR OLD.workshop <> NEW.workshop
              OR OLD.hired_on IS DISTINCT FROM NEW.hired_on OR OLD.left_on IS DISTINCT FROM NEW.left_on THEN
            INSERT INTO figure_dirty (worker, month) VALUES (OLD.worker, ''), (NEW.worker, '');
        END IF;""",
    "figure_dirty_workshop": """
        IF OLD.region_code IS DISTINCT FROM NEW.region_code THEN
            INSERT INTO figure_dirty (worker, month) SELECT DISTINCT worker, '' FROM placement WHERE workshop = NEW.id;
        END IF;""",
}
OLD_POSTGRES_FUNCTION = """
        IF OLD.worker <> NEW.worker OR OLD.workshop <> NEW.workshop THEN
            INSERT INTO figure_dirty (worker, month) VALUES (OLD.worker, ''), (NEW.worker, '');
        END IF;"""

POSTGRES_TRIGGERS = [
    ("figure_dirty_placement", "placement", "INSERT OR UPDATE OR DELETE", "figure_dirty_placement"),
    ("figure_dirty_workshop", "workshop", "UPDATE", "figure_dirty_workshop"),
]


def _postgres() -> bool:
    return _Raw._meta.db.engine_type == "postgres"


async def _function(name: str, body: str) -> None:
    await _Raw.raw(f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                   f"BEGIN{body}\n    RETURN NULL;\nEND $$")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ledger", description=DESCRIPTION)

    async def create():
        for name in DROPPED:
            await _Raw.raw(f"DROP INDEX {name}")
        for sql in INDEXES:
            await _Raw.raw(sql)
        if _postgres():
            await _Raw.raw("DROP TRIGGER figure_dirty_placement ON placement")
            for name, body in POSTGRES_FUNCTIONS.items():
                await _function(name, body)
            for name, table, events, function in POSTGRES_TRIGGERS:
                await _Raw.raw(f"CREATE TRIGGER {name} AFTER {events} ON {table} "
                               f"FOR EACH ROW EXECUTE FUNCTION {function}()")
        else:
            for name in SQLITE_OLD:
                await _Raw.raw(f"DROP TRIGGER {name}")
            for name, table, event, when, selects in SQLITE_TRIGGERS:
                inserts = " ".join(f"INSERT INTO figure_dirty (worker, month) {s};" for s in selects)
                await _Raw.raw(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW {when} "
                               f"BEGIN {inserts} END")
        await _Raw.raw("INSERT INTO figure_dirty (worker, month) SELECT DISTINCT worker, '' FROM placement")

    async def drop():
        if _postgres():
            for name, table, _, _ in POSTGRES_TRIGGERS:
                await _Raw.raw(f"DROP TRIGGER {name} ON {table}")
            await _Raw.raw("DROP FUNCTION figure_dirty_workshop()")
            await _function("figure_dirty_placement", OLD_POSTGRES_FUNCTION)
            await _Raw.raw("CREATE TRIGGER figure_dirty_placement AFTER UPDATE ON placement "
                           "FOR EACH ROW EXECUTE FUNCTION figure_dirty_placement()")
        else:
            for name, *_ in SQLITE_TRIGGERS:
                await _Raw.raw(f"DROP TRIGGER {name}")
            for sql in SQLITE_OLD_SQL:
                await _Raw.raw(sql)
        for sql in INDEXES:
            await _Raw.raw("DROP INDEX " + sql.split(" INDEX ")[1].split(" ON ")[0])
        for sql in DROPPED_SQL:
            await _Raw.raw(sql)

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
