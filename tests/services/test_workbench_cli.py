"""The CLI contract scripts rely on: ``ledger signals … --format json`` and ``ledger sample …
--format json`` print exactly the documented shape, and the same arguments the same records."""

from __future__ import annotations

import json

from dbfixtures import run_cli
from signal_ledgers import PLANTS, clean_ledger, load

KINDS = {"pay_outlier", "identical_amounts", "heaping", "multiple_workshops", "pay_without_days",
         "total_vs_headcount", "first_digit"}


async def test_ledger_signals_prints_the_contract(db):
    await load(PLANTS["pay_without_days"][0](clean_ledger(1, workers=6, workshops=["W-4", "W-5"])))
    done = await run_cli("signals", "--scope", "region:330784", "--period", "2023", "--format", "json")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert set(body) == {"definition_version", "signals"} and body["definition_version"] == 1
    [signal] = body["signals"]
    assert set(signal) == {"kind", "workshop", "month", "score", "threshold", "rows", "explanation_zh",
                           "explanation_en"}
    assert signal["kind"] in KINDS and (signal["kind"], signal["workshop"], signal["month"]) == (
        "pay_without_days", "W-5", "2023-07")
    assert len(signal["rows"]) == 2 and signal["score"] == 2 and signal["threshold"] == 1


async def test_ledger_sample_prints_the_contract_and_the_same_arguments_print_the_same_records(db):
    await load(clean_ledger(4, workers=5, months=["2023-01", "2023-02"], workshops=["W-1", "W-2"]))
    args = ("sample", "--scope", "all", "--period", "2023-01..2023-02", "--size", "6", "--method", "mus",
            "--seed", "20240115", "--format", "json")
    first, second = await run_cli(*args), await run_cli(*args)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    body = json.loads(first.stdout)
    assert set(body) == {"seed", "method", "size", "records"}
    assert body["seed"] == "20240115" and body["method"] == "mus" and body["size"] == 6
    assert body["records"] and all(set(r) == {"pay_id", "workshop", "month", "amount"} for r in body["records"])
    assert all(isinstance(r["amount"], str) and r["amount"].count(".") == 1 for r in body["records"])


async def test_a_bad_threshold_on_the_command_line_exits_2_naming_it(db):
    done = await run_cli("signals", "--scope", "all", "--period", "2023", "--threshold", "heaping=x")
    assert done.returncode == 2 and "threshold.heaping" in done.stderr
