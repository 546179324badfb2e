"""The rows behind ``workshops_certified`` are the workshops the figure counts, not the open ones.

A worked example with one workshop per way of (not) being certified on the period's last day —
open but never certified, expired before it, withdrawn (摘牌) before it, awarded after it, still
创建中, certified at two levels, valid until exactly that day, withdrawn only after it, and one
certified in another region — read at several period ends: the drill-down's rows are exactly the
expected workshops, as many as the figure, per level too, each with the certifications in force.
"""

from __future__ import annotations

import pytest
from certified_ledger import EXPECTED, SHOPS, D, certified_ledger

from ledger.core.metrics import Period, Scope
from ledger.errors import ValidationFailed
from ledger.services import drilldown, figures


async def walk(scope: Scope, period: Period, level: str | None, page_size: int) -> list[dict]:
    out, after = [], None
    while True:
        found = await drilldown.rows_behind(scope, period, "workshops_certified", None, page_size, after, level)
        assert found.first_row == len(out)
        out += found.items
        if found.next is None:
            assert found.total == len(out)
            return out
        after = found.next


@pytest.mark.parametrize("scope_text", ["all", "region:330784"])
async def test_the_rows_behind_workshops_certified_are_the_workshops_certified_on_the_last_day(db, scope_text):
    await certified_ledger()
    scope = Scope.parse(scope_text)
    for period_text, expected in EXPECTED.items():
        period = Period.parse(period_text)
        if scope_text != "all":
            expected = {code: levels for code, levels in expected.items() if SHOPS[code][0].startswith(scope.value)}
        figure_set = await figures.compute(scope, period, with_growth=False)
        for figure in ("workshops_certified", "workshops_certified_low_income"):
            found = await drilldown.rows_behind(scope, period, figure, None, 100)
            assert [r["code"] for r in found.items] == sorted(expected), (period_text, figure)
            assert found.total == len(found.items) == figure_set[figure] == len(expected), period_text
            # each row lists exactly the certifications in force on the last day, nothing else
            for row in found.items:
                assert {c["level"] for c in row["certifications"]} == expected[row["code"]], (period_text, row)
                assert row["name"] == f"工坊{row['code']}" and row["region_code"] == SHOPS[row["code"]][0]
                for cert in row["certifications"]:
                    assert cert["status"] != "创建中"
                    assert D(cert["awarded_on"]) <= period.last_day
                    assert cert["valid_until"] is None or D(cert["valid_until"]) >= period.last_day
        # per level: as many rows as the figure's count of that level, the right workshops
        by_level = dict(figure_set.certified_by_level)
        for level in ("county", "city", "province"):
            wanted = sorted(code for code, levels in expected.items() if level in levels)
            found = await drilldown.rows_behind(scope, period, "workshops_certified", None, 100, None, level)
            assert [r["code"] for r in found.items] == wanted, (period_text, level)
            assert found.total == by_level.get(level, 0) == len(wanted), (period_text, level)
            assert all({c["level"] for c in r["certifications"]} == {level} for r in found.items)
        # the open workshops are another figure's rows: the never-certified one is among them
        opened = await drilldown.rows_behind(scope, period, "workshops", None, 100)
        assert "A-never" in [r["code"] for r in opened.items]
        assert len(opened.items) == figure_set["workshops"]


async def test_certified_workshops_page_by_cursor_and_by_page_number_to_the_same_rows(db):
    await certified_ledger()
    scope, period = Scope.parse("all"), Period.parse("2023-06")
    everything = (await drilldown.rows_behind(scope, period, "workshops_certified", None, 100)).items
    assert len(everything) == 6
    for size in (1, 2, 4):
        assert await walk(scope, period, None, size) == everything
        by_number = []
        for page in range(1, len(everything) // size + 2):
            found = await drilldown.rows_behind(scope, period, "workshops_certified", page, size)
            assert found.total == len(everything)
            by_number += found.items
        assert by_number == everything
    city = [r["code"] for r in await walk(scope, period, "city", 1)]
    assert city == ["B-expired", "F-until-last-day", "G-withdrawn-after"]


async def test_a_level_is_checked_and_binds_the_cursor(db):
    await certified_ledger()
    scope, period = Scope.parse("all"), Period.parse("2023")
    with pytest.raises(ValidationFailed) as caught:
        await drilldown.rows_behind(scope, period, "workshops_certified", None, 10, None, "town")
    assert [p.field for p in caught.value.problems] == ["level"]
    with pytest.raises(ValidationFailed) as caught:
        await drilldown.rows_behind(scope, period, "total_pay", None, 10, None, "city")
    assert [p.field for p in caught.value.problems] == ["level"]
    first = await drilldown.rows_behind(scope, period, "workshops_certified", None, 1, None, "city")
    assert first.next is not None
    for level in (None, "county"):
        with pytest.raises(ValidationFailed) as caught:
            await drilldown.rows_behind(scope, period, "workshops_certified", None, 1, first.next, level)
        assert [p.field for p in caught.value.problems] == ["after"]
    with pytest.raises(ValidationFailed) as caught:  # nor is a certified cursor one of the open workshops
        await drilldown.rows_behind(scope, period, "workshops", None, 1, first.next)
    assert [p.field for p in caught.value.problems] == ["after"]
