"""The signals' definitions as worked examples: each planted anomaly is found, a clean
ledger raises none, and the statistics behave as their definitions say."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from signal_ledgers import MONTHS, PLANTS, clean_ledger

from ledger.core.signals import SignalKind, Spread, Thresholds, detect, first_digit, is_round


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_clean_generated_ledger_raises_no_signal(seed):
    assert detect(clean_ledger(seed), MONTHS) == []


@pytest.mark.parametrize("kind", list(PLANTS))
def test_each_planted_anomaly_is_found_where_it_was_planted(kind):
    plant, workshop, month = PLANTS[kind]
    rows = plant(clean_ledger(1))
    found = [s for s in detect(rows, MONTHS) if s.kind == kind]
    expected = {(workshop, month)} | ({("W-1", "2023-05")} if kind == "multiple_workshops" else set())
    assert {(s.workshop, s.month) for s in found} == expected, found
    signal = found[0]
    assert signal.rows, "a signal drills down to its rows"
    assert set(signal.rows) <= {r.pay_id for r in rows}
    assert signal.explanation_zh and signal.explanation_en


def test_the_outlier_signal_points_at_the_one_record_and_its_workshop_month():
    rows = PLANTS["pay_outlier"][0](clean_ledger(1))
    outliers = [s for s in detect(rows, MONTHS) if s.kind == SignalKind.pay_outlier]
    [record] = [r for r in rows if r.amount_fen == 1_500_000]
    by_record, by_workshop_month = sorted(outliers, key=lambda s: len(s.rows))
    assert by_record.rows == (record.pay_id,)
    assert by_record.score > 3.5 and by_record.threshold == 3.5
    assert record.pay_id in by_workshop_month.rows and len(by_workshop_month.rows) == 30


def test_a_person_paid_at_two_workshops_is_a_signal_at_both():
    rows = PLANTS["multiple_workshops"][0](clean_ledger(1))
    found = {(s.workshop, s.month) for s in detect(rows, MONTHS) if s.kind == SignalKind.multiple_workshops}
    assert found == {("W-1", "2023-05"), ("W-4", "2023-05")}


def test_a_county_threshold_can_silence_or_sharpen_a_signal():
    rows = PLANTS["heaping"][0](clean_ledger(1))
    assert any(s.kind == SignalKind.heaping for s in detect(rows, MONTHS))
    assert not any(s.kind == SignalKind.heaping for s in detect(rows, MONTHS, Thresholds(heaping=0.9)))


def test_first_digit_is_not_judged_on_a_small_sample():
    rows = PLANTS["first_digit"][0](clean_ledger(1, workers=10))  # 120 amounts a workshop, under 300
    assert not any(s.kind == SignalKind.first_digit for s in detect(rows, MONTHS))


def test_the_first_digit_explanation_states_the_sample_size():
    rows = PLANTS["first_digit"][0](clean_ledger(1))
    [signal] = [s for s in detect(rows, MONTHS) if s.kind == SignalKind.first_digit]
    assert "360" in signal.explanation_zh and "360" in signal.explanation_en


def test_the_modified_z_score_is_not_masked_by_the_outlier_itself():
    values = [2800] * 5 + [2790, 2810, 2805, 2795] * 5 + [1_000_000]
    spread = Spread.of(values)
    assert abs(spread.z(1_000_000)) > 3.5
    mean = sum(values) / len(values)
    sd = (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5
    assert (1_000_000 - mean) / sd < 5  # mean ± k·sd barely notices it; the median does


@settings(deadline=None, max_examples=200)
@given(st.lists(st.integers(0, 10**9), min_size=1, max_size=40), st.integers(-10**6, 10**6))
def test_the_modified_z_score_does_not_change_when_every_amount_moves_by_the_same_sum(values, shift):
    a, b = Spread.of(values), Spread.of([v + shift for v in values])
    assert a.z(values[0]) == pytest.approx(b.z(values[0] + shift), abs=1e-6)


@settings(deadline=None, max_examples=100)
@given(st.integers(1, 10**12))
def test_round_amounts_are_whole_hundreds_of_yuan_and_first_digits_read_the_yuan(fen):
    assert is_round(fen) == (fen % 10000 == 0)
    digit = first_digit(fen)
    assert digit is None if fen < 100 else digit == int(str(fen // 100)[0])


def test_signals_are_the_same_whatever_the_order_of_the_rows():
    rows = PLANTS["identical_amounts"][0](PLANTS["pay_outlier"][0](clean_ledger(2)))
    assert detect(rows, MONTHS) == detect(list(reversed(rows)), MONTHS)


@settings(deadline=None, max_examples=60)
@given(st.lists(st.tuples(st.sampled_from(["A", "B"]), st.sampled_from(MONTHS[:3]), st.integers(0, 10**6),
                          st.integers(0, 31)), max_size=12))
def test_thresholds_of_zero_raise_no_error_on_any_ledger(drawn):
    from ledger.core.signals import PayRecord

    rows = [PayRecord(n, f"P{n % 3}", shop, month, fen, days, 28) for n, (shop, month, fen, days) in enumerate(drawn)]
    zero = Thresholds(**{name: 0 for name in Thresholds().as_dict()})
    for signal in detect(rows, MONTHS[:3], zero):
        assert signal.kind in SignalKind
