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
    # in words (issue 9): the slip named in Chinese, with 3360万元 as the likely figure
    assert identity["explanation_zh"].startswith("1000余人 × 约2800元 × 12个月 ≈ 3360万元；")
    assert identity["explanation_zh"].endswith("公布数疑为少写一位（数量级错误，应为约3360万元）。")
    assert (identity["suspect"], identity["likely_value"]) == ("total_pay_annual_low_income", "33600000")
    assert total["diagnosis_code"] == "magnitude_slip" and total["diagnosis_zh"] == "数量级错误"
    assert total["explanation_zh"].startswith("公布合计年增收（低收入）约336万元，台账为2,174.7万元，")
    assert "应为约3360万元" in total["explanation_zh"] and "33,600,000 yuan" in total["explanation_en"]
    assert (total["metric_zh"], total["qualifier_zh"], total["claimed_written"]) == ("合计年增收（低收入）", "约", "约336万元")
    assert total["ledger"] == "21747042.76"  # the exact value stays beside the words
    assert "应为约3360万元" in body["summary_zh"]
    assert by_metric["workers_employed_low_income"]["explanation_zh"].startswith("公布吸纳就业人数（低收入）1000余人，")


SLIP_WORDS = ("公布数疑为少写一位（数量级错误，应为约3360万元）", "合计年增收（低收入）", "约336万元", "2,174.7万元")


async def test_the_api_reconciles_the_stored_article_claim(client):
    claims = (await client.get("/api/v1/claims/")).json()
    claim_id = claims["items"][0]["id"]
    body = (await client.get(f"/api/v1/claims/{claim_id}/reconciliation")).json()
    _check_article_reconciliation(body)
    rows = (await client.get(body["figures"][1]["drilldown"])).json()
    assert rows["total"] == int(body["figures"][1]["ledger"])
    assert all("*" in r["id_number"] for r in rows["items"])
    for figure in body["figures"]:  # 年增收 (total_pay_annual) drills down to total_pay: no 422
        assert (await client.get(figure["drilldown"])).status_code == 200, figure["drilldown"]


async def test_the_api_reconciles_the_pasted_sentence(client):
    response = await client.post("/api/v1/reconcile/", json={"text": ARTICLE_TEXT, "scope": "region:330784",
                                                              "period": "2023"})
    _check_article_reconciliation(response.json())
    page = await client.post("/api/v1/reconcile/?format=html", json={"text": ARTICLE_TEXT,
                                                                     "scope": "region:330784", "period": "2023"})
    assert page.status_code == 200 and "<svg" in page.text and "数量级错误" in page.text
    sheet = await client.post("/api/v1/reconcile/?format=xlsx", json={"text": ARTICLE_TEXT,
                                                                      "scope": "region:330784", "period": "2023"})
    assert sheet.content[:2] == b"PK"


async def _stored_claim_id(client) -> int:
    return (await client.get("/api/v1/claims/")).json()["items"][0]["id"]


async def test_the_html_report_names_the_slip_in_chinese_and_every_drill_down_link_answers_200(demo, client):
    """Followed with an auditor's own session (signed in with a password, a cookie), as in a browser."""
    import re
    from html import unescape

    from dbfixtures import make_user

    claim_id = await _stored_claim_id(client)
    page = await client.get(f"/api/v1/claims/{claim_id}/reconciliation", params={"format": "html"})
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    for words in SLIP_WORDS:
        assert words in page.text, words
    links = [unescape(href) for href in re.findall(r"href='([^']+)'", page.text)]
    assert len(links) == 4 + 24  # each claimed figure, and each of the ledger's figures
    await make_user("clerk-auditor", "auditor", password="clerk-password-1")
    transport = httpx.ASGITransport(app=create_app(with_admin=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        login = await browser.post("/api/v1/auth/login", json={"username": "clerk-auditor",
                                                               "password": "clerk-password-1"})
        assert login.status_code == 200, login.text
        for link in links:
            response = await browser.get(link)
            assert response.status_code == 200, (link, response.text)
            assert response.headers["content-type"] == "text/html; charset=utf-8" and "<h1>明细：" in response.text
        total = [link for link in links if "metric=total_pay_low_income" in link]
        assert total, "年增收 drills down to the ledger's total pay of low-income workers"
        page = (await browser.get(total[0])).text
        assert "明细：合计增收（低收入）" in page and "身份证号（脱敏）" in page and "下一页" in page
        assert re.search(r"330784\*{8}\d{3}[\dX]", page)
        rows = (await browser.get(total[0].replace("&format=html", ""))).json()
        assert rows["total"] > 0 and all("*" in r["id_number"] for r in rows["items"])


async def test_the_csv_report_has_a_bom_chinese_headers_and_the_slip_in_words(client):
    claim_id = await _stored_claim_id(client)
    response = await client.get(f"/api/v1/claims/{claim_id}/reconciliation", params={"format": "csv"})
    assert response.headers["content-type"] == "text/csv; charset=utf-8"  # charset once
    assert response.content.startswith(b"\xef\xbb\xbf")  # so Excel reads UTF-8
    text = response.content.decode("utf-8-sig")
    for words in (*SLIP_WORDS, "指标 metric", "说明 explanation", "数量级错误 magnitude_slip"):
        assert words in text, words


async def test_the_xlsx_report_holds_numbers_chinese_headers_the_words_and_a_chart(client):
    import io

    from openpyxl import load_workbook

    claim_id = await _stored_claim_id(client)
    response = await client.get(f"/api/v1/claims/{claim_id}/reconciliation", params={"format": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["对账", "重述", "自洽性核对", "台账数字", "各工坊月收入"]
    sheet = book["对账"]
    header = next(r for r in sheet.iter_rows() if r[0].value == "指标\nmetric")
    columns = {c.value.split("\n")[0]: c.column for c in header}
    rows = [r for r in sheet.iter_rows(min_row=header[0].row + 1) if r[0].value]
    assert [r[0].value for r in rows] == ["工坊数", "吸纳就业人数（低收入）", "人均月增收（低收入）", "合计年增收（低收入）"]
    total = rows[3]
    for column in ("公布值", "允许下限", "允许上限", "台账值"):
        cell = total[columns[column] - 1]
        assert cell.data_type == "n" and cell.number_format == "#,##0.00", column
    assert total[columns["公布值"] - 1].value == 3360000
    assert total[columns["台账值"] - 1].value == pytest.approx(21747042.76)  # openpyxl reads it back as a float
    assert rows[1][columns["台账值"] - 1].data_type == "n" and rows[1][columns["台账值"] - 1].number_format == "#,##0"
    assert "应为约3360万元" in total[columns["说明"] - 1].value
    assert sheet.column_dimensions["N"].width >= 40  # the explanation is wide enough to read
    identity = book["自洽性核对"]
    values = [c.value for r in identity.iter_rows() for c in r]
    assert any(isinstance(v, str) and v.endswith("应为约3360万元）。") for v in values)
    assert 33600000 in values
    monthly = book["各工坊月收入"]
    assert len(monthly._charts) == 1
    assert all(c.data_type == "n" for r in monthly.iter_rows(min_row=2, min_col=2) for c in r)


def test_the_cli_reconciles_the_sentence_from_stdin(demo):
    result = subprocess.run([sys.executable, "-m", "ledger.cli", "reconcile", "--text", "-", "--scope",
                             "region:330784", "--period", "2023"], input=ARTICLE_TEXT, capture_output=True,
                            text=True, env=os.environ.copy(), check=True)
    _check_article_reconciliation(json.loads(result.stdout))


def test_the_cli_table_names_the_slip_in_chinese(demo):
    result = subprocess.run([sys.executable, "-m", "ledger.cli", "reconcile", "--claim", "1", "--format", "table"],
                            capture_output=True, text=True, env=os.environ.copy(), check=True)
    for words in (*SLIP_WORDS, "不符 disagrees", "相符 agrees"):
        assert words in result.stdout, words
    assert "magnitude slip" in result.stdout and "33,600,000 yuan" in result.stdout


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
