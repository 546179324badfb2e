"""The panel's own API speaks Chinese and yuan: the schema the page builds from, rows out in
yuan, yuan in read exactly (never through a float), and the unusual-amount question asked."""

from __future__ import annotations

import json
import re

from dbfixtures import make_id, world

from ledger.admin import _table_configs
from ledger.admin.labels import COLUMN_TITLES, MONEY_COLUMNS, TABLE_NAMES
from ledger.tables import MonthlyPay, Worker

CJK = re.compile(r"[\u4e00-\u9fff]")


async def test_every_column_of_every_table_in_the_panel_has_a_chinese_title(admin):
    for config in _table_configs():
        name = config.table_class._meta.tablename
        assert CJK.search(TABLE_NAMES[name])
        schema = (await admin.client.get(f"/admin/api/tables/{name}/schema/")).json()
        for column, field in schema["properties"].items():
            assert CJK.search(field["title"]), (name, column, field["title"])
        for column in config.table_class._meta.columns:
            if column._meta.name != "id":
                assert CJK.search(COLUMN_TITLES[name][column._meta.name]), (name, column._meta.name)


async def test_the_worker_form_has_no_internal_columns(admin):
    schema = (await admin.client.get("/admin/api/tables/worker/schema/")).json()
    assert not {"id_hash", "id_cipher", "phone_cipher"} & set(schema["properties"])
    await world()
    row = (await admin.get("worker")).json()["rows"][0]
    assert not {"id_hash", "id_cipher", "phone_cipher"} & set(row)


async def test_money_is_a_yuan_field_and_not_a_filter(admin):
    schema = (await admin.client.get("/admin/api/tables/monthly_pay/schema/")).json()
    amount = schema["properties"]["amount_fen"]
    assert amount["title"] == "收入（元）" and amount["type"] == "string"
    assert "amount_fen" in schema["extra"]["visible_column_names"]
    assert "amount_fen" not in schema["extra"]["visible_filter_names"]
    assert schema["properties"]["confirm_unusual"]["type"] == "boolean"
    baseline = (await admin.client.get("/admin/api/tables/worker/schema/")).json()["properties"]["baseline_income_fen"]
    assert baseline["title"] == "务工前月收入（元）" and {"type": "null"} in baseline["anyOf"]


async def test_pay_typed_as_yuan_is_stored_as_fen_and_listed_as_yuan(admin):
    w = await world()
    made = await admin.post("monthly_pay", {"placement": w["placement"]["id"], "month": "2023-03",
                                            "amount_fen": "2800.00", "days_worked": "20"})
    assert made.status_code == 201, made.text
    assert (await MonthlyPay.select().first())["amount_fen"] == 280000
    listed = (await admin.get("monthly_pay", __readable="true")).json()["rows"][0]
    assert listed["amount_fen"] == "2800.00"
    assert listed["placement_readable"] == f"张三 {make_id(1)[:6]}********{make_id(1)[-4:]} · T-01 · 2023-01-01"
    single = (await admin.client.get(f"/admin/api/tables/monthly_pay/{listed['id']}/")).json()
    assert single["amount_fen"] == "2800.00"
    new = (await admin.client.get("/admin/api/tables/monthly_pay/new/")).json()
    assert new["amount_fen"] is None and new["confirm_unusual"] is False
    edited = await admin.patch("monthly_pay", listed["id"], {"amount_fen": "2750.5"})
    assert edited.status_code == 200 and edited.json()["amount_fen"] == "2750.50"
    assert (await MonthlyPay.select().first())["amount_fen"] == 275050


async def test_a_json_number_is_read_as_the_decimal_it_says_never_a_float(admin):
    w = await world()
    placement = w["placement"]["id"]
    body = f'{{"placement": {placement}, "month": "2023-03", "amount_fen": 2800.07, "days_worked": 20}}'
    made = await admin.client.post("/admin/api/tables/monthly_pay/", content=body,
                                   headers=admin._headers() | {"content-type": "application/json"})
    assert made.status_code == 201, made.text
    assert (await MonthlyPay.select().first())["amount_fen"] == 280007


async def test_a_baseline_is_entered_in_yuan_and_fen_habits_are_questioned(admin):
    made = await admin.post("worker", {"name": "赵六", "id_number": make_id(11), "village": "花街村",
                                       "baseline_income_fen": "1200"})
    assert made.status_code == 201, made.text
    assert (await Worker.select(Worker.baseline_income_fen).first())["baseline_income_fen"] == 120000
    refused = await admin.patch("worker", made.json()[0]["id"], {"baseline_income_fen": "120000"})
    assert refused.status_code == 422
    assert refused.json()["custom_form_error"].startswith("务工前月收入（元）：金额 120,000.00 元超过")


async def test_pay_in_fen_is_refused_in_the_panel_naming_the_field_and_goes_through_once_confirmed(admin):
    w = await world()
    row = {"placement": w["placement"]["id"], "month": "2023-03", "amount_fen": "280000", "days_worked": "20"}
    refused = await admin.post("monthly_pay", row)
    assert refused.status_code == 422
    said = refused.json()["custom_form_error"]
    assert said.startswith("收入（元）：金额 280,000.00 元超过 50,000 元") and "field" not in said
    assert await MonthlyPay.count() == 0
    assert (await admin.post("monthly_pay", row | {"confirm_unusual": "false"})).status_code == 422
    made = await admin.post("monthly_pay", row | {"confirm_unusual": "true"})
    assert made.status_code == 201, made.text
    assert (await MonthlyPay.select().first())["amount_fen"] == 28_000_000


async def test_a_choice_reads_in_chinese_and_is_stored_as_the_domain_value(admin):
    schema = (await admin.client.get("/admin/api/tables/certification/schema/")).json()
    assert schema["properties"]["level"]["extra"]["choices"]["county"] == {"display_name": "县级", "value": "county"}
    roles = (await admin.client.get("/admin/api/tables/user_role/schema/")).json()["properties"]["role"]
    assert roles["extra"]["choices"]["operator"]["display_name"] == "运营方"
    basis = (await admin.client.get("/admin/api/tables/placement/schema/")).json()["properties"]["pay_basis"]
    assert {c["display_name"] for c in basis["extra"]["choices"].values()} == {"计件", "计时", "日薪", "月薪"}


async def test_the_placement_picker_finds_a_person_by_name_and_by_workshop(admin):
    w = await world()
    found = (await admin.client.get("/admin/api/tables/placement/ids/", params={"search": "张三"})).json()
    assert list(found) == [str(w["placement"]["id"])]
    assert (await admin.client.get("/admin/api/tables/placement/ids/", params={"search": "T-01"})).json() == found
    assert (await admin.client.get("/admin/api/tables/placement/ids/", params={"search": "李四"})).json() == {}


async def test_the_page_is_served_with_the_chinese_words_for_what_piccolo_prints(admin):
    page = (await admin.client.get("/admin/")).text
    assert '<html lang="zh-CN">' in page and "共富工坊台账" in page
    assert json.dumps(TABLE_NAMES["monthly_pay"], ensure_ascii=False) in page
    assert set(MONEY_COLUMNS) <= set(TABLE_NAMES)
