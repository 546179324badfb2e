"""The reconciliation report in a real headless Chromium, read as a county clerk would: an auditor
signed in opens the HTML report of a claim whose annual total is written one digit short, reads
the slip in Chinese with the likely figure, and follows every drill-down link to a page of rows."""

from __future__ import annotations

from dbfixtures import world

from ledger.cli import ensure_user

# one worker paid 3000元 each month of 2023: a year is 3.6万元; the claim writes 3600元
CLAIM = "建成共富工坊1家，吸纳就业1人，人均月增收3000元，合计年增收3600元。"


async def test_an_auditor_reads_the_report_in_chinese_and_every_drill_down_opens(server, browser, tmp_dir):
    from ledger.services import claims, employment

    w = await world()
    await employment.create_pay_batch("2023-01", [{"placement": w["placement"]["id"], "amount": "3000.00",
                                                   "days_worked": 20}])
    for month in range(2, 13):
        await employment.create_pay_batch(f"2023-{month:02d}", [
            {"placement": w["placement"]["id"], "amount": "3000.00", "days_worked": 20}])
    claim = await claims.create_claim({"title": "县报", "quote": CLAIM, "scope": "workshop:T-01", "period": "2023"})
    await ensure_user("clerk", "browser-test-pw-1", "auditor")

    context = await browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    login = await context.request.post(server + "/api/v1/auth/login",
                                       data={"username": "clerk", "password": "browser-test-pw-1"})
    assert login.status == 200
    page = await context.new_page()
    response = await page.goto(server + f"/api/v1/claims/{claim['id']}/reconciliation?format=html")
    assert response is not None and response.status == 200
    summary = await page.locator("p.summary").inner_text()
    assert "公布的数彼此不相容" in summary and "疑为少写一位（数量级错误，应为3.6万元）" in summary
    table = await page.locator("table").first.inner_text()
    assert "合计年增收" in table and "3600元" in table and "3.6万元" in table and "不符" in table
    assert "total_pay" not in table and "about" not in table.split("\n")[0]  # words, not code names
    await page.screenshot(path=str(tmp_dir / "report.png"), full_page=True)

    links = await page.eval_on_selector_all("a", "anchors => anchors.map(a => a.href)")
    assert len(links) == 4 + 24
    for link in links:
        opened = await page.goto(link)
        assert opened is not None and opened.status == 200, link
        assert (await page.locator("h1").inner_text()).startswith("明细：")
    await page.goto(next(link for link in links if "metric=total_pay&" in link))
    rows = await page.locator("table").inner_text()
    assert "张三" in rows and "3,000.00" in rows and "330784********" in rows
    await page.screenshot(path=str(tmp_dir / "report-rows.png"), full_page=True)
    await context.close()
