"""The admin panel in a real headless Chromium: log in, open the workers list, see only
masked ID numbers."""

from __future__ import annotations

from dbfixtures import make_id, world

from ledger.cli import ensure_user


async def signed_in_admin(server, browser):
    await ensure_user("admin", "browser-test-pw-1", "admin")
    page = await browser.new_page(locale="zh-CN")
    await page.goto(server + "/admin/")
    await page.fill("input[name=username]", "admin")
    await page.fill("input[name=password]", "browser-test-pw-1")
    await page.click("button[data-uitest=login_button]")
    return page


async def test_an_admin_logs_in_and_sees_workers_with_masked_ids(server, browser, tmp_dir):
    await world()
    number = make_id(1)
    page = await signed_in_admin(server, browser)
    await page.goto(server + "/admin/#/worker")
    masked = number[:6] + "********" + number[-4:]
    await page.get_by_text(masked).first.wait_for(timeout=20000)
    content = await page.content()
    assert masked in content and number not in content
    assert "张三" in content
    await page.screenshot(path=str(tmp_dir / "admin-workers.png"), full_page=True)


async def test_an_admin_editing_a_signed_off_months_pay_is_told_which_lock_refuses_it(server, browser, tmp_dir):
    from dbfixtures import actor

    from ledger.services import employment, locks
    from ledger.tables import MonthlyPay

    w = await world()
    pay = await employment.create_pay({"placement": w["placement"]["id"], "month": "2023-03", "amount": "2800.00",
                                       "days_worked": 20})
    with actor("auditor", username="审核员甲"):
        lock = await locks.sign_off("2023-03")
    page = await signed_in_admin(server, browser)
    await page.wait_for_url("**/admin/#/**")
    await page.goto(server + f"/admin/#/monthly_pay/{pay['id']}")
    await page.fill("input[name=amount_fen]", "100")
    await page.click("button[data-uitest=save_button]")
    message = page.get_by_text(f"锁定 #{lock['id']}").first
    await message.wait_for(timeout=20000)
    shown = await message.inner_text()
    assert "审核员甲" in shown and "lock #" in shown and '"problems"' not in shown  # a sentence, not raw JSON
    await page.screenshot(path=str(tmp_dir / "admin-locked-month.png"), full_page=True)
    assert (await MonthlyPay.select().first())["amount_fen"] == 280000
