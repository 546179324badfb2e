"""A signed-off month's figures are final, and pay is not all they count.

The world of ``test_locks_on_every_path``: 张一, 李二 and 赵四 hired at T-01 on 2023-01-01,
王三 at T-02, March pay; the auditor signs March off (T-01 alone, or every workshop). Then
whatever would add a worker to March or take one out of it — a back-dated hire, a hiring date
or a departure moved across March, a deleted hire, a low-income status that begins or ends
across March for someone employed then, a changed baseline of someone paid in March — is
refused, through the API, the hires import and the admin panel alike, with 409 naming the lock
and saying that an auditor must reopen the month; and nothing changes. Facts that leave March
as it was (a departure in May, a status from April, anything at T-02 under a T-01 lock) go
through. Reopening March lets the refused change through.
"""

from __future__ import annotations

import pytest
from dbfixtures import actor, make_id, world, xlsx
from test_locks_on_every_path import assert_refused_by, everything, ledger, panel_refusal, sign_off, upload  # noqa: F401

from ledger.db import write_transaction
from ledger.errors import Locked
from ledger.services import employment, locks, people
from ledger.tables import MonthLock

HIRES_HEADER = ["工坊编码", "身份证号", "姓名", "所在村", "入职日期", "离职日期", "计酬方式"]


def says_reopen(body: dict) -> bool:
    text = str(body)
    return "重新开放" in text and "reopen" in text


@pytest.mark.parametrize("locked", ["T-01 only", "all workshops"])
async def test_hires_and_statuses_that_would_move_a_signed_off_month_are_refused_on_every_path(
        ledger, tmp_path, locked):  # noqa: F811
    lock = await sign_off(ledger, ledger.t01 if locked == "T-01 only" else None)
    zhao = ledger.zhao.placement
    status = await people.create_low_income({"worker": zhao["worker"], "category": "低保",
                                             "valid_from": "2023-05-01"})  # after March: allowed
    newcomer = await people.create_worker({"name": "钱五", "id_number": make_id(9), "village": "花街村"})
    before = await everything()
    api = ledger.http
    attempts = {
        "API: a hire back-dated into March": api.post("/api/v1/placements/", headers=ledger.operator, json={
            "worker": newcomer["id"], "workshop": ledger.t01["id"], "hired_on": "2023-03-10", "pay_basis": "计件",
            "id_number": make_id(9)}),
        "API: a hiring date moved past March": api.patch(f"/api/v1/placements/{zhao['id']}", headers=ledger.operator,
                                                         json={"hired_on": "2023-04-01"}),
        "API: a departure back-dated before March": api.patch(f"/api/v1/placements/{zhao['id']}",
                                                              headers=ledger.operator, json={"left_on": "2023-02-28"}),
        "API: a hire deleted": api.delete(f"/api/v1/placements/{zhao['id']}", headers=ledger.admin),
        "API: a status that begins in March": api.post("/api/v1/low-income-statuses/", headers=ledger.operator, json={
            "worker": zhao["worker"], "category": "特困供养", "valid_from": "2023-03-15"}),
        "API: a status moved back over March": api.patch(f"/api/v1/low-income-statuses/{status['id']}",
                                                         headers=ledger.operator, json={"valid_from": "2023-02-01"}),
        "API: a baseline of someone paid in March": api.patch(
            f"/api/v1/workers/{ledger.zhang.placement['worker']}", headers=ledger.operator,
            json={"baseline_income": "1500.00"}),
        "panel: a hiring date moved": ledger.panel.patch("placement", zhao["id"], {"hired_on": "2023-04-01"}),
        "panel: a status that begins in March": ledger.panel.post("low_income_status", {
            "worker": zhao["worker"], "category": "特困供养", "valid_from": "2023-03-15", "source_document": ""}),
    }
    for path, request in attempts.items():
        status_code, body = panel_refusal(await request) if path.startswith("panel") else (
            lambda r: (r.status_code, r.json()))(await request)
        assert_refused_by(lock, status_code, body, path)
        assert says_reopen(body), (path, body)
        assert await everything() == before, path

    sheet = xlsx(tmp_path / "hires.xlsx", [HIRES_HEADER, ["T-01", make_id(9), "钱五", "花街村", "2023-03-10", "", "计件"]])
    imported = await api.post("/api/v1/imports", headers=ledger.operator, params={"kind": "hires"},
                              files=upload(sheet))
    assert imported.status_code == 409, imported.text
    assert_refused_by(lock, 409, imported.json(), "API: a hires sheet back-dating a hire into March")
    assert await everything() == before


@pytest.mark.parametrize("locked", ["T-01 only", "all workshops"])
async def test_facts_that_leave_the_signed_off_month_as_it_was_go_through(ledger, locked):  # noqa: F811
    await sign_off(ledger, ledger.t01 if locked == "T-01 only" else None)
    zhao, wang = ledger.zhao.placement, ledger.wang.placement
    api = ledger.http
    done = [
        await api.patch(f"/api/v1/placements/{zhao['id']}", headers=ledger.operator, json={"left_on": "2023-05-31"}),
        await api.post("/api/v1/low-income-statuses/", headers=ledger.operator, json={
            "worker": zhao["worker"], "category": "低保", "valid_from": "2023-04-01"}),
        await api.patch(f"/api/v1/workers/{zhao['worker']}", headers=ledger.operator,
                        json={"baseline_income": "1500.00"}),  # 赵四 has no March pay
    ]
    if locked == "T-01 only":  # T-02's March is open
        done.append(await api.patch(f"/api/v1/placements/{wang['id']}", headers=ledger.operator,
                                    json={"hired_on": "2023-02-01"}))
        done.append(await api.post("/api/v1/low-income-statuses/", headers=ledger.operator, json={
            "worker": wang["worker"], "category": "低保", "valid_from": "2023-03-01"}))
    assert [r.status_code for r in done] == [200, 201, 200] + ([200, 201] if locked == "T-01 only" else []), (
        [r.text[:200] for r in done])


async def test_after_a_reopening_the_refused_change_goes_through(ledger):  # noqa: F811
    lock = await sign_off(ledger, None)
    zhao = ledger.zhao.placement
    refused = await ledger.http.patch(f"/api/v1/placements/{zhao['id']}", headers=ledger.operator,
                                      json={"hired_on": "2023-04-01"})
    assert refused.status_code == 409
    reopened = await ledger.http.post(f"/api/v1/locks/{lock['id']}/reopen", headers=ledger.auditor,
                                      json={"reason": "赵四实际4月入职"})
    assert reopened.status_code == 200, reopened.text
    moved = await ledger.http.patch(f"/api/v1/placements/{zhao['id']}", headers=ledger.operator,
                                    json={"hired_on": "2023-04-01"})
    assert moved.status_code == 200, moved.text


async def test_a_sign_off_inside_the_same_transaction_is_seen_by_the_next_write(db):
    # The active locks are read once per write transaction; signing off in it must not be missed.
    w = await world()
    newcomer = await people.create_worker({"name": "钱五", "id_number": make_id(9), "village": "花街村"})
    hire = {"worker": newcomer["id"], "workshop": w["workshop"]["id"], "pay_basis": "计件"}
    with pytest.raises(Locked):
        async with write_transaction():
            with actor("admin"):
                await employment.create_placement(hire | {"hired_on": "2023-06-01", "left_on": "2023-06-30"})
            with actor("auditor"):
                await locks.sign_off("2023-07")
            with actor("admin"):
                await employment.create_placement(hire | {"hired_on": "2023-07-01"})
    assert await MonthLock.count() == 0  # all of it rolled back
