"""The admin panel cannot store what the API would refuse: its hooks call the services."""

from __future__ import annotations

from dbfixtures import make_id, world, wrong_check_digit

from ledger.tables import LEDGER_TABLES, MonthlyPay, Worker


async def counts() -> dict[str, int]:
    return {t._meta.tablename: await t.count() for t in LEDGER_TABLES}


async def test_the_admin_lists_workers_with_masked_id_numbers_only(admin):
    number = make_id(11)
    created = await admin.post("worker", {"name": "赵六", "id_number": number, "village": "花街村"})
    assert created.status_code == 201, created.text
    listing = await admin.get("worker")
    assert listing.status_code == 200
    assert number not in listing.text
    assert listing.json()["rows"][0]["id_number"] == number[:6] + "********" + number[-4:]
    stored = await Worker.select().first()
    assert stored["id_hash"] and stored["id_cipher"] and number not in str(stored)


async def test_a_wrong_check_digit_is_refused_by_the_admin_too(admin):
    before = await counts()
    response = await admin.post("worker", {"name": "赵六", "id_number": wrong_check_digit(make_id(11)),
                                           "village": "花街村"})
    assert response.status_code == 422
    assert "校验位" in response.text and "check digit" in response.text
    assert await counts() == before


async def test_bad_pay_is_refused_by_the_admin_naming_every_problem(admin):
    w = await world()
    before = await counts()
    response = await admin.post("monthly_pay", {"placement": w["placement"]["id"], "month": "2023-13",
                                                "amount_fen": "-5", "days_worked": 40})
    assert response.status_code == 422
    for word in ("month", "amount", "days_worked"):
        assert word in response.text
    assert await counts() == before


async def test_a_duplicate_month_is_refused_by_the_admin(admin):
    w = await world()
    row = {"placement": w["placement"]["id"], "month": "2023-03", "amount_fen": "2800.00", "days_worked": 20}
    assert (await admin.post("monthly_pay", row)).status_code == 201
    again = await admin.post("monthly_pay", row | {"amount_fen": "1000.00"})
    assert again.status_code == 409
    assert [r["amount_fen"] for r in await MonthlyPay.select()] == [280000]


async def test_an_admin_edit_that_breaks_a_rule_is_refused_and_changes_nothing(admin):
    w = await world()
    pay = (await admin.post("monthly_pay", {"placement": w["placement"]["id"], "month": "2023-03",
                                            "amount_fen": "2800.00", "days_worked": 20})).json()[0]
    response = await admin.patch("monthly_pay", pay["id"], {"days_worked": 32})
    assert response.status_code == 422
    assert (await MonthlyPay.select().first())["days_worked"] == 20
    ok = await admin.patch("monthly_pay", pay["id"], {"days_worked": 21})
    assert ok.status_code == 200
    assert (await MonthlyPay.select().first())["days_worked"] == 21


async def test_an_overlapping_hire_is_refused_by_the_admin(admin):
    w = await world()
    response = await admin.post("placement", {"worker": w["worker"]["id"], "workshop": w["workshop"]["id"],
                                              "hired_on": "2023-04-01", "pay_basis": "计件"})
    assert response.status_code == 409


async def test_deleting_a_row_others_refer_to_is_a_clear_409_not_a_500(admin):
    w = await world()
    response = await admin.delete("workshop", w["workshop"]["id"])
    assert response.status_code == 409
    assert "不能删除" in response.text
    assert await LEDGER_TABLES[1].count() == 1


async def test_editing_a_worker_without_touching_the_id_keeps_the_identity(admin):
    w = await world()
    stored = await Worker.select().first()
    response = await admin.patch("worker", w["worker"]["id"], {"name": "张三丰", "id_number": stored["id_number"]})
    assert response.status_code == 200, response.text
    after = await Worker.select().first()
    assert after["name"] == "张三丰" and after["id_hash"] == stored["id_hash"]


async def test_the_reconcile_form_returns_the_report_as_a_download(admin):
    from ledger.services import claims

    w = await world()
    claim = await claims.create_claim({"title": "测试", "scope": f"workshop:{w['workshop']['code']}",
                                       "period": "2023", "quote": "建成共富工坊1家，吸纳就业1人。"})
    response = await admin.client.post("/admin/api/forms/对账/", headers=admin._headers(),
                                       json={"claim_id": claim["id"], "format": "csv"})
    assert response.status_code == 200, response.text
    assert "attachment" in response.headers["content-disposition"]
    assert "workshops" in response.text and "agrees" in response.text


async def test_the_reconcile_form_explains_a_bad_period(admin):
    response = await admin.client.post("/admin/api/forms/对账/", headers=admin._headers(),
                                       json={"text": "建成共富工坊8家", "scope": "all", "period": "2023-13"})
    assert response.status_code == 422
    assert "period" in response.text


async def test_a_claim_figure_with_an_unknown_metric_is_refused_by_the_admin(admin):
    from ledger.services import claims

    claim = await claims.create_claim({"title": "测试", "scope": "all", "period": "2023", "figures": []})
    response = await admin.post("claim_figure", {"claim": claim["id"], "metric": "happiness", "value": "1",
                                                 "unit": "人", "qualifier": "exact"})
    assert response.status_code == 422
