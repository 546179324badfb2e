"""The civil-affairs low-income roster: statuses of registered workers, checked, locked,
journaled and idempotent like pay and hires, and previewed by the _low_income figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from dbfixtures import actor, make_id, run_cli
from sheets import shop, xlsx

from ledger.importer import ImportFailed, ImportOptions, run_import
from ledger.services import employment, figures, locks
from ledger.tables import AuditEntry, LowIncomeStatus

FIXTURES = Path(__file__).parent / "fixtures"
HEADER = ["身份证号", "姓名", "类别", "认定日期", "退出日期"]


async def paid_shop(workers: int = 7, months=("2023-01", "2023-02", "2023-03", "2023-04")):
    s = await shop(workers, hired_on=date(2023, 1, 1))
    for person in s["people"]:
        for month in months:
            await employment.create_pay({"placement": person["placement"]["id"], "month": month,
                                         "amount": "1000.00", "days_worked": 20})
    return s


async def low_income(period: str = "2023-01..2023-04") -> dict:
    return (await figures.compute(*figures.parse_scope_period("workshop:T-01", period))).as_dict()


async def test_a_libreoffice_roster_with_every_category_is_previewed_then_moves_every_low_income_figure(db):
    await paid_shop(7)
    before = await low_income()
    assert before["total_pay_low_income"] == Decimal("0.00")

    preview = await run_import(FIXTURES / "lo_roster.xlsx", ImportOptions(dry_run=True))
    assert (preview.kind, preview.created, preview.committed) == ("low-income", 7, False)
    assert await LowIncomeStatus.count() == 0
    [delta] = [d.as_dict() for d in preview.figures]
    # everyone low-income Jan–Mar, all but the 低边 worker (exit 2023-03-31) in April, 1000.00 a month each
    assert delta["delta"]["total_pay_low_income"] == "27000.00"
    assert delta["delta"]["person_months_low_income"] == 27
    assert delta["delta"]["workers_employed_low_income"] == 7
    assert delta["before"]["avg_monthly_pay_low_income"] is None
    assert delta["after"]["avg_monthly_pay_low_income"] == "1000.00"

    report = await run_import(FIXTURES / "lo_roster.xlsx", ImportOptions(kind="low-income"))
    assert (report.created, report.committed, report.header_row) == (7, True, 2)
    stored = {r["category"]: (r["valid_from"], r["valid_to"], r["source_document"])
              for r in await LowIncomeStatus.select()}
    assert set(stored) == {"低保", "低保边缘", "特困供养", "支出型困难", "防止返贫监测对象", "残疾人", "其他"}
    assert stored["低保边缘"] == (date(2022, 7, 1), date(2023, 3, 31), "永民〔2022〕2号")
    assert stored["低保"][:2] == (date(2022, 7, 1), None)
    after = await low_income()
    assert after["total_pay_low_income"] == Decimal("27000.00") and after["person_months_low_income"] == 27
    assert after["total_pay"] == before["total_pay"]  # no pay moved, only who counts as low-income
    assert await AuditEntry.count().where(AuditEntry.table_name == "low_income_status") == 7

    again = await run_import(FIXTURES / "lo_roster.xlsx")
    assert (again.created, again.unchanged, again.figures) == (0, 7, [])
    assert "nothing to do" in again.message


async def test_a_roster_row_for_an_unknown_id_number_or_another_name_is_a_row_problem_and_nothing_is_written(
        db, tmp_path):
    s = await paid_shop(2)
    stranger = make_id(99)
    rows = [HEADER, [s["people"][0]["id_number"], "工人1", "低保", "2023-01-01", None],
            [stranger, "路人", "低保", "2023-01-01", None],
            [s["people"][1]["id_number"], "别人", "低边", "2023-01-01", None],
            [s["people"][1]["id_number"], "工人2", "低收入", "2023-13-01", "2022-01-01"]]
    with pytest.raises(ImportFailed) as exc:
        await run_import(xlsx(tmp_path / "roster.xlsx", rows))
    found = sorted((p.problem.row, p.problem.column, p.problem.code) for p in exc.value.report.problems)
    assert found == [(3, "A", "unknown_worker"), (4, "B", "name_mismatch"), (5, "C", "choice"),
                     (5, "D", "date")]
    body = str(exc.value.as_dict())
    assert stranger not in body and "import a hires sheet first" in body
    assert "低收入" not in str([p.as_dict().get("value") for p in exc.value.report.problems])
    assert await LowIncomeStatus.count() == 0


async def test_a_changed_exit_date_is_a_conflict_until_replace_mode_which_journals_the_update(db, tmp_path):
    s = await paid_shop(1)
    number = s["people"][0]["id_number"]
    await run_import(xlsx(tmp_path / "a.xlsx", [HEADER, [number, "工人1", "低保", "2022-07-01", None]]))
    changed = xlsx(tmp_path / "b.xlsx", [HEADER, [number, "工人1", "低保", "2022-07-01", "2023-02-28"]])
    with pytest.raises(ImportFailed) as exc:
        await run_import(changed)
    assert exc.value.status_code == 409 and [p.problem.code for p in exc.value.report.problems] == ["status_differs"]
    report = await run_import(changed, ImportOptions(replace=True))
    assert (report.replaced, report.created) == (1, 0)
    assert [r["valid_to"] for r in await LowIncomeStatus.select()] == [date(2023, 2, 28)]
    [delta] = [d.as_dict() for d in report.figures]
    assert delta["delta"]["total_pay_low_income"] == "-2000.00"  # March and April no longer count
    assert await AuditEntry.count().where((AuditEntry.table_name == "low_income_status")
                                          & (AuditEntry.action == "update")) == 1


async def test_a_roster_that_would_change_a_signed_off_month_is_refused_naming_the_lock(db, tmp_path):
    s = await paid_shop(1)
    with actor("auditor"):
        await locks.sign_off("2023-02", s["workshop"]["id"])
    path = xlsx(tmp_path / "roster.xlsx", [HEADER, [s["people"][0]["id_number"], "工人1", "低保", "2023-01-01", None]])
    with pytest.raises(ImportFailed) as exc:
        await run_import(path)
    [problem] = exc.value.report.problems
    assert problem.problem.code == "month_locked" and "2023-02" in problem.problem.zh
    assert await LowIncomeStatus.count() == 0
    later = xlsx(tmp_path / "later.xlsx", [HEADER, [s["people"][0]["id_number"], "工人1", "低保", "2023-03-01", None]])
    assert (await run_import(later)).created == 1  # a status beginning after the signed-off month goes through


async def test_an_operator_cannot_learn_or_set_the_status_of_someone_outside_their_workshops(db, tmp_path):
    ours = await paid_shop(1)
    theirs = await shop(1, code="T-02", enterprise=ours["enterprise"], first_serial=5)
    path = xlsx(tmp_path / "roster.xlsx", [HEADER, [ours["people"][0]["id_number"], "工人1", "低保", "2023-01-01", None],
                                           [theirs["people"][0]["id_number"], "工人5", "低保", "2023-01-01", None]])
    with actor("operator", ours["workshop"]["id"]), pytest.raises(ImportFailed) as exc:
        await run_import(path)
    assert [(p.problem.row, p.problem.code) for p in exc.value.report.problems] == [(3, "unknown_worker")]
    assert await LowIncomeStatus.count() == 0
    await employment.create_placement({"worker": ours["people"][0]["worker"]["id"], "workshop": theirs["workshop"]["id"],
                                       "hired_on": date(2023, 1, 1), "pay_basis": "计件"})  # works at both
    with actor("operator", ours["workshop"]["id"]):
        report = await run_import(xlsx(tmp_path / "ours.xlsx", [HEADER, [ours["people"][0]["id_number"], "工人1",
                                                                          "低保", "2023-01-01", None]]))
    assert report.created == 1
    assert [d.workshop_code for d in report.figures] == ["T-01"]  # the other workshop's figures are not theirs


async def test_the_cli_imports_a_roster_with_kind_low_income(db):
    await paid_shop(7)
    preview = await run_cli("import", str(FIXTURES / "lo_roster.xlsx"), "--kind", "low-income", "--dry-run")
    assert preview.returncode == 0, preview.stderr
    assert "Δtotal_pay_low_income 27000.00" in preview.stdout
    done = await run_cli("import", str(FIXTURES / "lo_roster.xlsx"), "--kind", "low-income")
    assert done.returncode == 0 and await LowIncomeStatus.count() == 7
