"""Single-record API writes: ``POST /api/v1/pay`` against a bare Litestar INSERT handler.

    LEDGER_DATABASE_URL=postgresql://postgres@127.0.0.1:55432/SCRATCH .venv/bin/python bench/write_bench.py
    .venv/bin/python bench/write_bench.py            # SQLite, a temporary file

The database must be a scratch one: its schema is dropped and migrated. Both servers run
as uvicorn processes on 127.0.0.1 (loopback only) with the same settings (``--workers``,
default 1 each; each worker opens the same connection pool), on the same database, in the
same run. For each concurrency (8 and 32) they take turns, ``--rounds`` times each (product,
bare, product, bare, ...), so a change in the machine's load falls on both; every round
sends ``--requests`` requests after a short warm-up. The product's requests are real writes —
an operator's bearer token, validation, the lock check, the audit journal, the aggregates
flushed before commit; the bare handler does one parametrised INSERT into a table of the
same columns and nothing else. It prints requests/s, p50 and p95 latency, the ratio product
÷ bare, the load average, and the round trips per product write (counted in-process, for one
write alone and for 8 sent at once, which share a group commit and a coalesced batch: BEGIN
and COMMIT included, and which of them run inside the writers' turn — from the lock to the
commit, the part that admits one writer at a time; on PostgreSQL with the token's actor
remembered, as a server remembers it after its first request; ``--list-queries`` lists them).

The load generator (``--client``) is by default a lean one: ``concurrency`` keep-alive HTTP/1.1
connections written and read directly. Up to stop 18 it was httpx, which turned out to be the
bottleneck: it held the bare handler to 1,000–1,600 requests/s at 8 concurrent (about 5,000
with the lean client) and both servers to about 440 at 32, so the ratio it gave flattered the
product. ``--client httpx`` still runs it, to compare with those numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
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
        await db.start_connection_pool()  # the bare handler: asyncpg's defaults

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


async def count_queries(token: str, cells: list[tuple[int, str]], warmup: tuple[int, str]
                        ) -> list[tuple[bool, str]]:
    """The round trips product writes make, in-process (same app, same database), each with
    whether it runs inside the writers' turn (on PostgreSQL from the advisory lock to COMMIT;
    on SQLite the whole IMMEDIATE transaction holds the write lock). One request per cell,
    all sent at once: they meet in one group commit, as concurrent requests do in the server.
    A write to ``warmup`` goes first, uncounted: the server's state after its first request
    (the flush function exists; on PostgreSQL the token's actor is remembered,
    ``ledger.services.actor_cache``)."""
    import httpx

    from ledger.api.app import create_app
    from ledger.db import engine
    from ledger.services.actor_cache import ACTORS

    db = engine()
    sqlite = db.engine_type == "sqlite"
    if not sqlite:
        await ACTORS.start(db.config["dsn"])
    transaction_cls = type(db.transaction())
    seen: list[tuple[bool, str]] = []
    inside = False
    original, begin, commit = type(db).run_querystring, transaction_cls.begin, transaction_cls.commit

    async def counting(self, querystring, in_pool=True):  # type: ignore[no-untyped-def]
        nonlocal inside
        text = " ".join(str(querystring).split())
        inside = inside or "pg_advisory_xact_lock" in text
        seen.append((inside, text[:110]))
        return await original(self, querystring, in_pool=in_pool)

    async def counting_begin(self):  # type: ignore[no-untyped-def]
        nonlocal inside
        inside = True
        seen.append((inside, "BEGIN IMMEDIATE"))
        return await begin(self)

    async def counting_commit(self):  # type: ignore[no-untyped-def]
        nonlocal inside
        seen.append((inside, "COMMIT"))
        result = await commit(self)
        inside = False
        return result

    import aiosqlite
    import asyncpg

    connection_cls = aiosqlite.Connection if sqlite else asyncpg.Connection
    execute = connection_cls.execute

    def counting_execute(self, sql, *args, **kwargs):  # type: ignore[no-untyped-def]
        # not async: aiosqlite's execute returns an awaitable context manager, asyncpg's a coroutine.
        # On PostgreSQL every simple-protocol message counts (BEGIN with the lock, SAVEPOINT, the
        # flush's call, COMMIT); on SQLite, where Piccolo runs every query through execute, only
        # the units' own savepoints (its BEGIN and COMMIT are counted above).
        nonlocal inside
        if not isinstance(sql, str):
            return execute(self, sql, *args, **kwargs)
        text = " ".join(sql.split())
        if not sqlite:
            inside = inside or "pg_advisory_xact_lock" in text
            seen.append((inside, text[:110]))
            if text.startswith(("COMMIT", "ROLLBACK")) and not text.startswith("ROLLBACK TO"):
                inside = False
        elif text.startswith(("SAVEPOINT", "ROLLBACK TO")):
            seen.append((inside, text))
        return execute(self, sql, *args, **kwargs)

    async def post(client: httpx.AsyncClient, placement: int, month: str) -> httpx.Response:
        return await client.post("/api/v1/pay", headers={"Authorization": f"Bearer {token}"},
                                 json={"placement": placement, "month": month, "amount": "2800.00",
                                       "days_worked": 20})

    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app()), base_url="http://bench") as c:
            first = await post(c, *warmup)
            assert first.status_code == 201, first.text
            type(db).run_querystring = counting  # type: ignore[method-assign]
            if sqlite:
                transaction_cls.begin, transaction_cls.commit = counting_begin, counting_commit  # type: ignore[method-assign]
            connection_cls.execute = counting_execute  # type: ignore[method-assign]
            responses = await asyncio.gather(*[post(c, placement, month) for placement, month in cells])
            assert all(r.status_code == 201 for r in responses), [r.text for r in responses]
    finally:
        type(db).run_querystring = original  # type: ignore[method-assign]
        transaction_cls.begin, transaction_cls.commit = begin, commit  # type: ignore[method-assign]
        connection_cls.execute = execute  # type: ignore[method-assign]
        await ACTORS.stop()
    return seen


@dataclass
class Run:
    """What one server did at one concurrency, over all its rounds."""

    requests: int = 0
    seconds: float = 0.0
    failures: int = 0
    latencies: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000


async def load(url: str, bodies: list[dict], headers: dict[str, str], concurrency: int, timeout: float,
               run: Run) -> None:
    """Send every body with at most ``concurrency`` in flight; add to ``run``."""
    import httpx

    queue = list(bodies)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
        async def worker() -> None:
            while queue:
                body = queue.pop()
                start = time.perf_counter()
                response = await client.post(url, json=body, headers=headers)
                run.latencies.append(time.perf_counter() - start)
                if response.status_code not in (200, 201):
                    run.failures += 1
        start = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*[worker() for _ in range(concurrency)]), timeout)
        run.seconds += time.perf_counter() - start
    run.requests += len(bodies)


async def load_raw(url: str, bodies: list[dict], headers: dict[str, str], concurrency: int, timeout: float,
                   run: Run) -> None:
    """``load`` with a lean client: ``concurrency`` keep-alive HTTP/1.1 connections written to
    and read from directly (asyncio streams), for loads where httpx itself is the bottleneck
    (at 32 connections it served both servers at about a third of its rate at 8)."""
    import json
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    queue = list(bodies)

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            while queue:
                body = json.dumps(queue.pop()).encode()
                start = time.perf_counter()
                writer.write(f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n{head}"
                             f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
                status = int((await reader.readline()).split()[1])
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                await reader.readexactly(length)
                run.latencies.append(time.perf_counter() - start)
                if status not in (200, 201):
                    run.failures += 1
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*[worker() for _ in range(concurrency)]), timeout)
    run.seconds += time.perf_counter() - start
    run.requests += len(bodies)


UVICORN = ["--host", "127.0.0.1", "--log-level", "warning", "--no-access-log"]
"""The settings both servers run with (plus ``--workers`` and a port)."""


def serve(app: list[str], port: int, workers: int, env: dict[str, str]) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", *app, *UVICORN, "--workers", str(workers),
                                "--port", str(port)], cwd=str(ROOT), env=env)
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
    parser.add_argument("--requests", type=int, default=400, help="requests per server, concurrency and round")
    parser.add_argument("--rounds", type=int, default=2, help="turns each server takes at each concurrency")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes, for both servers")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds, per server, concurrency and round")
    parser.add_argument("--list-queries", action="store_true")
    parser.add_argument("--timeline", action="store_true",
                        help="time the phases of the product's group commits (bench/write_timeline.py; PostgreSQL, "
                             "best with one --concurrency)")
    parser.add_argument("--client", choices=["raw", "httpx"], default="raw",
                        help="the load generator: keep-alive connections written directly (default), or httpx "
                             "(stops 16-18; it bounds both servers, the bare one most)")
    args = parser.parse_args()
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)

    tmp = Path(tempfile.mkdtemp(prefix="ledger-write-bench-"))
    os.environ.setdefault("LEDGER_DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ.setdefault("LEDGER_KEY_FILE", str(tmp / "secret.key"))
    os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")
    months = [f"{2001 + i // 12}-{i % 12 + 1:02d}" for i in range(120)]
    warmup = 2 * max(args.concurrency)
    writes = 2 * len(args.concurrency) * args.rounds * (args.requests + warmup)
    placements = -(-writes // len(months)) + 1
    token, ids = asyncio.run(setup(placements, len(months)))
    counted = {1: asyncio.run(count_queries(token, [(ids[0], "2000-01")], (ids[0], "2000-03"))),
               8: asyncio.run(count_queries(token, [(p, "2000-02") for p in ids[:8]], (ids[0], "2000-04")))}

    env = dict(os.environ)
    (tmp / "bare_app.py").write_text(BARE_APP)
    env["PYTHONPATH"] = f"{tmp}:{ROOT}:{ROOT / 'bench'}"
    timeline = tmp / "timeline.json"
    if args.timeline:
        env["LEDGER_BENCH_TIMELINE"] = str(timeline)
    product_port, bare_port = _free_port(), _free_port()
    cells = iter([(p, m) for p in ids for m in months])
    engine = os.environ["LEDGER_DATABASE_URL"].split(":")[0]
    print(f"engine {engine}; client {args.client}; uvicorn {' '.join(UVICORN)} --workers {args.workers}, for both servers; "
          f"{args.rounds} rounds of {args.requests} requests per server and concurrency, taking turns")
    for k, queries in counted.items():
        inside = sum(1 for within, _ in queries if within)
        print(f"round trips per product write, {k} sent at once: {len(queries) / k:.2f} ({inside / k:.2f} inside "
              f"the writers' turn, {(len(queries) - inside) / k:.2f} outside); the bare handler makes 1")
        if args.list_queries:
            for within, text in queries:
                print(f"    {'inside ' if within else 'outside'}  {text}")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    product_app = "write_timeline:create_app" if args.timeline else "ledger.api.app:create_app"
    product = serve([product_app, "--factory"], product_port, args.workers, env)
    bare = serve(["bare_app:app"], bare_port, args.workers, env)
    headers = {"Authorization": f"Bearer {token}"}

    def bodies(n: int, kind: str) -> list[dict]:
        out = []
        for _ in range(n):
            p, m = next(cells)
            out.append({"placement": p, "month": m, "amount": "2800.00", "days_worked": 20} if kind == "product"
                       else {"placement": p, "month": m, "amount_fen": 280000, "days_worked": 20})
        return out

    targets = {"product": (f"http://127.0.0.1:{product_port}/api/v1/pay", headers),
               "bare": (f"http://127.0.0.1:{bare_port}/bare", {})}
    send = load_raw if args.client == "raw" else load
    try:
        for kind, (url, hdrs) in targets.items():  # warm-up: pools open, statements prepared
            asyncio.run(send(url, bodies(warmup, kind), hdrs, max(args.concurrency), args.timeout, Run()))
        print(f"{'':>4} | {'product req/s':>13} {'p50 ms':>7} {'p95 ms':>7} | {'bare req/s':>10} {'p50 ms':>7} "
              f"{'p95 ms':>7} | ratio")
        for concurrency in args.concurrency:
            runs = {"product": Run(), "bare": Run()}
            for _ in range(args.rounds):
                for kind, (url, hdrs) in targets.items():
                    asyncio.run(send(url, bodies(args.requests, kind), hdrs, concurrency, args.timeout, runs[kind]))
            p, b = runs["product"], runs["bare"]
            failed = f" ({p.failures} product, {b.failures} bare requests failed)" if p.failures or b.failures else ""
            print(f"{concurrency:>4} | {p.rate:13.1f} {p.percentile(0.5):7.1f} {p.percentile(0.95):7.1f} | "
                  f"{b.rate:10.1f} {b.percentile(0.5):7.1f} {b.percentile(0.95):7.1f} | {p.rate / b.rate:.2f}{failed}")
    finally:
        for process in (product, bare):
            process.terminate()
            process.wait(timeout=30)
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.timeline:
        from write_timeline import summary

        print("\n".join(summary(timeline)) if timeline.exists() else "timeline: the product server wrote none")


if __name__ == "__main__":
    main()
