"""A signed-off month, tried through every door: refused, named, and nothing changes.

The worked example. One enterprise hosts two workshops: T-01 in 永康 (330784) and T-02 in
义乌 (330782). In March 2023 T-01 paid 张一 2800.00 and 李二 3000.50 元, T-02 paid 王三
2500.00 元; 赵四 is hired at T-01 but has no March pay yet; 张一 also has April pay. An
auditor, 审核员王芳, signs March off — for T-01 alone or for all workshops. Then:

- every write path — the API (pay, batch, imports), ``ledger import``, the admin panel (pay,
  and moving a placement that has March pay), and the services called directly — refuses to
  create, change or delete March pay there, with 409 ``month_locked`` and a message naming
  the lock, its signer and the time (``ledger import``: exit status 2, the same message);
  every table and the journal stay exactly as they were. The API cannot move a placement to
  another workshop at all (400: not a field it takes);
- a month not locked (April), and under a one-workshop lock the other workshop, still take
  writes;
- the auditor corrects 张一's March by an Adjustment of -150.25 元 with a reason: T-01's
  total_pay falls by exactly 150.25 元 (5800.50 → 5650.25), its avg_monthly_pay by the same
  over its two person-months (2900.25 → 2825.13, half-up), and every scope containing T-01
  moves by the same 150.25 元; T-02's figures do not move;
- adjustments are append-only, need a reason, are for locked months only, by auditors only;
- reopening is an auditor's act with a reason, recorded on the lock (who, when, why) and in
  the journal; the lock row stays; signing off again makes a new lock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from dbfixtures import bearer, make_id, run_cli, token_for, valid_credit_code, xlsx
from piccolo.apps.user.tables import BaseUser
from piccolo.table import Table
from starlette.requests import Request

from ledger.admin.writes import LedgerCRUD
from ledger.api.app import create_app
from ledger.cli import ensure_user
from ledger.db import engine
from ledger.errors import LedgerError, Locked
from ledger.importer import ImportFailed, ImportOptions, run_import
from ledger.services import employment, masterdata, people
from ledger.tables import JOURNALED_TABLES, Adjustment, AuditEntry, MonthLock, MonthlyPay

MARCH, APRIL = "2023-03", "2023-04"
SIGNER = "审核员王芳"
PANEL_USER, PANEL_PASSWORD = "panel-admin", "panel-admin-password-1"
HEADER = ["工坊编码", "身份证号", "姓名", "月份", "收入(元)", "出勤天数"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_app = None


def app():
    global _app
    _app = _app or create_app()
    return _app


# --- the world of the example ------------------------------------------------------------

class AdminPanel:
    """The admin panel's own JSON API, as its web page calls it: session cookie and CSRF token."""

    def __init__(self, client: httpx.AsyncClient):
        self.client = client

    def _csrf(self) -> dict[str, str]:
        return {"X-CSRFToken": self.client.cookies.get("csrftoken", "")}

    async def login(self, username: str, password: str) -> None:
        await self.client.get("/admin/")
        response = await self.client.post("/admin/public/login/", headers=self._csrf(),
                                          json={"username": username, "password": password})
        assert response.status_code == 200, response.text

    async def post(self, table: str, data: dict) -> httpx.Response:
        return await self.client.post(f"/admin/api/tables/{table}/", json=data, headers=self._csrf())

    async def patch(self, table: str, row_id: int, data: dict) -> httpx.Response:
        return await self.client.patch(f"/admin/api/tables/{table}/{row_id}/", json=data, headers=self._csrf())

    async def delete(self, table: str, row_id: int) -> httpx.Response:
        return await self.client.delete(f"/admin/api/tables/{table}/{row_id}/", headers=self._csrf())

    async def delete_many(self, table: str, ids: list[int]) -> httpx.Response:
        return await self.client.delete(f"/admin/api/tables/{table}/", headers=self._csrf(),
                                        params={"id__in": ",".join(map(str, ids))})


@dataclass
class Person:
    name: str
    id_number: str
    placement: dict[str, Any]


@dataclass
class Ledger:
    http: httpx.AsyncClient
    panel: AdminPanel
    enterprise: dict[str, Any]
    t01: dict[str, Any]
    t02: dict[str, Any]
    zhang: Person  # T-01, March 2800.00 and April 2600.00
    li: Person  # T-01, March 3000.50
    zhao: Person  # T-01, no March pay
    wang: Person  # T-02, March 2500.00
    pay: dict[tuple[str, str], dict[str, Any]]  # (name, month) -> pay record
    auditor: dict[str, str]
    operator: dict[str, str]
    admin: dict[str, str]


async def _person(serial: int, name: str, workshop: dict[str, Any]) -> Person:
    number = make_id(serial)
    worker = await people.create_worker({"name": name, "id_number": number, "village": "花街村"})
    placement = await employment.create_placement({
        "worker": worker["id"], "workshop": workshop["id"], "hired_on": date(2023, 1, 1), "pay_basis": "计件"})
    return Person(name, number, placement)


async def _workshop(code: str, region: str, enterprise: dict[str, Any]) -> dict[str, Any]:
    return await masterdata.create_workshop({
        "code": code, "name": f"工坊{code}", "enterprise": enterprise["id"], "workshop_type": "来料加工式",
        "village": "花街村", "region_code": region, "opened_on": date(2000, 1, 1)})


@pytest.fixture
async def ledger(db):
    enterprise = await masterdata.create_enterprise(
        {"name": "测试企业", "credit_code": valid_credit_code(), "region_code": "330784"})
    t01 = await _workshop("T-01", "330784", enterprise)
    t02 = await _workshop("T-02", "330782", enterprise)
    zhang, li, zhao = [await _person(n, name, t01) for n, name in ((1, "张一"), (2, "李二"), (4, "赵四"))]
    wang = await _person(3, "王三", t02)
    pay = {}
    for person, month, amount in ((wang, MARCH, "2500.00"), (zhang, MARCH, "2800.00"), (li, MARCH, "3000.50"),
                                  (zhang, APRIL, "2600.00")):
        pay[(person.name, month)] = await employment.create_pay({
            "placement": person.placement["id"], "month": month, "amount": amount, "days_worked": 20})
    auditor = bearer(await token_for(SIGNER, "auditor"))
    operator = bearer(await token_for("clerk", "operator", "T-01", "T-02"))
    admin = bearer(await token_for("api-admin", "admin"))
    await ensure_user(PANEL_USER, PANEL_PASSWORD, "admin")
    transport = httpx.ASGITransport(app=app())
    async with (httpx.AsyncClient(transport=transport, base_url="http://localhost") as http,
                httpx.AsyncClient(transport=transport, base_url="http://localhost") as panel_http):
        panel = AdminPanel(panel_http)
        await panel.login(PANEL_USER, PANEL_PASSWORD)
        yield Ledger(http, panel, enterprise, t01, t02, zhang, li, zhao, wang, pay, auditor, operator, admin)


# --- helpers -----------------------------------------------------------------------------

async def everything() -> dict[str, list[dict[str, Any]]]:
    """Every journaled table and the journal itself, row by row (one connection, one view)."""
    async with engine().transaction():
        return {t._meta.tablename: await t.select().order_by(t._meta.primary_key)
                for t in [*JOURNALED_TABLES, AuditEntry]}


async def sign_off(ledger: Ledger, workshop: dict[str, Any] | None, month: str = MARCH) -> dict[str, Any]:
    response = await ledger.http.post("/api/v1/locks", headers=ledger.auditor,
                                      json={"month": month, "workshop": workshop["id"] if workshop else None})
    assert response.status_code == 201, response.text
    return response.json()


def names_the_lock(text: str, lock: dict[str, Any]) -> bool:
    """The refusal says which lock (Chinese and English), who signed it and when (Beijing time)."""
    from ledger.core.localtime import shown

    return (f"锁定 #{lock['id']}" in text and f"lock #{lock['id']}" in text
            and lock["signed_by"] in text and shown(lock["signed_at"]) in text
            and shown(lock["signed_at"], en=True) in text)


def assert_refused_by(lock: dict[str, Any], status: int, body: dict[str, Any], path: str) -> None:
    assert (status, body.get("error")) == (409, "month_locked"), f"{path}: {status} {body}"
    assert "month_locked" in {p["code"] for p in body["problems"]}, path
    assert names_the_lock(json.dumps(body, ensure_ascii=False), lock), f"{path}: {body}"


def panel_refusal(response: Any) -> tuple[int, dict[str, Any]]:
    """The admin panel answers a person: a refusal other than 422 is plain text (the page would
    show JSON raw), its error code in ``X-Ledger-Error``; read both back into the API's shape."""
    if response.headers.get("content-type", "").startswith("application/json"):
        return response.status_code, response.json()
    code = response.headers.get("x-ledger-error", "")
    return response.status_code, {"error": code, "message": response.text, "problems": [{"code": code}]}


async def refusal_of(work: Any) -> tuple[int, dict[str, Any]]:
    """What a service call answers, as the API would send it."""
    try:
        await work
    except LedgerError as exc:
        return exc.status_code, exc.as_dict()
    raise AssertionError("the write was accepted")


async def bulk_delete_in_the_panel(table: type[Table], params: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """``LedgerCRUD.delete_all`` with bulk delete switched on, as the panel's signed-in admin."""
    user = await BaseUser.select(BaseUser.id).where(BaseUser.username == PANEL_USER).first()
    assert user is not None
    request = Request({"type": "http", "method": "DELETE", "path": "/", "headers": [], "query_string": b"",
                       "user": SimpleNamespace(user=SimpleNamespace(id=user["id"]))})
    response = await LedgerCRUD(table=table, allow_bulk_delete=True).delete_all(request, params=params)
    if response.media_type == "application/json":
        return response.status_code, json.loads(bytes(response.body))
    code = response.headers.get("x-ledger-error", "")
    return response.status_code, {"error": code, "message": bytes(response.body).decode(),
                                  "problems": [{"code": code}]}


def pay_row(person: Person, workshop: dict[str, Any], amount: str, month: str = MARCH) -> list[Any]:
    return [workshop["code"], person.id_number, person.name, month, amount, 20]


def upload(path: Path) -> dict[str, Any]:
    return {"file": (path.name, path.read_bytes(), XLSX)}


ledger_cli = run_cli


async def figures(ledger: Ledger, scope: str, period: str = MARCH) -> dict[str, str | None]:
    response = await ledger.http.get("/api/v1/figures", headers=ledger.auditor,
                                     params={"scope": scope, "period": period})
    assert response.status_code == 200, response.text
    return {f["metric"]: f["value"] for f in response.json()["figures"]}


def half_up(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- every path, refused -----------------------------------------------------------------

@pytest.mark.parametrize("locked", ["T-01 only", "all workshops"])
async def test_every_write_path_refuses_a_signed_off_month_naming_the_lock_and_changes_nothing(
        ledger, locked, tmp_path):
    lock = await sign_off(ledger, ledger.t01 if locked == "T-01 only" else None)
    assert (lock["signed_by"], lock["month"], lock["reopened_at"]) == (SIGNER, MARCH, "")
    zhang_march, li_march = ledger.pay[("张一", MARCH)], ledger.pay[("李二", MARCH)]
    before = await everything()
    http, panel, t01, t02 = ledger.http, ledger.panel, ledger.t01, ledger.t02

    async def api(method: str, url: str, headers: dict[str, str], **kwargs: Any) -> tuple[int, dict[str, Any]]:
        response = await http.request(method, url, headers=headers, **kwargs)
        return response.status_code, response.json() if response.content else {}

    async def admin_panel(request: Any) -> tuple[int, dict[str, Any]]:
        return panel_refusal(await request)

    new_row = xlsx(tmp_path / "new.xlsx", [HEADER, pay_row(ledger.zhao, t01, "2100.00")])
    changed_row = xlsx(tmp_path / "changed.xlsx", [HEADER, pay_row(ledger.zhang, t01, "9999.00")])
    zhao, zhang, wang = (p.placement["id"] for p in (ledger.zhao, ledger.zhang, ledger.wang))
    new_pay = {"placement": zhao, "month": MARCH, "amount": "2100.00", "days_worked": 20}
    # The services are called as the system (scripts, the demo loader): allowed all else, not this.
    attempts = {
        "API: an operator logs new March pay": lambda: api("POST", "/api/v1/pay", ledger.operator, json=new_pay),
        "API: an operator corrects March pay": lambda: api(
            "PATCH", f"/api/v1/pay/{zhang_march['id']}", ledger.operator, json={"amount": "2900.00"}),
        "API: an admin corrects March pay": lambda: api(
            "PATCH", f"/api/v1/pay/{zhang_march['id']}", ledger.admin, json={"days_worked": 21}),
        "API: an operator deletes March pay": lambda: api("DELETE", f"/api/v1/pay/{li_march['id']}", ledger.operator),
        "API: a batch of March pay": lambda: api("POST", "/api/v1/pay/batch", ledger.operator, json={
            "month": MARCH, "items": [{"placement": zhao, "amount": "2100.00", "days_worked": 20}]}),
        "API: an uploaded sheet with a new March row": lambda: api(
            "POST", "/api/v1/imports", ledger.operator, files=upload(new_row)),
        "API: an uploaded sheet in replace mode changing a March amount": lambda: api(
            "POST", "/api/v1/imports", ledger.operator, params={"replace": "true"}, files=upload(changed_row)),
        "admin panel: new March pay": lambda: admin_panel(panel.post("monthly_pay", {
            "placement": zhao, "month": MARCH, "amount_fen": "2100.00", "days_worked": 20})),
        "admin panel: edit March pay": lambda: admin_panel(
            panel.patch("monthly_pay", zhang_march["id"], {"amount_fen": "2900.00"})),
        "admin panel: move March pay to April": lambda: admin_panel(
            panel.patch("monthly_pay", li_march["id"], {"month": APRIL})),
        "admin panel: delete March pay": lambda: admin_panel(panel.delete("monthly_pay", li_march["id"])),
        "admin panel: move a placement with March pay out of T-01": lambda: admin_panel(
            panel.patch("placement", zhang, {"workshop": t02["id"]})),
        "admin panel: move a placement with March pay into T-01": lambda: admin_panel(
            panel.patch("placement", wang, {"workshop": t01["id"]})),
        "service: create_pay": lambda: refusal_of(employment.create_pay(new_pay)),
        "service: update_pay": lambda: refusal_of(employment.update_pay(zhang_march["id"], {"amount": "1.00"})),
        "service: update_pay moving April pay into March": lambda: refusal_of(employment.update_pay(
            ledger.pay[("张一", APRIL)]["id"], {"month": MARCH, "placement": zhao})),
        "service: delete_pay": lambda: refusal_of(employment.delete_pay(li_march["id"])),
        "service: create_pay_batch": lambda: refusal_of(employment.create_pay_batch(MARCH, [
            {"placement": zhao, "amount": "2100.00", "days_worked": 20}])),
        "service: update_placement out of T-01": lambda: refusal_of(
            employment.update_placement(zhang, {"workshop": t02["id"]})),
        "service: update_placement into T-01": lambda: refusal_of(
            employment.update_placement(wang, {"workshop": t01["id"]})),
        "service: run_import in replace mode": lambda: refusal_of(
            run_import(changed_row, ImportOptions(replace=True))),
    }
    for path, attempt in attempts.items():
        status, body = await attempt()
        assert_refused_by(lock, status, body, path)
        assert await everything() == before, f"{path} changed the data"

    # The service raises the error every shell translates: Locked, or the import's own report.
    with pytest.raises(Locked):
        await employment.delete_pay(li_march["id"])
    with pytest.raises(ImportFailed) as failed:
        await run_import(new_row)
    assert failed.value.code == "month_locked" and failed.value.report.problems[0].problem.row == 2

    # ``ledger import`` on the server: exit status 2, every problem on stderr naming the lock.
    both = xlsx(tmp_path / "both.xlsx", [HEADER, pay_row(ledger.zhao, t01, "2100.00"),
                                         pay_row(ledger.zhang, t01, "9999.00")])
    cli = await ledger_cli("import", str(both), "--replace")
    assert cli.returncode == 2, cli.stdout + cli.stderr
    assert "第 2 行" in cli.stderr and "第 3 行" in cli.stderr
    assert names_the_lock(cli.stderr, lock), cli.stderr

    # The API has no way to move a placement at all: the workshop is not a field it takes.
    move = await http.patch(f"/api/v1/placements/{ledger.zhang.placement['id']}", headers=ledger.admin,
                            json={"workshop": t02["id"]})
    assert move.status_code == 400 and [p["field"] for p in move.json()["problems"]] == ["workshop"]
    # Piccolo Admin does not offer bulk delete (its page deletes row by row): 405. Were it
    # switched on, LedgerCRUD deletes through the service row by row, all or nothing: under
    # T-01's lock, T-02's March row (the first) is deleted, then T-01's is refused, and the
    # first comes back.
    bulk = await panel.delete_many("monthly_pay", [zhang_march["id"], li_march["id"]])
    assert bulk.status_code == 405, bulk.text
    status, body = await bulk_delete_in_the_panel(MonthlyPay, {"month": MARCH, "month__match": "exact"})
    assert_refused_by(lock, status, body, "admin panel: bulk delete of March (LedgerCRUD.delete_all)")
    assert await everything() == before

    # A month not signed off still takes writes on every path; so does T-02 under T-01's lock.
    april = await http.post("/api/v1/pay", headers=ledger.operator, json={
        "placement": ledger.zhao.placement["id"], "month": APRIL, "amount": "2100.00", "days_worked": 20})
    assert april.status_code == 201, april.text
    edit = await panel.patch("monthly_pay", ledger.pay[("张一", APRIL)]["id"], {"amount_fen": "2600.50"})
    assert edit.status_code == 200, edit.text
    april_sheet = xlsx(tmp_path / "april.xlsx", [HEADER, pay_row(ledger.li, t01, "3000.00", APRIL)])
    assert (await ledger_cli("import", str(april_sheet))).returncode == 0
    assert await MonthlyPay.count().where(MonthlyPay.month == APRIL) == 3
    other = await http.patch(f"/api/v1/pay/{ledger.pay[('王三', MARCH)]['id']}", headers=ledger.operator,
                             json={"amount": "2550.00"})
    if locked == "T-01 only":
        assert other.status_code == 200 and other.json()["amount"] == "2550.00"
    else:
        assert_refused_by(lock, other.status_code, other.json(), "API: T-02 under the all-workshops lock")
    march = {r["id"]: r["amount_fen"] for r in await MonthlyPay.select().where(MonthlyPay.month == MARCH)}
    assert march[zhang_march["id"]] == 280000 and march[li_march["id"]] == 300050


async def test_signing_off_is_for_auditors_only_and_a_month_is_signed_off_once(ledger):
    for who in (ledger.operator, ledger.admin):
        response = await ledger.http.post("/api/v1/locks", headers=who, json={"month": MARCH})
        assert response.status_code == 403 and response.json()["error"] == "forbidden"
    panel = await ledger.panel.post("month_lock", {"month": MARCH, "workshop": None, "signed_by": "x",
                                                   "signed_at": "x", "note": "", "journal_seq": 0,
                                                   "reopened_by": "", "reopened_at": "", "reopen_reason": ""})
    assert panel.status_code == 403
    assert await MonthLock.count() == 0

    lock = await sign_off(ledger, None)
    again = await ledger.http.post("/api/v1/locks", headers=ledger.auditor,
                                   json={"month": MARCH, "workshop": ledger.t01["id"]})
    assert again.status_code == 409 and names_the_lock(again.text, lock)
    assert await MonthLock.count() == 1


# --- the correction: an adjustment ---------------------------------------------------------

async def test_an_adjustment_moves_the_figures_of_a_locked_month_by_exactly_its_amount(ledger):
    lock = await sign_off(ledger, ledger.t01)
    scopes = ["workshop:T-01", "region:330784", "region:3307", f"enterprise:{ledger.enterprise['id']}", "all",
              "workshop:T-02"]
    before = {scope: await figures(ledger, scope) for scope in scopes}
    assert before["workshop:T-01"]["total_pay"] == "5800.50" and before["workshop:T-01"]["avg_monthly_pay"] == "2900.25"
    assert before["all"]["total_pay"] == "8300.50" and before["all"]["avg_monthly_pay"] == "2766.83"
    pay_before = await MonthlyPay.select().order_by(MonthlyPay.id)

    response = await ledger.http.post("/api/v1/adjustments", headers=ledger.auditor, json={
        "placement": ledger.zhang.placement["id"], "month": MARCH, "delta": "-150.25",
        "reason": "计件单价核定有误，多计 150.25 元（见 3 月对账单）"})
    assert response.status_code == 201, response.text
    adjustment = response.json()
    assert (adjustment["delta"], adjustment["created_by"]) == ("-150.25", SIGNER)

    after = {scope: await figures(ledger, scope) for scope in scopes}
    delta = Decimal("-150.25")
    for scope in scopes[:-1]:
        old, new = before[scope], after[scope]
        assert Decimal(new["total_pay"]) - Decimal(old["total_pay"]) == delta, scope
        # Still > 0 for 张一 in March: the same person-months, so the average moves by delta ÷ them.
        assert new["person_months"] == old["person_months"], scope
        assert Decimal(new["avg_monthly_pay"]) == half_up(Decimal(new["total_pay"]) / int(new["person_months"]))
        assert (new["workers_paid"], new["workers_employed"]) == (old["workers_paid"], old["workers_employed"])
    assert after["workshop:T-01"]["total_pay"] == "5650.25" and after["workshop:T-01"]["avg_monthly_pay"] == "2825.13"
    assert after["region:330784"] == after["workshop:T-01"]
    assert after["all"]["total_pay"] == "8150.25" and after["all"]["avg_monthly_pay"] == "2716.75"
    assert after["all"] == after["region:3307"] == after[f"enterprise:{ledger.enterprise['id']}"]
    assert after["workshop:T-02"] == before["workshop:T-02"]

    # The pay record itself is untouched; the correction is its own journaled row.
    assert await MonthlyPay.select().order_by(MonthlyPay.id) == pay_before
    journal = await ledger.http.get("/api/v1/audit", headers=ledger.auditor,
                                    params={"table": "adjustment", "row_id": adjustment["id"]})
    [entry] = journal.json()["items"]
    assert (entry["action"], entry["username"], entry["path"]) == ("create", SIGNER, "api")
    assert (await ledger.http.get("/api/v1/locks", headers=ledger.auditor,
                                  params={"active": "true"})).json()["items"][0]["id"] == lock["id"]

    # A correction is itself corrected by its reversal, never by an edit: the two net to zero.
    reversal = await ledger.http.post("/api/v1/adjustments", headers=ledger.auditor, json={
        "placement": ledger.zhang.placement["id"], "month": MARCH, "delta": "150.25", "reason": "撤回上一笔调整"})
    assert reversal.status_code == 201, reversal.text
    assert {scope: await figures(ledger, scope) for scope in scopes} == before


async def test_an_adjustment_needs_a_reason_a_locked_month_and_an_auditor(ledger):
    await sign_off(ledger, ledger.t01)
    good = {"placement": ledger.zhang.placement["id"], "month": MARCH, "delta": "-150.25", "reason": "多计"}
    before = await everything()

    async def record(headers: dict[str, str], **changes: Any) -> httpx.Response:
        return await ledger.http.post("/api/v1/adjustments", headers=headers, json=good | changes)

    blank = await record(ledger.auditor, reason="   ")
    assert blank.status_code == 422
    assert [(p["field"], p["code"]) for p in blank.json()["problems"]] == [("reason", "required")]
    missing = await ledger.http.post("/api/v1/adjustments", headers=ledger.auditor,
                                     json={k: v for k, v in good.items() if k != "reason"})
    assert missing.status_code == 400 and [p["field"] for p in missing.json()["problems"]] == ["reason"]
    april = await record(ledger.auditor, month=APRIL)
    assert april.status_code == 422 and april.json()["problems"][0]["code"] == "not_locked"
    other_workshop = await record(ledger.auditor, placement=ledger.wang.placement["id"])
    assert other_workshop.status_code == 422 and other_workshop.json()["problems"][0]["code"] == "not_locked"
    zero = await record(ledger.auditor, delta="0.00")
    assert zero.status_code == 422 and zero.json()["problems"][0]["field"] == "delta"
    for who in (ledger.operator, ledger.admin):
        response = await record(who)
        assert response.status_code == 403 and response.json()["error"] == "forbidden"
    panel = await ledger.panel.post("adjustment", {
        "placement": ledger.zhang.placement["id"], "month": MARCH, "delta_fen": "-150.25", "reason": "多计",
        "created_by": PANEL_USER, "created_at": "2023-04-01T00:00:00Z"})
    assert panel.status_code == 403
    assert await everything() == before


async def test_an_adjustment_is_never_changed_or_deleted_by_any_path(ledger):
    await sign_off(ledger, ledger.t01)
    created = await ledger.http.post("/api/v1/adjustments", headers=ledger.auditor, json={
        "placement": ledger.zhang.placement["id"], "month": MARCH, "delta": "-150.25", "reason": "多计"})
    adjustment_id = created.json()["id"]
    before = await everything()

    for who in (ledger.auditor, ledger.admin):
        assert (await ledger.http.patch(f"/api/v1/adjustments/{adjustment_id}", headers=who,
                                        json={"delta": "-1.00"})).status_code == 405
        assert (await ledger.http.delete(f"/api/v1/adjustments/{adjustment_id}", headers=who)).status_code == 405
    edit = await ledger.panel.patch("adjustment", adjustment_id, {"delta_fen": "-1.00", "reason": "改"})
    remove = await ledger.panel.delete("adjustment", adjustment_id)
    for response in (edit, remove):
        assert response.status_code == 422 and response.json()["problems"][0]["code"] == "append_only"
        assert "相反的调整" in response.text and "reversing adjustment" in response.text
    bulk = await ledger.panel.delete_many("adjustment", [adjustment_id])
    assert bulk.status_code == 405
    status, body = await bulk_delete_in_the_panel(Adjustment, {})
    assert status == 422 and body["problems"][0]["code"] == "append_only"
    assert await everything() == before
    [row] = await Adjustment.select()
    assert (row["delta_fen"], row["reason"]) == (-15025, "多计")


# --- reopening -----------------------------------------------------------------------------

async def test_reopening_is_an_auditors_recorded_act_with_a_reason_and_keeps_the_history(ledger):
    lock = await sign_off(ledger, None)
    zhang_march = ledger.pay[("张一", MARCH)]
    url = f"/api/v1/locks/{lock['id']}/reopen"

    for who in (ledger.operator, ledger.admin):
        response = await ledger.http.post(url, headers=who, json={"reason": "我想改"})
        assert response.status_code == 403
    missing = await ledger.http.post(url, headers=ledger.auditor, json={})
    assert missing.status_code == 400 and [p["field"] for p in missing.json()["problems"]] == ["reason"]
    blank = await ledger.http.post(url, headers=ledger.auditor, json={"reason": " "})
    assert blank.status_code == 422 and blank.json()["problems"][0]["field"] == "reason"
    for response in (await ledger.panel.patch("month_lock", lock["id"], {"reopened_at": "2024-01-01"}),
                     await ledger.panel.delete("month_lock", lock["id"])):
        assert response.status_code == 422 and response.json()["problems"][0]["code"] == "lock_edit"
    assert (await MonthLock.select().first())["reopened_at"] == ""

    reason = "审计发现 3 月计件单价录入错误，退回工坊更正"
    reopened = await ledger.http.post(url, headers=ledger.auditor, json={"reason": reason})
    assert reopened.status_code == 200, reopened.text
    [row] = await MonthLock.select()
    assert (row["id"], row["signed_by"], row["signed_at"]) == (lock["id"], SIGNER, lock["signed_at"])
    assert (row["reopened_by"], row["reopen_reason"]) == (SIGNER, reason) and row["reopened_at"] >= row["signed_at"]
    entries = (await ledger.http.get("/api/v1/audit", headers=ledger.auditor,
                                     params={"table": "month_lock", "row_id": lock["id"]})).json()["items"]
    assert sorted(e["action"] for e in entries) == ["create", "update"]
    [update] = [e for e in entries if e["action"] == "update"]
    assert (update["before"]["reopened_at"], update["after"]["reopen_reason"]) == ("", reason)
    twice = await ledger.http.post(url, headers=ledger.auditor, json={"reason": reason})
    assert twice.status_code == 409

    # Open again: an adjustment is no longer the way; the operator corrects the pay in place.
    adjustment = await ledger.http.post("/api/v1/adjustments", headers=ledger.auditor, json={
        "placement": ledger.zhang.placement["id"], "month": MARCH, "delta": "-150.25", "reason": "多计"})
    assert adjustment.status_code == 422 and adjustment.json()["problems"][0]["code"] == "not_locked"
    fixed = await ledger.http.patch(f"/api/v1/pay/{zhang_march['id']}", headers=ledger.operator,
                                    json={"amount": "2649.75"})
    assert fixed.status_code == 200 and fixed.json()["amount"] == "2649.75"

    # Signed off again: a new lock, the old one still on record, and the refusals name the new one.
    relock = await sign_off(ledger, None)
    assert relock["id"] != lock["id"]
    assert [(r["id"], bool(r["reopened_at"])) for r in await MonthLock.select().order_by(MonthLock.id)] == [
        (lock["id"], True), (relock["id"], False)]
    refused = await ledger.http.patch(f"/api/v1/pay/{zhang_march['id']}", headers=ledger.operator,
                                      json={"amount": "1.00"})
    assert_refused_by(relock, refused.status_code, refused.json(), "API after signing off again")
    assert f"lock #{lock['id']}," not in refused.text
    verified = await ledger.http.get("/api/v1/audit/verify", headers=ledger.auditor)
    assert verified.json()["ok"] is True, verified.json()
