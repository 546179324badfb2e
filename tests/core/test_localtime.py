"""Stored times are UTC; people read them in Beijing time."""

from datetime import UTC, datetime

from ledger.core.localtime import shown


def test_a_stored_utc_time_reads_eight_hours_later_in_beijing():
    assert shown("2024-01-15T18:05:00.123456+00:00") == "2024-01-16 02:05:00 北京时间"
    assert shown("2024-01-15T18:05:00+00:00", en=True) == "2024-01-16 02:05:00 Beijing time"


def test_a_time_without_an_offset_is_taken_as_utc_and_a_datetime_works_too():
    assert shown("2024-06-30T16:00:00") == "2024-07-01 00:00:00 北京时间"
    assert shown(datetime(2024, 6, 30, 16, tzinfo=UTC)) == "2024-07-01 00:00:00 北京时间"


def test_nothing_stays_nothing_and_a_value_that_is_no_time_is_shown_as_it_was():
    assert shown("") == "" and shown(None) == ""
    assert shown("x") == "x"
