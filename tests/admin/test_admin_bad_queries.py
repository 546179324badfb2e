"""Malformed panel requests are the caller's mistake: 4xx, never a 500. Found by probing the
panel's JSON API after CI's fuzz failure: Piccolo's CRUD let out an unknown sort column
(ValueError), an id past the database's integers and a filter longer than its column
(DataError on PostgreSQL, OverflowError on SQLite)."""

from __future__ import annotations

import pytest
from dbfixtures import world

from ledger.tables import AuditEntry

HUGE = 2**70
TABLES = ["enterprise", "workshop", "worker", "placement", "monthly_pay", "claim_figure", "month_lock"]


@pytest.mark.parametrize("table", TABLES)
async def test_a_malformed_filter_or_sort_is_a_4xx_not_a_500(admin, table):
    await world()
    for params in ({"id": HUGE}, {"__order": "no_such_column"}, {"id": "abc"}, {"month": "x" * 1000}):
        response = await admin.get(table, **params)
        assert 400 <= response.status_code < 500, (params, response.status_code, response.text[:200])
    assert (await admin.get(table, __page=10**12)).json()["rows"] == []  # far past the end: an empty page
    assert (await admin.get(table, __order="-id")).status_code == 200


@pytest.mark.parametrize("table", TABLES)
async def test_a_row_id_past_any_integer_is_a_4xx_and_changes_nothing(admin, table):
    await world()
    journal = await AuditEntry.count()
    url = f"/admin/api/tables/{table}/{HUGE}/"
    for response in (await admin.client.get(url), await admin.patch(table, HUGE, {"name": "x"}),
                     await admin.client.delete(url, headers=admin._headers())):
        assert 400 <= response.status_code < 500, (response.request.method, response.status_code, response.text[:200])
    assert await AuditEntry.count() == journal
