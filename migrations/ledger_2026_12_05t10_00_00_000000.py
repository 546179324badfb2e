"""Two indexes that repeat another are dropped: every pay record and every journal entry
paid for them at its INSERT, and a plan could pick the weaker one.

- ``monthly_pay_placement`` (placement) is the prefix of the unique
  ``monthly_pay_placement_month`` (placement, month), which answers every look-up by
  placement as well. The aggregates' flush function, planned once per connection while the
  table was small, read a placement's pay through the shorter index and filtered the months
  (issue 14).
- ``audit_entry_seq`` (seq) repeats the index of the column's unique constraint.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt, ForeignKey

ID = "2026-12-05T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "drop indexes that repeat a unique one (monthly_pay.placement, audit_entry.seq)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ledger", description=DESCRIPTION)
    manager.alter_column(table_class_name="AuditEntry", tablename="audit_entry", column_name="seq",
                         db_column_name="seq", params={"index": False}, old_params={"index": True},
                         column_class=BigInt, old_column_class=BigInt, schema=None)
    manager.alter_column(table_class_name="MonthlyPay", tablename="monthly_pay", column_name="placement",
                         db_column_name="placement", params={"index": False}, old_params={"index": True},
                         column_class=ForeignKey, old_column_class=ForeignKey, schema=None)
    return manager
