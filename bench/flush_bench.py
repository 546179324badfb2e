"""How long the aggregates' flush at commit takes after a bulk write.

    .venv/bin/python bench/flush_bench.py [--workers 2000] [--months 10]
    LEDGER_DATABASE_URL=postgresql://postgres@127.0.0.1:55432/SCRATCH .venv/bin/python bench/flush_bench.py

The database must be a scratch one (its schema is dropped and migrated). It places
``--workers`` workers at one workshop (a fifth of them low-income, two thirds with a
baseline), rebuilds the aggregates, then inserts workers × months pay rows in one write
transaction. The triggers queue one key per row, and the flush runs once at commit. It prints
the insert time, the flush time, and whether ``aggregates.check()`` finds any difference.
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


async def run(workers: int, months: int) -> None:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2000)
    parser.add_argument("--months", type=int, default=10)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ledger-flush-bench-"))
    os.environ.setdefault("LEDGER_DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ.setdefault("LEDGER_KEY_FILE", str(tmp / "secret.key"))
    os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")
    asyncio.run(run(args.workers, args.months))


if __name__ == "__main__":
    main()
