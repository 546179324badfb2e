"""The admin panel in a real headless Chromium: log in, open the workers list, see only
masked ID numbers."""

from __future__ import annotations

from dbfixtures import make_id, world

from ledger.cli import ensure_user


async def test_an_admin_logs_in_and_sees_workers_with_masked_ids(server, browser, tmp_dir):
    await world()
    number = make_id(1)
    await ensure_user("admin", "browser-test-pw-1", "admin")
    page = await browser.new_page(locale="zh-CN")
    await page.goto(server + "/admin/")
    await page.fill("input[name=username]", "admin")
    await page.fill("input[name=password]", "browser-test-pw-1")
    await page.click("button[data-uitest=login_button]")
    await page.goto(server + "/admin/#/worker")
    masked = number[:6] + "********" + number[-4:]
    await page.get_by_text(masked).first.wait_for(timeout=20000)
    content = await page.content()
    assert masked in content and number not in content
    assert "张三" in content
    await page.screenshot(path=str(tmp_dir / "admin-workers.png"), full_page=True)
