"""Admin panel forms for users and tokens (SPEC: admins keep users in the web admin panel).

Each form calls the users service the API and the CLI call, as the signed-in admin (the
forms are wrapped by ``ledger.admin.writes.as_admin``), so grants and revocations are journaled.
Piccolo's own user table is not offered for editing: a user made there would have no role.
"""

from __future__ import annotations

from typing import Any

from piccolo_admin.endpoints import FormConfig
from pydantic import BaseModel, Field

from ledger.errors import LedgerError
from ledger.services import users


class UserForm(BaseModel):
    username: str = Field(title="用户名", description="用户名 / username")
    password: str = Field(title="初始密码", description="初始密码（至少 10 个字符）/ first password (10+ characters)")
    role: str = Field("operator", title="角色", description="operator（工坊运营方）| auditor（审核员）| admin（管理员）")
    workshops: str = Field("", title="负责的工坊编码", description="运营方负责的工坊编码，逗号分隔 / an operator's workshop codes, comma-separated")


class TokenForm(BaseModel):
    username: str = Field(title="用户名", description="令牌代表的用户 / the user the token acts as")
    name: str = Field("", title="用途", description="用途 / what it is for")


class RevokeForm(BaseModel):
    token_id: int = Field(title="令牌编号", description="令牌编号（GET /api/v1/tokens 可查）/ token id (listed by GET /api/v1/tokens)")


class DeactivateForm(BaseModel):
    username: str = Field(title="用户名", description="要停用的用户 / the user to deactivate")


def _refusal(exc: LedgerError) -> ValueError:
    return ValueError("\n".join([exc.message] + [f"{p.field}: {p.message}" for p in exc.problems]))


async def create_user(request: Any, data: UserForm) -> str:
    codes = [c.strip() for c in data.workshops.replace("，", ",").split(",") if c.strip()]
    try:
        user = await users.create_user(data.username.strip(), data.password, data.role.strip(), codes)
    except LedgerError as exc:
        raise _refusal(exc) from None
    where = f"，工坊 {', '.join(user['workshops'])}" if user["workshops"] else ""
    return f"已创建用户 {user['username']}（{user['role']}{where}）/ created user {user['username']}"


async def create_token(request: Any, data: TokenForm) -> str:
    try:
        made = await users.create_token(data.username.strip(), data.name)
    except LedgerError as exc:
        raise _refusal(exc) from None
    return f"令牌（只显示这一次，请妥善保存）/ token (shown this once): {made['token']}"


async def revoke_token(request: Any, data: RevokeForm) -> str:
    try:
        token = await users.revoke_token(data.token_id)
    except LedgerError as exc:
        raise _refusal(exc) from None
    return f"令牌 #{token['id']}（{token['prefix']}…）已吊销 / revoked"


async def deactivate_user(request: Any, data: DeactivateForm) -> str:
    try:
        user = await users.deactivate_user(data.username.strip())
    except LedgerError as exc:
        raise _refusal(exc) from None
    return f"已停用 {user['username']}：角色、工坊与令牌均已撤销 / deactivated: role, workshops and tokens revoked"


USER_FORMS = [
    FormConfig(name="创建用户", pydantic_model=UserForm, endpoint=create_user, form_group="用户",
               description="一个用户一个角色；运营方须指定工坊 / one role per user; operators need workshops"),
    FormConfig(name="创建令牌", pydantic_model=TokenForm, endpoint=create_token, form_group="用户",
               description="脚本用的 Bearer 令牌 / a bearer token for scripts"),
    FormConfig(name="吊销令牌", pydantic_model=RevokeForm, endpoint=revoke_token,
               form_group="用户"),
    FormConfig(name="停用用户", pydantic_model=DeactivateForm, endpoint=deactivate_user,
               form_group="用户", description="撤销其角色、工坊与令牌并结束会话 / revoke role, workshops, tokens"),
]
