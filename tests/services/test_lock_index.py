"""``LockIndex.changed`` answers by bisection for records made or removed (a hires import asks
it once a row); it must answer exactly what checking every lock would."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ledger.services.locks import LockIndex, covers

months = st.builds(lambda y, m: f"{y}-{m:02d}", st.integers(2021, 2024), st.integers(1, 12))
spans = st.none() | st.tuples(months, months | st.none()).map(lambda s: (min(s[0], s[1] or s[0]), s[1] and max(s)))
locks = st.lists(st.tuples(months, st.sampled_from([None, 1, 2])), max_size=12)


@given(locks=locks, before=spans, after=spans, workshop=st.sampled_from([1, 2]))
def test_the_lock_a_change_crosses_is_found_exactly_when_checking_every_lock_finds_one(locks, before, after, workshop):
    rows = [{"id": i, "month": month, "workshop": w} for i, (month, w) in enumerate(locks)]
    brute = [r for r in rows if r["workshop"] in (None, workshop)
             and covers(before, r["month"]) != covers(after, r["month"])]
    found = LockIndex(rows).changed(workshop, before, after)
    if brute:
        assert found is not None and found in brute
    else:
        assert found is None
