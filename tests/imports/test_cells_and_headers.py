"""Cells as people type them, and headers as people write them (pure: no database)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from ledger.core import rules
from ledger.importer import values
from ledger.importer.headers import SheetKind, column_letter, field_for, find_layout, guess_kind


@pytest.mark.parametrize("cell, expected", [
    ("2800", "2800"), ("2,800.00", "2800.00"), ("2800元", "2800"), ("￥2,800.50元", "2800.50"),
    ("２８００．５", "2800.5"), ("RMB 2800", "2800"), (" 2800 ", "2800"), (2800, "2800"),
    (2800.1, "2800.1"), (2800.0, "2800.0"), (Decimal("12.30"), "12.30"), ("１，２３４", "1234"),
])
def test_amounts_are_read_the_way_people_write_them(cell, expected):
    assert values.money(cell) == expected


def test_an_excel_float_becomes_exact_fen_only_when_it_is_a_two_decimal_value():
    assert rules.check_money("amount", values.money(2800.1)) == (Decimal("2800.10"), [])
    assert rules.check_money("amount", values.money(0.1 + 0.2))[1][0].code == "money_precision"
    assert rules.check_money("amount", values.money(2800.125))[1][0].code == "money_precision"


def test_a_comma_that_is_not_a_thousands_separator_is_left_for_the_rule_to_refuse():
    assert rules.check_money("amount", values.money("28,00"))[1][0].code == "money_format"


@pytest.mark.parametrize("cell", ["2023-03", "2023-3", "2023/3", "2023/03", "2023.3", "2023年3月", "2023年03月",
                                  "202303", "2023-03-01", "２０２３年３月", datetime(2023, 3, 1), date(2023, 3, 15),
                                  202303])
def test_every_way_of_writing_march_2023_is_march_2023(cell):
    assert values.month(cell) == "2023-03"


def test_a_month_that_cannot_be_read_is_passed_on_as_typed_for_the_rule_to_refuse():
    assert values.month("三月") == "三月"
    assert rules.check_month("month", values.month("三月"), date(2024, 1, 1))[1][0].code == "month_format"


@pytest.mark.parametrize("cell", ["2023-03-01", "2023/3/1", "2023.3.1", "2023年3月1日", "20230301",
                                  datetime(2023, 3, 1), date(2023, 3, 1), "2023-03-01 00:00:00"])
def test_every_way_of_writing_a_date_is_read(cell):
    assert values.day(cell) == date(2023, 3, 1)


@pytest.mark.parametrize("cell, expected", [("20", 20), ("20天", 20), ("２０", 20), (20.0, 20), (20, 20),
                                            ("20.5", "20.5"), (20.5, "20.5")])
def test_whole_numbers_accept_units_and_full_width_digits(cell, expected):
    assert values.whole_number(cell, ("天",)) == expected


def test_an_id_number_keeps_its_x_and_loses_its_spaces():
    assert values.id_number(" 330784 19800101 004x ") == "33078419800101004X"


def test_an_id_number_stored_as_an_excel_number_is_refused_because_its_digits_are_gone():
    with pytest.raises(values.IdStoredAsNumber):
        values.id_number(3.30784198001011e17)


@pytest.mark.parametrize("cell, expected", [("计件", "计件"), ("piece", "计件"), ("Hourly", "计时"), ("日薪", "日薪"),
                                            ("monthly", "月薪"), ("按日", "日薪"), ("年薪", "年薪")])
def test_pay_basis_is_read_in_chinese_or_english(cell, expected):
    assert values.pay_basis(cell) == expected


@pytest.mark.parametrize("header, field", [
    ("工坊编码", "workshop_code"), ("workshop_code", "workshop_code"), ("Workshop Code", "workshop_code"),
    ("身份证号", "id_number"), (" 身份证号码 ", "id_number"), ("ID Number", "id_number"), ("*身份证号", "id_number"),
    ("姓名", "name"), ("月份", "month"), ("Month", "month"), ("收入(元)", "amount"), ("收入（元）", "amount"),
    ("收入 （元）", "amount"), ("ａｍｏｕｎｔ", "amount"), ("出勤天数", "days_worked"), ("days_worked", "days_worked"),
    ("入职日期", "hired_on"), ("hired_on", "hired_on"), ("离职日期", "left_on"), ("计酬方式", "pay_basis"),
    ("pay basis", "pay_basis"), ("工时", "hours"), ("计件数", "pieces"), ("用工编号", "placement"),
    ("手机号", "phone"), ("务工前月收入（元）", "baseline_income"), ("所在村", "village"),
])
def test_headers_are_recognised_in_chinese_or_english_with_stray_spaces_and_full_width(header, field):
    assert field_for(header) == field


def test_a_title_row_above_the_header_is_skipped_and_unknown_columns_are_listed():
    rows = [(1, ("2023年3月 花街村工坊收入表", None, None)), (2, (None, None, None)),
            (3, ("月份", "身份证号", "收入(元)", "备用列")), (4, ("2023-03", "x", "1"))]
    layout, problems = find_layout(rows)
    assert problems == []
    assert layout.header_row == 3
    assert layout.columns == {"month": 0, "id_number": 1, "amount": 2}
    assert layout.ignored == ["备用列"]
    assert guess_kind(layout) is SheetKind.pay


def test_a_column_named_twice_is_a_problem_of_the_header():
    layout, problems = find_layout([(1, ("月份", "收入", "金额"))])
    assert [(p.code, p.column) for p in problems] == [("duplicate_column", "C")]


def test_columns_are_lettered_as_the_spreadsheet_shows_them():
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
