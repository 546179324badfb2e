"""``ledger figures --format table`` is for a county clerk: SPEC's Chinese names first, the code
name beside them, money in 元 with two decimals, counts whole, columns aligned by display width."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date
from decimal import Decimal

from certified_ledger import certified_ledger
from commandline import ledger

from ledger.core.metrics import Metric, split_figure_name
from ledger.tables import LowIncomeStatus, MonthlyPay, Placement, Worker, Workshop

ARGS = ("figures", "--scope", "region:330784", "--period", "2023")
SPEC_NAMES = ["工坊数", "认定工坊数", "吸纳就业人数", "有收入人数", "人月数", "合计增收", "人均月增收",
              "人均月增收（按人头）", "人均年增收", "较务工前月增收"]


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


async def a_year_of_pay() -> None:
    """Three workers at a certified workshop, one low-income, pay large enough for separators."""
    shop = await Workshop.select(Workshop.id).where(Workshop.code == "E-two-levels").first()
    for k, fen in enumerate((1_234_567_89, 280_000, 315_099)):
        worker = Worker(name=f"人{k}", id_number=f"330784********{k:04d}", id_hash=f"h{k}", id_cipher="c",
                        village="v", baseline_income_fen=150_000)
        await worker.save()
        if k == 1:
            await LowIncomeStatus(worker=worker.id, category="低保", valid_from=date(2022, 1, 1),
                                  source_document="测试").save()
        placement = Placement(worker=worker.id, workshop=shop["id"], hired_on=date(2022, 1, 1), pay_basis="月薪")
        await placement.save()
        for month in ("2022-05", "2023-03", "2023-04"):
            await MonthlyPay(placement=placement.id, month=month, amount_fen=fen, days_worked=20).save()


def table_rows(stdout: str) -> list[str]:
    lines = stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("指标"))
    return lines[header:]


async def test_the_table_names_each_figure_in_chinese_first_with_its_code_and_value_as_in_the_json(db, tmp_path):
    await certified_ledger()
    await a_year_of_pay()
    as_json = await ledger(*ARGS, cwd=tmp_path)
    as_table = await ledger(*ARGS, "--format", "table", cwd=tmp_path)
    assert as_json.returncode == 0 and as_table.returncode == 0, as_table.stderr
    figures = json.loads(as_json.stdout)["figures"]
    rows = {line.split()[-1]: line for line in table_rows(as_table.stdout)[1:]}
    assert len(figures) == 24 and {f["metric"] for f in figures} <= set(rows)
    for f in figures:
        line = rows[f["metric"]]
        base, low = split_figure_name(f["metric"])
        metric = Metric(base)
        label = metric.label + ("（低收入）" if low else "")
        # the Chinese name first, then the value, its unit, and the code name last
        assert line.startswith(label + " "), line
        assert line[len(label):].split() == [shown := line[len(label):].split()[0], f["unit"], f["metric"]], line
        if f["value"] is None:
            assert shown == "—"
        elif metric.is_money:
            assert re.fullmatch(r"-?\d{1,3}(,\d{3})*\.\d\d", shown), shown
            assert Decimal(shown.replace(",", "")) == Decimal(f["value"])  # the JSON's exact value
        elif metric.is_count:
            assert re.fullmatch(r"\d{1,3}(,\d{3})*", shown), shown
            assert int(shown.replace(",", "")) == int(f["value"])
        else:
            assert Decimal(shown.replace(",", "")) == Decimal(f["value"])
    first_column = [line.split()[0] for line in table_rows(as_table.stdout)[1:]]
    assert all(name in first_column for name in SPEC_NAMES)
    assert "吸纳就业人数（低收入）" in first_column and "人均月增收（按人头）（低收入）" in first_column
    assert rows["total_pay"].split()[1] == "2,481,037.76"  # (1,234,567.89 + 2,800.00 + 3,150.99) × 2
    assert rows["workers_employed"].split()[1] == "3"
    # the figure per level, under 认定工坊数
    assert rows["workshops_certified_by_level.province"].split()[:2] == ["其中省级", "1"]


async def test_the_columns_line_up_by_display_width_with_chinese_names_of_every_length(db, tmp_path):
    await certified_ledger()
    await a_year_of_pay()
    result = await ledger(*ARGS, "--format", "table", cwd=tmp_path)
    lines = table_rows(result.stdout)
    codes, value_ends = set(), set()
    for line in lines:
        code_at = line.index("代码 code") if line is lines[0] else line.rindex(" ") + 1
        codes.add(width(line[:code_at]))  # where the code column starts, in terminal columns
        if line is not lines[0]:
            value = re.search(r"\s(\S+)\s+\S+\s+\S+$", line)
            assert value is not None
            value_ends.add(width(line[:value.end(1)]))
    assert len(codes) == 1, lines  # one column for the code names
    assert len(value_ends) == 1, lines  # values right-aligned to one edge
    labels = {width(line.split("  ")[0].strip()) for line in lines[1:]}
    assert len(labels) > 3  # names of many widths, aligned all the same
