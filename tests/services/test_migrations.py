"""The migrations are the schema: they apply from empty on this engine and produce
exactly the tables the code declares."""

from __future__ import annotations

from piccolo.apps.migrations.commands.new import AutoMigrationManager
from piccolo.conf.apps import Finder

from ledger.tables import AGGREGATE_TABLES, LEDGER_TABLES


async def test_the_migrations_leave_nothing_for_a_new_auto_migration_to_do(db):
    app_config = Finder().get_app_config("ledger")
    statements = await AutoMigrationManager(auto_input="n").get_alter_statements(app_config=app_config)
    assert [s for group in statements for s in group.statements] == []


async def _columns(table: str) -> set[str]:
    db = LEDGER_TABLES[0]._meta.db
    if db.engine_type == "sqlite":
        rows = await LEDGER_TABLES[0].raw(f"PRAGMA table_info({table})")
        return {r["name"] for r in rows}
    rows = await LEDGER_TABLES[0].raw(
        "SELECT column_name FROM information_schema.columns WHERE table_name = {}", table)
    return {r["column_name"] for r in rows}


async def test_the_migrated_database_has_exactly_the_declared_columns(db):
    for table in [*LEDGER_TABLES, *AGGREGATE_TABLES]:
        declared = {c._meta.db_column_name for c in table._meta.columns}
        assert await _columns(table._meta.tablename) == declared, table._meta.tablename
