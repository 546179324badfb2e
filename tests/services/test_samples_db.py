"""Audit samples from the database: re-drawing from the same seed and month gives the same
records (Hypothesis, on this engine), a stored sample names the sign-off it supports, and
the inspector's sheet shows masked ID numbers only."""

from __future__ import annotations

import io

import pytest
from dbfixtures import actor, clear_tables, make_id
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from signal_ledgers import MONTHS, clean_ledger, load

from ledger.core.sampling import Unit, draw
from ledger.errors import Forbidden, ValidationFailed
from ledger.services import locks, samples
from ledger.tables import AuditEntry, AuditSample

_loaded: list = []


async def _ledger():
    """One small generated ledger, loaded once for the Hypothesis examples."""
    if not _loaded or await AuditEntry.count() == 0:
        await clear_tables()
        _loaded[:] = await load(clean_ledger(5, workers=6, months=MONTHS[:3], workshops=["W-1", "W-2", "W-3"]))
    return _loaded


@settings(deadline=None, max_examples=25, suppress_health_check=list(HealthCheck))
@given(method=st.sampled_from(["random", "stratified", "mus"]), size=st.integers(1, 70),
       seed=st.text("abcXYZ0123456789-_", min_size=1, max_size=12), month=st.sampled_from(MONTHS[:3]))
async def test_redrawing_from_the_same_seed_and_month_gives_the_same_records(db, method, size, seed, month):
    stored = await _ledger()
    first = await samples.draw_sample("all", month, method, size, seed)
    again = await samples.draw_sample("all", month, method, size, seed)
    assert samples.sample_json(first) == samples.sample_json(again)
    reference = draw([Unit(r.pay_id, r.workshop, r.month, r.amount_fen) for r in stored if r.month == month],
                     method, size, seed)
    assert first == reference


async def test_a_stored_sample_names_its_sign_off_and_redraws_to_the_same_records(db):
    await load(clean_ledger(5, workers=6, months=MONTHS[:2], workshops=["W-1", "W-2"]))
    with actor("auditor"):
        lock = await locks.sign_off("2023-02")
        before = await AuditEntry.count()
        stored = await samples.store_sample("all", "2023-02", "stratified", 4, "20230228", lock["id"], "月度抽查")
        assert await AuditEntry.count() == before + 1
        assert stored["lock"] == lock["id"] and stored["seed"] == "20230228" and len(stored["records"]) == 4
        check = await samples.redraw(stored["id"])
    assert check["same_population"] and check["same_records"]
    assert [r["pay_id"] for r in check["redrawn"]["records"]] == stored["records"]
    assert (await AuditSample.select().first())["population_count"] == 12
    with actor("auditor"), pytest.raises(ValidationFailed) as refused:
        await samples.store_sample("all", "2023-01", "random", 2, "1", lock["id"])  # the lock is of 2023-02
    assert [p.code for p in refused.value.problems] == ["lock_mismatch"]


async def test_the_inspection_sheet_lists_the_drawn_records_with_masked_id_numbers(db):
    from openpyxl import load_workbook

    await load(clean_ledger(5, workers=3, months=MONTHS[:1], workshops=["W-1"]))
    with actor("auditor"):
        stored = await samples.store_sample("all", "2023-01", "random", 2, "7")
        sheet = load_workbook(io.BytesIO(await samples.inspection_sheet(stored["id"]))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "种子 seed 7" in rows[0][0]
    assert "核查结果 found" in rows[1]
    body = rows[2:]
    assert [r[3] for r in body] == stored["records"]
    text = " ".join(str(c) for r in rows for c in r)
    for serial in range(3):
        number = make_id(serial, birth="19600101")
        assert number not in text
    assert "********" in text


async def test_samples_refuse_bad_arguments_all_at_once_and_storing_is_for_auditors(db):
    with pytest.raises(ValidationFailed) as refused:
        await samples.draw_sample("all", "2023-01", "systematic", 0, "a b")
    assert {p.field for p in refused.value.problems} == {"method", "size", "seed"}
    with actor("operator"), pytest.raises(Forbidden):
        await samples.draw_sample("all", "2023-01", "random", 1, "1")
    with actor("admin"), pytest.raises(Forbidden):
        await samples.store_sample("all", "2023-01", "random", 1, "1")
