"""Audit samples: the same seed draws the same records, whatever the order they come in;
stratified samples share the size by workshop; MUS draws in proportion to the amount."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.core.sampling import SampleMethod, Unit, allocate, check_seed, draw

units = st.lists(
    st.builds(Unit, pay_id=st.integers(1, 10**6), workshop=st.sampled_from(["A", "B", "C"]),
              month=st.sampled_from(["2023-01", "2023-02"]), amount_fen=st.integers(0, 10**7)),
    min_size=0, max_size=60, unique_by=lambda u: u.pay_id)


@settings(deadline=None, max_examples=150)
@given(units, st.sampled_from(list(SampleMethod)), st.integers(0, 70), st.text("abc123", min_size=1, max_size=8),
       st.randoms(use_true_random=False))
def test_the_same_seed_draws_the_same_records_whatever_the_order_of_the_population(population, method, size,
                                                                                  seed, rng):
    shuffled = list(population)
    rng.shuffle(shuffled)
    first, again = draw(population, method, size, seed), draw(shuffled, method, size, seed)
    assert first == again
    assert len(first.records) <= size
    assert len({u.pay_id for u in first.records}) == len(first.records)
    assert set(first.records) <= set(population)
    if method is not SampleMethod.mus:
        assert len(first.records) == min(size, len(population))


@settings(deadline=None, max_examples=150)
@given(st.dictionaries(st.sampled_from("ABCDEFG"), st.integers(0, 50), min_size=1), st.integers(0, 400))
def test_stratified_allocation_adds_up_to_the_size_and_stays_within_each_workshop(counts, size):
    quota = allocate(counts, size)
    assert sum(quota.values()) == min(size, sum(counts.values()))
    total = sum(counts.values())
    for shop, n in counts.items():
        assert 0 <= quota[shop] <= n
        if size < total:
            assert abs(quota[shop] - size * n / total) < 1  # proportional, off by less than one record


def test_different_seeds_draw_different_samples():
    population = [Unit(i, "A", "2023-01", 100_00 + i) for i in range(1, 200)]
    assert draw(population, "random", 10, "1").records != draw(population, "random", 10, "2").records


def test_mus_draws_a_record_with_probability_proportional_to_its_amount():
    """2,000 draws of 5 from 20 records (fixed seeds). A record of amount a is drawn with
    probability p = 5a / total; over 2,000 draws its frequency must lie within 4.5 binomial
    standard deviations of p (a tolerance that a correct sampler misses once in ~7,000
    records, and that a sampler ignoring the amounts misses by far)."""
    rng = random.Random(530)
    population = [Unit(i, "A", "2023-01", rng.randrange(10_000, 300_000)) for i in range(1, 21)]
    total = sum(u.amount_fen for u in population)
    runs, size = 2000, 5
    hits = {u.pay_id: 0 for u in population}
    for seed in range(runs):
        for unit in draw(population, SampleMethod.mus, size, f"s{seed}").records:
            hits[unit.pay_id] += 1
    for unit in population:
        p = size * unit.amount_fen / total
        assert p < 1
        sd = (p * (1 - p) / runs) ** 0.5
        assert hits[unit.pay_id] / runs == pytest.approx(p, abs=4.5 * sd), unit


def test_mus_always_draws_a_record_larger_than_the_interval_and_never_a_zero():
    population = [Unit(1, "A", "2023-01", 10_000_000), Unit(2, "A", "2023-01", 0)] + [
        Unit(i, "A", "2023-01", 10_000) for i in range(3, 30)]
    for seed in ("a", "b", "c", "d"):
        ids = {u.pay_id for u in draw(population, "mus", 3, seed).records}
        assert 1 in ids and 2 not in ids


def test_the_sample_records_its_population_so_a_redraw_can_tell_it_changed():
    population = [Unit(i, "A", "2023-01", 1000 * i) for i in range(1, 10)]
    sample = draw(population, "random", 3, "x")
    assert sample.population_count == 9 and sample.population_total_fen == 45_000
    changed = draw([*population[:-1], Unit(9, "A", "2023-01", 9001)], "random", 3, "x")
    assert changed.population_digest != sample.population_digest


@pytest.mark.parametrize("seed, ok", [("20231231", True), ("audit-2023Q4", True), ("", False), ("a|b", False),
                                      ("a b", False), ("x" * 65, False), ("种子", False)])
def test_a_seed_is_printable_ascii_of_at_most_64_characters(seed, ok):
    assert check_seed(seed) is ok
