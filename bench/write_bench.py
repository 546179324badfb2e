"""Single-record API writes: ``POST /api/v1/pay`` against a bare Litestar INSERT handler.

    LEDGER_DATABASE_URL=postgresql://postgres@127.0.0.1:55432/SCRATCH .venv/bin/python bench/write_bench.py
    .venv/bin/python bench/write_bench.py            # SQLite, a temporary file

The database must be a scratch one: its schema is dropped and migrated. Both servers run
as uvicorn processes on 127.0.0.1 (loopback only), on the same database, one after the
other in the same run; each gets the same number of requests at 8 and at 32 concurrent
(``--requests``, bounded by ``--timeout``). The product's requests are real writes — an
operator's bearer token, validation, the lock check, the audit journal, the aggregates
flushed before commit; the bare handler does one parametrised INSERT into a table of the
same columns and nothing else. It prints requests/s, p50 and the ratio product ÷ bare, and
the queries one product write makes (counted in-process, listed with ``--list-queries``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BARE_APP = '''
from litestar import Litestar, post
from ledger.tables import MonthlyPay

@post("/bare")
async def bare(data: dict) -> dict:
    await MonthlyPay.raw("INSERT INTO bench_bare_pay (placement, month, amount_fen, days_worked) "
                         "VALUES ({}, {}, {}, {})", data["placement"], data["month"], data["amount_fen"],
                         data["days_worked"])
    return {"ok": True}

async def _pool():
    db = MonthlyPay._meta.db
    if db.engine_type == "postgres":
        await db.start_connection_pool()

app = Litestar([bare], on_startup=[_pool])
'''


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def setup(placements: int, months: int) -> tuple[str, list[int]]:
    """A scratch schema, one workshop, ``placements`` workers placed there since 2000, an
    operator of that workshop with a bearer token."""
    from datetime import date

    from piccolo.apps.migrations.commands.forwards import run_forwards
    from stdnum.cn import uscc

    from ledger.db import engine
    from ledger.services import masterdata, users
    from ledger.tables import Placement, Worker

    db = engine()
    if db.engine_type == "postgres":
        await db.run_ddl("DROP SCHEMA public CASCADE")
        await db.run_ddl("CREATE SCHEMA public")
    assert (await run_forwards("all")).success
    code = "91330784MA2HABCDE"
    enterprise = await masterdata.create_enterprise({"name": "压测企业", "credit_code": code + uscc.calc_check_digit(code),
                                                     "region_code": "330784"})
    shop = await masterdata.create_workshop({"code": "BENCH-1", "name": "压测工坊", "enterprise": enterprise["id"],
                                             "workshop_type": "来料加工式", "village": "花街村", "region_code": "330784",
                                             "opened_on": date(1990, 1, 1)})
    workers = [Worker(name=f"压测{i}", id_number=f"330784********{i:04d}", id_hash=f"bench-{i}", id_cipher="",
                      village="花街村") for i in range(placements)]
    await Worker.insert(*workers)
    rows = [Placement(worker=w.id, workshop=shop["id"], hired_on=date(2000, 1, 1), pay_basis="计件") for w in workers]
    await Placement.insert(*rows)
    await users.create_user("bench-operator", "bench-password-1", "operator", ["BENCH-1"])
    token = (await users.create_token("bench-operator", "bench"))["token"]
    await Placement.raw("CREATE TABLE bench_bare_pay (id SERIAL PRIMARY KEY, placement INTEGER NOT NULL, "
                        "month VARCHAR(7) NOT NULL, amount_fen BIGINT NOT NULL, days_worked INTEGER NOT NULL)"
                        if db.engine_type == "postgres" else
                        "CREATE TABLE bench_bare_pay (id INTEGER PRIMARY KEY, placement INTEGER NOT NULL, "
                        "month VARCHAR(7) NOT NULL, amount_fen BIGINT NOT NULL, days_worked INTEGER NOT NULL)")
    return token, [p.id for p in rows]


async def count_queries(token: str, placement: int, month: str) -> list[str]:
    """The queries one product write makes, in-process (same app, same database)."""
    import httpx

    from ledger.api.app import create_app
    from ledger.db import engine

    cls = type(engine())
    seen: list[str] = []
    original = cls.run_querystring

    async def counting(self, querystring, in_pool=True):  # type: ignore[no-untyped-def]
        seen.append(" ".join(str(querystring).split())[:110])
        return await original(self, querystring, in_pool=in_pool)

    from ledger.services import aggregates

    flush = aggregates.flush

    async def counting_flush() -> None:
        if engine().engine_type == "postgres":  # one script, one round trip (SQLite's statements count above)
            seen.append(f"[aggregates flush: {len(aggregates.flush_statements())} statements in one script]")
        await flush()

    cls.run_querystring = counting  # type: ignore[method-assign]
    aggregates.flush = counting_flush  # type: ignore[assignment]
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app()), base_url="http://bench") as c:
            response = await c.post("/api/v1/pay", headers={"Authorization": f"Bearer {token}"},
                                    json={"placement": placement, "month": month, "amount": "2800.00",
                                          "days_worked": 20})
            assert response.status_code == 201, response.text
    finally:
        cls.run_querystring = original  # type: ignore[method-assign]
        aggregates.flush = flush  # type: ignore[assignment]
    return seen


async def load(url: str, bodies: list[dict], headers: dict[str, str], concurrency: int, timeout: float
               ) -> tuple[float, float, int]:
    """Send every body with at most ``concurrency`` in flight: (requests/s, p50 ms, failures)."""
    import httpx

    queue = list(bodies)
    latencies: list[float] = []
    failures = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
        async def worker() -> None:
            nonlocal failures
            while queue:
                body = queue.pop()
                start = time.perf_counter()
                response = await client.post(url, json=body, headers=headers)
                latencies.append(time.perf_counter() - start)
                if response.status_code not in (200, 201):
                    failures += 1
        start = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*[worker() for _ in range(concurrency)]), timeout)
        elapsed = time.perf_counter() - start
    return len(bodies) / elapsed, statistics.median(latencies) * 1000, failures


def serve(app: list[str], port: int, env: dict[str, str]) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", *app, "--host", "127.0.0.1", "--port", str(port),
                                "--log-level", "warning", "--no-access-log"], cwd=str(ROOT), env=env)
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{app} did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=400, help="requests per server and concurrency")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds, per server and concurrency")
    parser.add_argument("--list-queries", action="store_true")
    args = parser.parse_args()
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)

    tmp = Path(tempfile.mkdtemp(prefix="ledger-write-bench-"))
    os.environ.setdefault("LEDGER_DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ.setdefault("LEDGER_KEY_FILE", str(tmp / "secret.key"))
    os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")
    months = [f"{2001 + i // 12}-{i % 12 + 1:02d}" for i in range(120)]
    per_placement = -(-2 * len([8, 32]) * args.requests // len(months)) + 1
    placements = max(per_placement, 1)
    token, ids = asyncio.run(setup(placements, len(months)))
    queries = asyncio.run(count_queries(token, ids[0], "2000-01"))

    env = dict(os.environ)
    (tmp / "bare_app.py").write_text(BARE_APP)
    env["PYTHONPATH"] = f"{tmp}:{ROOT}"
    product_port, bare_port = _free_port(), _free_port()
    cells = iter([(p, m) for p in ids for m in months])
    engine = os.environ["LEDGER_DATABASE_URL"].split(":")[0]
    print(f"engine {engine}; {args.requests} requests per server and concurrency; loopback, uvicorn, one process each")
    print(f"queries per product write: {len(queries)}")
    if args.list_queries:
        for q in queries:
            print("   ", q)
    product = serve(["ledger.api.app:create_app", "--factory"], product_port, env)
    bare = serve(["bare_app:app"], bare_port, env)
    try:
        for concurrency in (8, 32):
            product_bodies, bare_bodies = [], []
            for _ in range(args.requests):
                p, m = next(cells)
                product_bodies.append({"placement": p, "month": m, "amount": "2800.00", "days_worked": 20})
                p, m = next(cells)
                bare_bodies.append({"placement": p, "month": m, "amount_fen": 280000, "days_worked": 20})
            headers = {"Authorization": f"Bearer {token}"}
            product_rps, product_p50, product_fail = asyncio.run(
                load(f"http://127.0.0.1:{product_port}/api/v1/pay", product_bodies, headers, concurrency, args.timeout))
            bare_rps, bare_p50, bare_fail = asyncio.run(
                load(f"http://127.0.0.1:{bare_port}/bare", bare_bodies, {}, concurrency, args.timeout))
            print(f"concurrency {concurrency:>2}: product {product_rps:7.1f} req/s (p50 {product_p50:6.1f} ms, "
                  f"{product_fail} failed) | bare INSERT {bare_rps:7.1f} req/s (p50 {bare_p50:6.1f} ms, "
                  f"{bare_fail} failed) | ratio {product_rps / bare_rps:.2f}")
    finally:
        for process in (product, bare):
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
