"""Does declarative partitioning of ``monthly_pay`` by year (range on ``month``) pay on PostgreSQL?

    LEDGER_DATABASE_URL=postgresql://postgres@127.0.0.1:55432/SCRATCH \\
        .venv/bin/python bench/partition_bench.py --scale 0.1 [--skip-generate] [--repeat 3]

The database must be a scratch one: ``bench/province.py``'s generator drops its schema and
loads the province-shaped data set (``--scale 0.1``: about 1.2 M pay rows over 2022–2023).
Then two copies of ``monthly_pay`` are made side by side, identical but for partitioning:

- ``plain.monthly_pay``: the product's table (primary key ``id``, unique ``(placement,
  month)``, the same indexes, the same dirty-key trigger);
- ``part.monthly_pay``: ``PARTITION BY RANGE (month)``, one partition per year (2022, 2023,
  2024) and a default one; the primary key must include the partition key, so it is
  ``(id, month)``; the other indexes and the trigger are the same.

Each measurement runs the same statement on both, the product's own code where there is
one, choosing the copy by ``search_path`` (``<copy>, public``: every other table is the
product's), alternating the order; it prints the absolute times and partitioned ÷ plain:

1. bulk load of a year (2022 into the empty table, then 2023 next to it), trigger on, as an
   import would;
2. the raw recomputation ``figures --check`` does (``figures.pay_group_from_rows``) for
   region:33 / 2023 and for one county / 2023-05, median of ``--repeat``;
3. the aggregate rebuild (``aggregates.rebuild()``, which reads the rows of both years);
4. single-row writes and reads: INSERT of a pay row (autocommit, trigger on), SELECT by
   ``id`` (how the services re-read, update and delete a row), median of 300;
5. archiving the year 2022: ``DELETE`` (trigger on, as the services would) plus the
   ``VACUUM`` that returns the space, against ``DETACH PARTITION`` + ``DROP TABLE``.
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
sys.path.insert(0, str(ROOT / "bench"))

COPIES = ("plain", "part")
YEARS = {"2022": ("2022-01", "2023-01"), "2023": ("2023-01", "2024-01"), "2024": ("2024-01", "2025-01")}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:10.1f} ms"


async def setup(connection: Any) -> None:
    await connection.execute("DROP SCHEMA IF EXISTS plain CASCADE; DROP SCHEMA IF EXISTS part CASCADE;"
                             "CREATE SCHEMA plain; CREATE SCHEMA part")
    await connection.execute("CREATE TABLE plain.monthly_pay (LIKE public.monthly_pay INCLUDING DEFAULTS)")
    await connection.execute("CREATE TABLE part.monthly_pay (LIKE public.monthly_pay INCLUDING DEFAULTS) "
                             "PARTITION BY RANGE (month)")
    for year, (low, high) in YEARS.items():
        await connection.execute(f"CREATE TABLE part.monthly_pay_{year} PARTITION OF part.monthly_pay "
                                 f"FOR VALUES FROM ('{low}') TO ('{high}')")
    await connection.execute("CREATE TABLE part.monthly_pay_default PARTITION OF part.monthly_pay DEFAULT")
    indexes = await connection.fetch("SELECT indexname, indexdef FROM pg_indexes "
                                     "WHERE schemaname = 'public' AND tablename = 'monthly_pay'")
    for copy in COPIES:
        for row in indexes:
            definition = row["indexdef"].replace("ON public.monthly_pay", f"ON {copy}.monthly_pay")
            if row["indexname"] == "monthly_pay_pkey":
                key = "id" if copy == "plain" else "id, month"  # a partitioned key must hold month
                await connection.execute(f"ALTER TABLE {copy}.monthly_pay ADD PRIMARY KEY ({key})")
            else:
                await connection.execute(definition.replace(f"INDEX {row['indexname']}",
                                                            f"INDEX {row['indexname']}_{copy}"))
        await connection.execute(f"CREATE TRIGGER figure_dirty_pay AFTER INSERT OR UPDATE OR DELETE ON "
                                 f"{copy}.monthly_pay FOR EACH ROW EXECUTE FUNCTION public.figure_dirty_pay()")
    print("indexes copied: " + ", ".join(r["indexname"] for r in indexes))


async def timed(connection: Any, sql: str, *args: Any) -> float:
    start = time.perf_counter()
    await connection.execute(sql, *args)
    return time.perf_counter() - start


def ratio_line(label: str, got: dict[str, float]) -> str:
    return (f"{label:<44} plain {ms(got['plain'])} | partitioned {ms(got['part'])} | "
            f"partitioned ÷ plain {got['part'] / got['plain']:6.2f}")


def use(copy: str) -> None:
    """The product's engine reads ``monthly_pay`` from this copy from now on (new connections)."""
    from ledger.db import engine

    engine().config["server_settings"]["search_path"] = f"{copy}, public"


async def main(repeat: int) -> None:
    import asyncpg

    from ledger.access import Actor, acting_as
    from ledger.core.enums import Role, WritePath
    from ledger.core.metrics import Period, Scope
    from ledger.services import aggregates, figures

    url = os.environ["LEDGER_DATABASE_URL"]
    connection = await asyncpg.connect(url)
    await setup(connection)
    print(f"pay rows {await connection.fetchval('SELECT COUNT(*) FROM public.monthly_pay'):,}")

    for year in ("2022", "2023"):
        got = {}
        for copy in (COPIES if year == "2022" else reversed(COPIES)):
            got[copy] = await timed(connection, f"INSERT INTO {copy}.monthly_pay SELECT * FROM public.monthly_pay "
                                                f"WHERE month >= $1 AND month < $2", *YEARS[year])
            await connection.execute("TRUNCATE figure_dirty")  # the same rows as public's: nothing to flush
        print(ratio_line(f"bulk load of {year} ({'empty table' if year == '2022' else 'next to 2022'})", got))
    for copy in COPIES:
        await connection.execute(f"VACUUM ANALYZE {copy}.monthly_pay")

    county = await connection.fetchval("SELECT region_code FROM workshop ORDER BY id LIMIT 1")
    for scope, period in (("region:33", "2023"), (f"region:{county}", "2023-05")):
        got = {}
        runs: dict[str, list[float]] = {copy: [] for copy in COPIES}
        results = {}
        for i in range(repeat):
            for copy in (COPIES if i % 2 == 0 else reversed(COPIES)):
                use(copy)
                start = time.perf_counter()
                results[copy] = await figures.pay_group_from_rows(Scope.parse(scope), Period.parse(period))
                runs[copy].append(time.perf_counter() - start)
        assert results["plain"] == results["part"], results
        got = {copy: statistics.median(values) for copy, values in runs.items()}
        print(ratio_line(f"pay group from rows {scope} / {period}", got))

    got = {}
    with acting_as(Actor(username="bench", role=Role.admin, path=WritePath.cli, workshops=frozenset())):
        for copy in reversed(COPIES):
            use(copy)
            start = time.perf_counter()
            counts = await aggregates.rebuild()
            got[copy] = time.perf_counter() - start
    print(ratio_line(f"aggregate rebuild ({counts['figure_cell']:,} cells)", got))
    use("public")

    placements = [r["id"] for r in await connection.fetch("SELECT id FROM placement ORDER BY id LIMIT 300")]
    ids = [r["id"] for r in await connection.fetch(
        "SELECT id FROM public.monthly_pay WHERE month >= '2023-01' ORDER BY id DESC LIMIT 300")]
    inserts: dict[str, list[float]] = {copy: [] for copy in COPIES}
    reads: dict[str, list[float]] = {copy: [] for copy in COPIES}
    per_copy = {copy: await asyncpg.connect(url, server_settings={"search_path": f"{copy}, public"})
                for copy in COPIES}
    for i, (placement, row_id) in enumerate(zip(placements, ids, strict=True)):
        for copy in (COPIES if i % 2 == 0 else reversed(COPIES)):
            inserts[copy].append(await timed(
                per_copy[copy], "INSERT INTO monthly_pay (placement, month, amount_fen, days_worked) "
                                "VALUES ($1, '2024-01', 280000, 20)", placement))
            start = time.perf_counter()
            await per_copy[copy].fetchrow("SELECT * FROM monthly_pay WHERE id = $1", row_id)
            reads[copy].append(time.perf_counter() - start)
    print(ratio_line("single-row INSERT (median of 300)", {c: statistics.median(v) for c, v in inserts.items()}))
    print(ratio_line("SELECT by id (median of 300)", {c: statistics.median(v) for c, v in reads.items()}))
    for c in per_copy.values():
        await c.close()
    await connection.execute("TRUNCATE figure_dirty")

    got = {}
    start = time.perf_counter()
    deleted = await connection.execute("DELETE FROM plain.monthly_pay WHERE month >= $1 AND month < $2",
                                       *YEARS["2022"])
    delete = time.perf_counter() - start
    vacuum = await timed(connection, "VACUUM plain.monthly_pay")
    got["plain"] = delete + vacuum
    got["part"] = await timed(connection, "ALTER TABLE part.monthly_pay DETACH PARTITION part.monthly_pay_2022")
    got["part"] += await timed(connection, "DROP TABLE part.monthly_pay_2022")
    await connection.execute("TRUNCATE figure_dirty")
    print(ratio_line(f"archive 2022 ({deleted}; VACUUM {vacuum:.1f} s)", got))
    await connection.execute("DROP SCHEMA plain CASCADE; DROP SCHEMA part CASCADE")
    await connection.close()


def run() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-generate", action="store_true", help="reuse the data set already loaded")
    args = parser.parse_args()
    os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")
    os.environ["LEDGER_DB_POOL"] = "0"
    if not os.environ.get("LEDGER_DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("give a scratch PostgreSQL database in LEDGER_DATABASE_URL")
    if not args.skip_generate:
        import province

        for step, seconds in asyncio.run(province.generate(args.scale)).items():
            print(f"{step}: {seconds:.1f} s")
    asyncio.run(main(args.repeat))


if __name__ == "__main__":
    run()
