"""One error hierarchy; each error carries its HTTP status and its problems as values."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ledger.core.problems import Problem


class LedgerError(Exception):
    status_code = 400
    code = "bad_request"
    zh = "请求有误"
    en = "bad request"

    def __init__(self, problems: Sequence[Problem] = (), zh: str | None = None, en: str | None = None):
        self.problems = list(problems)
        if zh:
            self.zh = zh
        if en:
            self.en = en
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return f"{self.zh} / {self.en}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "error": self.code,
            "message": self.message,
            "problems": [p.as_dict() for p in self.problems],
        }


class ValidationFailed(LedgerError):
    status_code = 422
    code = "validation_failed"
    zh = "输入有误，请修改以下各项"
    en = "the input has problems; fix each of them"


class NotFound(LedgerError):
    status_code = 404
    code = "not_found"
    zh = "记录不存在"
    en = "no such record"


class Conflict(LedgerError):
    status_code = 409
    code = "conflict"
    zh = "与已有记录冲突"
    en = "conflicts with an existing record"


def raise_if(problems: Sequence[Problem], error: type[LedgerError] = ValidationFailed) -> None:
    if problems:
        raise error(problems)


class Unauthorized(LedgerError):
    status_code = 401
    code = "unauthorized"
    zh = "请先登录（会话 Cookie 或 Bearer 令牌）"
    en = "sign in first (session cookie or bearer token)"


class Forbidden(LedgerError):
    status_code = 403
    code = "forbidden"
    zh = "无权进行此操作"
    en = "you are not allowed to do this"


class Locked(LedgerError):
    """A signed-off month cannot change; the problems name the lock, who set it, when, and the
    way to a correction (an adjustment for pay, a reopening for the rest)."""

    status_code = 409
    code = "month_locked"
    zh = "该月份已审核锁定，不能修改（见各项说明）"
    en = "the month is signed off and locked (see each problem)"


class CommitOutcomeUnknown(LedgerError):
    """The connection to PostgreSQL broke while a COMMIT was on its way: the server may have
    committed before it did, or not. Nothing is retried on the caller's behalf (a retry of a
    write that was saved would be refused as a duplicate, or saved twice)."""

    status_code = 503
    code = "commit_outcome_unknown"
    zh = "提交时与数据库的连接中断，无法确定是否已写入：请先查看该记录，再决定是否重新提交"
    en = ("the connection to the database broke while committing, so whether the write was saved is "
          "unknown: look the record up before sending it again")


class TooManyAttempts(LedgerError):
    status_code = 429
    code = "too_many_attempts"
    zh = "登录失败次数过多，请稍后再试"
    en = "too many failed sign-ins; try again later"

    def __init__(self, problems: Sequence[Problem] = (), retry_after: int | None = None):
        super().__init__(problems)
        self.retry_after = retry_after  # seconds until a sign-in may be tried again (Retry-After)
