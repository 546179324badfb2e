"""Admins keep users in the panel: forms that call the users service, journaled as the admin."""

from __future__ import annotations

from dbfixtures import world

from ledger.services import users
from ledger.tables import ApiToken, AuditEntry, UserRole, UserWorkshop


async def form(admin, name: str, data: dict):
    slug = name.replace(" ", "-").lower()
    return await admin.client.post(f"/admin/api/forms/{slug}/", json=data, headers=admin._headers())


async def test_an_admin_creates_an_operator_in_the_panel_and_it_is_on_the_record(admin):
    await world()
    made = await form(admin, "创建用户",
                      {"username": "clerk", "password": "a-long-password", "role": "operator", "workshops": "T-01"})
    assert made.status_code == 200, made.text
    assert "clerk" in made.text
    user = (await users.list_users())[-1]
    assert (user["username"], user["role"], user["workshops"]) == ("clerk", "operator", ["T-01"])
    last_two = await AuditEntry.select().order_by(AuditEntry.seq, ascending=False).limit(2)
    assert [(e["table_name"], e["username"], e["path"]) for e in last_two] == [
        ("user_workshop", "admin", "admin"), ("user_role", "admin", "admin")]


async def test_a_bad_user_form_names_every_problem_and_creates_no_one(admin):
    refused = await form(admin, "创建用户",
                         {"username": "x", "password": "short", "role": "operator", "workshops": ""})
    assert refused.status_code >= 400
    for words in ("用户名", "username", "密码", "password", "工坊", "workshop"):
        assert words in refused.text
    assert await UserRole.count() == 1  # the panel's own admin only


async def test_deactivating_someone_revokes_their_role_workshops_and_tokens(admin):
    await world()
    await users.create_user("clerk", "a-long-password", "operator", ["T-01"])
    token = await users.create_token("clerk", "nightly")
    done = await form(admin, "停用用户", {"username": "clerk"})
    assert done.status_code == 200, done.text
    assert await users.actor_for_token(token["token"]) is None
    assert await UserWorkshop.count() == 0 and await UserRole.count() == 1
    assert (await ApiToken.select().first())["revoked_at"] != ""
    self_ = await form(admin, "停用用户", {"username": "admin"})
    assert self_.status_code >= 400 and "不能停用自己" in self_.text


async def test_role_tables_are_read_only_in_the_panel(admin):
    await world()
    await users.create_user("clerk", "a-long-password", "operator", ["T-01"])
    role = await UserRole.select().where(UserRole.role == "operator").first()
    promoted = await admin.patch("user_role", role["id"], {"role": "admin"})
    assert promoted.status_code == 422 and "表单" in promoted.text
    assert (await UserRole.select().where(UserRole.id == role["id"]).first())["role"] == "operator"


async def test_an_unknown_field_in_a_panel_edit_is_a_400_not_a_500(admin):
    w = await world()
    response = await admin.patch("workshop", w["workshop"]["id"], {"no_such_column": 1})
    assert response.status_code == 400 and "no_such_column" in response.text
