"""The benchmark data set (bench/dataset.py) at a tiny scale, on the engine the suite runs on: its SQL
makes the rows its arithmetic says, with the dirty-key triggers silent during the load and live after
it, and a county's slice gives that county the figures the whole province gives it."""

from __future__ import annotations

import dataset
import pytest

from ledger.core.metrics import Period, Scope
from ledger.services import aggregates, figures
from ledger.tables import Worker

TINY = dataset.Sizes.at(0.002)  # 24 workshops, 1,000 workers, 24,300 pay rows
COUNTY = 2  # region 330702: 10 workshops; its workers' second placements reach 3 workshops elsewhere


@pytest.mark.parametrize("county", [None, COUNTY])
async def test_the_generator_makes_the_rows_its_arithmetic_says(db, county):
    await dataset.load_rows(TINY, county)
    assert await dataset.counted() == dataset.expected(TINY, county)


async def test_the_load_queues_nothing_and_leaves_the_triggers_and_ids_working(db):
    await dataset.load_rows(TINY)
    assert await aggregates.pending() == 0
    await db.run_ddl("UPDATE monthly_pay SET amount_fen = amount_fen + 1 WHERE id = 1")
    assert await aggregates.pending() > 0  # the trigger queued the change
    worker = Worker(name="新人", id_number="330784********0000", id_hash="new", village="村")
    await worker.save()  # the id sequence goes on after the generated ids
    assert worker.id == TINY.workers + 1


async def _figures_of_the_county() -> dict[str, object]:
    out: dict[str, object] = {}
    for scope, period in ((f"region:{dataset.county_code(COUNTY)}", "2023"), ("region:3307", "2023-03..2023-08"),
                          ("workshop:W3", "2023-05")):
        computed = await figures.compute(Scope.parse(scope), Period.parse(period))
        out[f"{scope} {period}"] = (computed.values, computed.certified_by_level)
    return out


async def test_a_county_slice_has_the_figures_the_whole_province_gives_the_county(db):
    from dbfixtures import clear_tables

    await dataset.load(TINY)
    whole = await _figures_of_the_county()
    await clear_tables()
    await dataset.load(TINY, COUNTY)
    assert await aggregates.check() == []
    sliced = await _figures_of_the_county()
    # region:3307 (the whole province) differs, the county and its workshop do not
    county_keys = [key for key in whole if not key.startswith("region:3307 ")]
    assert {k: sliced[k] for k in county_keys} == {k: whole[k] for k in county_keys}
    assert sliced["region:3307 2023-03..2023-08"] != whole["region:3307 2023-03..2023-08"]
    values = dict(whole[f"region:{dataset.county_code(COUNTY)} 2023"][0])
    assert values["person_months"] > 0 and values["workers_paid_low_income"] > 0
