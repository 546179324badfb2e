"""One handler maps every error to a JSON body naming each problem, in Chinese and English.

A user's mistake is a 4xx; an unexpected failure is a 500 that says nothing about the data.
"""

from __future__ import annotations

import logging

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from ledger.core.problems import Problem
from ledger.errors import LedgerError, TooManyAttempts, ValidationFailed

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
