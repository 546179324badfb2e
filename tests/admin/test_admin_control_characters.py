"""A NUL typed into the panel — a filter, a table edit, a form, the login — is a 422 naming
it, never a 500 from PostgreSQL (CI's schemathesis run found the API's version of this:
a NUL inside the workshop list of a new user reached a look-up)."""

from __future__ import annotations

from dbfixtures import world

from ledger.tables import AuditEntry, Enterprise, UserRole


async def test_a_nul_in_a_table_filter_is_named_not_looked_up(admin):
    await world()
    response = await admin.get("enterprise", name="顺虎\x00")
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "query.name"


async def test_a_nul_in_a_new_user_s_workshops_is_refused_and_no_one_is_created(admin):
    await world()
    users_before, journal_before = await UserRole.count(), await AuditEntry.count()
    response = await admin.client.post("/admin/api/forms/创建用户/", headers=admin._headers(),
                                       json={"username": "clerk", "password": "a-long-password",
                                             "role": "operator", "workshops": "T-01,\x00"})
    assert response.status_code == 422, response.text
    assert [p["field"] for p in response.json()["problems"]] == ["workshops"]
    assert "控制字符" in response.text and "control character" in response.text
    assert (await UserRole.count(), await AuditEntry.count()) == (users_before, journal_before)


async def test_a_nul_in_a_table_edit_names_every_field_that_has_one(admin):
    w = await world()
    response = await admin.patch("enterprise", w["enterprise"]["id"], {"name": "a\x00", "region_code": "33\x000784"})
    assert response.status_code == 422
    assert sorted(p["field"] for p in response.json()["problems"]) == ["name", "region_code"]
    assert response.json()["custom_form_error"].startswith("企业名称：")  # what the page shows, by title
    assert (await Enterprise.select(Enterprise.name).first())["name"] == w["enterprise"]["name"]


async def test_a_clean_request_still_reaches_the_panel_whole(admin):
    w = await world()
    response = await admin.patch("enterprise", w["enterprise"]["id"], {"name": "改过的名字"})
    assert response.status_code == 200, response.text
    assert (await Enterprise.select(Enterprise.name).first())["name"] == "改过的名字"
