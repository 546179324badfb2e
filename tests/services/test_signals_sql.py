"""The signals computed by the database are the reference's, on this engine: on a generated
ledger with every kind planted, and on random small ledgers (Hypothesis). Reviews and
county thresholds are journaled writes."""

from __future__ import annotations

import pytest
from dbfixtures import actor, clear_tables
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from signal_ledgers import MONTHS, PLANTS, clean_ledger, every_plant, load, month_days

from ledger.core.metrics import Scope
from ledger.core.signals import PayRecord, SignalKind, Thresholds, detect
from ledger.errors import Forbidden, ValidationFailed
from ledger.services import signals
from ledger.tables import AuditEntry, SignalReview


def _comparable(found):
    return [(s.kind.value, s.workshop, s.month, round(s.score, 6), s.threshold, tuple(s.rows)) for s in found]


async def test_the_database_finds_every_planted_kind_as_the_reference_does(db):
    stored = await load(every_plant(clean_ledger(1)))
    report = await signals.compute("region:330784", "2023")
    assert _comparable(report.signals) == _comparable(detect(stored, MONTHS))
    found = {(s.kind.value, s.workshop, s.month) for s in report.signals}
    for kind, (_, workshop, month) in PLANTS.items():
        assert (kind, workshop, month) in found, kind
    body = report.as_json()
    assert set(body) == {"definition_version", "signals"}
    assert {k for s in body["signals"] for k in s} == {"kind", "workshop", "month", "score", "threshold", "rows",
                                                       "explanation_zh", "explanation_en"}


async def test_a_clean_ledger_in_the_database_raises_no_signal(db):
    await load(clean_ledger(3, workers=12))
    assert (await signals.compute("all", "2023")).signals == ()


LOW = Thresholds(outlier_min_count=3, identical_min_workers=2, heaping_min_count=2, headcount_min=1,
                 first_digit_min_count=5, pay_outlier=2.0, identical_amounts=0.3, heaping=0.1, first_digit=0.02,
                 total_vs_headcount=1.2)

record = st.tuples(st.sampled_from(["A", "B", "C"]), st.integers(0, 5), st.sampled_from(MONTHS[:4]),
                   st.one_of(st.sampled_from([0, 100, 250_000, 300_000, 1_000_000]), st.integers(0, 2_000_000)),
                   st.integers(0, 28), st.sampled_from([None, 5]))


@settings(deadline=None, max_examples=12, suppress_health_check=list(HealthCheck))
@given(st.lists(record, min_size=1, max_size=30))
async def test_the_database_computes_what_the_reference_computes_on_random_records(db, drawn):
    await clear_tables()
    rows, seen = [], set()
    for n, (shop, person, month, fen, days, short) in enumerate(drawn):
        key = (f"P{person}", shop, month)
        if key in seen:
            continue
        seen.add(key)
        employed = short if short and month == MONTHS[0] else month_days(month)  # hired late in January
        rows.append(PayRecord(n + 1, f"P{person}", shop, month, fen, min(days, month_days(month)), employed))
    stored = await load(rows)
    overrides = {k: v for k, v in LOW.as_dict().items()}
    report = await signals.compute("all", "2023-01..2023-04", overrides)
    assert _comparable(report.signals) == _comparable(detect(stored, MONTHS[:4], LOW))


async def test_a_county_threshold_applies_to_its_region_and_an_override_wins(db):
    await load(PLANTS["heaping"][0](clean_ledger(1, workers=12)))
    assert any(s.kind == SignalKind.heaping for s in (await signals.compute("region:330784", "2023")).signals)
    with actor("auditor"):
        await signals.set_threshold("3307", "heaping", "0.9")
    assert not any(s.kind == SignalKind.heaping for s in (await signals.compute("region:330784", "2023")).signals)
    assert (await signals.thresholds_for(Scope.parse("region:110101"))).heaping == 0.3  # another county: default
    report = await signals.compute("region:330784", "2023", {"heaping": 0.2})
    assert any(s.kind == SignalKind.heaping for s in report.signals)


async def test_an_auditor_marks_a_signal_reviewed_with_a_note_on_the_journal(db):
    await load(PLANTS["identical_amounts"][0](clean_ledger(1, workers=12)))
    [signal] = [s for s in (await signals.compute("all", "2023")).signals if s.kind == SignalKind.identical_amounts]
    before = await AuditEntry.count()
    with actor("auditor", username="审核员乙"):
        await signals.review(signal.key, "已到工坊核实：当月为统一保底工资 / a guaranteed wage that month")
        report = await signals.compute("all", "2023")
    assert await AuditEntry.count() == before + 1
    assert (await SignalReview.select().first())["reviewed_by"] == "审核员乙"
    body = report.as_json(with_reviews=True)
    [out] = [s for s in body["signals"] if s["key"] == signal.key]
    assert out["review"]["note"].startswith("已到工坊核实")


async def test_reviewing_is_for_auditors_and_needs_a_note_and_a_real_signal_key(db):
    with actor("operator"), pytest.raises(Forbidden):
        await signals.review("heaping:W-1:2023-01", "note")
    with actor("auditor"), pytest.raises(ValidationFailed) as refused:
        await signals.review("nonsense", " ")
    assert {p.field for p in refused.value.problems} == {"key", "note"}


async def test_a_bad_threshold_override_names_every_problem(db):
    with pytest.raises(ValidationFailed) as refused:
        signals.parse_overrides(["heaping=lots", "nosuch=1", "pay_outlier=3"])
    assert {p.field for p in refused.value.problems} == {"threshold.heaping", "threshold.nosuch"}
