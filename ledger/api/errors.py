"""One handler maps every error to a JSON body naming each problem, in Chinese and English.

A user's mistake is a 4xx; an unexpected failure is a 500 that says nothing about the data.
Every error answer has one shape, ``{error, message, problems: [{field, code, zh, en, message}]}``,
and the OpenAPI document says so: ``document_errors`` gives each operation the 4xx answers it
can give (400, 401, 403 always; 404 with a path parameter; 409 for writes, and 503 when the
connection broke as their COMMIT went out; 415 for uploads; 422 when it takes input; 429 for
sign-in), all referring to the one schema component
``ErrorBody`` — in place of Litestar's default ``{status_code, detail, extra}``, which no
answer of this API has.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response, Router
from litestar.exceptions import HTTPException, ValidationException
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Example
from litestar.routes import HTTPRoute
from pydantic import BaseModel, Field

from ledger.core.problems import Problem
from ledger.errors import (
    CommitOutcomeUnknown,
    Conflict,
    Forbidden,
    LedgerError,
    NotFound,
    TooManyAttempts,
    Unauthorized,
    ValidationFailed,
)
from ledger.importer.reading import UnreadableFile

log = logging.getLogger("ledger.api")

_PYDANTIC_ZH = {
    "missing": "必填项不能为空",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "string_type": "应为文本（字符串）",
    "extra_forbidden": "不认识的字段",
    "list_type": "应为列表",
    "model_type": "应为对象",
    "dict_type": "应为对象",
    "json_invalid": "请求体不是有效的 JSON",
}


def _problem_from_litestar(item: dict) -> Problem:
    key = str(item.get("key") or item.get("source") or "body")
    message = str(item.get("message") or "invalid value")
    zh = next((text for code, text in _PYDANTIC_ZH.items() if code.replace("_", " ") in message.lower()
               or code in message), None)
    if zh is None:
        lowered = message.lower()
        if "field required" in lowered or "missing" in lowered:
            zh = _PYDANTIC_ZH["missing"]
        elif "integer" in lowered:
            zh = "应为整数"
        elif "string" in lowered:
            zh = "应为文本（字符串）"
        elif "extra" in lowered:
            zh = "不认识的字段"
        else:
            zh = "取值或格式不正确"
    return Problem(key, "type", zh, message)


_UNION_BRANCHES = (".str", ".int", ".float", ".decimal", ".date", ".list", ".dict", ".bool", ".none")


def _merge_union_branches(problems: list[Problem]) -> list[Problem]:
    """pydantic reports a ``str | int`` field once per branch (``amount.str``, ``amount.int``);
    a person needs one problem for ``amount``."""
    merged: dict[str, Problem] = {}
    for problem in problems:
        field = problem.field
        for suffix in _UNION_BRANCHES:
            if field.endswith(suffix):
                field = field.removesuffix(suffix)
                break
        if field != problem.field:
            problem = Problem(field, "type", "类型不正确：金额和数量请写成十进制字符串（如 \"2800.00\"）或整数",
                              "wrong type: write amounts as a decimal string (e.g. \"2800.00\") or a whole number")
        merged.setdefault(field, problem)
    return list(merged.values())


def ledger_error_handler(_: Request, exc: LedgerError) -> Response:
    headers: dict[str, str] = {}
    if exc.status_code == 401:  # as the auth middleware answers (RFC 9110: a 401 names its scheme)
        headers["WWW-Authenticate"] = 'Bearer realm="ledger"'
    if isinstance(exc, TooManyAttempts) and exc.retry_after:
        headers["Retry-After"] = str(exc.retry_after)
    return Response(exc.as_dict(), status_code=exc.status_code, headers=headers or None)


def validation_exception_handler(_: Request, exc: ValidationException) -> Response:
    extra = exc.extra if isinstance(exc.extra, list) else []
    problems = _merge_union_branches([_problem_from_litestar(i) for i in extra if isinstance(i, dict)])
    if not problems:
        detail = str(exc.detail or "")
        if "json" in detail.lower() or "decode" in detail.lower() or "body" in detail.lower():
            problems = [Problem("body", "json_invalid", "请求体不是有效的 JSON", "the request body is not valid JSON")]
        else:
            problems = [Problem("request", "invalid", "请求格式不正确", detail or "the request is malformed")]
    error = ValidationFailed(problems)
    status = 400
    return Response(error.as_dict(), status_code=status)


def http_exception_handler(_: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    if status == 400 and "json" in str(exc.detail).lower():  # a body that is not JSON: name it, as for a wrong shape
        error = ValidationFailed([Problem("body", "json_invalid", "请求体不是有效的 JSON", f"the request body is not valid "
                                          f"JSON ({exc.detail})")])
        return Response(error.as_dict(), status_code=400)
    zh = {404: "地址不存在", 405: "不支持该请求方法", 401: "需要登录", 403: "无权访问"}.get(status, "请求有误")
    body = {"error": "http_error", "message": f"{zh} / {exc.detail}", "problems": []}
    return Response(body, status_code=status)


_UNSTORABLE_TEXT = {"CharacterNotInRepertoireError", "UntranslatableCharacterError"}
"""asyncpg's names for text PostgreSQL cannot hold (a NUL). The request schemas and the admin
guard refuse control characters first; this is the net under any input they do not see."""


def internal_error_handler(request: Request, exc: Exception) -> Response:
    if type(exc).__name__ in _UNSTORABLE_TEXT:
        log.warning("unstorable text reached the database: %s %s", request.method, request.url.path)
        error = ValidationFailed([Problem("request", "control_character", "请求含有数据库无法保存的字符（如 NUL），请删除",
                                          "the request holds a character the database cannot store (such as NUL)")])
        return Response(error.as_dict(), status_code=422)
    # Log the kind of failure only: a message could carry a person's data.
    log.error("internal error: %s", type(exc).__name__)
    body = {"error": "internal", "message": "服务器内部错误 / internal server error", "problems": []}
    return Response(body, status_code=500)


EXCEPTION_HANDLERS = {
    LedgerError: ledger_error_handler,
    ValidationException: validation_exception_handler,
    HTTPException: http_exception_handler,
    Exception: internal_error_handler,
}


class ProblemBody(BaseModel):
    """One problem: where, what, in Chinese and English (``ledger.core.problems.Problem``)."""

    field: str = Field(description="出问题的字段（或 file、request、body） / the field at fault (or file, request, body)")
    code: str = Field(description="问题代码，供程序判断 / a problem code for programs (e.g. required, money, month_locked)")
    zh: str = Field(description="中文说明 / the problem in Chinese")
    en: str = Field(description="英文说明 / the problem in English")
    message: str = Field(description="“中文 / English”，供直接显示 / Chinese / English, to show as it is")
    row: int | None = Field(None, description="表格行号（仅导入） / the sheet's row number (imports only)")
    column: str | None = Field(None, description="表格列字母（仅导入） / the sheet's column letter (imports only)")
    value: str | None = Field(None, description="单元格内容，身份证号、手机号脱敏（仅导入） / the cell's value, ID "
                                                "numbers and phones masked (imports only)")
    kind: str | None = Field(None, description="invalid 或 conflict（仅导入） / invalid or conflict (imports only)")


class ErrorBody(BaseModel):
    """Every error answer of the API (4xx and 500)."""

    error: str = Field(description="错误代码 / error code (validation_failed, conflict, month_locked, not_found, "
                                   "unauthorized, forbidden, too_many_attempts, unreadable_file, http_error …)")
    message: str = Field(description="总的说明“中文 / English” / what went wrong, Chinese / English")
    problems: list[ProblemBody] = Field(description="全部问题，不止第一个（可为空） / every problem, not the first only "
                                                    "(may be empty)")
    report: dict[str, Any] | None = Field(None, description="导入报告（仅导入） / the import report (imports only)")


_EXAMPLE_PROBLEM = {"field": "amount", "code": "money",
                    "zh": "金额应为纯数字（元），可带两位小数，不含逗号、单位或符号，如 2800.00",
                    "en": "amount must be a plain number of yuan with at most 2 decimals, no commas, units or "
                          "symbols, e.g. 2800.00"}

_STATUS: dict[int, tuple[str, type[LedgerError], dict[str, Any]]] = {
    400: ("请求格式不正确（JSON 结构、参数类型） / malformed request (JSON shape, parameter types)", ValidationFailed,
          {"field": "body", "code": "json_invalid", "zh": "请求体不是有效的 JSON", "en": "the request body is not valid JSON"}),
    401: ("未登录或凭据无效 / no credential, or an invalid one", Unauthorized, {}),
    403: ("无权进行此操作（角色、工坊范围，或会话写操作缺少 X-CSRF-Token） / not allowed (role, workshop scope, or a "
          "session write without X-CSRF-Token)", Forbidden, {}),
    404: ("记录不存在（或不在您负责的工坊范围内） / no such record (or not in your workshops)", NotFound,
          {"field": "id", "code": "not_found", "zh": "记录不存在（id=4242）", "en": "no record with id 4242"}),
    409: ("与已有记录冲突（重复、时间重叠、已锁定的月份） / conflicts with a stored record (a duplicate, an overlap, "
          "a signed-off month)", Conflict,
          {"field": "month", "code": "duplicate_pay", "zh": "该用工当月已有收入记录",
           "en": "this placement already has pay for that month"}),
    415: ("上传的文件无法读取（不是 .xlsx 或 .csv，或已加密、损坏） / the uploaded file cannot be read (not .xlsx or "
          ".csv, encrypted or damaged)", UnreadableFile,
          {"field": "file", "code": "not_a_spreadsheet", "zh": "文件不是 .xlsx 或 .csv 表格",
           "en": "the file is not an .xlsx or .csv sheet"}),
    422: ("取值不合规则，逐项列出 / invalid values, each one named", ValidationFailed, _EXAMPLE_PROBLEM),
    429: ("登录失败次数过多，请按 Retry-After 等待后再试 / too many failed sign-ins; wait as Retry-After says",
          TooManyAttempts, {}),
    503: ("提交时与数据库的连接中断，是否已写入未知：请先查看记录再决定是否重发 / the database connection broke while "
          "committing; whether the write was saved is unknown, so look it up before sending it again",
          CommitOutcomeUnknown, {}),
}


def _example(status: int) -> dict[str, Any]:
    _, error, problem = _STATUS[status]
    problems = [problem | {"message": f"{problem['zh']} / {problem['en']}"}] if problem else []
    return {"error": error.code, "message": f"{error.zh} / {error.en}", "problems": problems}


ERROR_RESPONSES: dict[int, ResponseSpec] = {
    status: ResponseSpec(data_container=ErrorBody, description=description, generate_examples=False,
                         examples=[Example(summary=error.code, value=_example(status))])
    for status, (description, error, _) in _STATUS.items()
}
"""One documented answer per status, every one with the ``ErrorBody`` schema."""

_WRITES = {"POST", "PUT", "PATCH", "DELETE"}
_NO_INPUT = {"request", "state", "scope", "headers", "cookies", "socket"}


def error_statuses(handler: HTTPRouteHandler, path: str) -> list[int]:
    """The 4xx answers an operation can give."""
    statuses = [400, 401, 403]
    if "{" in path:
        statuses.append(404)
    if handler.http_methods & _WRITES and "/auth/" not in path:
        statuses += [409, 503]
    data = handler.parsed_fn_signature.parameters.get("data")
    media_type = getattr(getattr(data, "kwarg_definition", None), "media_type", None)
    if "multipart" in str(getattr(media_type, "value", media_type)):
        statuses.append(415)
    if set(handler.parsed_fn_signature.parameters) - _NO_INPUT:
        statuses.append(422)
    if path.endswith("/auth/login"):
        statuses.append(429)
    return sorted(statuses)


def document_errors(router: Router) -> Router:
    """Give every operation of ``router`` its error answers in the real shape (before the app
    copies the router in). An answer a handler documents itself is kept."""
    for route in router.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            spec = {status: ERROR_RESPONSES[status] for status in error_statuses(handler, route.path)}
            handler.responses = {**spec, **(handler.responses or {})}
    return router
