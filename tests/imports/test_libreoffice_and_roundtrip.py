"""Files LibreOffice made (committed fixtures) and the import → export → import identity."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sheets import shop

from ledger.core.money import fen_to_yuan
from ledger.importer import ImportFailed, ImportOptions, export_pay, run_import
from ledger.services import figures
from ledger.tables import MonthlyPay, Placement

FIXTURES = Path(__file__).parent / "fixtures"


async def test_the_libreoffice_pay_fixture_with_a_title_row_and_mixed_cells_is_imported(db):
    s = await shop(3)
    report = await run_import(FIXTURES / "lo_pay.xlsx")
    assert (report.header_row, report.rows, report.created) == (2, 4, 4)
    rows = {(r["placement"], r["month"]): fen_to_yuan(r["amount_fen"]) for r in await MonthlyPay.select()}
    first, second, third = (p["placement"]["id"] for p in s["people"])
    assert rows == {(first, "2023-03"): Decimal("2800.00"), (second, "2023-03"): Decimal("2800.50"),
                    (third, "2023-03"): Decimal("2800.10"), (first, "2023-04"): Decimal("3000.00")}


def _rows_of(records):
    return sorted((r["placement"], r["month"], r["amount_fen"], r["days_worked"],
                   None if r["hours"] is None else Decimal(str(r["hours"])), r["pieces"]) for r in records)


pay = st.tuples(st.integers(0, 99_999_999_999), st.integers(0, 28),
                st.one_of(st.none(), st.decimals(0, 600, places=2, allow_nan=False)),
                st.one_of(st.none(), st.integers(0, 100_000)))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=st.dictionaries(st.tuples(st.integers(0, 2), st.integers(1, 12)), pay, min_size=1, max_size=12),
       file_format=st.sampled_from(["xlsx", "csv"]))
async def test_import_then_export_then_import_is_the_identity(db, records, file_format):
    await MonthlyPay.delete(force=True)
    if not await Placement.count():
        await shop(3)
    placements = [p["id"] for p in await Placement.select(Placement.id).order_by(Placement.id)]
    header = "用工编号,月份,收入(元),出勤天数,工时,计件数\n"
    lines = [f"{placements[i]},2023年{m}月,\"{Decimal(fen) / 100:,.2f}元\",{days},{'' if h is None else h},"
             f"{'' if pieces is None else pieces}" for (i, m), (fen, days, h, pieces) in records.items()]
    await run_import(io.BytesIO((header + "\n".join(lines)).encode("gbk")),
                     ImportOptions(confirm_unusual=True))  # random amounts, small ones too
    first = _rows_of(await MonthlyPay.select())
    assert len(first) == len(records)

    exported = await export_pay("T-01", "2023-01", "2023-12", file_format)
    again = await run_import(io.BytesIO(exported.content), ImportOptions(confirm_unusual=True))
    assert (again.created, again.unchanged) == (0, len(records))
    await MonthlyPay.delete(force=True)
    await run_import(io.BytesIO(exported.content), ImportOptions(confirm_unusual=True))
    assert _rows_of(await MonthlyPay.select()) == first
    assert (await export_pay("T-01", "2023-01", "2023-12", file_format)).content == exported.content or \
        file_format == "xlsx"  # xlsx files carry a timestamp; their cells are compared above


# --- clerks' habits, in workbooks LibreOffice wrote (fixtures/make_clerk_sheets.py) -----------------

async def test_months_calc_turned_into_decimals_are_refused_and_nothing_is_stored(db):
    await shop(3)
    with pytest.raises(ImportFailed) as exc:
        await run_import(FIXTURES / "lo_decimal_months.xlsx")
    assert [(p.problem.row, p.problem.column, p.problem.code) for p in exc.value.report.problems] == [
        (2, "D", "month_ambiguous")]  # 2023.10 became 2023.1; 2023.3 and 2023.11 alone would be fine
    assert "2023-10" in exc.value.report.problems[0].problem.zh
    assert await MonthlyPay.count() == 0


async def test_a_yearly_libreoffice_workbook_imports_what_the_clerk_sees_and_moves_the_figures_by_it(db):
    s = await shop(3)
    scope, period = figures.parse_scope_period("workshop:T-01", "2023-01..2023-03")
    before = await figures.compute(scope, period)
    report = await run_import(FIXTURES / "lo_clerk_year.xlsx")
    assert [(t["name"], t["status"], t.get("created"), t.get("hidden_rows")) for t in report.sheets] == [
        ("说明", "no_header", None, None), ("旧表", "hidden", None, None), ("1月", "read", 3, 0),
        ("2月", "read", 2, 1), ("3月", "read", 3, 0)]
    assert (report.created, report.hidden_rows) == (8, 1)
    assert next(t for t in report.sheets if t["name"] == "3月")["hidden_columns"] == ["G"]
    first, second, third = (p["placement"]["id"] for p in s["people"])
    stored = {(r["placement"], r["month"]): fen_to_yuan(r["amount_fen"]) for r in await MonthlyPay.select()}
    assert stored == {(first, "2023-01"): Decimal("2801.00"), (second, "2023-01"): Decimal("2801.00"),
                      (third, "2023-01"): Decimal("2801.00"), (first, "2023-02"): Decimal("2802.00"),
                      (third, "2023-02"): Decimal("2802.00"), (first, "2023-03"): Decimal("2803.00"),
                      (second, "2023-03"): Decimal("2803.00"), (third, "2023-03"): Decimal("2803.00")}
    after = await figures.compute(scope, period)
    assert before["total_pay"] == Decimal("0.00")
    assert after["total_pay"] == Decimal("22416.00")  # 3×2801 + 2×2802 + 3×2803
    assert after["person_months"] == 8
    [delta] = report.figures
    assert delta.as_dict()["delta"]["total_pay"] == "22416.00"

    again = await run_import(FIXTURES / "lo_clerk_year.xlsx")
    assert (again.created, again.unchanged) == (0, 8) and "nothing to do" in again.message


async def test_libreoffice_hires_with_timestamps_and_padded_names_are_those_days_and_names(db):
    await shop(0)
    report = await run_import(FIXTURES / "lo_hires_timestamps.xlsx")
    assert (report.created, report.workers_created) == (2, 2)
    hired = {r["name"]: r["hired_on"] for r in await Placement.select(
        Placement.worker.name.as_alias("name"), Placement.hired_on)}
    assert hired == {"李四": date(2024, 4, 8), "王伟": date(2024, 4, 9)}
