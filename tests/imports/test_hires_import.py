"""Hires sheets: new workers and their placements, identified by keyed hash, all or nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from dbfixtures import make_id
from sheets import shop, xlsx

from ledger import crypto
from ledger.core import rules
from ledger.importer import ImportFailed, ImportOptions, run_import
from ledger.services import people
from ledger.tables import Placement, Worker

HEADER = ["工坊编码", "身份证号", "姓名", "所在村", "入职日期", "离职日期", "计酬方式"]
FIXTURES = Path(__file__).parent / "fixtures"


async def test_a_hires_sheet_registers_workers_with_masked_ids_and_their_placements(db, tmp_path):
    await shop(0)
    rows = [HEADER, ["T-01", make_id(11), "赵六", "花街村", "2023-02-01", None, "计件"],
            ["T-01", make_id(12), "钱七", "花街村", "2023/2/15", "2023年6月30日", "hourly"]]
    report = await run_import(xlsx(tmp_path / "hires.xlsx", rows))
    assert (report.kind, report.created, report.workers_created) == ("hires", 2, 2)
    worker = await people.find_worker_by_id_number(make_id(12))
    assert worker["id_number"] == rules.mask_id_number(make_id(12)) and worker["name"] == "钱七"
    stored = await Worker.select(Worker.id_hash, Worker.id_cipher).where(Worker.id == worker["id"]).first()
    assert stored["id_hash"] == crypto.identity_hash(make_id(12)) and crypto.decrypt(stored["id_cipher"]) == make_id(12)
    placement = await Placement.select().where(Placement.worker == worker["id"]).first()
    assert (placement["hired_on"], placement["left_on"], placement["pay_basis"]) == (
        date(2023, 2, 15), date(2023, 6, 30), "计时")
    assert report.figures[0].as_dict()["delta"]["workers_employed"] == 2


async def test_importing_a_hires_sheet_twice_creates_nothing_the_second_time(db, tmp_path):
    await shop(0)
    path = xlsx(tmp_path / "hires.xlsx", [HEADER, ["T-01", make_id(11), "赵六", "花街村", "2023-02-01", None, "计件"]])
    await run_import(path)
    again = await run_import(path)
    assert (again.created, again.unchanged, again.workers_created) == (0, 1, 0)
    assert await Worker.count() == 1 and await Placement.count() == 1


async def test_a_worker_hired_by_a_second_workshop_stays_one_worker(db, tmp_path):
    s = await shop(1)
    await shop(0, code="T-02", enterprise=s["enterprise"])
    person = s["people"][0]
    rows = [HEADER, ["T-02", person["id_number"], person["name"], "花街村", "2023-05-01", None, "日薪"]]
    report = await run_import(xlsx(tmp_path / "hires.xlsx", rows))
    assert (report.created, report.workers_created) == (1, 0)
    assert await Worker.count() == 1 and await Placement.count() == 2


async def test_hires_that_break_the_rules_are_all_reported_and_nothing_is_written(db, tmp_path):
    s = await shop(1)
    person = s["people"][0]
    rows = [HEADER,
            ["T-01", person["id_number"], "别人", "花街村", "2024-01-01", "2024-01-31", "计件"],   # name differs
            ["T-01", person["id_number"], person["name"], "花街村", "2023-06-01", "2023-12-31", "计件"],  # overlaps
            ["T-01", make_id(20), "孙八", "花街村", "1999-01-01", None, "计件"],                  # before opening
            ["T-01", make_id(21), "", "", "2023-13-01", "2022-01-01", "年薪"],
            ["T-01", make_id(22), "周九", "花街村", "2023-01-01", "2023-06-30", "计件"],
            ["T-01", make_id(22), "周九", "花街村", "2023-03-01", None, "计件"]]                  # overlaps row 6
    with pytest.raises(ImportFailed) as exc:
        await run_import(xlsx(tmp_path / "hires.xlsx", rows))
    found = [(p.problem.row, p.problem.field, p.problem.code) for p in exc.value.report.problems]
    assert found == [
        (2, "name", "name_mismatch"), (3, "hired_on", "overlapping_placement"),
        (4, "hired_on", "before_opening"),
        (5, "name", "required"), (5, "village", "required"), (5, "hired_on", "date"), (5, "pay_basis", "choice"),
        (7, "hired_on", "overlapping_in_file"),
    ]
    assert await Worker.count() == 1 and await Placement.count() == 1


async def test_a_changed_leaving_date_is_a_conflict_until_replace_mode(db, tmp_path):
    s = await shop(1)
    person = s["people"][0]
    rows = [HEADER, ["T-01", person["id_number"], person["name"], "花街村", "2023-01-01", "2023-12-31", "计件"]]
    path = xlsx(tmp_path / "hires.xlsx", rows)
    with pytest.raises(ImportFailed) as exc:
        await run_import(path)
    assert exc.value.status_code == 409
    report = await run_import(path, ImportOptions(replace=True))
    assert report.replaced == 1
    assert (await Placement.select().first())["left_on"] == date(2023, 12, 31)


async def test_the_libreoffice_hires_fixture_with_english_headers_and_date_cells_is_imported(db):
    await shop(0)
    report = await run_import(FIXTURES / "lo_hires.xlsx")
    assert (report.kind, report.created, report.workers_created) == ("hires", 2, 2)
    found = await people.find_worker_by_id_number("33078419800101004X")
    assert found["name"] == "工人4"
