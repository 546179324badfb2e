"""Print the query plans of the figure queries on the configured database (load the demo
first: ``ledger demo``). Usage: ``python bench/explain_figures.py [scope] [period]``."""

from __future__ import annotations

import asyncio
import sys

from ledger.core.metrics import Period, Scope
from ledger.db import is_sqlite
from ledger.services import figures
from ledger.tables import Workshop


async def main(scope_text: str, period_text: str) -> None:
    scope, period = Scope.parse(scope_text), Period.parse(period_text)
    sql, args = figures._pay_group_sql(scope)
    prefix = "EXPLAIN QUERY PLAN " if is_sqlite() else "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) "
    rows = await Workshop.raw(prefix + sql, str(period.first), str(period.last), *args)
    print("-- pay group (total, person-months, workers paid, uplift; plain and low-income)")
    for row in rows:
        print(row.get("detail") or row.get("QUERY PLAN"))


if __name__ == "__main__":
    asyncio.run(main(*(sys.argv[1:] or ["region:330784", "2023"])))
