"""``ledger import`` and ``ledger template`` as an operator runs them (a real subprocess)."""

from __future__ import annotations

from dbfixtures import run_cli
from sheets import csv_file, shop, xlsx

from ledger.tables import MonthlyPay

HEADER = ["工坊编码", "身份证号", "姓名", "月份", "收入(元)", "出勤天数"]


ledger = run_cli


async def test_the_cli_previews_imports_and_reports_every_problem(db, tmp_path):
    s = await shop(2)
    good = xlsx(tmp_path / "pay.xlsx", [HEADER, *[["T-01", p["id_number"], p["name"], "2023-03", "2800", 20]
                                                  for p in s["people"]]])
    preview = await ledger("import", str(good), "--dry-run")
    assert preview.returncode == 0, preview.stderr
    assert "预演" in preview.stdout and "Δ人月数 +2" in preview.stdout
    assert await MonthlyPay.count() == 0
    done = await ledger("import", str(good), "--kind", "pay")
    assert done.returncode == 0 and await MonthlyPay.count() == 2

    bad = xlsx(tmp_path / "bad.xlsx", [HEADER, ["T-01", s["people"][0]["id_number"], "工人1", "2023-03", "x", 99]])
    out = tmp_path / "checked.xlsx"
    failed = await ledger("import", str(bad), "--annotated", str(out))
    assert failed.returncode == 2
    assert "第 2 行 E 列" in failed.stderr and "第 2 行 F 列" in failed.stderr and out.exists()
    assert s["people"][0]["id_number"] not in failed.stderr + failed.stdout


async def test_the_cli_writes_a_template_for_a_workshop_and_month(db, tmp_path):
    await shop(1)
    out = tmp_path / "t.xlsx"
    result = await ledger("template", "--workshop", "T-01", "--month", "2023-03", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"PK")
    missing = await ledger("template", "--workshop", "NOPE", "--month", "2023-03", "--out", str(out))
    assert missing.returncode == 2 and "工坊编码不存在" in missing.stderr


async def test_a_command_on_a_database_nobody_migrated_says_to_migrate_first(tmp_path, monkeypatch):
    monkeypatch.setenv("LEDGER_DATABASE_URL", f"sqlite:///{tmp_path}/fresh.sqlite3")
    for command in (["figures", "--scope", "all", "--period", "2023"], ["serve"]):
        result = await ledger(*command)
        assert result.returncode == 2, command
        assert "ledger migrate" in result.stderr and "Traceback" not in result.stderr


async def test_the_cli_says_what_it_did_with_each_tab_and_reads_one_named_with_sheet(db):
    from pathlib import Path

    await shop(3)
    year = Path(__file__).parent / "fixtures" / "lo_clerk_year.xlsx"
    preview = await ledger("import", str(year), "--dry-run")
    assert preview.returncode == 0, preview.stderr
    assert "隐藏行已跳过 1" in preview.stdout and "“旧表”：隐藏的工作表" in preview.stdout
    assert "“2月”：已读取：2 行，新增 2" in preview.stdout
    stale = await ledger("import", str(year), "--sheet", "旧表")
    assert stale.returncode == 0, stale.stderr
    assert await MonthlyPay.count() == 3
    missing = await ledger("import", str(year), "--sheet", "4月")
    assert missing.returncode == 2 and "没有名为“4月”的工作表" in missing.stderr


async def test_the_cli_refuses_a_sheet_named_for_a_csv_naming_the_option_and_the_file(db, tmp_path):
    s = await shop(2)
    rows = [HEADER, *[["T-01", p["id_number"], p["name"], "2023-03", "2800", 20] for p in s["people"]]]
    path = csv_file(tmp_path / "三月工资.csv", rows)
    out = tmp_path / "checked.xlsx"
    refused = await ledger("import", str(path), "--sheet", "3月", "--annotated", str(out))
    assert refused.returncode == 2
    message = refused.stderr
    assert message.index("没有工作表") < message.index("has no tabs")  # Chinese first, English beside
    assert "“三月工资.csv”是 CSV 文件" in message and "--sheet" in message and "“3月”" in message
    assert await MonthlyPay.count() == 0 and not out.exists()  # nothing written, no annotated copy
    assert s["people"][0]["id_number"] not in message + refused.stdout
    done = await ledger("import", str(path))  # the same file without the option imports
    assert done.returncode == 0, done.stderr
    assert await MonthlyPay.count() == 2
