"""Files LibreOffice made (committed fixtures) and the import → export → import identity."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sheets import shop

from ledger.core.money import fen_to_yuan
from ledger.importer import ImportOptions, export_pay, run_import
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
