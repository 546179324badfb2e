"""The drill-down's pages by keyset cursor against the previous OFFSET paging, same run.

    LEDGER_DATABASE_URL=postgresql://postgres@127.0.0.1:55432/SCRATCH \\
        .venv/bin/python bench/province.py --scale 0.1 --repeat 1     # once: the data set
    LEDGER_DATABASE_URL=postgresql://postgres@127.0.0.1:55432/SCRATCH \\
        .venv/bin/python bench/drilldown_bench.py [--repeat 5] [--page-size 100]

Over the province-shaped data set of ``bench/province.py`` (a scratch database of your
own), for the rows behind ``total_pay`` and ``workers_employed`` of region:33 / 2023 and
``total_pay_low_income`` of one county, it times page 1, the middle page and the last page,
each the median of ``--repeat``:

* **offset**: the drill-down as it was before keyset paging (kept below, verbatim in its
  SQL): the raw pay rows regrouped per (worker, month) at request time, ``LIMIT n OFFSET
  k``, and a ``COUNT(*)`` of all rows on every page;
* **cursor**: ``drilldown.rows_behind`` — page 1 without a cursor (it counts the total),
  the middle and last pages by the cursor a walk would hand over. Building that cursor
  (the key of the row before the page) is set-up and not timed; the bench checks that both
  ways give the same rows.

It prints the times and offset ÷ cursor. It writes no rows; it runs ``VACUUM ANALYZE`` on
``figure_cell`` and ``placement`` first (see ``bench``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


async def offset_rows_behind(scope: Any, period: Any, metric_name: str, page: int, page_size: int
                             ) -> tuple[list[dict[str, Any]], int]:
    """The drill-down before keyset paging (main at 127c820), for the figures measured."""
    from ledger.core.money import fen_to_yuan
    from ledger.services.figures import _run, check_scope_exists, pay_months_sql, period_args, require_reader, scope_sql

    require_reader()
    await check_scope_exists(scope)
    offset = (page - 1) * page_size
    where, args = scope_sql(scope)
    if metric_name.startswith("total_pay"):
        inner, args = pay_months_sql(scope)
        filter_low = "WHERE r.low = 1" if metric_name.endswith("_low_income") else ""
        sql = f"""SELECT r.worker, wk.name, wk.id_number, r.month, r.fen, r.low, r.baseline
                  FROM ({inner}) r JOIN worker wk ON wk.id = r.worker {filter_low}
                  ORDER BY r.month, r.worker LIMIT {page_size} OFFSET {offset}"""
        params = period_args(period, args)
        rows = await _run(sql, params)
        total = int((await _run(f"SELECT COUNT(*) AS n FROM ({inner}) r {filter_low}", params))[0]["n"])
        return [{"worker": r["worker"], "name": r["name"], "id_number": r["id_number"], "month": r["month"],
                 "pay": str(fen_to_yuan(int(r["fen"]))), "low_income": bool(r["low"]),
                 "counts_as_person_month": int(r["fen"]) > 0,
                 "baseline": None if r["baseline"] is None else str(fen_to_yuan(int(r["baseline"])))}
                for r in rows], total
    base_sql = f"""FROM placement p JOIN workshop w ON w.id = p.workshop JOIN worker wk ON wk.id = p.worker
                   WHERE p.hired_on <= {{}} AND (p.left_on IS NULL OR p.left_on >= {{}}) AND {where}"""
    params = [period.last_day, period.first_day, *args]
    rows = await _run(f"""SELECT p.id AS placement, p.worker, wk.name, wk.id_number, w.code AS workshop,
                                 p.hired_on, p.left_on {base_sql}
                          ORDER BY p.worker, p.id LIMIT {page_size} OFFSET {offset}""", params)
    total = int((await _run(f"SELECT COUNT(*) AS n {base_sql}", params))[0]["n"])
    return [{**r, "hired_on": str(r["hired_on"]), "left_on": None if r["left_on"] is None else str(r["left_on"])}
            for r in rows], total


async def cursor_before(scope: Any, period: Any, metric_name: str, position: int, total: int) -> str | None:
    """The cursor a walk hands over for the page starting at row ``position`` (0-based): the
    key of the row before it. Set-up, not timed."""
    from ledger.core.metrics import split_figure_name
    from ledger.services import drilldown

    if position == 0:
        return None
    kind = "pay" if metric_name.startswith("total_pay") else "employed"
    rows = await drilldown.ROWS[kind](scope, period, split_figure_name(metric_name)[1], None, position - 1, 1)
    return drilldown.encode_cursor(drilldown._digest(scope, period, metric_name),
                                   drilldown.Cursor(rows[0]["_key"], position, total))


def _median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


async def bench(repeat: int, page_size: int) -> None:
    import asyncpg

    from ledger.core.metrics import Period, Scope
    from ledger.db import engine
    from ledger.services import drilldown
    from ledger.tables import MonthlyPay, Workshop

    # What autovacuum does to a table some time after a bulk load: the visibility map lets a
    # page of cells be read from the covering index alone. Done here so that every run starts
    # from the same state rather than from wherever autovacuum happens to be.
    connection = await asyncpg.connect(os.environ["LEDGER_DATABASE_URL"])
    await connection.execute("VACUUM ANALYZE figure_cell")
    await connection.execute("VACUUM ANALYZE placement")
    await connection.close()
    await engine().start_connection_pool()
    print(f"pay rows {await MonthlyPay.count():,}; page size {page_size}; median of {repeat}")
    county = (await Workshop.select(Workshop.region_code).first())["region_code"]
    period = Period.parse("2023")
    for scope_text, metric in (("region:33", "total_pay"), (f"region:{county}", "total_pay_low_income"),
                               ("region:33", "workers_employed")):
        scope = Scope.parse(scope_text)
        first = await drilldown.rows_behind(scope, period, metric, None, page_size)
        pages = first.pages
        for label, page in (("first", 1), ("middle", (pages + 1) // 2), ("last", pages)):
            position = (page - 1) * page_size
            after = await cursor_before(scope, period, metric, position, first.total)
            old_times, new_times = [], []
            for _ in range(repeat):
                start = time.perf_counter()
                old_items, old_total = await offset_rows_behind(scope, period, metric, page, page_size)
                old_times.append(time.perf_counter() - start)
                start = time.perf_counter()
                found = await drilldown.rows_behind(scope, period, metric, None, page_size, after)
                new_times.append(time.perf_counter() - start)
                assert found.items == old_items and found.total == old_total, (metric, page)
            old, new = _median_ms(old_times), _median_ms(new_times)
            print(f"{metric:<20} {scope_text:<13} 2023 {label:<6} page {page:>7,} of {pages:,} ({first.total:,} rows): "
                  f"offset {old:9.1f} ms | cursor {new:8.1f} ms | offset ÷ cursor {old / new:7.1f}")
    await engine().close_connection_pool()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--page-size", type=int, default=100)
    args = parser.parse_args()
    os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")
    url = os.environ.get("LEDGER_DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("give the PostgreSQL database bench/province.py loaded in LEDGER_DATABASE_URL")
    if url.rstrip("/").endswith("/ledger_province"):
        raise SystemExit("ledger_province is the lead's benchmark database: load your own with bench/province.py")
    asyncio.run(bench(args.repeat, args.page_size))


if __name__ == "__main__":
    main()
