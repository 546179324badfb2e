"""The habits that gave a silent wrong month, a refused timestamp or an unmatched padded name."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.utils.datetime import to_excel
from sheets import shop, xlsx

from ledger.core import rules
from ledger.importer import ImportFailed, run_import, values
from ledger.tables import MonthlyPay, Placement, Worker

HEADER = ["工坊编码", "身份证号", "姓名", "月份", "收入(元)", "出勤天数"]


def writings(year: int, month: int, day: int) -> list[tuple[str, object]]:
    """Every way a sheet can hold a month: text as typed (CSV or a text cell) and the cells
    Excel and Calc make of it."""
    moment = datetime(year, month, day, 8, 30)
    return [
        ("text", f"{year}-{month:02d}"), ("text", f"{year}-{month}"), ("text", f"{year}/{month}"),
        ("text", f"{year}/{month:02d}"), ("text", f"{year}年{month}月"), ("text", f"{year}年{month:02d}月份"),
        ("text", f"{year}{month:02d}"), ("text", f"{year}.{month:02d}"), ("decimal text", f"{year}.{month}"),
        ("text", f"{year}-{month:02d}-{day:02d}"), ("text", f"{year}/{month}/{day} 8:30"),
        ("text", f"{year}年{month}月{day}日"), ("text", f"{year}-{month:02d}-{day:02d} 08:30:00"),
        ("text", values.fold(f"{year}年{month}月").translate(str.maketrans("0123456789", "０１２３４５６７８９"))),
        ("number", year * 100 + month), ("number", float(year * 100 + month)),
        ("decimal number", float(f"{year}.{month:02d}")), ("decimal number", float(f"{year}.{month}")),
        ("date cell", datetime(year, month, day)), ("date cell", date(year, month, day)), ("date cell", moment),
        ("serial", int(to_excel(datetime(year, month, day)))), ("serial", to_excel(moment)),
    ]


@settings(max_examples=300, deadline=None)
@given(year=st.integers(1990, 2099), month=st.integers(1, 12), day=st.integers(1, 28))
def test_a_month_is_read_as_itself_or_refused_never_as_another_month(year, month, day):
    for how, cell in writings(year, month, day):
        try:
            read = values.month(cell)
        except values.AmbiguousMonth as exc:
            # only a decimal whose point is followed by a lone 1: January, or October's 10 lost its 0
            assert how.startswith("decimal") and month in (1, 10) and exc.year == year, (how, cell)
            continue
        assert read == f"{year}-{month:02d}", (how, cell)


@pytest.mark.parametrize("cell", [2024.1, "2024.1", "２０２４．１"])
def test_2024_point_1_is_refused_because_it_may_be_january_or_october(cell):
    with pytest.raises(values.AmbiguousMonth):
        values.month(cell)


@pytest.mark.parametrize("cell, expected", [(2024.3, "2024-03"), (2024.11, "2024-11"), (2024.12, "2024-12"),
                                            (2024.01, "2024-01"), ("2024.10", "2024-10"), (202410, "2024-10"),
                                            (45566, "2024-10"), (45566.75, "2024-10")])
def test_a_number_cell_that_cannot_be_ambiguous_is_read(cell, expected):
    assert values.month(cell) == expected


@pytest.mark.parametrize("cell", [2024, 2024.0, 20241, 2024.001])
def test_a_number_that_is_no_month_is_left_for_the_month_rule_to_refuse(cell):
    assert rules.check_month("month", values.month(cell), date(2026, 1, 1))[1]


@pytest.mark.parametrize("cell", [datetime(2024, 4, 8, 8, 30), "2024-04-08 08:30:00", "2024/4/8 8:30",
                                  "2024-04-08T08:30:00", "2024年4月8日 08:30"])
def test_a_date_time_whose_date_is_clear_is_that_date(cell):
    assert values.day(cell) == date(2024, 4, 8)


def test_a_time_of_day_that_is_no_time_leaves_the_cell_for_the_date_rule_to_refuse():
    assert values.day("2024-04-08 25:61") == "2024-04-08 25:61"


@pytest.mark.parametrize("padded", ["王　伟", "王  伟", " 王 伟 ", "王\u00a0伟"])
def test_names_padded_for_alignment_compare_equal_and_lose_the_padding(padded):
    assert values.name_key(padded) == values.name_key("王伟")
    assert values.name(padded) == "王伟"


def test_a_space_between_latin_words_of_a_name_is_kept():
    assert values.name(" John   Smith ") == "John Smith"


async def test_months_typed_as_decimals_are_refused_with_the_reason_and_nothing_is_stored(db, tmp_path):
    s = await shop(3, hired_on=date(2023, 1, 1))
    first, second, third = s["people"]
    rows = [HEADER,
            ["T-01", first["id_number"], first["name"], 2023.1, "2800", 20],     # October typed 2023.10
            ["T-01", second["id_number"], second["name"], 2023.3, "2800", 20],   # March: fine alone
            ["T-01", third["id_number"], third["name"], "2023.1", "2800", 20]]   # a CSV's text of the same
    with pytest.raises(ImportFailed) as exc:
        await run_import(xlsx(tmp_path / "decimals.xlsx", rows))
    found = [(p.problem.row, p.problem.column, p.problem.code) for p in exc.value.report.problems]
    assert found == [(2, "D", "month_ambiguous"), (4, "D", "month_ambiguous")]
    message = exc.value.report.problems[0].problem.message
    assert "2023-10" in message and "2023-01" in message and "January or October" in message
    assert await MonthlyPay.count() == 0


async def test_padded_names_match_the_registered_worker_and_a_timestamped_hire_is_that_day(db, tmp_path):
    s = await shop(2, hired_on=date(2023, 1, 1))
    first, second = s["people"]
    rows = [HEADER, ["T-01", first["id_number"], "工　人1", "2023-03", "2800", 20],
            ["T-01", second["id_number"], "工人  2 ", "2023-03", "2800", 20]]
    report = await run_import(xlsx(tmp_path / "pay.xlsx", rows))
    assert report.created == 2

    hires = [["工坊编码", "身份证号", "姓名", "所在村", "入职日期", "计酬方式"],
             ["T-01", "330784198001010000", "李　四", "花街村", datetime(2024, 4, 8, 8, 30), "计件"],
             ["T-01", first["id_number"], "工 人 1", "花街村", "2024-04-08 08:30:00", "计件"]]
    from dbfixtures import make_id

    hires[1][1] = make_id(50)
    with pytest.raises(ImportFailed) as exc:  # the first worker is still employed: an overlap, not a name
        await run_import(xlsx(tmp_path / "hires.xlsx", hires))
    assert {p.problem.code for p in exc.value.report.problems} == {"overlapping_placement"}
    report = await run_import(xlsx(tmp_path / "hires.xlsx", hires[:2]))
    assert report.created == 1
    worker = await Worker.select(Worker.name).where(Worker.name == "李四").first()
    assert worker is not None
    assert await Placement.count().where(Placement.hired_on == date(2024, 4, 8)) == 1
