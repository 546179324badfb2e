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
    sql = figures.figure_groups_sql(scope, period, period.same_months_year_earlier())
    prefix = "EXPLAIN QUERY PLAN " if is_sqlite() else "EXPLAIN (ANALYZE, BUFFERS) "
    rows = await Workshop.raw(prefix + sql.text, *sql.args)
    print("-- the figures' one statement: pay group of the period and of a year earlier, workers employed")
    for row in rows:
        print(row.get("detail") or row.get("QUERY PLAN"))


if __name__ == "__main__":
    asyncio.run(main(*(sys.argv[1:] or ["region:330784", "2023"])))
