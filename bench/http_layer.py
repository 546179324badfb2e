"""The pay path's HTTP layer alone, in-process: what one ``POST /api/v1/pay`` costs in Python
before and after the group commit, against the bare handler's with no INSERT.

    LEDGER_DATABASE_URL=postgresql://postgres@127.0.0.1:55432/SCRATCH .venv/bin/python bench/http_layer.py

The database must be a scratch one (``write_bench.setup`` drops its schema). Both apps are
called as ASGI apps in one event loop, no server and no socket, one request at a time:

* ``bare``: a Litestar handler taking the body as a dict and answering a dict (the write
  bench's bare handler without its INSERT);
* ``product``: the product's app (``create_app``) with ``employment.create_pay`` replaced by
  one that makes the checks a record makes before it queues (the writer's role, the field
  rules) and answers a stored row: authentication, the request and response schemas, the
  checks, no database;
* ``field checks``: the part of ``product`` spent in those checks, clocked inside it.

On the write bench's 8 concurrent clients every request's HTTP layer is part of the serial
cycle (``docs/figures-at-scale.md``, "Write path: measured"): each microsecond here is eight
in a group commit's cycle. On SQLite a bearer token's actor is read at every request (the
actor cache listens on PostgreSQL only), so use PostgreSQL to compare with the write bench.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

Asgi = Callable[[dict[str, Any], Callable[[], Awaitable[dict[str, Any]]], Callable[[dict[str, Any]], Awaitable[None]]],
                Awaitable[None]]


def request_driver(app: Asgi, path: str, body: bytes, headers: list[tuple[bytes, bytes]]
                   ) -> Callable[[], Awaitable[bytes]]:
    """A coroutine function that sends one POST to ``app`` and returns the answer's body; an
    answer that is not 2xx raises, so a run never times error pages."""
    all_headers = [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
                   (b"content-length", str(len(body)).encode()), *headers]

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def one() -> bytes:
        sent: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
                 "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
                 "headers": all_headers, "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
                 "state": {}}
        await app(scope, receive, send)
        status = sent[0]["status"]
        answer = b"".join(m.get("body", b"") for m in sent[1:])
        if not 200 <= status < 300:
            raise RuntimeError(f"{path} answered {status}: {answer[:300]!r}")
        return answer

    return one


async def per_request(one: Callable[[], Awaitable[bytes]], requests: int) -> float:
    """Microseconds per request over ``requests`` calls of ``one``."""
    start = time.perf_counter()
    for _ in range(requests):
        await one()
    return (time.perf_counter() - start) / requests * 1e6


def bare_app() -> Any:
    from litestar import Litestar, post

    @post("/bare")
    async def bare(data: dict) -> dict:
        return {"ok": True}

    return Litestar([bare])


def product_app(checks_clock: list[float]) -> Any:
    """The product's app with the pay service's group commit replaced by a stored row."""
    from ledger.api.app import create_app
    from ledger.services import employment

    async def create_pay(data: dict[str, Any]) -> dict[str, Any]:
        start = time.perf_counter()
        employment._require_writer("登记月收入", "logging pay")
        _, clean, placement_id = employment._fields_checked(data)
        checks_clock.append(time.perf_counter() - start)
        return {"id": len(checks_clock), "placement": placement_id, "month": clean["month"],
                "amount": data["amount"], "days_worked": clean["days_worked"], "hours": None, "pieces": None}

    employment.create_pay = create_pay  # the controller looks it up at each call
    return create_app(with_admin=False)


async def run(requests: int, rounds: int) -> list[str]:
    import write_bench

    from ledger.db import engine
    from ledger.services.actor_cache import ACTORS

    token, ids = await write_bench.setup(2, 120)
    db = engine()
    if db.engine_type == "postgres":
        await ACTORS.start(db.config["dsn"])
    clock: list[float] = []
    body = json.dumps({"placement": ids[0], "month": "2001-01", "amount": "2800.00", "days_worked": 20}).encode()
    drivers = {
        "bare": request_driver(bare_app(), "/bare", body, []),
        "product": request_driver(product_app(clock), "/api/v1/pay", body,
                                  [(b"authorization", f"Bearer {token}".encode())]),
    }
    times: dict[str, list[float]] = {name: [] for name in drivers}
    checks: list[float] = []
    try:
        for one in drivers.values():  # warm-up
            await per_request(one, 200)
        for _ in range(rounds):
            for name, one in drivers.items():
                clock.clear()
                times[name].append(await per_request(one, requests))
                if name == "product":
                    checks.append(statistics.median(clock) * 1e6)
    finally:
        if db.engine_type == "postgres":
            await ACTORS.stop()
    lines = [f"engine {db.engine_type}; {rounds} rounds of {requests} requests, in-process, one at a time "
             "(µs per request: median of the rounds, then every round)"]
    for name, values in times.items():
        lines.append(f"{name:>14} {statistics.median(values):7.1f}  {' '.join(f'{v:.1f}' for v in values)}")
    lines.append(f"{'field checks':>14} {statistics.median(checks):7.1f}  (inside product: the writer's role and "
                 "the field rules, median per request)")
    lines.append(f"product ÷ bare {statistics.median(times['product']) / statistics.median(times['bare']):.2f}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=3000, help="requests per app and round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds, the two apps taking turns")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ledger-http-layer-"))
    os.environ.setdefault("LEDGER_DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ.setdefault("LEDGER_KEY_FILE", str(tmp / "secret.key"))
    os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")
    print("\n".join(asyncio.run(run(args.requests, args.rounds))))


if __name__ == "__main__":
    main()
