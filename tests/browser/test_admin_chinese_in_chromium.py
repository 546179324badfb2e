"""The admin panel as a county clerk meets it, in a real Chromium: every table's list and add
form in Chinese, pay entered in yuan and read back exactly, a hire found by the person's name,
and an operator told that the panel is for admins."""

from __future__ import annotations

import re

import httpx
from dbfixtures import bearer, make_id, token_for, world
from test_admin_in_chromium import signed_in_admin

from ledger.admin import _table_configs
from ledger.admin.labels import COLUMN_TITLES, TABLE_NAMES
from ledger.admin.page import ADMINS_ONLY_NOTICE
from ledger.cli import ensure_user
from ledger.tables import MonthlyPay

TABLES = [config.table_class for config in _table_configs()]


def english_names(table) -> list[str]:
    """How Piccolo would have written the table's and its columns' names: ``amount_fen`` as
    the field title "Amount Fen", ``monthly_pay`` as "Monthly Pay" in the menu and headings."""
    names = [table._meta.tablename, *(c._meta.name for c in table._meta.columns if c._meta.name != "id")]
    return [n.replace("_", " ").title() for n in names if len(n) > 2]


def english_in(text: str, table, ignore_case: bool = False) -> list[str]:
    """The English names in ``text``: anywhere on the page as Piccolo writes them (case kept:
    a username "admin" is data, not the column "Admin"); in headers and labels in any case."""
    flags = re.I if ignore_case else 0
    return [n for n in english_names(table)
            if re.search(rf"(?<![A-Za-z]){re.escape(n)}(?![A-Za-z])", text, flags)]


async def signed_in(server, browser):
    page = await signed_in_admin(server, browser)
    await page.wait_for_function("!location.hash.includes('login')", timeout=20000)
    return page


async def fresh(page, url: str) -> None:
    """Open a panel page afresh (the page keeps a form's schema across hash changes)."""
    await page.goto(url)
    await page.reload()


async def a_row_in_every_table() -> None:
    from datetime import date

    from dbfixtures import actor

    from ledger.services import claims, employment, locks, masterdata, people

    w = await world()
    await masterdata.create_certification({"workshop": w["workshop"]["id"], "title": "市级示范共富工坊", "level": "city",
                                           "issuer": "金华市委组织部", "awarded_on": date(2022, 6, 1), "status": "授牌"})
    await people.create_low_income({"worker": w["worker"]["id"], "category": "低保", "valid_from": date(2022, 1, 1)})
    await employment.create_pay({"placement": w["placement"]["id"], "month": "2023-01", "amount": "2800.00",
                                 "days_worked": 20, "hours": "160.5"})
    with actor("auditor"):
        await locks.sign_off("2023-01", None, "一月审核完毕")
        await locks.create_adjustment({"placement": w["placement"]["id"], "month": "2023-01", "delta": "-10.00",
                                       "reason": "少扣社保"})
    await claims.create_claim({"title": "县报", "quote": "建成共富工坊1家，吸纳就业1人，人均月收入约2800元。",
                               "scope": "workshop:T-01", "period": "2023"})
    await ensure_user("clerk", "operator-test-pw-1", "operator", ["T-01"])


async def test_every_table_s_list_and_add_form_speak_chinese(server, browser, tmp_dir):
    await a_row_in_every_table()
    page = await signed_in(server, browser)
    for table in TABLES:
        name = table._meta.tablename
        titles = COLUMN_TITLES[name]
        await fresh(page, f"{server}/admin/#/{name}")
        await page.locator("h1", has_text=TABLE_NAMES[name]).first.wait_for(timeout=20000)
        header = page.locator("table thead")
        await header.wait_for(timeout=20000)
        shown = await header.inner_text()
        listed = [c for c in titles if titles[c] in shown]
        assert listed, f"{name}: no Chinese column title in the list header {shown!r}"
        assert english_in(shown, table, ignore_case=True) == [], shown
        text = await page.inner_text("body")
        await page.screenshot(path=str(tmp_dir / f"admin-zh-{name}-list.png"), full_page=True)
        assert english_in(text, table) == [], f"{name} list shows English names: {text}"

        await fresh(page, f"{server}/admin/#/{name}/add")
        await page.locator("h1", has_text=f"添加 {TABLE_NAMES[name]}").wait_for(timeout=20000)
        await page.locator("form label").first.wait_for(timeout=20000)
        labels = await page.locator("form label").all_inner_texts()
        assert labels and all(re.search(r"[\u4e00-\u9fff]", label) for label in labels), (name, labels)
        assert english_in(" ".join(labels), table, ignore_case=True) == [], labels
        text = await page.inner_text("body")
        await page.screenshot(path=str(tmp_dir / f"admin-zh-{name}-add.png"), full_page=True)
        assert english_in(text, table) == [], f"{name} add form shows English names: {text}"
        for internal in ("Id Hash", "Id Cipher", "Phone Cipher", "身份证号散列", "身份证号密文", "手机号密文"):
            assert internal not in text


async def pick(page, nth: int, search: str) -> str:
    """Choose a row in a foreign-key picker by typing what a clerk knows."""
    await page.locator(".key_search input[type=text]").nth(nth).click()
    box = page.locator("input[type=search]")
    await box.fill(search)
    choice = page.locator(".results_list li a", has_text=search).first
    await choice.wait_for(timeout=20000)
    chosen = await choice.inner_text()
    await choice.click()
    return chosen


async def test_pay_entered_in_yuan_through_the_picker_reads_back_exactly_over_the_api(server, browser, tmp_dir):
    w = await world()
    page = await signed_in(server, browser)
    await fresh(page, f"{server}/admin/#/monthly_pay/add")
    await page.locator("h1", has_text="添加 月收入").wait_for(timeout=20000)
    chosen = await pick(page, 0, "张三")
    assert chosen == f"张三 {make_id(1)[:6]}********{make_id(1)[-4:]} · T-01 · 2023-01-01"
    await page.fill("input[name=month]", "2023-03")
    await page.fill("input[name=amount_fen]", "2800.00")
    await page.fill("input[name=days_worked]", "20")
    await page.screenshot(path=str(tmp_dir / "admin-zh-pay-form.png"), full_page=True)
    await page.locator("form button", has_text="创建").click()
    await page.get_by_text("已添加").first.wait_for(timeout=20000)
    stored = await MonthlyPay.select().first()
    assert stored["amount_fen"] == 280000 and stored["placement"] == w["placement"]["id"]
    token = await token_for("reader", "auditor")
    async with httpx.AsyncClient(base_url=server, headers=bearer(token)) as api:
        read = await api.get(f"/api/v1/pay/{stored['id']}")
    assert read.status_code == 200 and read.json()["amount"] == "2800.00"

    await fresh(page, f"{server}/admin/#/monthly_pay")
    row = page.locator("table tbody tr", has_text="2800.00").first
    await row.wait_for(timeout=20000)
    assert "张三" in await row.inner_text() and "T-01" in await row.inner_text()
    await page.screenshot(path=str(tmp_dir / "admin-zh-pay-list.png"), full_page=True)


async def test_pay_typed_in_fen_is_questioned_on_the_page_and_stored_once_confirmed(server, browser, tmp_dir):
    await world()
    page = await signed_in(server, browser)
    await fresh(page, f"{server}/admin/#/monthly_pay/add")
    await page.locator("h1", has_text="添加 月收入").wait_for(timeout=20000)
    await pick(page, 0, "张三")
    await page.fill("input[name=month]", "2023-03")
    await page.fill("input[name=amount_fen]", "280000")
    await page.fill("input[name=days_worked]", "20")
    await page.locator("form button", has_text="创建").click()
    reason = page.get_by_text("不像一个月的收入").first
    await reason.wait_for(timeout=20000)
    said = await reason.inner_text()
    assert "收入（元）" in said and "280,000.00" in said and "确认" in said
    await page.screenshot(path=str(tmp_dir / "admin-zh-pay-unusual.png"), full_page=True)
    assert await MonthlyPay.count() == 0
    await page.select_option("select[name=confirm_unusual]", "true")
    await page.locator("form button", has_text="创建").click()
    await page.get_by_text("已添加").first.wait_for(timeout=20000)
    assert (await MonthlyPay.select().first())["amount_fen"] == 28_000_000


async def test_an_operator_signing_in_reads_that_the_panel_is_for_admins(server, browser, tmp_dir):
    await world()
    await ensure_user("clerk", "operator-test-pw-1", "operator", ["T-01"])
    page = await browser.new_page(locale="zh-CN")
    await page.goto(server + "/admin/")
    await page.fill("input[name=username]", "clerk")
    await page.fill("input[name=password]", "operator-test-pw-1")
    await page.click("button[data-uitest=login_button]")
    notice = page.locator("#ledger-admins-only")
    await notice.wait_for(timeout=20000)
    assert await notice.inner_text() == ADMINS_ONLY_NOTICE
    assert "仅限管理员" in ADMINS_ONLY_NOTICE
    await page.locator("#message_popup", has_text="仅限管理员").wait_for(timeout=20000)
    await page.screenshot(path=str(tmp_dir / "admin-zh-operator-login.png"), full_page=True)
    assert "Problem logging in" not in await page.inner_text("body")
    assert "/login" in page.url  # still outside: no session was left open

    await page.fill("input[name=username]", "nobody")
    await page.fill("input[name=password]", "wrong-password-1")
    await page.click("button[data-uitest=login_button]")
    await notice.wait_for(state="detached", timeout=20000)  # a wrong password is not told it is a role
    await page.get_by_text("登录失败：用户名或密码不正确").first.wait_for(timeout=20000)
