"""Monthly pay from operators' sheets, on the configured engine: all of it or none of it."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from dbfixtures import actor, make_id, wrong_check_digit
from sheets import csv_file, shop, xlsx

from ledger.core.localtime import shown
from ledger.core.money import fen_to_yuan
from ledger.errors import ValidationFailed
from ledger.importer import ImportFailed, ImportOptions, UnreadableFile, annotate, open_sheet, run_import, template
from ledger.services import employment, locks
from ledger.tables import LEDGER_TABLES, MonthlyPay

HEADER = ["工坊编码", "身份证号", "姓名", "月份", "收入(元)", "出勤天数"]


async def snapshot() -> dict[str, list]:
    return {t._meta.tablename: await t.select().order_by(t._meta.primary_key) for t in LEDGER_TABLES}


async def amounts() -> dict[tuple[int, str], Decimal]:
    return {(r["placement"], r["month"]): fen_to_yuan(r["amount_fen"]) for r in await MonthlyPay.select()}


def pay_rows(s, month="2023-03", amount="2800.00", days=20):
    return [["T-01", p["id_number"], p["name"], month, amount, days] for p in s["people"]]


async def test_a_sheet_made_by_openpyxl_with_a_title_row_and_typed_values_is_imported(db, tmp_path):
    s = await shop(4)
    ids = [p["placement"]["id"] for p in s["people"]]
    rows = [["2023年3月 花街村共富工坊 月收入表"], [],
            [" 工坊编码 ", "身份证号码", "姓名", "月份", "收入（元）", "出勤天数", "经办人"],
            ["T-01", s["people"][0]["id_number"], "工人1", "2023/3", "2,800.00", "20天", "ok"],
            ["T-01", s["people"][1]["id_number"].lower(), "工人2", "2023年3月", "２８００元", "２１", None],
            ["T-01", s["people"][2]["id_number"], "工人3", datetime(2023, 3, 1), 2800.1, 22.0, None],
            ["Ｔ-01", " " + s["people"][3]["id_number"] + " ", "工人4", "202303", 2800, 19, None],
            [], [None, None, None]]
    report = await run_import(xlsx(tmp_path / "pay.xlsx", rows))
    assert (report.kind, report.file_format) == ("pay", "xlsx")
    assert (report.header_row, report.rows, report.created, report.committed) == (3, 4, 4, True)
    assert report.ignored_columns == ["经办人"]
    assert await amounts() == {(ids[0], "2023-03"): Decimal("2800.00"), (ids[1], "2023-03"): Decimal("2800.00"),
                               (ids[2], "2023-03"): Decimal("2800.10"), (ids[3], "2023-03"): Decimal("2800.00")}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
async def test_a_csv_in_each_encoding_chinese_excel_saves_is_imported(db, tmp_path, encoding):
    s = await shop(2)
    path = csv_file(tmp_path / "pay.csv", [["花街村 月收入"], HEADER, *pay_rows(s, amount="2800元")], encoding)
    report = await run_import(path)
    assert report.created == 2 and report.file_format == "csv"
    assert set((await amounts()).values()) == {Decimal("2800.00")}


async def test_a_tab_separated_paste_is_read_like_a_csv(db):
    s = await shop(1)
    text = "\n".join("\t".join(map(str, row)) for row in [HEADER, *pay_rows(s)])
    report = await run_import(io.BytesIO(text.encode("utf-8")))
    assert report.created == 1


async def test_a_sheet_with_errors_in_several_rows_and_columns_reports_them_all_and_writes_nothing(db, tmp_path):
    s = await shop(4)
    before = await snapshot()
    bad_id = wrong_check_digit(s["people"][2]["id_number"])
    rows = [HEADER,
            ["T-01", s["people"][0]["id_number"], "工人1", "2023-03", "2800.00", 20],         # fine
            ["T-01", s["people"][1]["id_number"], "工人2", "2023-13", "-5", 40],               # three problems
            ["T-01", bad_id, "工人3", "2023-03", "2800.123", 20],                              # two problems
            ["T-99", s["people"][3]["id_number"], "工人4", "2023-03", "abc", "二十"]]           # three problems
    path = xlsx(tmp_path / "bad.xlsx", rows)
    with pytest.raises(ImportFailed) as exc:
        await run_import(path)
    found = sorted((p.problem.row, p.problem.column, p.problem.field, p.problem.code) for p in exc.value.report.problems)
    assert found == [
        (3, "D", "month", "month_range"), (3, "E", "amount", "money_negative"), (3, "F", "days_worked", "days_range"),
        (4, "B", "id_number", "id_checksum"), (4, "E", "amount", "money_precision"),
        (5, "A", "workshop_code", "unknown_reference"), (5, "E", "amount", "money_format"),
        (5, "F", "days_worked", "int"),
    ]
    assert exc.value.status_code == 422
    body = exc.value.as_dict()
    assert all(p["zh"] and p["en"] and " / " in p["message"] for p in body["problems"])
    masked = next(p for p in body["problems"] if p["field"] == "id_number")["value"]
    assert masked == bad_id[:6] + "********" + bad_id[-4:]
    assert bad_id not in str(body) and s["people"][3]["id_number"] not in str(body)
    assert await snapshot() == before

    sheet, _ = open_sheet(path)
    book = openpyxl.load_workbook(io.BytesIO(annotate(sheet, exc.value.report.problems)))
    out = book.active
    assert out["G1"].value == "错误 / errors"
    assert "出勤天数须在 0 到 31 之间" in out["G3"].value and "days worked" in out["G3"].value
    assert out["D3"].fill.fgColor.rgb.endswith("FFC7CE") and "月份须在" in out["D3"].comment.text
    assert out["G2"].value is None and out["A2"].fill.fgColor.rgb in (None, "00000000")
    assert out["B4"].value == bad_id  # the operator's own sheet comes back as they wrote it, to fix


async def test_an_annotated_sheet_can_be_fixed_and_uploaded_again(db, tmp_path):
    s = await shop(1)
    path = xlsx(tmp_path / "bad.xlsx", [HEADER, ["T-01", s["people"][0]["id_number"], "工人1", "2023-03", "x", 20]])
    with pytest.raises(ImportFailed) as exc:
        await run_import(path)
    sheet, _ = open_sheet(path)
    book = openpyxl.load_workbook(io.BytesIO(annotate(sheet, exc.value.report.problems)))
    book.active["E2"] = "2800"
    fixed = tmp_path / "fixed.xlsx"
    book.save(fixed)
    report = await run_import(fixed)
    assert report.created == 1 and report.ignored_columns == []


async def test_importing_the_same_file_twice_creates_the_rows_once_and_says_so(db, tmp_path):
    s = await shop(3)
    path = xlsx(tmp_path / "pay.xlsx", [HEADER, *pay_rows(s)])
    first = await run_import(path)
    after_first = await snapshot()
    second = await run_import(path)
    assert (first.created, second.created, second.unchanged) == (3, 0, 3)
    assert "无需导入" in second.message and "nothing to do" in second.message
    assert await snapshot() == after_first


async def test_a_row_that_contradicts_a_stored_record_is_a_conflict_until_replace_mode(db, tmp_path):
    s = await shop(2)
    await run_import(xlsx(tmp_path / "a.xlsx", [HEADER, *pay_rows(s)]))
    before = await snapshot()
    changed = pay_rows(s)
    changed[1][4] = "3000.00"
    path = xlsx(tmp_path / "b.xlsx", [HEADER, *changed])
    with pytest.raises(ImportFailed) as exc:
        await run_import(path)
    assert exc.value.status_code == 409
    assert [(p.problem.row, p.problem.code, p.conflict) for p in exc.value.report.problems] == [
        (3, "pay_differs", True)]
    assert await snapshot() == before
    report = await run_import(path, ImportOptions(replace=True))
    assert (report.replaced, report.unchanged, report.created) == (1, 1, 0)
    assert sorted((await amounts()).values()) == [Decimal("2800.00"), Decimal("3000.00")]
    delta = report.figures[0].as_dict()["delta"]
    assert delta["total_pay"] == "200.00" and delta["person_months"] == 0 and delta["avg_monthly_pay"] == "100.00"


async def test_a_dry_run_writes_nothing_and_previews_how_the_figures_move(db, tmp_path):
    s = await shop(3)
    await employment.create_pay({"placement": s["people"][0]["placement"]["id"], "month": "2023-02",
                                 "amount": "1000.00", "days_worked": 10})
    before = await snapshot()
    rows = pay_rows(s)
    rows[2][4] = "0"
    report = await run_import(xlsx(tmp_path / "pay.xlsx", [HEADER, *rows]), ImportOptions(dry_run=True))
    assert await snapshot() == before
    assert (report.dry_run, report.committed, report.created) == (True, False, 3)
    assert "预演" in report.message and "dry run" in report.message
    [delta] = [d.as_dict() for d in report.figures]
    assert delta["period"] == {"first": "2023-03", "last": "2023-03"}
    assert delta["before"] == {"workers_employed": 3, "workers_paid": 0, "person_months": 0, "total_pay": "0.00",
                               "avg_monthly_pay": None}
    assert delta["after"] == {"workers_employed": 3, "workers_paid": 2, "person_months": 2, "total_pay": "5600.00",
                              "avg_monthly_pay": "2800.00"}
    assert delta["delta"]["person_months"] == 2 and delta["delta"]["total_pay"] == "5600.00"


async def test_the_preview_counts_the_adjustments_of_a_reopened_month_as_the_figures_do(db, tmp_path):
    s = await shop(1)
    first = s["people"][0]
    await employment.create_pay({"placement": first["placement"]["id"], "month": "2023-03", "amount": "1000.00",
                                 "days_worked": 10})
    with actor("auditor"):
        lock = await locks.sign_off("2023-03")
        await locks.create_adjustment({"placement": first["placement"]["id"], "month": "2023-03",
                                       "delta": "-100.00", "reason": "多计计件"})
        await locks.reopen(lock["id"], "退回工坊重新核对")
    rows = [HEADER, ["T-01", first["id_number"], "工人1", "2023-03", "1200", 10]]
    report = await run_import(xlsx(tmp_path / "pay.xlsx", rows), ImportOptions(dry_run=True, replace=True))
    [delta] = [d.as_dict() for d in report.figures]
    assert (delta["before"]["total_pay"], delta["after"]["total_pay"]) == ("900.00", "1100.00")
    assert delta["delta"]["total_pay"] == "200.00"


async def test_the_preview_covers_every_month_the_sheet_touches_and_counts_what_was_there(db, tmp_path):
    s = await shop(2)
    first = s["people"][0]
    await employment.create_pay({"placement": first["placement"]["id"], "month": "2023-04", "amount": "1000.00",
                                 "days_worked": 10})
    rows = [HEADER, ["T-01", first["id_number"], "工人1", "2023-03", "2000", 20],
            ["T-01", s["people"][1]["id_number"], "工人2", "2023-05", "3000", 20]]
    report = await run_import(xlsx(tmp_path / "pay.xlsx", rows), ImportOptions(dry_run=True))
    [delta] = [d.as_dict() for d in report.figures]
    assert delta["period"] == {"first": "2023-03", "last": "2023-05"}
    assert delta["before"]["total_pay"] == "1000.00" and delta["before"]["avg_monthly_pay"] == "1000.00"
    assert delta["after"]["total_pay"] == "6000.00" and delta["after"]["person_months"] == 3
    assert delta["delta"]["avg_monthly_pay"] == "1000.00" and delta["delta"]["workers_paid"] == 1


async def test_pay_in_a_locked_month_is_refused_even_in_replace_mode(db, tmp_path):
    s = await shop(1)
    with actor("auditor", username="审核员甲"):
        lock = await locks.sign_off("2023-03", s["workshop"]["id"])
    with pytest.raises(ImportFailed) as exc:
        await run_import(xlsx(tmp_path / "pay.xlsx", [HEADER, *pay_rows(s)]), ImportOptions(replace=True))
    assert exc.value.status_code == 409
    [problem] = [p.problem for p in exc.value.report.problems]
    assert problem.code == "month_locked"
    assert f"锁定 #{lock['id']}" in problem.zh and "审核员甲" in problem.zh and shown(lock["signed_at"]) in problem.zh
    assert await MonthlyPay.count() == 0


async def test_the_same_placement_and_month_twice_in_a_file_is_refused_across_batches(db, tmp_path):
    s = await shop(3)
    rows = [HEADER, *pay_rows(s), pay_rows(s)[0]]
    with pytest.raises(ImportFailed) as exc:
        await run_import(xlsx(tmp_path / "dup.xlsx", rows), ImportOptions(batch_size=2))
    [problem] = exc.value.report.problems
    assert (problem.problem.row, problem.problem.code) == (5, "duplicate_in_file")
    assert "第 2 行" in problem.problem.zh and "row 2" in problem.problem.en
    assert await MonthlyPay.count() == 0


async def test_a_bad_row_in_a_late_batch_undoes_the_batches_already_written(db, tmp_path):
    s = await shop(5)
    rows = pay_rows(s)
    rows[4][4] = "-1"
    with pytest.raises(ImportFailed):
        await run_import(xlsx(tmp_path / "late.xlsx", [HEADER, *rows]), ImportOptions(batch_size=2))
    assert await MonthlyPay.count() == 0


async def test_blank_rows_and_template_rows_left_unfilled_are_skipped(db, tmp_path):
    s = await shop(3)
    rows = pay_rows(s)
    rows[1][4] = rows[1][5] = None
    report = await run_import(xlsx(tmp_path / "pay.xlsx", [HEADER, rows[0], [], rows[1], rows[2], [], [], []]))
    assert (report.rows, report.created, report.skipped) == (3, 2, 1)


async def test_an_id_number_that_excel_turned_into_a_number_is_explained(db, tmp_path):
    s = await shop(1)
    rows = [HEADER, ["T-01", float(s["people"][0]["id_number"]), "工人1", "2023-03", "1000", 1]]
    with pytest.raises(ImportFailed) as exc:
        await run_import(xlsx(tmp_path / "num.xlsx", rows))
    [problem] = exc.value.report.problems
    assert problem.problem.code == "id_as_number" and "文本" in problem.problem.zh and "text" in problem.problem.en


async def test_a_worker_unknown_or_not_placed_or_named_otherwise_is_refused(db, tmp_path):
    s = await shop(2)
    other = await shop(1, code="T-02", enterprise=s["enterprise"], first_serial=9)
    rows = [HEADER, ["T-01", make_id(50), "无名", "2023-03", "1000", 1],
            ["T-01", other["people"][0]["id_number"], "工人9", "2023-03", "1000", 1],
            ["T-01", s["people"][0]["id_number"], "李四", "2023-03", "1000", 1],
            ["T-01", s["people"][1]["id_number"], "工人2", "2022-12", "1000", 1]]
    with pytest.raises(ImportFailed) as exc:
        await run_import(xlsx(tmp_path / "who.xlsx", rows))
    assert [(p.problem.row, p.problem.code) for p in exc.value.report.problems] == [
        (2, "unknown_worker"), (3, "no_placement"), (4, "name_mismatch"), (5, "month_outside_placement")]


async def test_with_a_workshop_given_the_code_column_may_be_absent_and_other_workshops_are_refused(db, tmp_path):
    s = await shop(1)
    other = await shop(1, code="T-02", enterprise=s["enterprise"], first_serial=9)
    rows = [["身份证号", "月份", "收入", "出勤天数"], [s["people"][0]["id_number"], "2023-03", "100", 1]]
    report = await run_import(xlsx(tmp_path / "a.xlsx", rows), ImportOptions(workshop="T-01"))
    assert report.created == 1
    rows = [HEADER, ["T-02", other["people"][0]["id_number"], "工人9", "2023-03", "1000", 1]]
    with pytest.raises(ImportFailed) as exc:
        await run_import(xlsx(tmp_path / "b.xlsx", rows), ImportOptions(workshop="T-01"))
    assert [p.problem.code for p in exc.value.report.problems] == ["other_workshop"]


async def test_a_sheet_without_the_columns_it_needs_says_which_are_missing(db, tmp_path):
    await shop(1)
    with pytest.raises(ImportFailed) as exc:
        await run_import(xlsx(tmp_path / "a.xlsx", [["身份证号", "月份"], ["x", "2023-03"]]))
    assert sorted(p.problem.field for p in exc.value.report.problems) == ["amount", "days_worked", "workshop_code"]
    with pytest.raises(ImportFailed) as exc:
        await run_import(xlsx(tmp_path / "b.xlsx", [["甲", "乙"], ["x", "y"]]))
    assert [p.problem.code for p in exc.value.report.problems] == ["no_header"]


async def test_the_import_refuses_exactly_what_the_api_refuses(db, tmp_path):
    s = await shop(1)
    placement = s["people"][0]["placement"]["id"]
    for amount, days, hours in [("-1", 5, None), ("1.234", 40, "7.5"), ("5", 3, "800")]:
        with pytest.raises(ValidationFailed) as api:
            await employment.create_pay({"placement": placement, "month": "2023-03", "amount": amount,
                                         "days_worked": days, "hours": hours})
        rows = [HEADER + ["工时"], ["T-01", s["people"][0]["id_number"], "工人1", "2023-03", amount, days, hours]]
        with pytest.raises(ImportFailed) as sheet:
            await run_import(xlsx(tmp_path / "p.xlsx", rows))
        assert [(p.field, p.code, p.zh, p.en) for p in api.value.problems] == [
            (p.problem.field, p.problem.code, p.problem.zh, p.problem.en) for p in sheet.value.report.problems]


async def test_a_template_lists_the_placements_active_that_month_with_recorded_pay_filled_in(db, tmp_path):
    s = await shop(3)
    await employment.update_placement(s["people"][2]["placement"]["id"], {"left_on": date(2023, 2, 28)})
    await employment.create_pay({"placement": s["people"][0]["placement"]["id"], "month": "2023-03",
                                 "amount": "1234.50", "days_worked": 12})
    item = await template("T-01", "2023-03")
    path = tmp_path / item.filename
    path.write_bytes(item.content)
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == ("用工编号", "工坊编码", "身份证号", "姓名", "月份", "收入(元)", "出勤天数", "工时", "计件数")
    assert [r[0] for r in rows[2:]] == [s["people"][0]["placement"]["id"], s["people"][1]["placement"]["id"]]
    assert rows[2][2] == s["people"][0]["worker"]["id_number"] and "*" in rows[2][2]
    assert rows[2][5] == 1234.5 and rows[3][5] is None
    unchanged = await run_import(path)
    assert (unchanged.unchanged, unchanged.skipped, unchanged.created) == (1, 1, 0)
    sheet["F4"], sheet["G4"] = 2800, 20
    path2 = tmp_path / "filled.xlsx"
    sheet.parent.save(path2)
    filled = await run_import(path2)
    assert (filled.created, filled.unchanged) == (1, 1)


async def test_a_template_for_an_unknown_workshop_or_a_bad_month_is_refused(db):
    await shop(1)
    with pytest.raises(ValidationFailed):
        await template("T-01", "2023-13")
    from ledger.errors import NotFound

    with pytest.raises(NotFound):
        await template("NOPE", "2023-03")


@pytest.mark.parametrize("content, code", [
    (b"PK\x03\x04 this zip is broken" + b"\x00" * 50, "corrupt"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00\x01\x02" * 40, "not_a_spreadsheet"),
    (b"", "empty_file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old_xls"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100 + "EncryptedPackage".encode("utf-16-le"),
     "password_protected"),
    (b"name,amount\n\xff\xff\xff,1\n", "encoding"),
])
async def test_a_file_that_is_not_a_readable_spreadsheet_is_refused_with_its_reason(db, content, code):
    with pytest.raises(UnreadableFile) as exc:
        await run_import(io.BytesIO(content))
    assert [p.code for p in exc.value.problems] == [code]
    assert exc.value.status_code == 415 and " / " in exc.value.problems[0].message


async def test_a_control_character_in_a_pasted_sheet_is_a_row_problem_never_a_look_up(db):
    # A control character in a workshop code is refused before any look-up (a NUL would be a 500
    # on PostgreSQL; a NUL in a CSV makes the file unreadable, so \x01 stands in for it here).
    s = await shop(1)
    [row] = pay_rows(s)
    rows = [HEADER, ["T-\x0101", *row[1:]], [row[0], row[1], "工人\x01", *row[3:]]]
    text = "\n".join("\t".join(map(str, r)) for r in rows)
    with pytest.raises(ImportFailed) as exc:
        await run_import(io.BytesIO(text.encode("utf-8")))
    problems = [(p.problem.row, p.problem.field, p.problem.code) for p in exc.value.report.problems]
    assert (2, "workshop_code", "control_character") in problems
    assert (3, "name", "name_mismatch") in problems  # compared with the stored name, never looked up
    assert await MonthlyPay.count() == 0
