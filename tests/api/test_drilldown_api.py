"""The drill-down over HTTP: a client follows ``next`` as ``after`` to the last page, the
readable page links its next page by cursor, and a cursor that is not one the server gave
is a 4xx naming ``after`` in Chinese and English, never a 500."""

from __future__ import annotations

import base64
import html
import json
import re
from datetime import date

from certified_ledger import EXPECTED, certified_ledger
from dbfixtures import valid_credit_code

from ledger.tables import Enterprise, MonthlyPay, Placement, Worker, Workshop

URL = "/api/v1/figures/rows"


async def ledger_of(workers: int, months: list[str]) -> dict:
    """Every worker paid every month at one of two workshops; worker 0 at both (one row, both pays)."""
    e = Enterprise(name="E", credit_code=valid_credit_code(), region_code="330784")
    await e.save()
    shops = []
    for code in ("W-1", "W-2"):
        w = Workshop(code=code, name=f"工坊{code}", enterprise=e.id, workshop_type="来料加工式", village="v",
                     region_code="330784", opened_on=date(2021, 1, 1))
        await w.save()
        shops.append(w.id)
    for k in range(workers):
        worker = Worker(name=f"人{k}", id_number=f"330784********{k:04d}", id_hash=f"h{k}", id_cipher="c", village="v")
        await worker.save()
        for shop in (shops if k == 0 else [shops[k % 2]]):
            placement = Placement(worker=worker.id, workshop=shop, hired_on=date(2023, 1, 1), pay_basis="计件")
            await placement.save()
            for month in months:
                await MonthlyPay(placement=placement.id, month=month, amount_fen=100_000 + k, days_worked=1).save()
    return {"scope": "region:330784", "period": "2023"}


async def test_following_next_to_the_end_gives_every_row_once_in_order(client):
    query = await ledger_of(7, ["2023-01", "2023-02", "2023-03"])
    everything = (await client.get(URL, params={**query, "metric": "total_pay", "page_size": 500})).json()
    assert everything["total"] == 21 and len(everything["items"]) == 21 and everything["next"] is None
    assert everything["items"][0]["pay"] == "2000.00"  # worker 0's two workshops, one row
    walked, after, pages = [], None, 0
    while True:
        params = {**query, "metric": "total_pay", "page_size": 4} | ({"after": after} if after else {})
        answer = await client.get(URL, params=params)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        pages += 1
        assert (body["page"], body["first_row"], body["total"]) == (pages, len(walked) + 1, 21)
        walked += body["items"]
        after = body["next"]
        if after is None:
            break
        assert re.fullmatch(r"[A-Za-z0-9_-]+", after)  # URL-safe as it is
    assert pages == 6 and walked == everything["items"]
    by_page = (await client.get(URL, params={**query, "metric": "total_pay", "page_size": 4, "page": 6})).json()
    assert by_page["items"] == walked[20:] and by_page["next"] is None


def _forged(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


async def test_a_cursor_the_server_did_not_give_is_refused_naming_after(client):
    query = await ledger_of(3, ["2023-01"])
    first = (await client.get(URL, params={**query, "metric": "total_pay", "page_size": 1})).json()
    for bad in ("x", "%%%", "a" * 500, "😀", _forged({"d": "0", "k": [], "p": 1, "t": 1}), first["next"] + "AA",
                _forged(json.loads(base64.urlsafe_b64decode(first["next"] + "==")) | {"p": -5})):
        answer = await client.get(URL, params={**query, "metric": "total_pay", "page_size": 1, "after": bad})
        assert answer.status_code in (400, 422), (bad, answer.status_code, answer.text)
        problems = answer.json()["problems"]
        assert [p["field"] for p in problems] == ["after"], (bad, problems)
        assert re.search(r"[\u4e00-\u9fff]", problems[0]["zh"]) and problems[0]["en"].isascii()
    # another figure's cursor, and a page number beside a cursor
    other = await client.get(URL, params={**query, "metric": "person_months", "page_size": 1, "after": first["next"]})
    assert other.status_code == 422 and other.json()["problems"][0]["field"] == "after"
    both = await client.get(URL, params={**query, "metric": "total_pay", "page_size": 1, "page": 2,
                                         "after": first["next"]})
    assert both.status_code == 422 and both.json()["problems"][0]["field"] == "page"
    deep = await client.get(URL, params={**query, "metric": "total_pay", "page_size": 100, "page": 5000})
    assert deep.status_code == 422 and deep.json()["problems"][0]["code"] == "page_too_deep"


async def test_the_readable_page_links_its_next_page_by_cursor_and_the_last_has_none(client):
    query = await ledger_of(5, ["2023-01"])
    params = {**query, "metric": "workers_employed", "page_size": 4, "format": "html"}
    first = await client.get(URL, params=params)
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/html")
    assert "共 6 条，第 1–4 条（第 1/2 页）" in first.text and "330784********0002" in first.text
    [next_link] = set(re.findall(r"<a href='([^']+)' rel='next'>", first.text))  # above and below the table
    next_link = html.unescape(next_link)
    assert "after=" in next_link and "format=html" in next_link and "page=" not in next_link.replace("page_size", "")
    second = await client.get(next_link)
    assert "第 5–6 条（第 2/2 页）" in second.text and "rel='next'" not in second.text and "rel='first'" in second.text


async def test_the_workbench_rows_page_the_same_way(client):
    query = await ledger_of(3, ["2023-01"])
    page = await client.get("/api/v1/dashboard/rows", params={**query, "metric": "workshops"})
    assert page.status_code == 200 and page.text.count("<tr class='row'>") == 2 and "rel=\"next\"" not in page.text
    bad = await client.get("/api/v1/dashboard/rows", params={**query, "metric": "workshops", "after": "zz"})
    assert bad.status_code == 422 and bad.json()["problems"][0]["field"] == "after"


async def test_the_openapi_document_describes_both_ways_of_paging(client):
    operation = (await client.get("/docs/openapi.json")).json()["paths"][URL]["get"]
    assert " / " in operation["summary"] and "after" in operation["description"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert {"page", "page_size", "after", "level"} <= set(parameters)
    for name in ("page", "after", "level"):
        assert " / " in parameters[name]["description"] and not parameters[name].get("required")
    rows = (await client.get("/docs/openapi.json")).json()["components"]["schemas"]["RowsOut"]
    assert {"next", "first_row", "total"} <= set(rows["properties"])


async def test_the_workbench_rows_of_more_than_one_page_link_numbers_and_the_next_page_by_cursor(client):
    """A figure with more rows than a workbench page (500): the page numbers and a 下一页 link
    (the numbers' links once named the path parameter ``page`` twice: a 500 on any such figure)."""
    query = await ledger_of(260, ["2023-01", "2023-02"])
    first = await client.get("/api/v1/dashboard/rows", params={**query, "metric": "total_pay"})
    assert first.status_code == 200, first.text
    assert first.text.count("<tr class='row'>") == 500 and "<b>1</b>" in first.text
    assert "page=2" in first.text
    [after] = re.findall(r'rel="next" href="[^"]*after=([A-Za-z0-9_-]+)"', first.text)
    second = await client.get("/api/v1/dashboard/rows", params={**query, "metric": "total_pay", "after": after})
    assert second.status_code == 200 and second.text.count("<tr class='row'>") == 20
    assert "<b>2</b>" in second.text and 'rel="next"' not in second.text


async def test_workshops_certified_drills_down_to_the_certified_workshops_per_level_as_json_and_html(client):
    await certified_ledger()
    query = {"scope": "region:330784", "period": "2023"}
    expected = sorted(code for code in EXPECTED["2023"] if code != "X-elsewhere")
    figures = (await client.get("/api/v1/figures/", params=query)).json()
    certified = next(f for f in figures["figures"] if f["metric"] == "workshops_certified")
    body = (await client.get(URL, params={**query, "metric": "workshops_certified"})).json()
    assert [r["code"] for r in body["items"]] == expected and body["total"] == int(certified["value"]) == 3
    two = next(r for r in body["items"] if r["code"] == "E-two-levels")
    assert [(c["title"], c["level"], c["awarded_on"], c["valid_until"], c["status"]) for c in two["certifications"]] \
        == [("三星级共富工坊", "county", "2021-05-01", None, "复核"), ("省级示范点", "province", "2022-09-01", "2025-08-31", "授牌")]
    for level, count in figures["workshops_certified_by_level"].items():
        walked, after = [], None
        while True:  # one row a page, by cursor, to the end
            page = (await client.get(URL, params={**query, "metric": "workshops_certified", "level": level,
                                                  "page_size": 1} | ({"after": after} if after else {}))).json()
            walked += page["items"]
            assert page["total"] == count
            if (after := page["next"]) is None:
                break
        assert len(walked) == count and all(c["level"] == level for r in walked for c in r["certifications"])
    readable = await client.get(URL, params={**query, "metric": "workshops_certified", "level": "city",
                                             "format": "html", "page_size": 1})
    assert readable.status_code == 200 and "认定工坊数" in readable.text and "期末日有效的认定" in readable.text
    assert "工坊名称" in readable.text and "姓名" not in readable.text  # a workshop's name, not a person's
    assert "明细：认定工坊数（市级）" in readable.text  # the level the rows were kept to
    assert "市级示范共富工坊（市级）2021-01-01 授牌，有效至 2023-12-31，状态：授牌" in readable.text
    [next_link] = set(re.findall(r"<a href='([^']+)' rel='next'>", readable.text))
    assert "level=city" in html.unescape(next_link)
    bad = await client.get(URL, params={**query, "metric": "workers_employed", "level": "village"})
    assert bad.status_code == 422 and [p["field"] for p in bad.json()["problems"]] == ["level"]
    workbench = await client.get("/api/v1/dashboard/rows", params={**query, "metric": "workshops_certified"})
    assert workbench.status_code == 200 and workbench.text.count("<tr class='row'>") == 3
    assert "省级示范点（省级）2022-09-01 授牌，有效至 2025-08-31，状态：授牌" in workbench.text
