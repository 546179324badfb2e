"""The admin panel's upload page in a real headless Chromium: a sheet chosen from disk shows its
problems on the page, a good one dry-runs and then applies, and the pay reads back through the API."""

from __future__ import annotations

import io

import httpx
import openpyxl
from dbfixtures import make_id, token_for, world, xlsx

from ledger.cli import ensure_user
from ledger.tables import MonthlyPay

HEADER = ["工坊编码", "身份证号", "姓名", "月份", "收入(元)", "出勤天数"]


async def signed_in_admin(server, browser):
    await ensure_user("admin", "browser-test-pw-1", "admin")
    page = await browser.new_page(locale="zh-CN", accept_downloads=True)
    await page.goto(server + "/admin/")
    await page.fill("input[name=username]", "admin")
    await page.fill("input[name=password]", "browser-test-pw-1")
    await page.click("button[data-uitest=login_button]")
    await page.wait_for_url("**/admin/#/**")
    return page


async def answered(page) -> str:
    """The page's answer to the last button, once the server has given it."""
    await page.locator("#status.ok, #status.bad").wait_for(timeout=60000)
    return await page.inner_text("#status")


async def test_an_admin_uploads_a_sheet_from_disk_reads_its_problems_then_dry_runs_and_applies_a_good_one(
        server, browser, tmp_dir):
    await world()
    number = make_id(1)
    bad = xlsx(tmp_dir / "三月收入-有错.xlsx", [HEADER, ["T-01", number, "张三", "2023-13", "两千", 20],
                                                  ["T-01", number, "张三", "2023-04", "2800", 45]])
    good = xlsx(tmp_dir / "三月收入.xlsx", [HEADER, ["T-01", number, "张三", "2023-03", "2,800.00", 20]])
    page = await signed_in_admin(server, browser)

    link = page.get_by_role("link", name="导入表格（从本机上传） Upload a sheet")
    assert await link.get_attribute("href") == "/admin/import/"
    await page.goto(server + "/admin/import/")
    assert "导入表格" in await page.title()
    assert await page.is_disabled("#dry-run")  # the page's script runs: no file chosen yet, nothing to check

    await page.set_input_files("#file", str(bad))
    await page.click("#dry-run")
    status = await answered(page)
    problems = page.locator("#problems tbody tr")
    assert await problems.count() == 3, status
    rows = [await r.locator("td").all_inner_texts() for r in await problems.all()]
    assert ["2", "D", "月份 month"] == rows[0][:3] and "月份" in rows[0][4] and rows[0][5].isascii()
    assert any(r[:3] == ["2", "E", "收入(元) amount"] and r[3] == "两千" for r in rows)
    assert any(r[:3] == ["3", "F", "出勤天数 days_worked"] for r in rows)
    assert all(r[4] and r[5] for r in rows)  # every problem in Chinese and in English
    assert "未写入任何数据" in status and "nothing was written" in status
    assert await page.is_disabled("#apply")
    content = await page.content()
    assert number not in content  # the page never shows a full ID number
    await page.screenshot(path=str(tmp_dir / "admin-upload-problems.png"), full_page=True)

    async with page.expect_download() as download_info:
        await page.click("#download")
    download = await download_info.value
    sheet = openpyxl.load_workbook(io.BytesIO((await download.path()).read_bytes())).active
    assert sheet["G1"].value == "错误 / errors" and "月份" in sheet["G2"].value and "出勤天数" in sheet["G3"].value

    await page.set_input_files("#file", str(good))
    assert await page.is_disabled("#apply")  # a new file needs its own dry run
    await page.click("#dry-run")
    await page.get_by_text("预演（未写入）").wait_for(timeout=30000)
    assert "+2800.00" in await page.inner_text("#figures") and not await page.is_visible("#problems")
    assert await MonthlyPay.count() == 0
    await page.screenshot(path=str(tmp_dir / "admin-upload-dry-run.png"), full_page=True)

    await page.click("#apply")
    await page.get_by_text("已新增 1 行").wait_for(timeout=30000)
    await page.screenshot(path=str(tmp_dir / "admin-upload-applied.png"), full_page=True)
    assert await page.is_disabled("#apply")  # applied once; the next needs a dry run again

    token = await token_for("reader", "auditor")
    async with httpx.AsyncClient(base_url=server, headers={"Authorization": f"Bearer {token}"}) as api:
        pay = (await api.get("/api/v1/pay/", params={"month": "2023-03"})).json()
    assert [(p["month"], p["amount"], p["days_worked"]) for p in pay["items"]] == [("2023-03", "2800.00", 20)]


async def test_the_upload_page_asks_a_visitor_without_a_session_to_sign_in(server, browser):
    page = await browser.new_page(locale="zh-CN")
    response = await page.goto(server + "/admin/import/")
    assert response.status == 401
    assert "请先登录管理后台" in await page.inner_text("body")
