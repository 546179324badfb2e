"""The admin panel writes through the services, as the signed-in admin, by the admin path.

Piccolo Admin's REST layer (``PiccoloCRUD``) would insert, update and delete rows itself,
outside our transaction, journal and locks. ``LedgerCRUD`` keeps its routes, parsing and
response shapes and hands every write on a ledger table to the same service functions the
API calls, inside ``acting_as(<the admin>, path=admin)``: one set of rules, one journal,
the same locks. Bulk delete deletes row by row through the service, all or nothing.

``build_admin`` puts ``LedgerCRUD`` in place of ``PiccoloCRUD`` while it builds the admin
(Piccolo Admin offers no setting for the class it uses), and ``admin_only`` refuses every
table request from a user whose ledger role is not admin: only admins reach /admin.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import wraps
from typing import Any
from urllib.parse import parse_qsl

import asyncpg
import pydantic
from piccolo.table import Table
from piccolo.utils.pydantic import create_pydantic_model
from piccolo_api.crud.endpoints import PiccoloCRUD
from piccolo_api.session_auth.tables import SessionsBase
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from ledger import access
from ledger.admin import labels
from ledger.core.enums import Role, WritePath
from ledger.core.money import fen_str
from ledger.core.problems import Problem
from ledger.core.rules import control_character_problems
from ledger.db import write_transaction
from ledger.errors import LedgerError, ValidationFailed
from ledger.services import claims, employment, locks, masterdata, people, users
from ledger.tables import (
    Adjustment,
    ApiToken,
    Certification,
    Claim,
    ClaimFigure,
    Enterprise,
    LowIncomeStatus,
    MonthLock,
    MonthlyPay,
    Placement,
    UserRole,
    UserWorkshop,
    Worker,
    Workshop,
)

Data = dict[str, Any]
ADMINS_ONLY = "管理后台仅限管理员 / the admin panel is for admins only"
SESSION_COOKIE_PREFIX = b"id="  # Piccolo Admin's session cookie
log = logging.getLogger("ledger.admin")
SECRET_COLUMNS = {"id_hash", "id_cipher", "phone_cipher"}


def _pay_data(values: Data) -> Data:
    data = dict(values)
    if data.get("hours") is not None:
        data["hours"] = f"{data['hours']:f}"
    return data


def _same(values: Data) -> Data:
    return values


async def _refuse_append_only(*_: Any) -> Any:
    raise locks.refuse_change()


async def _sign_off(data: Data) -> Data:
    return await locks.sign_off(data.get("month"), data.get("workshop"), data.get("note"))


async def _refuse_lock_edit(*_: Any) -> Any:
    raise ValidationFailed([Problem("id", "lock_edit", "锁定不能修改或删除；如需撤销，由审核员另行记录撤销（含理由）",
                                    "a lock is never edited or deleted; an auditor reopens it, with a reason "
                                    "(POST /api/v1/locks/{id}/reopen)")])


async def _use_the_user_forms(*_: Any) -> Any:
    raise ValidationFailed([Problem("id", "use_forms", "用户、角色和令牌请用“用户”组的表单管理（会记入审计日志）",
                                    "manage users, roles and tokens with the forms in the Users group (journaled)")])


@dataclass(frozen=True)
class Writer:
    create: Callable[[Data], Awaitable[Data]]
    update: Callable[[int, Data], Awaitable[Any]]
    delete: Callable[[int], Awaitable[None]]
    to_service: Callable[[Data], Data] = _same


WRITERS: dict[type[Table], Writer] = {
    Enterprise: Writer(masterdata.create_enterprise, masterdata.update_enterprise, masterdata.delete_enterprise),
    Workshop: Writer(masterdata.create_workshop, masterdata.update_workshop, masterdata.delete_workshop),
    Certification: Writer(masterdata.create_certification, masterdata.update_certification,
                          masterdata.delete_certification),
    Worker: Writer(people.create_worker, people.update_worker, people.delete_worker),
    LowIncomeStatus: Writer(people.create_low_income, people.update_low_income, people.delete_low_income),
    Placement: Writer(employment.create_placement, employment.update_placement, employment.delete_placement),
    MonthlyPay: Writer(employment.create_pay, employment.update_pay, employment.delete_pay, _pay_data),
    Claim: Writer(claims.create_claim, claims.update_claim, claims.delete_claim),
    ClaimFigure: Writer(claims.create_claim_figure, claims.update_claim_figure, claims.delete_claim_figure),
    MonthLock: Writer(_sign_off, _refuse_lock_edit, _refuse_lock_edit),
    UserRole: Writer(_use_the_user_forms, _use_the_user_forms, _use_the_user_forms),
    UserWorkshop: Writer(_use_the_user_forms, _use_the_user_forms, _use_the_user_forms),
    ApiToken: Writer(_use_the_user_forms, _use_the_user_forms, _use_the_user_forms),
    Adjustment: Writer(locks.create_adjustment, _refuse_append_only, _refuse_append_only),
}


def refusal(exc: LedgerError, table: str | None = None) -> Response:
    """A refusal in the form the panel's page shows to a person (checked in Chromium):

    - 422: ``custom_form_error``, one line naming each problem by the field's Chinese title
      (the page's ``detail`` rendering would add English: "name field - …"), beside the API's
      usual ``error``/``message``/``problems`` for scripts;
    - any other status (403, 404, 409 such as a locked month): plain text, the message and each
      problem on a line (the page shows a JSON object as raw JSON), with the error code in the
      ``X-Ledger-Error`` header for scripts.
    """
    if exc.status_code == 422:
        said = "；".join(f"{labels.field_title(table, p.field)}：{p.message}" for p in exc.problems)
        return JSONResponse({"custom_form_error": said or exc.message, **exc.as_dict()}, status_code=422)
    lines = [exc.message] + [f"{labels.field_title(table, p.field)}: {p.message}" for p in exc.problems]
    return PlainTextResponse("\n".join(lines), status_code=exc.status_code, headers={"X-Ledger-Error": exc.code})


BAD_QUERY_ERRORS: tuple[type[BaseException], ...] = (ValueError, OverflowError, asyncpg.exceptions.DataError)
"""What Piccolo's CRUD lets out for a malformed query: an unknown ``__order`` column
(ValueError), an id past the database's integers (OverflowError on SQLite, DataError on
PostgreSQL), a filter longer than its column (DataError). The caller's mistake: a 400."""


async def admin_guard(app: Any, scope: Any, receive: Any, send: Any) -> None:
    """Run the admin app for one request, as the caller's mistakes deserve:

    - a control character in the query or JSON body is a 422 naming each, before Piccolo
      filters or looks anything up with it (a NUL reaching PostgreSQL is a 500; the API checks
      the same rule on its request schemas);
    - a malformed query that Piccolo's CRUD does not catch itself is a 400, not a 500.
    """
    if scope["type"] != "http":
        await app(scope, receive, send)
        return
    query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    problems = control_character_problems({f"query.{k}": v for k, v in query})
    chunks: list[bytes] = []
    more = True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    body = b"".join(chunks)
    content_type = dict(scope.get("headers", [])).get(b"content-type", b"")
    if body and b"json" in content_type:
        try:
            problems += control_character_problems(json.loads(body))
        except ValueError:
            pass  # not JSON: Piccolo answers that itself
    if problems:
        path = scope.get("path", "").split("/tables/", 1)
        table = path[1].split("/", 1)[0] if len(path) == 2 else None
        await refusal(ValidationFailed(problems), table)(scope, receive, send)
        return
    replayed = started = False

    async def replay() -> Any:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def watch(message: Any) -> None:
        nonlocal started
        started = started or message["type"] == "http.response.start"
        await send(message)

    login = scope.get("method") == "POST" and scope.get("path", "").rstrip("/").endswith("/public/login")
    try:
        if login:
            await _admins_only_sign_in(app, scope, replay, send)
        else:
            await app(scope, replay, watch)
    except BAD_QUERY_ERRORS as exc:
        if started:
            raise
        log.warning("admin request refused as malformed: %s %s (%s)", scope.get("method"), scope.get("path"),
                    type(exc).__name__)
        await PlainTextResponse("请求的筛选、排序或编号无效或超出范围 / a filter, sort column or id in the request "
                                "is malformed or out of range", status_code=400,
                                headers={"X-Ledger-Error": "bad_query"})(scope, receive, send)


async def _admins_only_sign_in(app: Any, scope: Any, receive: Any, send: Any) -> None:
    """Piccolo's login, unchanged — its rate limit, its timing, its answer to a wrong password —
    but a session it opens for someone whose ledger role is not admin is closed again at once,
    and they are told the panel is for admins (they proved their password, so this tells them
    nothing they may not know). Only admins reach /admin."""
    held: list[Any] = []

    async def hold(message: Any) -> None:
        held.append(message)

    await app(scope, receive, hold)
    start = held[0] if held else {}
    token = None
    for name, value in start.get("headers", []):
        if name.lower() == b"set-cookie" and value.startswith(SESSION_COOKIE_PREFIX):
            token = value[len(SESSION_COOKIE_PREFIX):].split(b";", 1)[0].decode("latin-1")
    if start.get("status") == 200 and token:
        user_id = await SessionsBase.get_user_id(token)
        actor = await users.actor_for_user(user_id, WritePath.admin) if user_id else None
        if actor is None or actor.role is not Role.admin:
            await SessionsBase.remove_session(token)
            refused = PlainTextResponse(ADMINS_ONLY, status_code=403,
                                        headers={"X-Ledger-Error": "forbidden"})
            refused.delete_cookie("id")
            await refused(scope, receive, send)
            return
    for message in held:
        await send(message)


async def admin_actor(request: Request) -> access.Actor:
    user = getattr(getattr(request, "user", None), "user", None)
    actor = await users.actor_for_user(user.id, WritePath.admin) if user is not None else None
    if actor is None or actor.role is not Role.admin:
        raise HTTPException(status_code=403, detail=ADMINS_ONLY)
    return actor


async def admin_only(piccolo_crud: Any, request: Request) -> None:
    """A Piccolo API validator on every table: the user's ledger role must be admin."""
    await admin_actor(request)


def as_admin(endpoint: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Run an admin form's endpoint as the signed-in admin (for its journal entries)."""

    @wraps(endpoint)
    async def run(request: Any, data: Any) -> Any:
        with access.acting_as(await admin_actor(request)):
            return await endpoint(request, data)

    return run


def _yuan_text(value: Any) -> Any:
    """A yuan amount as posted by the panel, as the text the service parses exactly."""
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _yes(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in {"true", "1", "yes", "是"})


class LedgerCRUD(PiccoloCRUD):
    """Piccolo's CRUD for one table of the panel, speaking Chinese and yuan.

    - The JSON schema the page builds its lists, filters and forms from carries Chinese titles,
      no internal columns, money columns as yuan text and, where the unusual-amount rule asks,
      a 确认异常金额 yes/no field.
    - Rows leave with integer fen turned into yuan text (``"2800.00"``); posted yuan is read
      from the JSON text as a Decimal, never a float, and handed to the service, which parses
      and stores it as fen — exactly as the API's amounts.
    - Writes go through the services (``WRITERS``).
    """

    @property
    def _name(self) -> str:
        return self.table._meta.tablename

    def _writer(self) -> Writer | None:
        return WRITERS.get(self.table)

    def _loosened(self, model: type[pydantic.BaseModel]) -> type[pydantic.BaseModel]:
        """``model`` taking yuan (text or a number) in its money columns, and the confirmation:
        the request is checked against it before it reaches us, and the service checks yuan."""
        money = [c for c in labels.MONEY_COLUMNS.get(self._name, {}) if c in model.model_fields]
        fields: dict[str, Any] = {
            c: (str | int | Decimal | None,
                pydantic.Field(default=None, json_schema_extra=model.model_fields[c].json_schema_extra))
            for c in money}
        if self._name in labels.CONFIRMABLE_TABLES:
            fields[labels.CONFIRM_FIELD] = (bool | str | None, pydantic.Field(default=None))
        if not fields:
            return model
        return pydantic.create_model(model.__name__, __base__=model, **fields)

    @property
    def pydantic_model(self) -> type[pydantic.BaseModel]:
        if self._writer() is None:
            return super().pydantic_model
        return self._loosened(create_pydantic_model(
            self.table, model_name=f"{self.table.__name__}In",
            exclude_columns=(self.table._meta.primary_key, *self.table._meta.secret_columns),
            json_schema_extra={"extra": self.schema_extra}))

    @property
    def pydantic_model_optional(self) -> type[pydantic.BaseModel]:
        if self._writer() is None:
            return super().pydantic_model_optional
        return self._loosened(super().pydantic_model_optional)

    async def get_schema(self, request: Request) -> Response:
        response = await super().get_schema(request)
        if response.status_code != 200:
            return response
        return JSONResponse(labels.panel_schema(self._name, json.loads(response.body),
                                                labels.choice_labels(self.table)))

    def _in_yuan(self, response: Response, new: bool = False, single: bool = False) -> Response:
        """Rows as the panel shows them: money in yuan, no internal columns."""
        money = labels.MONEY_COLUMNS.get(self._name)
        if response.status_code != 200 or self._writer() is None:
            return response
        body = json.loads(response.body)
        for row in body["rows"] if isinstance(body, dict) and "rows" in body else [body]:
            for secret in SECRET_COLUMNS & set(row):
                del row[secret]
            for column in money or {}:
                if column in row:
                    row[column] = None if new else fen_str(row[column])
            if (new or single) and self._name in labels.CONFIRMABLE_TABLES:
                row[labels.CONFIRM_FIELD] = False  # the edit form's answer starts at 否 each time
        headers = {k: v for k, v in response.headers.items() if k.lower() == "content-range"}
        return Response(json.dumps(body, ensure_ascii=False), media_type="application/json", headers=headers)

    async def get_all(self, request: Request, params: Data | None = None) -> Response:
        return self._in_yuan(await super().get_all(request, params))

    async def get_single(self, request: Request, row_id: Any) -> Response:
        return self._in_yuan(await super().get_single(request, row_id), single=True)

    async def get_new(self, request: Request) -> Response:
        return self._in_yuan(await super().get_new(request), new=True)

    async def _run(self, request: Request, work: Callable[[Writer], Awaitable[Response]]) -> Response:
        writer = self._writer()
        assert writer is not None
        try:
            with access.acting_as(await admin_actor(request)):
                return await work(writer)
        except LedgerError as exc:
            return refusal(exc, self._name)

    async def _exact(self, request: Request, data: Data) -> Data:
        """The posted body again, its numbers read as Decimals (Starlette keeps the raw body)."""
        try:
            raw = json.loads(await request.body(), parse_float=Decimal)
        except ValueError:
            return data
        return raw if isinstance(raw, dict) else data

    def _fields(self, data: Data, optional: bool) -> Data:
        data = dict(data)
        money = {column: data.pop(column) for column in labels.MONEY_COLUMNS.get(self._name, {}) if column in data}
        confirm = data.pop(labels.CONFIRM_FIELD, None)
        # Every field optional: what is missing the service names, with every other problem.
        model = self.pydantic_model_optional(**self._clean_data(data))
        values = {key: getattr(model, key) for key in (data if optional else self.pydantic_model.model_fields)
                  if key != labels.CONFIRM_FIELD}
        values = {k: v for k, v in values.items()
                  if k not in SECRET_COLUMNS and k != "id" and k not in labels.MONEY_COLUMNS.get(self._name, {})}
        for column, field in labels.MONEY_COLUMNS.get(self._name, {}).items():
            if column in money:
                values[field] = _yuan_text(money[column])
            elif not optional:
                values[field] = None
        if _yes(confirm):
            values[labels.CONFIRM_FIELD] = True
        return values

    async def post_single(self, request: Request, data: Data) -> Response:
        if self._writer() is None:
            return await super().post_single(request, data)
        try:
            values = self._fields(await self._exact(request, data), optional=False)
        except pydantic.ValidationError as exc:
            return Response(str(exc), status_code=400)

        async def create(writer: Writer) -> Response:
            row = await writer.create(writer.to_service(values))
            return JSONResponse([{"id": row["id"]}], status_code=201)

        return await self._run(request, create)

    async def patch_single(self, request: Request, row_id: Any, data: Data) -> Response:
        if self._writer() is None:
            return await super().patch_single(request, row_id, data)
        try:
            values = self._fields(await self._exact(request, data), optional=True)
        except pydantic.ValidationError as exc:
            return Response(str(exc), status_code=400)
        except AttributeError:
            return Response(f"不认识的字段 / unrecognised keys: {sorted(data)}", status_code=400)

        async def update(writer: Writer) -> Response:
            await writer.update(int(row_id), writer.to_service(values))
            row = await self.table.select(exclude_secrets=True).where(
                self.table._meta.primary_key == row_id).first()
            return self._in_yuan(Response(self.pydantic_model(**row).model_dump_json(),
                                          media_type="application/json"))

        return await self._run(request, update)

    async def put_single(self, request: Request, row_id: Any, data: Data) -> Response:
        if self._writer() is None:
            return await super().put_single(request, row_id, data)
        return await self.patch_single(request, row_id, data)

    async def delete_single(self, request: Request, row_id: Any) -> Response:
        if self._writer() is None:
            return await super().delete_single(request, row_id)

        async def remove(writer: Writer) -> Response:
            await writer.delete(int(row_id))
            return Response(status_code=204)

        return await self._run(request, remove)

    async def delete_all(self, request: Request, params: Data | None = None) -> Response:
        if self._writer() is None:
            return await super().delete_all(request, params)
        try:
            split = self._split_params(self._clean_data(params) if params else {})
            query = self._apply_filters(self.table.select(self.table._meta.primary_key), split)
        except Exception as exc:  # Piccolo API's own malformed-query errors
            return Response(str(exc), status_code=400)

        async def remove_all(writer: Writer) -> Response:
            async with write_transaction():
                for row in await query:
                    await writer.delete(int(row["id"]))
            return Response(status_code=204)

        return await self._run(request, remove_all)


@contextmanager
def ledger_crud() -> Iterator[None]:
    """Make Piccolo Admin build its table endpoints with ``LedgerCRUD``."""
    import piccolo_admin.endpoints as endpoints

    original = endpoints.PiccoloCRUD
    endpoints.PiccoloCRUD = LedgerCRUD  # type: ignore[misc]
    try:
        yield
    finally:
        endpoints.PiccoloCRUD = original  # type: ignore[misc]
