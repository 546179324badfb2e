"""A month and a span of days: whether they share a day."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ledger.core.rules import month_bounds, months_overlap

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31))
months = st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(1990, 2040), st.integers(1, 12))


def test_a_placement_that_starts_or_ends_on_any_day_of_a_month_overlaps_it():
    assert months_overlap("2023-03", date(2023, 3, 31), None)
    assert months_overlap("2023-03", date(2022, 1, 1), date(2023, 3, 1))
    assert not months_overlap("2023-03", date(2023, 4, 1), None)
    assert not months_overlap("2023-03", date(2022, 1, 1), date(2023, 2, 28))


@given(months, days, st.one_of(st.none(), st.integers(0, 3000)))
def test_a_month_overlaps_a_span_exactly_when_they_share_a_day(month, start, length):
    end = None if length is None else start + timedelta(days=length)
    first, last = month_bounds(month)
    shared = start <= last and (end is None or end >= first)
    assert months_overlap(month, start, end) == shared
