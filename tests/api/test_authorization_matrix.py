"""Who may do what: every API operation × each role × own / other workshop.

The rules are written once (``ledger/access.py`` and the services); this test asks the API
itself. The world has two workshops, T-01 (the operator's own) and T-02 (another), each with
an enterprise, a certification, a worker with a low-income status, a placement, pay in a
signed-off month and in an open one, an adjustment and a lock of its own; a claim; and a
user of each role with a bearer token. Then every operation the OpenAPI schema lists is
called by

    the operator about their own workshop's rows, the operator about the other workshop's
    rows, an auditor, an admin, and someone with no credential,

with a valid request (fresh rows and fresh codes where a success would use them up), and
the status is compared with the table below. Where the answer is a refusal, every journaled
table and the journal are snapshotted before and after: nothing changed. Where the answer
is a list, the operator finds their own rows in it and not the other workshop's. And no
answer, whatever its status — JSON, error, CSV or workbook — carries a full ID number of
anyone in the world, except an auditor's or admin's explicit reveal and the annotated copy
of the caller's own upload.

The rules the table spells out (README "Who may do what"; ``ledger/access.py`` in words):

- no credential: 401, everywhere but sign-in;
- a role that may not do a thing at all: 403;
- an operator reading another workshop's row: 404, word for word what a row that does not
  exist gets, so existence does not leak; lists leave those rows out;
- an operator writing another workshop's rows: 403.

A new endpoint fails ``test_every_operation_in_the_openapi_schema_has_a_row_in_the_matrix``
until someone decides, here, who may call it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import pytest
from dbfixtures import actor, bearer, id_numbers_in, make_id, token_for, valid_credit_code
from openpyxl import Workbook, load_workbook

from ledger.db import engine
from ledger.services import claims, employment, locks, masterdata, people, users
from ledger.tables import JOURNALED_TABLES, AuditEntry, MonthlyPay, Placement

OWN, OTHER = "own", "other"
PASSWORD = "test-password-1"  # what dbfixtures.make_user gives every user
MISSING_ID = 2**31 - 1  # names no row
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAY_HEADER = ["工坊编码", "身份证号", "姓名", "月份", "收入(元)", "出勤天数"]
SENTENCE = "建成共富工坊1家，吸纳就业1人，人均月增收约2800元。"


# --- the world -----------------------------------------------------------------------------------

@dataclass
class World:
    """Two workshops' rows (``rows[OWN]``, ``rows[OTHER]``), the claim, the users' tokens, and
    a counter for the fresh rows and codes a request needs."""

    rows: dict[str, dict[str, dict[str, Any]]]
    claim: dict[str, Any]
    tokens: dict[str, str]
    serial: int = 100
    months: int = 0
    issued: list[str] = field(default_factory=list)  # every full ID number given out, for the leak check

    def full_id_numbers(self) -> list[str]:
        return [self.rows[side]["worker"]["full_id_number"] for side in (OWN, OTHER)] + self.issued

    def next(self) -> int:
        self.serial += 1
        return self.serial

    def code(self, side: str) -> str:
        return self.rows[side]["workshop"]["code"]

    def id(self, side: str, key: str) -> int:
        return self.rows[side][key]["id"]

    # Fresh rows, made by the services as the system, for requests that would use a row up.

    def fresh_id_number(self) -> tuple[str, str]:
        n = self.next()
        number = make_id(n, birth=f"19{60 + n // 1000:02d}0101")
        self.issued.append(number)
        return number, f"工人{n}"

    async def fresh_worker(self) -> dict[str, Any]:
        number, name = self.fresh_id_number()
        worker = await people.create_worker({"name": name, "id_number": number, "village": "花街村"})
        return {**worker, "full_id_number": number}

    async def fresh_placement(self, side: str) -> dict[str, Any]:
        worker = await self.fresh_worker()
        placement = await employment.create_placement({
            "worker": worker["id"], "workshop": self.id(side, "workshop"), "hired_on": date(2023, 2, 1),
            "pay_basis": "计件"})
        return {**placement, "worker_row": worker}

    async def fresh_pay(self, side: str) -> dict[str, Any]:
        placement = await self.fresh_placement(side)
        return await employment.create_pay({"placement": placement["id"], "month": "2023-03", "amount": "100.00",
                                            "days_worked": 5})

    def enterprise_body(self) -> dict[str, Any]:
        return {"name": f"企业{self.serial}", "credit_code": valid_credit_code(f"91330784MA2H{self.next():05d}"),
                "region_code": "330784"}

    def workshop_body(self, side: str) -> dict[str, Any]:
        return {"code": f"N-{self.next()}", "name": "新工坊", "enterprise": self.id(side, "enterprise"),
                "workshop_type": "来料加工式", "village": "花街村", "region_code": "330784",
                "opened_on": "2020-01-01"}

    def certification_body(self, side: str) -> dict[str, Any]:
        return {"workshop": self.id(side, "workshop"), "title": "三星级共富工坊", "level": "county",
                "issuer": "永康市委组织部", "awarded_on": "2023-01-01", "status": "授牌"}

    def fresh_month(self) -> str:
        self.months += 1
        return f"{1990 + self.months // 12:04d}-{self.months % 12 + 1:02d}"  # long before anyone was hired

    async def fresh_lock(self, side: str) -> dict[str, Any]:
        with actor("auditor"):
            return await locks.sign_off(self.fresh_month(), self.id(side, "workshop"))


async def build_side(code: str, serial: int, seed: str) -> dict[str, dict[str, Any]]:
    enterprise = await masterdata.create_enterprise(
        {"name": f"{code} 的企业", "credit_code": valid_credit_code(seed), "region_code": "330784"})
    workshop = await masterdata.create_workshop({
        "code": code, "name": f"工坊{code}", "enterprise": enterprise["id"], "workshop_type": "来料加工式",
        "village": "花街村", "region_code": "330784", "opened_on": date(2000, 1, 1)})
    certification = await masterdata.create_certification({
        "workshop": workshop["id"], "title": "市级示范共富工坊", "level": "city", "issuer": "金华市委组织部",
        "awarded_on": date(2022, 6, 1), "status": "授牌"})
    worker = await people.create_worker({"name": f"工人{serial}", "id_number": make_id(serial), "village": "花街村"})
    low_income = await people.create_low_income({"worker": worker["id"], "category": "低保",
                                                 "valid_from": date(2022, 1, 1)})
    placement = await employment.create_placement({
        "worker": worker["id"], "workshop": workshop["id"], "hired_on": date(2023, 1, 1), "pay_basis": "计件"})
    locked_pay = await employment.create_pay({"placement": placement["id"], "month": "2023-01",
                                              "amount": "2800.00", "days_worked": 20})
    pay = await employment.create_pay({"placement": placement["id"], "month": "2023-02", "amount": "2600.00",
                                       "days_worked": 18})
    return {"enterprise": enterprise, "workshop": workshop, "certification": certification,
            "worker": {**worker, "full_id_number": make_id(serial)}, "low_income": low_income,
            "placement": placement, "locked_pay": locked_pay, "pay": pay}


async def build_world() -> World:
    rows = {OWN: await build_side("T-01", 1, "91330784MA2HABCDE"),
            OTHER: await build_side("T-02", 2, "91330784MA2HABCDF")}
    with actor("auditor"):
        await locks.sign_off("2023-01", None, "2023年1月全部工坊审核完毕")
        for side in (OWN, OTHER):
            rows[side]["lock"] = await locks.sign_off("2022-06", rows[side]["workshop"]["id"])
            rows[side]["adjustment"] = await locks.create_adjustment({
                "placement": rows[side]["placement"]["id"], "month": "2023-01", "delta": "-10.00",
                "reason": "少扣社保"})
    claim = await claims.create_claim({"title": "县报", "quote": SENTENCE, "scope": "workshop:T-01", "period": "2023"})
    tokens = {"operator": await token_for("matrix-operator", "operator", "T-01"),
              "auditor": await token_for("matrix-auditor", "auditor"),
              "admin": await token_for("matrix-admin", "admin")}
    return World(rows, claim, tokens)


def pay_sheet(rows: list[list[Any]]) -> dict[str, tuple[str, bytes, str]]:
    book = Workbook()
    for row in [PAY_HEADER, *rows]:
        book.active.append(row)
    content = io.BytesIO()
    book.save(content)
    return {"file": ("pay.xlsx", content.getvalue(), XLSX)}


# --- requests ------------------------------------------------------------------------------------

@dataclass
class Req:
    """A request's variable parts: the row in the path, the JSON body, query and upload."""

    id: int | None = None
    json: Any = None
    params: dict[str, Any] | None = None
    files: dict[str, Any] | None = None


Build = Callable[[World, str], Awaitable[Req]]


def nothing() -> Build:
    async def build(w: World, side: str) -> Req:
        return Req()
    return build


def the(key: str, body: Callable[[World, str], Any] | None = None) -> Build:
    """The side's own row of this kind in the path (and a body, if given)."""
    async def build(w: World, side: str) -> Req:
        return Req(id=w.id(side, key), json=body(w, side) if body else None)
    return build


def body(make: Callable[[World, str], Any]) -> Build:
    async def build(w: World, side: str) -> Req:
        return Req(json=make(w, side))
    return build


def query(make: Callable[[World, str], dict[str, Any]]) -> Build:
    async def build(w: World, side: str) -> Req:
        return Req(params=make(w, side))
    return build


def the_claim(payload: Callable[[World, str], Any] | None = None) -> Build:
    async def build(w: World, side: str) -> Req:
        return Req(id=w.claim["id"], json=payload(w, side) if payload else None)
    return build


def fresh(make: Callable[[World, str], Awaitable[dict[str, Any]]], payload: Callable[[World, str], Any] | None = None
          ) -> Build:
    """A row made for this request alone (it will be deleted, revoked or reopened)."""
    async def build(w: World, side: str) -> Req:
        return Req(id=(await make(w, side))["id"], json=payload(w, side) if payload else None)
    return build


async def new_placement_body(w: World, side: str) -> Req:
    worker = await w.fresh_worker()
    return Req(json={"worker": worker["id"], "workshop": w.id(side, "workshop"), "hired_on": "2023-02-01",
                     "pay_basis": "计件", "id_number": worker["full_id_number"]})


async def new_pay_body(w: World, side: str) -> Req:
    placement = await w.fresh_placement(side)
    return Req(json={"placement": placement["id"], "month": "2023-03", "amount": "2800.00", "days_worked": 20})


async def new_pay_batch(w: World, side: str) -> Req:
    placement = await w.fresh_placement(side)
    return Req(json={"month": "2023-03", "items": [{"placement": placement["id"], "amount": "2800.00",
                                                    "days_worked": 20}]})


async def new_pay_upload(w: World, side: str) -> Req:
    placement = await w.fresh_placement(side)
    worker = placement["worker_row"]
    sheet = pay_sheet([[w.code(side), worker["full_id_number"], worker["name"], "2023-03", "2800", 20]])
    return Req(params={"kind": "pay"}, files=sheet)


async def new_lock_body(w: World, side: str) -> Req:
    return Req(json={"month": w.fresh_month(), "workshop": w.id(side, "workshop"), "note": "签发"})


def fresh_enterprise(w: World, side: str) -> Awaitable[dict[str, Any]]:
    return masterdata.create_enterprise(w.enterprise_body())


def fresh_workshop(w: World, side: str) -> Awaitable[dict[str, Any]]:
    return masterdata.create_workshop(w.workshop_body(side))


def fresh_certification(w: World, side: str) -> Awaitable[dict[str, Any]]:
    return masterdata.create_certification(w.certification_body(side))


async def fresh_low_income(w: World, side: str) -> dict[str, Any]:
    return await people.create_low_income({"worker": w.id(side, "worker"), "category": "残疾人",
                                           "valid_from": date(2023, 6, 1)})


async def fresh_token(w: World, side: str) -> dict[str, Any]:
    return await users.create_token("matrix-auditor", "spare")


# --- the matrix ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Expect:
    own: int  # the operator, about their own workshop's rows
    other: int  # the operator, about the other workshop's rows
    auditor: int
    admin: int
    anonymous: int = 401


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # as the OpenAPI schema writes it
    expect: Expect
    build: Build = field(default_factory=nothing)
    listing: str | None = None  # a list: the key of the world rows it shows


ADMIN_ONLY_READ = Expect(403, 403, 403, 200)
ADMINS_WRITE = Expect(403, 403, 403, 201)
ADMINS_CHANGE = Expect(403, 403, 403, 200)
ADMINS_DELETE = Expect(403, 403, 403, 204)
EVERYONE_SIGNED_IN = Expect(200, 200, 200, 200)
ROW_OF_A_WORKSHOP = Expect(200, 404, 200, 200)
OPERATOR_OR_ADMIN_WRITES = Expect(201, 403, 403, 201)
OPERATOR_OR_ADMIN_CHANGES = Expect(200, 403, 403, 200)
OPERATOR_OR_ADMIN_DELETES = Expect(204, 403, 403, 204)
AUDITOR_OR_ADMIN = Expect(403, 403, 200, 200)
AUDITOR_OR_ADMIN_CREATES = Expect(403, 403, 201, 201)
AUDITOR_ONLY_WRITES = Expect(403, 403, 201, 403)
AUDITOR_ONLY_CHANGES = Expect(403, 403, 200, 403)

V1 = "/api/v1"
MATRIX: list[Row] = [
    # Signing in: public; the rest needs a credential.
    Row("POST", f"{V1}/auth/login", Expect(200, 200, 200, 200, anonymous=200),
        body(lambda w, s: {"username": "matrix-operator", "password": PASSWORD})),
    Row("POST", f"{V1}/auth/logout", EVERYONE_SIGNED_IN),
    Row("GET", f"{V1}/auth/me", EVERYONE_SIGNED_IN),
    # Users and tokens: admins.
    Row("GET", f"{V1}/users", ADMIN_ONLY_READ),
    Row("POST", f"{V1}/users", ADMINS_WRITE,
        body(lambda w, s: {"username": f"new-user-{w.next()}", "password": "a-long-password", "role": "operator",
                           "workshops": [w.code(s)]})),
    Row("GET", f"{V1}/tokens", ADMIN_ONLY_READ),
    Row("POST", f"{V1}/tokens", ADMINS_WRITE, body(lambda w, s: {"username": "matrix-auditor", "name": "script"})),
    Row("DELETE", f"{V1}/tokens/{{token_id}}", ADMINS_CHANGE, fresh(fresh_token)),
    # Master data: admins write; every signed-in user reads; an operator sees only their workshops.
    Row("GET", f"{V1}/enterprises", EVERYONE_SIGNED_IN, listing="enterprise"),
    Row("POST", f"{V1}/enterprises", ADMINS_WRITE, body(lambda w, s: w.enterprise_body())),
    Row("GET", f"{V1}/enterprises/{{enterprise_id}}", EVERYONE_SIGNED_IN, the("enterprise")),
    Row("PATCH", f"{V1}/enterprises/{{enterprise_id}}", ADMINS_CHANGE,
        the("enterprise", lambda w, s: {"name": f"企业{w.next()}"})),
    Row("DELETE", f"{V1}/enterprises/{{enterprise_id}}", ADMINS_DELETE, fresh(fresh_enterprise)),
    Row("GET", f"{V1}/workshops", EVERYONE_SIGNED_IN, listing="workshop"),
    Row("POST", f"{V1}/workshops", ADMINS_WRITE, body(lambda w, s: w.workshop_body(s))),
    Row("GET", f"{V1}/workshops/{{workshop_id}}", ROW_OF_A_WORKSHOP, the("workshop")),
    Row("PATCH", f"{V1}/workshops/{{workshop_id}}", ADMINS_CHANGE,
        the("workshop", lambda w, s: {"name": f"工坊{w.next()}"})),
    Row("DELETE", f"{V1}/workshops/{{workshop_id}}", ADMINS_DELETE, fresh(fresh_workshop)),
    Row("GET", f"{V1}/certifications", EVERYONE_SIGNED_IN, listing="certification"),
    Row("POST", f"{V1}/certifications", ADMINS_WRITE, body(lambda w, s: w.certification_body(s))),
    Row("GET", f"{V1}/certifications/{{cert_id}}", ROW_OF_A_WORKSHOP, the("certification")),
    Row("PATCH", f"{V1}/certifications/{{cert_id}}", ADMINS_CHANGE,
        the("certification", lambda w, s: {"batch": f"第{w.next()}批"})),
    Row("DELETE", f"{V1}/certifications/{{cert_id}}", ADMINS_DELETE, fresh(fresh_certification)),
    # People: operators (their workshops' people) and admins write; auditors read; only
    # auditors and admins see a full ID number, and the asking is journaled.
    Row("GET", f"{V1}/workers", EVERYONE_SIGNED_IN, listing="worker"),
    Row("POST", f"{V1}/workers", Expect(201, 201, 403, 201),
        body(lambda w, s: dict(zip(("id_number", "name"), w.fresh_id_number(), strict=True), village="花街村"))),
    Row("GET", f"{V1}/workers/{{worker_id}}", ROW_OF_A_WORKSHOP, the("worker")),
    Row("PATCH", f"{V1}/workers/{{worker_id}}", OPERATOR_OR_ADMIN_CHANGES,
        the("worker", lambda w, s: {"village": f"村{w.next()}"})),
    Row("DELETE", f"{V1}/workers/{{worker_id}}", ADMINS_DELETE, fresh(lambda w, s: w.fresh_worker())),
    Row("POST", f"{V1}/workers/{{worker_id}}/reveal-id-number", Expect(403, 403, 200, 200), the("worker")),
    Row("GET", f"{V1}/low-income-statuses", EVERYONE_SIGNED_IN, listing="low_income"),
    Row("POST", f"{V1}/low-income-statuses", OPERATOR_OR_ADMIN_WRITES,
        body(lambda w, s: {"worker": w.id(s, "worker"), "category": "低保边缘", "valid_from": "2023-02-01"})),
    Row("GET", f"{V1}/low-income-statuses/{{status_id}}", ROW_OF_A_WORKSHOP, the("low_income")),
    Row("PATCH", f"{V1}/low-income-statuses/{{status_id}}", OPERATOR_OR_ADMIN_CHANGES,
        the("low_income", lambda w, s: {"source_document": f"永民〔2023〕{w.next()}号"})),
    Row("DELETE", f"{V1}/low-income-statuses/{{status_id}}", OPERATOR_OR_ADMIN_DELETES, fresh(fresh_low_income)),
    # Hires and pay: the same.
    Row("GET", f"{V1}/placements", EVERYONE_SIGNED_IN, listing="placement"),
    Row("POST", f"{V1}/placements", OPERATOR_OR_ADMIN_WRITES, new_placement_body),
    Row("GET", f"{V1}/placements/{{placement_id}}", ROW_OF_A_WORKSHOP, the("placement")),
    Row("PATCH", f"{V1}/placements/{{placement_id}}", OPERATOR_OR_ADMIN_CHANGES,
        the("placement", lambda w, s: {"pay_basis": ("计时", "计件")[w.next() % 2]})),
    Row("DELETE", f"{V1}/placements/{{placement_id}}", OPERATOR_OR_ADMIN_DELETES,
        fresh(lambda w, s: w.fresh_placement(s))),
    Row("GET", f"{V1}/pay", EVERYONE_SIGNED_IN, listing="pay"),
    Row("POST", f"{V1}/pay", OPERATOR_OR_ADMIN_WRITES, new_pay_body),
    Row("POST", f"{V1}/pay/batch", OPERATOR_OR_ADMIN_WRITES, new_pay_batch),
    Row("GET", f"{V1}/pay/{{pay_id}}", ROW_OF_A_WORKSHOP, the("pay")),
    Row("PATCH", f"{V1}/pay/{{pay_id}}", OPERATOR_OR_ADMIN_CHANGES,
        the("pay", lambda w, s: {"amount": f"{2600 + w.next()}.00"})),
    Row("DELETE", f"{V1}/pay/{{pay_id}}", OPERATOR_OR_ADMIN_DELETES, fresh(lambda w, s: w.fresh_pay(s))),
    # Sheets. A check ("annotated") writes nothing and hands back the sheet the caller sent,
    # marked: the operator gets their other-workshop rows marked "not your workshop".
    Row("POST", f"{V1}/imports", Expect(200, 403, 403, 200), new_pay_upload),
    Row("POST", f"{V1}/imports/annotated", Expect(200, 200, 403, 200), new_pay_upload),
    Row("GET", f"{V1}/imports/template", ROW_OF_A_WORKSHOP,
        query(lambda w, s: {"workshop": w.code(s), "month": "2023-02"})),
    Row("GET", f"{V1}/imports/export", ROW_OF_A_WORKSHOP,
        query(lambda w, s: {"workshop": w.code(s), "first": "2023-01", "last": "2023-12"})),
    # Figures, claims and reconciliation: auditors and admins.
    Row("GET", f"{V1}/figures", AUDITOR_OR_ADMIN,
        query(lambda w, s: {"scope": f"workshop:{w.code(s)}", "period": "2023"})),
    Row("GET", f"{V1}/figures/rows", AUDITOR_OR_ADMIN,
        query(lambda w, s: {"scope": f"workshop:{w.code(s)}", "period": "2023", "metric": "total_pay"})),
    Row("GET", f"{V1}/claims", AUDITOR_OR_ADMIN),
    Row("POST", f"{V1}/claims", AUDITOR_OR_ADMIN_CREATES,
        body(lambda w, s: {"title": "县报", "quote": SENTENCE, "scope": f"workshop:{w.code(s)}", "period": "2023"})),
    Row("POST", f"{V1}/claims/parse", AUDITOR_OR_ADMIN, body(lambda w, s: {"text": SENTENCE})),
    Row("GET", f"{V1}/claims/{{claim_id}}", AUDITOR_OR_ADMIN, the_claim()),
    Row("PATCH", f"{V1}/claims/{{claim_id}}", AUDITOR_OR_ADMIN,
        the_claim(lambda w, s: {"publisher": f"县融媒体中心{w.next()}"})),
    Row("GET", f"{V1}/claims/{{claim_id}}/reconciliation", AUDITOR_OR_ADMIN, the_claim()),
    Row("POST", f"{V1}/reconcile", AUDITOR_OR_ADMIN,
        body(lambda w, s: {"text": SENTENCE, "scope": f"workshop:{w.code(s)}", "period": "2023"})),
    # Sign-off: auditors lock, reopen and adjust; everyone signed in may see the locks that
    # bind them (an operator: the all-workshop ones and their own).
    Row("GET", f"{V1}/locks", EVERYONE_SIGNED_IN, listing="lock"),
    Row("POST", f"{V1}/locks", AUDITOR_ONLY_WRITES, new_lock_body),
    Row("GET", f"{V1}/locks/{{lock_id}}", ROW_OF_A_WORKSHOP, the("lock")),
    Row("POST", f"{V1}/locks/{{lock_id}}/reopen", AUDITOR_ONLY_CHANGES,
        fresh(lambda w, s: w.fresh_lock(s), lambda w, s: {"reason": "复核发现漏报"})),
    Row("GET", f"{V1}/adjustments", EVERYONE_SIGNED_IN, listing="adjustment"),
    Row("POST", f"{V1}/adjustments", AUDITOR_ONLY_WRITES,
        body(lambda w, s: {"placement": w.id(s, "placement"), "month": "2023-01", "delta": "-1.50",
                           "reason": "补扣"})),
    Row("GET", f"{V1}/adjustments/{{adjustment_id}}", ROW_OF_A_WORKSHOP, the("adjustment")),
    # The journal: auditors and admins.
    Row("GET", f"{V1}/audit", AUDITOR_OR_ADMIN),
    Row("GET", f"{V1}/audit/verify", AUDITOR_OR_ADMIN),
    # Publishing: restatements and the seal key, auditors and admins.
    Row("GET", f"{V1}/restatements", AUDITOR_OR_ADMIN),
    Row("GET", f"{V1}/seals/public-key", AUDITOR_OR_ADMIN),
]


# --- the callers ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Caller:
    name: str
    role: str | None  # None: no credential
    side: str  # whose rows the requests are about

    def expected(self, row: Row) -> int:
        if self.role is None:
            return row.expect.anonymous
        if self.role == "operator":
            return row.expect.own if self.side == OWN else row.expect.other
        return getattr(row.expect, self.role)


CALLERS = [Caller("operator, own workshop", "operator", OWN), Caller("operator, other workshop", "operator", OTHER),
           Caller("auditor", "auditor", OTHER), Caller("admin", "admin", OTHER), Caller("anonymous", None, OTHER)]


# --- checks --------------------------------------------------------------------------------------

async def snapshot() -> dict[str, Any]:
    """Every row of every journaled table, and the journal's length and head."""
    async with engine().transaction():  # one connection for all the reads (the tests run without a pool)
        tables: dict[str, Any] = {t._meta.tablename: await t.select().order_by(t._meta.primary_key)
                                  for t in JOURNALED_TABLES}
        last = await AuditEntry.select(AuditEntry.seq, AuditEntry.hash).order_by(
            AuditEntry.seq, ascending=False).first()
        tables["audit_entry"] = (await AuditEntry.count(), last)
    return tables


async def workshops_of(key: str, item: dict[str, Any]) -> set[int | None]:
    """The workshops a listed row belongs to (None: a lock of every workshop)."""
    if key in ("workshop",):
        return {item["id"]}
    if key in ("certification", "placement", "lock"):
        return {item["workshop"]}
    if key in ("pay", "adjustment"):
        placement = await Placement.select(Placement.workshop).where(Placement.id == item["placement"]).first()
        return {placement["workshop"]}
    worker = item["id"] if key == "worker" else item["worker"]
    return {p["workshop"] for p in await Placement.select(Placement.workshop).where(Placement.worker == worker)}


async def check_listing(w: World, caller: Caller, key: str, items: list[dict[str, Any]]) -> list[str]:
    listed = {item["id"] for item in items}
    own, other = w.id(OWN, key), w.id(OTHER, key)
    problems = []
    if own not in listed:
        problems.append(f"its own {key} {own} is missing")
    if caller.role == "operator" and key != "enterprise":
        if other in listed:
            problems.append(f"the other workshop's {key} {other} is listed")
        mine = {w.id(OWN, "workshop"), None}
        for item in items:
            if not (await workshops_of(key, item)) & mine:
                problems.append(f"{key} {item['id']} of another workshop is listed")
    elif other not in listed:
        problems.append(f"the other workshop's {key} {other} is missing")
    return problems


def full_numbers_in(response: httpx.Response, numbers: list[str]) -> list[str]:
    """The full ID numbers a response carries, in any spelling (dbfixtures.id_numbers_in)."""
    return id_numbers_in(response.content, numbers)


def uploaded_numbers(req: Req, numbers: list[str]) -> list[str]:
    uploaded = b"".join(part[1] for part in (req.files or {}).values())
    return full_numbers_in(httpx.Response(200, content=uploaded), numbers)


def _without_ids(response: httpx.Response) -> str:
    return re.sub(r"\d+", "N", response.text)


async def call(client: httpx.AsyncClient, caller: Caller, w: World, row: Row, req: Req,
               row_id: int | None = None) -> httpx.Response:
    path = re.sub(r"\{\w+\}", str(row_id if row_id is not None else req.id), row.path)
    headers = bearer(w.tokens[caller.role]) if caller.role else {}
    client.cookies.clear()  # signing in sets a cookie: no request may ride on another's
    params = {"page_size": 500, **(req.params or {})} if row.listing else req.params
    return await client.request(row.method, path, headers=headers, json=req.json, params=params, files=req.files)


async def run_matrix(client: httpx.AsyncClient, caller: Caller) -> list[str]:
    """Every row of the matrix as this caller; the mismatches, each on a line of its own."""
    w = await build_world()
    failures = []
    for row in MATRIX:
        req = await row.build(w, caller.side)
        expected = caller.expected(row)
        before = await snapshot() if expected >= 400 else None
        response = await call(client, caller, w, row, req)
        where = f"{caller.name}: {row.method} {row.path}"
        # Only two answers may hold a full number: a reveal, and the annotated copy of the
        # caller's own upload (their sheet back, with what they typed, to fix and send again).
        revealing = row.path.endswith("/reveal-id-number") and response.status_code == 200
        own_upload = uploaded_numbers(req, w.full_id_numbers()) if row.path.endswith("/annotated") else []
        leaked = [n for n in full_numbers_in(response, w.full_id_numbers()) if n not in own_upload]
        if not revealing and leaked:
            failures.append(f"{where} → the answer carries {len(leaked)} full ID number(s)")
        if response.status_code != expected:
            failures.append(f"{where} → expected {expected}, got {response.status_code}: {response.text[:300]}")
            continue
        if before is not None and await snapshot() != before:
            failures.append(f"{where} → refused with {expected} but the tables changed")
        if expected == 404 and req.id is not None:
            missing = await call(client, caller, w, row, req, row_id=MISSING_ID)
            if _without_ids(missing) != _without_ids(response):
                failures.append(f"{where} → 404 differs from a missing row's: {response.text} vs {missing.text}")
        if row.listing and expected == 200:
            for problem in await check_listing(w, caller, row.listing, response.json()["items"]):
                failures.append(f"{where} → {problem}")
    return failures


# --- the tests -----------------------------------------------------------------------------------

async def test_every_operation_in_the_openapi_schema_has_a_row_in_the_matrix(anonymous):
    schema = (await anonymous.get("/docs/openapi.json")).json()
    operations = {(method.upper(), path) for path, item in schema["paths"].items()
                  for method in item if method in ("get", "post", "put", "patch", "delete")}
    rows = [(r.method, r.path) for r in MATRIX]
    assert len(rows) == len(set(rows)), "a row appears twice"
    assert sorted(operations - set(rows)) == [], "operations without a rule in the matrix"
    assert sorted(set(rows) - operations) == [], "rows for operations the API no longer has"


@pytest.mark.parametrize("caller", CALLERS, ids=[c.name for c in CALLERS])
async def test_each_caller_gets_exactly_what_the_matrix_allows_and_a_refusal_changes_nothing(anonymous, caller):
    failures = await run_matrix(anonymous, caller)
    if failures:
        pytest.fail(f"{len(failures)} mismatches over {len(MATRIX)} operations:\n" + "\n".join(failures), pytrace=False)


async def test_a_revealed_id_number_is_the_full_one_and_the_asking_is_journaled(anonymous):
    w = await build_world()
    worker = w.rows[OTHER]["worker"]
    before = await AuditEntry.count()
    response = await anonymous.post(f"/api/v1/workers/{worker['id']}/reveal-id-number",
                                    headers=bearer(w.tokens["auditor"]))
    assert response.status_code == 200
    assert response.json()["id_number"] == worker["full_id_number"]
    entry = await AuditEntry.select().order_by(AuditEntry.seq, ascending=False).first()
    assert await AuditEntry.count() == before + 1
    assert (entry["action"], entry["table_name"], entry["row_id"], entry["username"]) == (
        "reveal", "worker", worker["id"], "matrix-auditor")
    assert worker["full_id_number"] not in entry["before"] + entry["after"]


async def test_an_operator_finds_a_person_registered_elsewhere_only_by_their_full_id_number(anonymous):
    # To hire someone who already works at another workshop, the operator types the number
    # from the card in hand; browsing does not show them, nor does asking by row id.
    w = await build_world()
    elsewhere = w.rows[OTHER]["worker"]
    operator = bearer(w.tokens["operator"])
    browsed = (await anonymous.get("/api/v1/workers/", headers=operator)).json()
    assert elsewhere["id"] not in {item["id"] for item in browsed["items"]}
    found = (await anonymous.get("/api/v1/workers/", params={"id_number": elsewhere["full_id_number"]},
                                 headers=operator)).json()
    assert [item["id"] for item in found["items"]] == [elsewhere["id"]]
    assert elsewhere["full_id_number"] not in str(found)
    assert (await anonymous.get(f"/api/v1/workers/{elsewhere['id']}", headers=operator)).status_code == 404


async def test_an_operator_cannot_reach_someone_by_placing_them_by_row_id_alone(anonymous):
    # Placing a worker makes them the operator's to read; so a row id is not enough to place
    # someone the operator cannot see: the full number from the card must come with it.
    w = await build_world()
    elsewhere = w.rows[OTHER]["worker"]
    operator = bearer(w.tokens["operator"])
    hire = {"worker": elsewhere["id"], "workshop": w.id(OWN, "workshop"), "hired_on": "2023-06-01",
            "pay_basis": "计件"}
    before = await snapshot()
    refused = await anonymous.post("/api/v1/placements/", json=hire, headers=operator)
    assert refused.status_code == 403 and refused.json()["problems"][0]["code"] == "identity_unproven"
    wrong = await anonymous.post("/api/v1/placements/", json={**hire, "id_number": w.fresh_id_number()[0]},
                                 headers=operator)
    assert wrong.status_code == 403
    assert await snapshot() == before
    assert (await anonymous.get(f"/api/v1/workers/{elsewhere['id']}", headers=operator)).status_code == 404
    hired = await anonymous.post("/api/v1/placements/", json={**hire, "id_number": elsewhere["full_id_number"]},
                                 headers=operator)
    assert hired.status_code == 201, hired.text
    assert (await anonymous.get(f"/api/v1/workers/{elsewhere['id']}", headers=operator)).status_code == 200


async def test_an_operator_sees_only_their_own_pay_in_the_list_whatever_they_filter_by(anonymous):
    w = await build_world()
    operator = bearer(w.tokens["operator"])
    own = {w.id(OWN, "pay"), w.id(OWN, "locked_pay")}
    listed = (await anonymous.get("/api/v1/pay/", headers=operator)).json()
    assert {item["id"] for item in listed["items"]} == own and listed["total"] == 2
    other_workshop = (await anonymous.get("/api/v1/pay/", params={"workshop": w.id(OTHER, "workshop")},
                                          headers=operator)).json()
    assert other_workshop["items"] == [] and other_workshop["total"] == 0
    other_placement = (await anonymous.get("/api/v1/pay/", params={"placement": w.id(OTHER, "placement")},
                                           headers=operator)).json()
    assert other_placement["items"] == []
    assert await MonthlyPay.count() == 4  # the auditor's view: both workshops'
    everything = (await anonymous.get("/api/v1/pay/", headers=bearer(w.tokens["auditor"]))).json()
    assert everything["total"] == 4


async def test_an_operators_check_of_a_sheet_marks_the_other_workshops_rows_and_writes_nothing(anonymous):
    w = await build_world()
    req = await new_pay_upload(w, OTHER)
    before = await snapshot()
    response = await anonymous.post("/api/v1/imports/annotated", params=req.params, files=req.files,
                                    headers=bearer(w.tokens["operator"]))
    assert response.status_code == 200 and response.headers["x-import-problems"] == "1"
    marked = [[cell.value for cell in line] for line in load_workbook(io.BytesIO(response.content)).active.rows]
    assert "不是您负责的工坊" in str(marked[1])
    assert await snapshot() == before
