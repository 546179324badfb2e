"""Benchmark: import 100,000 monthly pay rows, against reading the file and a raw bulk insert.

What it does, in one run and on one database:
1. builds a workshop and its workers and placements through the bulk path (a hires
   sheet imported by the importer itself: 10,000 workers by default);
2. writes a pay sheet of ``--rows`` rows (workers × months; workshop code, full ID
   number, name, month, amount, days) as .xlsx (or .csv);
3. times **read only**: streaming every row of the file with the importer's reader;
4. times **import**: ``run_import`` of the file, committed (look-ups, the API's checks,
   bulk inserts, figures before/after, one transaction);
5. times **raw insert**: the same rows, already as column values, written with
   ``MonthlyPay.insert(*rows)`` in batches of 1,000 inside one transaction;
6. measures peak Python memory (tracemalloc) of a dry-run import of the same file, and
   of reading it alone, and the process's peak RSS;
then removes everything it created. It prints the times and the ratios import ÷ read
and import ÷ raw insert.

    .venv/bin/python bench/import_bench.py                       # SQLite (a temporary file)
    LEDGER_DATABASE_URL=postgresql://postgres@127.0.0.1:55432/ledger_bench .venv/bin/python bench/import_bench.py

On PostgreSQL give a scratch database: the migrations are applied to it.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_tmp = Path(tempfile.mkdtemp(prefix="ledger-bench-"))
os.environ.setdefault("LEDGER_DATABASE_URL", f"sqlite:///{_tmp}/bench.sqlite3")
os.environ.setdefault("LEDGER_KEY_FILE", str(_tmp / "secret.key"))
os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")

from stdnum.cn import ric  # noqa: E402

CODE = "BENCH-01"


def id_number(serial: int) -> str:
    born = date(1960, 1, 1) + timedelta(days=serial // 900)
    body = f"330784{born:%Y%m%d}{serial % 900 + 100:03d}"
    return body + ric.calc_check_digit(body + "0")


def write_rows(path: Path, header: list[str], rows, title: str) -> None:
    if path.suffix == ".csv":
        import csv

        with open(path, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([title])
            writer.writerow(header)
            writer.writerows(rows)
        return
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("sheet")
    sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)


async def setup(workers: int, months: int, suffix: str) -> tuple[Path, dict]:
    from piccolo.apps.migrations.commands.forwards import run_forwards

    from ledger.importer import ImportOptions, run_import
    from ledger.services import masterdata
    from ledger.tables import Enterprise

    result = await run_forwards("all")
    assert result.success, result.message
    enterprise = await Enterprise.select().where(Enterprise.credit_code == "91330784MA2HBENCH9").first()
    if enterprise is None:
        from stdnum.cn import uscc

        seed = "91330784MA2HBENCH"
        enterprise = await masterdata.create_enterprise(
            {"name": "基准测试企业", "credit_code": seed + uscc.calc_check_digit(seed), "region_code": "330784"})
    workshop = await masterdata.create_workshop({
        "code": CODE, "name": "基准测试工坊", "enterprise": enterprise["id"], "workshop_type": "来料加工式",
        "village": "花街村", "region_code": "330784", "opened_on": date(2000, 1, 1)})
    hires = _tmp / f"hires{suffix}"
    write_rows(hires, ["工坊编码", "身份证号", "姓名", "所在村", "入职日期", "计酬方式"],
               ([CODE, id_number(i), f"工人{i}", "花街村", "2023-01-01", "计件"] for i in range(workers)), "用工")
    started = time.perf_counter()
    report = await run_import(hires, ImportOptions())
    print(f"setup: {report.workers_created:,} workers and {report.created:,} placements imported "
          f"in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    pay = _tmp / f"pay{suffix}"
    write_rows(pay, ["工坊编码", "身份证号", "姓名", "月份", "收入(元)", "出勤天数"],
               ([CODE, id_number(i), f"工人{i}", f"2023-{m:02d}", f"{2000 + (i * 37 + m) % 2000}.{i % 100:02d}",
                 20 + (i + m) % 8] for m in range(1, months + 1) for i in range(workers)), "月收入")
    return pay, {"workshop": workshop, "enterprise": enterprise}


def read_only(path: Path) -> int:
    from ledger.importer import open_sheet

    sheet, _ = open_sheet(path)
    assert sheet is not None
    return sum(1 for _ in sheet.data_rows())


async def cleanup(world: dict) -> None:
    from ledger.db import write_transaction
    from ledger.tables import Enterprise, MonthlyPay, Placement, Worker, Workshop

    workshop = world["workshop"]["id"]
    async with write_transaction():
        placements = Placement.select(Placement.id).where(Placement.workshop == workshop)
        workers = [r["worker"] for r in await Placement.select(Placement.worker).where(Placement.workshop == workshop)]
        await MonthlyPay.delete().where(MonthlyPay.placement.is_in(placements))
        await Placement.delete().where(Placement.workshop == workshop)
        for start in range(0, len(workers), 1000):
            await Worker.delete().where(Worker.id.is_in(workers[start:start + 1000]))
        await Workshop.delete().where(Workshop.id == workshop)
        if not await Workshop.exists().where(Workshop.enterprise == world["enterprise"]["id"]):
            await Enterprise.delete().where(Enterprise.id == world["enterprise"]["id"])


async def main(args: argparse.Namespace) -> None:
    from piccolo.engine.postgres import PostgresEngine

    from ledger.db import engine, write_transaction
    from ledger.importer import ImportOptions, run_import
    from ledger.tables import MonthlyPay, Placement

    db = engine()
    if isinstance(db, PostgresEngine):
        await db.start_connection_pool()
    months = max(1, args.rows // args.workers)
    pay_file, world = await setup(args.workers, months, f".{args.format}")
    try:
        rows = read_only(pay_file)  # warm the page cache once
        size = pay_file.stat().st_size
        print(f"file: {pay_file.name}, {rows:,} rows, {size / 1e6:.1f} MB; database: "
              f"{os.environ['LEDGER_DATABASE_URL'].split('@')[-1]}", file=sys.stderr)

        gc.collect()
        started = time.perf_counter()
        read_only(pay_file)
        t_read = time.perf_counter() - started

        gc.collect()
        started = time.perf_counter()
        report = await run_import(pay_file, ImportOptions())
        t_import = time.perf_counter() - started
        assert report.created == rows, report.message

        placements = Placement.select(Placement.id).where(Placement.workshop == world["workshop"]["id"])
        written = await MonthlyPay.select(MonthlyPay.placement, MonthlyPay.month, MonthlyPay.amount_fen,
                                          MonthlyPay.days_worked, MonthlyPay.hours, MonthlyPay.pieces).where(
            MonthlyPay.placement.is_in(placements))
        await MonthlyPay.delete().where(MonthlyPay.placement.is_in(placements))
        gc.collect()
        started = time.perf_counter()
        async with write_transaction():
            for start in range(0, len(written), 1000):
                await MonthlyPay.insert(*[MonthlyPay(**row) for row in written[start:start + 1000]])
        t_raw = time.perf_counter() - started
        await MonthlyPay.delete().where(MonthlyPay.placement.is_in(placements))
        del written

        gc.collect()
        tracemalloc.start()
        read_only(pay_file)
        peak_read = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        await run_import(pay_file, ImportOptions(dry_run=True))
        peak_import = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    finally:
        await cleanup(world)
        if isinstance(db, PostgresEngine):
            await db.close_connection_pool()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    engine_name = "PostgreSQL" if isinstance(db, PostgresEngine) else "SQLite"
    print(f"\n{engine_name}, {rows:,} pay rows from .{args.format} ({args.workers:,} workers × {months} months)")
    print(f"  read only        {t_read:8.2f} s   ({rows / t_read:,.0f} rows/s)")
    print(f"  import           {t_import:8.2f} s   ({rows / t_import:,.0f} rows/s)")
    print(f"  raw bulk insert  {t_raw:8.2f} s   ({rows / t_raw:,.0f} rows/s)")
    print(f"  import ÷ read    {t_import / t_read:8.2f}")
    print(f"  import ÷ raw     {t_import / t_raw:8.2f}")
    print(f"  import − read − raw (checks, look-ups, figures) {t_import - t_read - t_raw:6.2f} s")
    print(f"  peak Python memory: reading {peak_read / 1e6:.1f} MB, dry-run import {peak_import / 1e6:.1f} MB "
          f"(tracemalloc); process peak RSS {rss:.0f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=10_000)
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    asyncio.run(main(parser.parse_args()))
