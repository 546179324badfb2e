"""The rows behind a figure in a real headless Chromium, read as a county clerk would: an
auditor opens the readable page of a year's pay rows, reads where she is (rows 1–40 of 90),
and clicks 下一页 until there is none, seeing every (worker, month) once, in month order,
ID numbers masked. The next-page link carries the cursor, not a page number."""

from __future__ import annotations

from datetime import date

from dbfixtures import valid_credit_code

from ledger.cli import ensure_user
from ledger.tables import Enterprise, MonthlyPay, Placement, Worker, Workshop

MONTHS = ["2023-01", "2023-02", "2023-03"]


async def _ledger() -> None:
    e = Enterprise(name="永康某企业", credit_code=valid_credit_code(), region_code="330784")
    await e.save()
    w = Workshop(code="YK-01", name="顺虎共富工坊", enterprise=e.id, workshop_type="来料加工式", village="芝英",
                 region_code="330784", opened_on=date(2021, 1, 1))
    await w.save()
    for k in range(30):
        worker = Worker(name=f"务工人员{k:02d}", id_number=f"330784********{k:04d}", id_hash=f"h{k}", id_cipher="c",
                        village="芝英", baseline_income_fen=150_000 if k % 3 == 0 else None)
        await worker.save()
        placement = Placement(worker=worker.id, workshop=w.id, hired_on=date(2023, 1, 1), pay_basis="计件")
        await placement.save()
        for month in MONTHS:
            await MonthlyPay(placement=placement.id, month=month, amount_fen=280_000 + 1_234 * k,
                             days_worked=20).save()


async def test_a_clerk_pages_through_a_figures_rows_by_the_next_link_to_the_end(server, browser, tmp_dir):
    await _ledger()
    await ensure_user("clerk", "browser-test-pw-1", "auditor")
    context = await browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    login = await context.request.post(server + "/api/v1/auth/login",
                                       data={"username": "clerk", "password": "browser-test-pw-1"})
    assert login.status == 200
    page = await context.new_page()
    response = await page.goto(server + "/api/v1/figures/rows?scope=region:330784&period=2023&metric=total_pay"
                                        "&page_size=40&format=html")
    assert response is not None and response.status == 200
    assert (await page.locator("h1").inner_text()).startswith("明细：合计增收")
    seen: list[tuple[str, str]] = []
    shown = []
    while True:
        shown.append(await page.locator("p").first.inner_text())
        for row in await page.locator("table tr").all():
            cells = await row.locator("td").all_inner_texts()
            if cells:
                seen.append((cells[3], cells[0]))  # (month, worker)
                assert "********" in cells[2]  # the ID number, masked
        if len(shown) == 2:
            await page.screenshot(path=str(tmp_dir / "drilldown-page-2.png"), full_page=True)
        following = page.locator("a[rel=next]").first
        if not await following.count():
            break
        assert "after=" in (await following.get_attribute("href") or "")
        await following.click()
        await page.wait_for_load_state()
    assert len(shown) == 3
    assert "共 90 条，第 1–40 条（第 1/3 页）" in shown[0] and "rows 1–40 of 90" in shown[0]
    assert "第 41–80 条（第 2/3 页）" in shown[1] and "第 81–90 条（第 3/3 页）" in shown[2]
    assert len(seen) == 90 and len(set(seen)) == 90
    assert seen == sorted(seen, key=lambda r: (r[0], int(r[1])))
    assert await page.locator("a[rel=first]").count() == 2  # back to the start, above and below the table
    await context.close()
