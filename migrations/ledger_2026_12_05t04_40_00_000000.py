"""Changes to who may do what are announced, on PostgreSQL (issue 14).

A server process remembers the actor of each bearer token it has seen, and forgets them all
when one of the tables an actor is read from changes (``ledger.services.actor_cache``).
Statement triggers on those tables send a notification on the ``ledger_actors`` channel; it
goes out with the commit, whatever wrote the change (a service, the admin panel, a script,
psql), and never for a rolled-back one. ``piccolo_user`` changes at every login too
(``last_login``); logins are rare next to requests, and a forgotten actor is read again once.
SQLite gets no trigger: nothing is remembered there.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-05T04:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "notify ledger_actors when tokens, roles, workshops or users change (PostgreSQL)"


class _Raw(Table, tablename="api_token"):
    pass


TABLES = ["api_token", "user_role", "user_workshop", "piccolo_user"]


def _postgres() -> bool:
    return _Raw._meta.db.engine_type == "postgres"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ledger", description=DESCRIPTION)

    async def create():
        if not _postgres():
            return
        await _Raw.raw("""
            CREATE FUNCTION ledger_actors_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('ledger_actors', '');
                RETURN NULL;
            END $$""")
        for table in TABLES:
            await _Raw.raw(f"CREATE TRIGGER ledger_actors_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                           f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION ledger_actors_changed()")

    async def drop():
        if not _postgres():
            return
        for table in TABLES:
            await _Raw.raw(f"DROP TRIGGER ledger_actors_changed ON {table}")
        await _Raw.raw("DROP FUNCTION ledger_actors_changed()")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
