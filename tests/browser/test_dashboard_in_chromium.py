"""The dashboard in a real headless Chromium: an auditor signs in on /workbench, sees the
charts drawn (inline SVG with linked points), no request leaves 127.0.0.1, and a click on
one point opens the rows behind it, ID numbers masked."""

from __future__ import annotations

from urllib.parse import urlparse

from signal_ledgers import PLANTS, clean_ledger, load

from ledger.cli import ensure_user


async def test_an_auditor_opens_the_dashboard_sees_the_charts_and_follows_a_point_to_its_rows(server, browser,
                                                                                               tmp_dir):
    await load(PLANTS["heaping"][0](clean_ledger(1, workers=12, months=["2023-03", "2023-04", "2023-05"],
                                                 workshops=["W-1", "W-2", "W-3"])))
    await ensure_user("auditor", "browser-audit-pw-1", "auditor")
    page = await browser.new_page(locale="zh-CN")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    await page.goto(server + "/workbench")
    await page.fill("input[name=username]", "auditor")
    await page.fill("input[name=password]", "browser-audit-pw-1")
    await page.fill("input[name=period]", "2023-03..2023-05")
    await page.click("button[type=submit]")
    await page.wait_for_url("**/api/v1/dashboard**", timeout=60000)
    await page.locator("#chart-signals svg").wait_for(timeout=60000)

    assert await page.locator("section.chart svg").count() == 5
    for chart in ("total", "head", "trend", "share", "signals"):
        box = await page.locator(f"#chart-{chart} svg").bounding_box()
        assert box and box["width"] > 300 and box["height"] > 150, chart  # drawn, not an empty tag
    points = page.locator("#chart-total svg a")
    assert await points.count() == 9  # 3 workshops × 3 months, each point a link
    assert await page.locator("#chart-signals svg a").count() >= 1  # the planted heaping at W-3
    await page.screenshot(path=str(tmp_dir / "dashboard.png"), full_page=True)

    target = await points.first.get_attribute("xlink:href") or await points.first.get_attribute("href")
    assert target and "scope=workshop%3AW-1" in target and "period=2023-03" in target
    await points.first.click()
    await page.wait_for_url("**/api/v1/dashboard/rows**", timeout=60000)
    rows = page.locator("#rows tr.row")
    await rows.first.wait_for(timeout=60000)
    assert await rows.count() == 12
    content = await page.content()
    assert "********" in content and "2023-03" in content
    await page.screenshot(path=str(tmp_dir / "dashboard-rows.png"), full_page=True)

    hosts = {urlparse(url).hostname for url in requested if not url.startswith(("data:", "about:"))}
    assert hosts == {"127.0.0.1"}, requested
