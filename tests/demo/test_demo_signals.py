"""The demo shows one planted signal of each kind where ``seeds.demo.PLANTED_SIGNALS`` says,
and its unplanted year (2022) raises none; the article's figures still hold (test_demo)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from dbfixtures import clear_tables, reset_schema

from seeds.demo import PLANTED_SIGNALS, load_demo


@pytest.fixture(scope="module")
async def demo():
    await reset_schema()
    await clear_tables()
    assert await load_demo() is True
    yield
    import dbfixtures

    dbfixtures._migrated = False


def _signals(period: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "ledger.cli", "signals", "--scope", "region:330784", "--period",
                           period, "--format", "json"], capture_output=True, text=True, env=os.environ.copy(),
                          check=True)
    return json.loads(done.stdout)


def test_the_demo_shows_each_planted_kind_of_signal_where_it_was_planted(demo):
    found = {(s["kind"], s["workshop"], s["month"]) for s in _signals("2023")["signals"]}
    for kind, (workshop, month, _what) in PLANTED_SIGNALS.items():
        assert (kind, workshop, month) in found, kind
    assert {kind for kind, _, _ in found} == set(PLANTED_SIGNALS)


def test_the_demos_unplanted_year_raises_no_signal(demo):
    assert _signals("2022")["signals"] == []


async def test_the_demos_article_figures_still_agree_after_the_planting(demo):
    from ledger.services import claims

    figures = (await claims.compute_figures("region:330784", "2023")).as_dict()
    assert 1000 <= figures["workers_employed_low_income"] < 2000
    assert 2750 <= figures["avg_monthly_pay_low_income"] <= 2850
