"""The importer asks the same question: an unusual amount in a sheet is a problem on its row
and column, unless the import is told the amounts are meant (``--confirm-unusual``)."""

from __future__ import annotations

import io

import pytest
from dbfixtures import make_id
from sheets import csv_file, shop

from ledger.importer import ImportFailed, ImportOptions, run_import
from ledger.tables import MonthlyPay, Worker

HEADER = ["工坊编码", "身份证号", "姓名", "月份", "收入(元)", "出勤天数"]


async def test_a_sheet_with_pay_in_fen_is_refused_on_that_row_and_confirmed_it_imports(db, tmp_path):
    s = await shop(2)
    rows = [HEADER, ["T-01", s["people"][0]["id_number"], "工人1", "2023-03", "2800.00", 20],
            ["T-01", s["people"][1]["id_number"], "工人2", "2023-03", "280000", 20]]
    path = csv_file(tmp_path / "pay.csv", rows)
    with pytest.raises(ImportFailed) as failed:
        await run_import(path)
    [problem] = failed.value.report.problems
    assert (problem.problem.row, problem.problem.field, problem.problem.code) == (3, "amount", "unusual_amount")
    assert await MonthlyPay.count() == 0
    report = await run_import(path, ImportOptions(confirm_unusual=True))
    assert report.created == 2 and await MonthlyPay.count() == 2


async def test_a_hires_sheet_with_a_baseline_of_twelve_yuan_is_asked_about(db):
    s = await shop(0)
    text = ("工坊编码,身份证号,姓名,所在村,入职日期,计酬方式,务工前月收入\n"
            f"T-01,{make_id(9)},王五,花街村,2023-02-01,计件,12\n")
    with pytest.raises(ImportFailed) as failed:
        await run_import(io.BytesIO(text.encode()))
    assert [p.problem.code for p in failed.value.report.problems] == ["unusual_amount"]
    await run_import(io.BytesIO(text.encode()), ImportOptions(confirm_unusual=True))
    assert (await Worker.select(Worker.baseline_income_fen).first())["baseline_income_fen"] == 1200
    assert s["workshop"]["code"] == "T-01"


async def test_the_cli_refuses_an_unusual_amount_and_takes_it_with_confirm_unusual(db, tmp_path):
    from dbfixtures import run_cli
    from sheets import xlsx

    s = await shop(1)
    sheet = xlsx(tmp_path / "pay.xlsx", [HEADER, ["T-01", s["people"][0]["id_number"], "工人1", "2023-03", "280000", 20]])
    refused = await run_cli("import", str(sheet))
    assert refused.returncode == 2 and "第 2 行 E 列" in refused.stderr and "280,000.00" in refused.stderr
    assert await MonthlyPay.count() == 0
    taken = await run_cli("import", str(sheet), "--confirm-unusual")
    assert taken.returncode == 0, taken.stderr
    assert (await MonthlyPay.select().first())["amount_fen"] == 28_000_000
