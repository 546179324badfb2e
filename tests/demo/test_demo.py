"""The 永康 demo end to end: the article's first three figures agree with the records, the
fourth does not, and the ledger names the ×10 magnitude slip — by the API and by the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
import pytest
from dbfixtures import bearer, clear_tables, reset_schema, token_for

from ledger.api.app import create_app
from seeds.demo import ARTICLE_TEXT, load_demo

STAGES: list[str] = []


@pytest.fixture(scope="module")
async def demo():
    await reset_schema()
    await clear_tables()
    assert await load_demo(progress=STAGES.append) is True
    yield
    import dbfixtures

    dbfixtures._migrated = False


@pytest.fixture
async def client(demo):
    transport = httpx.ASGITransport(app=create_app(with_admin=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver",
                                 headers=bearer(await token_for("demo-auditor", "auditor"))) as c:
        yield c


async def test_loading_the_demo_twice_changes_nothing(demo):
    assert await load_demo() is False


async def test_the_demo_load_reports_each_stage_with_its_count(demo):
    assert STAGES[:3] == ["领办企业 8 / 8 enterprises", "共富工坊 8 / 8 workshops", "认定 8 / 8 certifications"]
    assert STAGES[3] == "务工人员 1,500 / 1,500 workers"
    assert [line.split(" / ")[-1].split(" ", 1)[1] for line in STAGES[4:]] == [
        "low-income statuses", "placements", "monthly pay records (24 months)", "published claim"]


async def test_the_api_lists_the_demos_eight_workshops(client):
    body = (await client.get("/api/v1/workshops/")).json()
    assert body["total"] == 8
    names = " ".join(w["name"] for w in body["items"])
    assert "顺虎" in names and "钱一塔消防" in names


async def test_the_demo_is_built_as_spec_says(client):
    figures = (await client.get("/api/v1/figures/", params={"scope": "region:330784", "period": "2023"})).json()
    values = {f["metric"]: f["value"] for f in figures["figures"]}
    assert figures["definition_version"] == 1
    assert values["workshops"] == "8"
    assert 1000 <= int(values["workers_employed_low_income"]) < 2000
    assert 2750 <= float(values["avg_monthly_pay_low_income"]) <= 2850  # a bound check, not money arithmetic
    assert values["workers_employed"] != values["workers_employed_low_income"]


def _check_article_reconciliation(body: dict) -> None:
    assert body["definition_version"] == 1
    by_metric = {f["metric"]: f for f in body["figures"]}
    assert set(by_metric) == {"workshops", "workers_employed_low_income", "avg_monthly_pay_low_income",
                              "total_pay_annual_low_income"}
    for metric in ("workshops", "workers_employed_low_income", "avg_monthly_pay_low_income"):
        assert by_metric[metric]["status"] == "agrees", by_metric[metric]
    total = by_metric["total_pay_annual_low_income"]
    assert total["status"] == "disagrees"
    assert total["claimed"] == "3360000" and total["allowed"] == ["3355000", "3365000"]
    assert {"metric", "claimed", "unit", "qualifier", "allowed", "ledger", "status", "diagnosis"} <= set(total)
    [identity] = [i for i in body["identities"] if i["status"] == "broken"]
    assert identity["diagnosis"] == "magnitude_slip"
    assert identity["factor"] == "0.1000"
    assert identity["implied_months_per_worker"] == "1.2"


async def test_the_api_reconciles_the_stored_article_claim(client):
    claims = (await client.get("/api/v1/claims/")).json()
    claim_id = claims["items"][0]["id"]
    body = (await client.get(f"/api/v1/claims/{claim_id}/reconciliation")).json()
    _check_article_reconciliation(body)
    rows = (await client.get(body["figures"][1]["drilldown"])).json()
    assert rows["total"] == int(body["figures"][1]["ledger"])
    assert all("*" in r["id_number"] for r in rows["items"])


async def test_the_api_reconciles_the_pasted_sentence(client):
    response = await client.post("/api/v1/reconcile/", json={"text": ARTICLE_TEXT, "scope": "region:330784",
                                                              "period": "2023"})
    _check_article_reconciliation(response.json())
    page = await client.post("/api/v1/reconcile/?format=html", json={"text": ARTICLE_TEXT,
                                                                     "scope": "region:330784", "period": "2023"})
    assert page.status_code == 200 and "<svg" in page.text and "magnitude_slip" in page.text
    sheet = await client.post("/api/v1/reconcile/?format=xlsx", json={"text": ARTICLE_TEXT,
                                                                      "scope": "region:330784", "period": "2023"})
    assert sheet.content[:2] == b"PK"


def test_the_cli_reconciles_the_sentence_from_stdin(demo):
    result = subprocess.run([sys.executable, "-m", "ledger.cli", "reconcile", "--text", "-", "--scope",
                             "region:330784", "--period", "2023"], input=ARTICLE_TEXT, capture_output=True,
                            text=True, env=os.environ.copy(), check=True)
    _check_article_reconciliation(json.loads(result.stdout))


def test_the_cli_prints_the_figures_as_json(demo):
    result = subprocess.run([sys.executable, "-m", "ledger.cli", "figures", "--scope", "region:330784",
                             "--period", "2023", "--low-income"], capture_output=True, text=True, check=True)
    body = json.loads(result.stdout)
    assert {"definition_version", "scope", "period", "figures"} <= set(body)
    assert all(f["metric"].endswith("_low_income") for f in body["figures"])


async def test_no_id_number_of_the_demo_can_be_read_from_a_copy_of_the_database(demo, tmp_path):
    """Issue 4: with the database copied elsewhere and no key, no ID number can be recovered.
    The raw SQLite file (or a pg_dump) is searched for every seeded number, whole and in part."""
    import shutil

    from ledger.db import engine
    from ledger.settings import get_settings
    from seeds.demo import build_demo

    numbers = [w["id_number"] for w in build_demo().workers]
    db = engine()
    if db.engine_type == "sqlite":
        raw = b""
        for suffix in ("", "-wal", "-journal"):
            source = f"{db.path}{suffix}"
            if os.path.exists(source):
                copy = tmp_path / f"copy{suffix}"
                shutil.copyfile(source, copy)
                raw += copy.read_bytes()
    else:
        dump = subprocess.run(["/usr/lib/postgresql/15/bin/pg_dump", "--data-only", os.environ["LEDGER_DATABASE_URL"]],
                              capture_output=True, check=True, timeout=300)
        raw = dump.stdout
    masked = numbers[0][:6] + "********" + numbers[0][-4:]
    assert masked.encode() in raw, "the copy holds the workers (masked), so the search below means something"
    leaked = [n for n in numbers if n.encode() in raw or n[:14].encode() in raw or n[6:14].encode() + n[14:].encode() in raw]
    assert leaked == []
    key = get_settings().key_file.read_bytes().strip()
    assert key not in raw
