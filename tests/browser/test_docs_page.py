"""The API docs page in a real headless Chromium: Swagger UI renders the OpenAPI 3.1
document, lists the operations, shows no error box, and loads nothing from outside."""

from __future__ import annotations

from urllib.parse import urlsplit


async def test_the_docs_page_lists_the_operations_and_asks_nothing_of_any_other_host(server, browser, tmp_dir):
    page = await browser.new_page(locale="zh-CN")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    await page.goto(server + "/docs/swagger")
    await page.locator(".opblock-summary-path").first.wait_for(timeout=30000)
    await page.wait_for_load_state("networkidle")
    paths = await page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/pay/batch" in [p.replace("\u200b", "") for p in paths]
    assert len(paths) > 30
    assert await page.locator(".errors-wrapper, .version-pragma, .loading-container .loading").count() == 0
    body = await page.inner_text("body")
    assert "does not specify a valid version field" not in body and "共富工坊台账 Ledger API" in body
    await page.screenshot(path=str(tmp_dir / "docs-swagger.png"), full_page=False)
    assert requested and all(urlsplit(url).hostname == "127.0.0.1" for url in requested), requested
    assert any(url.endswith("favicon-32x32.png") for url in requested)


async def test_an_error_response_in_the_docs_shows_the_ledgers_problem_list(server, browser, tmp_dir):
    page = await browser.new_page(locale="zh-CN")
    await page.goto(server + "/docs/swagger#/")
    await page.locator(".opblock-summary-path").first.wait_for(timeout=30000)
    operation = page.locator(".opblock-post", has=page.locator(".opblock-summary-path", has_text="/api/v1/pay/batch"))
    await operation.locator(".opblock-summary").first.click()
    responses = operation.locator(".responses-table .response")
    await responses.first.wait_for(timeout=20000)
    codes = [c.strip() for c in await operation.locator(".responses-table .response-col_status").all_inner_texts()]
    assert {"400", "401", "403", "409", "422"} <= set(codes)
    text = await operation.locator(".responses-table").inner_text()
    assert '"problems"' in text and '"zh"' in text and '"en"' in text and '"status_code"' not in text
    await operation.locator('.responses-table tr.response[data-code="422"]').screenshot(
        path=str(tmp_dir / "docs-error-shape.png"))
