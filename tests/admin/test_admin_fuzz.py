"""Whatever the panel's JSON API is sent, the answer is never a 500, and a refusal changes
nothing. The API has schemathesis; the panel's Piccolo endpoints have no usable schema behind
the mount, so this draws bodies and filters over each table's own columns: huge and negative
integers, floats, long and control-character strings, nulls, lists, objects."""

from __future__ import annotations

import os

from dbfixtures import world
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.tables import JOURNALED_TABLES, LEDGER_TABLES, AuditEntry, Enterprise

TABLES = LEDGER_TABLES  # every business table the panel edits

values = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**80), max_value=2**80), st.integers(min_value=0, max_value=5),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20), st.text(min_size=300, max_size=400),
    st.sampled_from(["2023-01", "2023-01-15", "330784", "低保", "计件", "来料加工式", "county", "授牌", "1e999",
                     "2800.00", "-1", "9" * 30, "\x00", "T-01"]),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


def body_for(table) -> st.SearchStrategy[dict]:
    names = [c._meta.name for c in table._meta.columns] + ["no_such_column"]
    return st.dictionaries(st.sampled_from(names), values, max_size=6)


async def tables_now() -> list:
    return [await t.count() for t in JOURNALED_TABLES] + [await AuditEntry.count()]


@settings(max_examples=int(os.environ.get("LEDGER_FUZZ_EXAMPLES", "40")), deadline=None, suppress_health_check=list(HealthCheck))
@given(table=st.sampled_from(TABLES), data=st.data(), row_id=st.sampled_from([1, 2, 0, -1, 2**31, 2**70]))
async def test_no_panel_request_is_answered_with_a_500(admin, table, data, row_id):
    if not await Enterprise.count():  # the fixture is made once for all the examples
        await world()
    name = table._meta.tablename
    body = data.draw(body_for(table))
    filters = {k: str(v) for k, v in data.draw(body_for(table)).items()}
    before = await tables_now()
    answers = [await admin.post(name, body), await admin.patch(name, row_id, body), await admin.get(name, **filters),
               await admin.client.get(f"/admin/api/tables/{name}/{row_id}/")]
    for response in answers:
        assert response.status_code < 500, (response.request.method, response.request.url, body, response.text[:300])
    refused = [r for r in answers[:2] if r.status_code >= 400]
    if len(refused) == 2:
        assert await tables_now() == before, (body, [r.text[:200] for r in refused])
