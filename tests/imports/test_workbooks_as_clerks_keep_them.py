"""Workbooks as clerks keep them (openpyxl-made): hidden rows, columns and tabs, a tab per
month, merged cells — what the clerk sees is what is imported, and the report says so."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from openpyxl import Workbook
from sheets import shop

from ledger.core.money import fen_to_yuan
from ledger.importer import ImportFailed, ImportOptions, run_import
from ledger.importer.workbook import annotate_source
from ledger.tables import MonthlyPay

HEADER = ["工坊编码", "身份证号", "姓名", "月份", "收入(元)", "出勤天数"]


def rows_for(s, month: str, amount: str = "2800.00") -> list[list]:
    return [["T-01", p["id_number"], p["name"], month, amount, 20] for p in s["people"]]


def book_of(path, tabs: dict[str, list[list]], hidden_tabs=(), hidden_rows=None, hidden_columns=None, merges=None):
    book = Workbook()
    book.remove(book.active)
    for name, rows in tabs.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if name in hidden_tabs:
            sheet.sheet_state = "hidden"
        for number in (hidden_rows or {}).get(name, ()):
            sheet.row_dimensions[number].hidden = True
        for letter in (hidden_columns or {}).get(name, ()):
            sheet.column_dimensions[letter].hidden = True
        for merge in (merges or {}).get(name, ()):
            sheet.merge_cells(merge)
    book.save(path)
    return path


async def amounts() -> dict[tuple[int, str], Decimal]:
    return {(r["placement"], r["month"]): fen_to_yuan(r["amount_fen"]) for r in await MonthlyPay.select()}


async def test_a_hidden_row_is_skipped_counted_and_left_out_of_the_figures(db, tmp_path):
    s = await shop(3)
    path = book_of(tmp_path / "pay.xlsx", {"3月": [HEADER, *rows_for(s, "2023-03")]}, hidden_rows={"3月": [3]})
    report = await run_import(path)
    assert (report.rows, report.created, report.hidden_rows) == (2, 2, 1)
    assert "隐藏行已跳过 1" in report.message and "1 hidden rows skipped" in report.message
    on_leave = s["people"][1]["placement"]["id"]
    assert on_leave not in {placement for placement, _ in await amounts()}
    delta = report.figures[0].as_dict()["delta"]
    assert (delta["person_months"], delta["total_pay"]) == (2, "5600.00")
    assert report.sheets[0]["hidden_rows"] == 1


async def test_a_hidden_column_is_read_as_blank_so_its_stale_figures_do_not_count(db, tmp_path):
    s = await shop(2)
    header = [*HEADER, "收入(元)"]  # the clerk's old figures, kept in a hidden column G under the same header
    rows = [[*row, "9999.00"] for row in rows_for(s, "2023-03")]
    path = book_of(tmp_path / "pay.xlsx", {"other": [header, *rows]}, hidden_columns={"other": ["G"]})
    report = await run_import(path)
    assert report.created == 2 and set((await amounts()).values()) == {Decimal("2800.00")}
    read = next(t for t in report.sheets if t["status"] == "read")
    assert read["name"] == "other" and read["hidden_columns"] == ["G"]


async def test_a_stale_hidden_tab_before_the_current_one_is_passed_over_unless_named(db, tmp_path):
    s = await shop(2)
    path = book_of(tmp_path / "pay.xlsx", {"旧表": [HEADER, *rows_for(s, "2023-02", "1000.00")],
                                           "3月": [HEADER, *rows_for(s, "2023-03")]}, hidden_tabs=("旧表",))
    report = await run_import(path)
    assert {month for _, month in await amounts()} == {"2023-03"}
    assert [(t["name"], t["status"]) for t in report.sheets] == [("旧表", "hidden"), ("3月", "read")]
    assert "旧表" in report.message and "hidden tab" in report.message

    named = await run_import(path, ImportOptions(sheet="旧表"))
    assert named.created == 2 and {month for _, month in await amounts()} == {"2023-02", "2023-03"}
    assert [(t["name"], t["status"]) for t in named.sheets] == [("旧表", "read"), ("3月", "not_chosen")]


async def test_a_yearly_workbook_imports_every_month_tab_and_says_what_it_did_with_each(db, tmp_path):
    s = await shop(3)
    tabs = {"说明": [["本表为 2023 年各月收入，请勿改动表头"]],
            **{f"{m}月": [[f"2023年{m}月 收入表"], HEADER, *rows_for(s, f"2023-{m:02d}", f"{2800 + m}.00")]
               for m in (1, 2, 3)}}
    path = book_of(tmp_path / "year.xlsx", tabs)
    report = await run_import(path)
    assert (report.rows, report.created) == (9, 9)
    assert [(t["name"], t["status"], t.get("created")) for t in report.sheets] == [
        ("说明", "no_header", None), ("1月", "read", 3), ("2月", "read", 3), ("3月", "read", 3)]
    assert sorted({(m, a) for (_, m), a in (await amounts()).items()}) == [
        ("2023-01", Decimal("2801.00")), ("2023-02", Decimal("2802.00")), ("2023-03", Decimal("2803.00"))]
    assert report.figures[0].as_dict()["period"] == {"first": "2023-01", "last": "2023-03"}

    again = await run_import(path)
    assert (again.created, again.unchanged) == (0, 9)
    assert "无需导入" in again.message and "1月、2月、3月" in again.message


async def test_the_same_row_on_two_month_tabs_is_named_with_its_tab(db, tmp_path):
    s = await shop(1)
    path = book_of(tmp_path / "year.xlsx", {"1月": [HEADER, *rows_for(s, "2023-01")],
                                            "2月": [HEADER, *rows_for(s, "2023-01")]})  # copied, month not changed
    with pytest.raises(ImportFailed) as exc:
        await run_import(path)
    [problem] = exc.value.report.problems
    assert (problem.sheet, problem.problem.row, problem.problem.code) == ("2月", 2, "duplicate_in_file")
    assert "“1月”表第 2 行" in problem.problem.zh and "row 2 of tab 1月" in problem.problem.en
    assert problem.as_dict()["sheet"] == "2月"
    assert await MonthlyPay.count() == 0

    annotated = openpyxl.load_workbook(io.BytesIO(annotate_source(path, exc.value.report.problems)))
    assert annotated.sheetnames == ["1月", "2月"]
    assert annotated["1月"]["G2"].value is None and "“1月”表第 2 行" in annotated["2月"]["G2"].value


async def test_a_workbook_with_nothing_recognisable_says_which_tabs_it_looked_at_and_why(db, tmp_path):
    s = await shop(1)
    path = book_of(tmp_path / "none.xlsx", {"说明": [["请按月填写"], ["联系人", "电话"]], "空白": [],
                                            "数据": [HEADER, *rows_for(s, "2023-03")]}, hidden_tabs=("数据",))
    with pytest.raises(ImportFailed) as exc:
        await run_import(path)
    [problem] = exc.value.report.problems
    assert problem.problem.code == "no_table" and exc.value.status_code == 422
    for text in ("“说明”：前 20 行中没有可识别的表头", "“空白”：空白工作表", "“数据”：隐藏的工作表",
                 "说明: no recognisable header", "空白: an empty tab", "数据: a hidden tab"):
        assert text in problem.problem.message
    assert await MonthlyPay.count() == 0


async def test_a_tab_asked_for_that_the_workbook_lacks_is_refused_naming_the_tabs_it_has(db, tmp_path):
    s = await shop(1)
    path = book_of(tmp_path / "pay.xlsx", {"3月": [HEADER, *rows_for(s, "2023-03")]})
    with pytest.raises(ImportFailed) as exc:
        await run_import(path, ImportOptions(sheet="4月"))
    [problem] = exc.value.report.problems
    assert problem.problem.code == "unknown_sheet" and "“3月”" in problem.problem.zh


async def test_merged_month_and_workshop_cells_give_every_row_of_the_merge_their_value(db, tmp_path):
    s = await shop(3)
    rows = [HEADER, *rows_for(s, "2023-03")]
    for row in rows[2:]:
        row[0] = row[3] = None  # what a merged range holds below its top-left cell
    path = book_of(tmp_path / "merged.xlsx", {"pay": rows}, merges={"pay": ["A2:A4", "D2:D4"]})
    report = await run_import(path)
    assert report.created == 3
    assert {month for _, month in await amounts()} == {"2023-03"}


async def test_a_workbook_with_tabs_of_two_kinds_asks_which_to_import(db, tmp_path):
    s = await shop(1, hired_on=date(2023, 1, 1))
    hires = [["工坊编码", "身份证号", "姓名", "所在村", "入职日期", "计酬方式"],
             ["T-01", s["people"][0]["id_number"], "工人1", "花街村", "2023-01-01", "计件"]]
    path = book_of(tmp_path / "both.xlsx", {"花名册": hires, "3月": [HEADER, *rows_for(s, "2023-03")]})
    with pytest.raises(ImportFailed) as exc:
        await run_import(path)
    assert [p.problem.code for p in exc.value.report.problems] == ["kinds_mixed"]
    report = await run_import(path, ImportOptions(kind="pay"))
    assert report.created == 1
    assert [(t["name"], t["status"]) for t in report.sheets] == [("花名册", "other_kind"), ("3月", "read")]


@pytest.mark.parametrize("chunk", [7, 64, 1 << 16])
def test_merged_ranges_cut_across_the_readers_chunks_all_fill_their_cells(tmp_path, monkeypatch, chunk):
    from ledger.importer import reading

    rows = [HEADER] + [["T-01" if n % 2 == 0 else None, f"id{n}", "名", "2023-03" if n % 2 == 0 else None, 1, 1]
                       for n in range(60)]
    merges = [f"A{r}:A{r + 1}" for r in range(2, 62, 2)] + [f"D{r}:D{r + 1}" for r in range(2, 62, 2)]
    path = book_of(tmp_path / "merged.xlsx", {"pay": rows}, merges={"pay": merges})
    monkeypatch.setattr(reading, "CHUNK", chunk)  # the scan reads the sheet's XML this many bytes at a time
    _, [tab] = reading.open_tables(path)
    read = list(tab.sheet.data_rows())
    assert len(read) == 60
    assert all(cells[0] == "T-01" and cells[3] == "2023-03" for _, cells in read)


async def test_the_annotated_copy_keeps_hidden_and_filtered_rows_hidden_and_the_columns_as_the_clerk_left_them(
        db, tmp_path):
    s = await shop(4)
    rows = rows_for(s, "2023-03")
    rows[3][4] = "两千"  # row 5: a problem to annotate
    book = Workbook()
    sheet = book.active
    sheet.title = "3月"
    for row in [[*HEADER, "备注"], *[[*r, "旧数"] for r in rows]]:
        sheet.append(row)
    sheet.row_dimensions[3].hidden = True  # hidden by hand
    sheet.auto_filter.ref = "A1:G5"
    sheet.row_dimensions[4].hidden = True  # hidden by the filter
    sheet.column_dimensions["B"].width = 24
    sheet.column_dimensions["G"].hidden = True  # the clerk's notes, hidden
    path = tmp_path / "pay.xlsx"
    book.save(path)

    with pytest.raises(ImportFailed) as exc:
        await run_import(path)
    report = exc.value.report
    assert report.hidden_rows == 2 and [p.problem.row for p in report.problems] == [5]

    copy = openpyxl.load_workbook(io.BytesIO(annotate_source(path, report.problems)))
    [out] = copy.worksheets
    hidden = {n for n, d in out.row_dimensions.items() if d.hidden}
    assert hidden == {3, 4}  # still hidden; the rows with the problem and the others are shown
    assert [out.cell(n, 2).value for n in (3, 4)] == [rows[1][1], rows[2][1]]  # kept as they were
    assert out.column_dimensions["B"].width == 24 and not out.column_dimensions["B"].hidden
    assert out.column_dimensions["G"].hidden and out["G1"].value == "备注"
    error = next(c for c in out[1] if c.value == "错误 / errors")
    assert error.column_letter != "G" and not out.column_dimensions[error.column_letter].hidden
    assert "E列" in out.cell(5, error.column).value
    assert out.auto_filter.ref == "A1:G5"  # the filter too, so the clerk can clear it
