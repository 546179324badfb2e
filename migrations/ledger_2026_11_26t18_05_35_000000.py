"""The audit journal is append-only in the database itself, on PostgreSQL.

A trigger refuses UPDATE and DELETE on ``audit_entry`` (issue 4). SQLite gets no trigger:
whoever can write the file can drop one, and ``ledger audit verify`` (keyed hash chain
plus replay against the tables) is what catches tampering on either engine.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-26T18:05:35:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit journal append-only trigger (PostgreSQL)"


class _Raw(Table, tablename="audit_entry"):
    pass


def _postgres() -> bool:
    return _Raw._meta.db.engine_type == "postgres"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ledger", description=DESCRIPTION)

    async def create_trigger():
        if not _postgres():
            return
        await _Raw.raw("""
            CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit_entry is append-only: % refused', TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END $$""")
        await _Raw.raw("""
            CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
            FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()""")

    async def drop_trigger():
        if not _postgres():
            return
        await _Raw.raw("DROP TRIGGER audit_entry_append_only ON audit_entry")
        await _Raw.raw("DROP FUNCTION audit_entry_append_only()")

    manager.add_raw(create_trigger)
    manager.add_raw_backwards(drop_trigger)
    return manager
