"""How long the aggregates' flush at commit takes after a bulk write.

    .venv/bin/python bench/flush_bench.py [--workers 2000] [--months 10]
    LEDGER_DATABASE_URL=postgresql://postgres@127.0.0.1:55432/SCRATCH .venv/bin/python bench/flush_bench.py

The database must be a scratch one (its schema is dropped and migrated). It places
``--workers`` workers at one workshop (a fifth of them low-income, two thirds with a
baseline), rebuilds the aggregates, then inserts workers × months pay rows in one write
transaction. The triggers queue one key per row, and the flush runs once at commit. It prints
the insert time, the flush time, and whether ``aggregates.check()`` finds any difference.

    ... flush_bench.py --small 400 [--keys 5]        (PostgreSQL only)

then also times ``--small`` small flushes, the size of one group commit's: each transaction
writes the pay of ``--keys`` random placements in a random month (new rows, or changed ones
where the month is paid already; only month keys are queued), calls the flush function and
commits (after ``VACUUM ANALYZE`` of the aggregate tables, as autovacuum would soon after the
bulk flush). Transactions alternate between the flush function as it is (its fast path, taken
when no worker is queued with all months) and the same function without the fast path (every
flush the full recomputation: the baseline), on one connection with the ledger's settings.
It prints the median and 90th percentile of each call (client-side: one round trip
included), the ratio fast ÷ full, and whether ``aggregates.check()`` still finds nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


async def small_flushes(count: int, keys: int, placements: list[int]) -> None:
    import random
    import statistics

    import asyncpg

    from ledger.services import aggregates
    from ledger.tables import AGGREGATE_TABLES

    url = os.environ["LEDGER_DATABASE_URL"]
    connection = await asyncpg.connect(url, server_settings={"plan_cache_mode": "force_custom_plan", "jit": "off"})
    try:
        calls = {}
        for fast in (True, False):
            name, create = aggregates.flush_function(fast=fast)
            if not await connection.fetchval("SELECT to_regproc($1) IS NOT NULL", name):
                await connection.execute(create)
            calls[fast] = f"SELECT {name}()"
        # what autovacuum does within a minute of the bulk flush: its 20,000 dead queue rows
        # would otherwise be most of what a small flush reads
        for table in AGGREGATE_TABLES:
            await connection.execute(f"VACUUM ANALYZE {table._meta.tablename}")
        rng = random.Random(14)
        times: dict[bool, list[float]] = {True: [], False: []}
        for i in range(count):
            fast = i % 2 == 0
            month = f"{rng.randrange(2021, 2031)}-{rng.randrange(1, 13):02d}"
            async with connection.transaction():
                for placement in rng.sample(placements, keys):
                    await connection.execute(
                        "INSERT INTO monthly_pay (placement, month, amount_fen, days_worked) VALUES ($1, $2, $3, 1) "
                        "ON CONFLICT (placement, month) DO UPDATE SET amount_fen = excluded.amount_fen",
                        placement, month, rng.choice([0, 1, 150000, 280000]))
                start = time.perf_counter()
                await connection.execute(calls[fast])
                times[fast].append((time.perf_counter() - start) * 1000)
    finally:
        await connection.close()

    def ms(values: list[float]) -> str:
        return f"median {statistics.median(values):.3f} ms, p90 {statistics.quantiles(values, n=10)[-1]:.3f} ms"

    print(f"{count} flushes of {keys} month keys, alternating: fast path {ms(times[True])}; "
          f"full recomputation {ms(times[False])}; fast ÷ full (medians) "
          f"{statistics.median(times[True]) / statistics.median(times[False]):.2f}; "
          f"check: {[d.as_dict() for d in await aggregates.check()] or 'equal'}")


async def run(workers: int, months: int, small: int = 0, keys: int = 5) -> None:
    from datetime import date

    from piccolo.apps.migrations.commands.forwards import run_forwards
    from stdnum.cn import uscc

    from ledger.db import engine, write_transaction
    from ledger.services import aggregates, masterdata
    from ledger.tables import LowIncomeStatus, MonthlyPay, Placement, Worker

    db = engine()
    if db.engine_type == "postgres":
        await db.run_ddl("DROP SCHEMA public CASCADE")
        await db.run_ddl("CREATE SCHEMA public")
    assert (await run_forwards("all")).success
    code = "91330784MA2HABCDE"
    enterprise = await masterdata.create_enterprise({"name": "压测企业", "credit_code": code + uscc.calc_check_digit(code),
                                                     "region_code": "330784"})
    shop = await masterdata.create_workshop({"code": "FLUSH-1", "name": "压测工坊", "enterprise": enterprise["id"],
                                             "workshop_type": "来料加工式", "village": "花街村", "region_code": "330784",
                                             "opened_on": date(1990, 1, 1)})
    people = [Worker(name=f"p{i}", id_number="330784********0000", id_hash=f"flush-{i}", id_cipher="", village="v",
                     baseline_income_fen=100000 if i % 3 else None) for i in range(workers)]
    await Worker.insert(*people)
    placements = [Placement(worker=p.id, workshop=shop["id"], hired_on=date(2020, 1, 1), pay_basis="计件")
                  for p in people]
    await Placement.insert(*placements)
    await LowIncomeStatus.insert(*[LowIncomeStatus(worker=p.id, category="低保", valid_from=date(2020, 3, 1))
                                   for p in people[::5]])
    await aggregates.rebuild()
    rows = [MonthlyPay(placement=p.id, month=f"{2020 + m // 12}-{m % 12 + 1:02d}", amount_fen=100000 + m,
                       days_worked=1) for p in placements for m in range(months)]
    start = time.perf_counter()
    async with write_transaction():
        for i in range(0, len(rows), 1000):
            await MonthlyPay.insert(*rows[i:i + 1000])
        inserted = time.perf_counter()
        queued = await aggregates.pending()
    done = time.perf_counter()
    print(f"{db.engine_type}: {len(rows):,} pay rows inserted in {inserted - start:.2f} s ({queued:,} keys queued); "
          f"flush at commit {done - inserted:.2f} s; check: {[d.as_dict() for d in await aggregates.check()] or 'equal'}")
    if small and db.engine_type == "postgres":
        await small_flushes(small, keys, [p.id for p in placements])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2000)
    parser.add_argument("--months", type=int, default=10)
    parser.add_argument("--small", type=int, default=0, help="small flushes to time after the bulk one (PostgreSQL)")
    parser.add_argument("--keys", type=int, default=5, help="pay rows written per small flush")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ledger-flush-bench-"))
    os.environ.setdefault("LEDGER_DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ.setdefault("LEDGER_KEY_FILE", str(tmp / "secret.key"))
    os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")
    asyncio.run(run(args.workers, args.months, args.small, args.keys))


if __name__ == "__main__":
    main()
