"""The official figures computed by their written definitions, over plain rows.

This is the reference implementation of SPEC "The official figures" (definition version 1):
slow, obvious and exact. The database computes the same figures with aggregate SQL; tests
compare the two, and the Hypothesis properties of the definitions are stated against this
module. Money is summed exactly and averages are rounded half-up to the fen only at the end.

Where SPEC leaves a choice open, version 1 decides:

* Adjustments are part of pay: a month's pay is its monthly pay plus the adjustments of that
  month, both for ``total_pay`` and for whether a (worker, month) is a person-month (> 0).
* ``workers_paid`` is the number of distinct workers with at least one person-month in P
  (so ``workers_paid`` ≤ ``workers_employed`` whenever pay lies inside placements, and
  ``person_months`` ≤ 12 × ``workers_paid`` for a year).
* Low-income variants restrict every *worker-month*: a worker's pay of month m, a person-month
  m, a placement's overlap with month m count only when the worker is low-income in m (a
  status in force on any day of m). ``total_pay_low_income`` is therefore the pay earned in
  low-income months only; ``workers_employed_low_income`` counts workers whose placement
  overlaps P in at least one month in which they are low-income.
* Workshop counts do not count workers, so their low-income variants equal the plain ones.
* ``workshops_certified`` counts workshops in S holding at least one certification in force on
  the last day of P (awarded on or before it, not expired, not withdrawn by it), with the
  count per level beside it; a workshop with two levels counts once in the total and once in
  each level.
* ``growth_*`` is (this − a year earlier) ÷ a year earlier × 100, rounded half-up to 0.01 %;
  undefined (None) when the earlier figure is missing or zero.
* ``uplift_over_baseline`` averages (month's pay in S − baseline) over the person-months of
  workers with a recorded baseline.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from ledger.core.metrics import (
    DEFINITION_VERSION,
    Metric,
    Month,
    Period,
    Scope,
    figure_name,
)
from ledger.core.money import round_fen

FigureValue = int | Decimal | None

PERCENT_STEP = Decimal("0.01")


@dataclass(frozen=True)
class WorkshopRow:
    key: str
    opened_on: date
    closed_on: date | None = None
    enterprise: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class CertificationRow:
    workshop: str
    level: str
    awarded_on: date
    valid_until: date | None = None
    withdrawn_on: date | None = None

    def in_force_on(self, day: date) -> bool:
        return (self.awarded_on <= day
                and (self.valid_until is None or self.valid_until >= day)
                and (self.withdrawn_on is None or self.withdrawn_on > day))


@dataclass(frozen=True)
class PlacementRow:
    worker: str
    workshop: str
    hired_on: date
    left_on: date | None = None

    def overlaps_month(self, month: Month) -> bool:
        return self.hired_on <= month.last_day and (self.left_on is None or self.left_on >= month.first_day)


@dataclass(frozen=True)
class PayRow:
    worker: str
    workshop: str
    month: Month
    amount: Decimal


@dataclass(frozen=True)
class AdjustmentRow:
    worker: str
    workshop: str
    month: Month
    delta: Decimal


@dataclass(frozen=True)
class LowIncomeRow:
    """A low-income status: in force from ``valid_from`` to ``valid_to`` (None = open)."""

    worker: str
    valid_from: date
    valid_to: date | None = None

    def in_force_in(self, month: Month) -> bool:
        return self.valid_from <= month.last_day and (self.valid_to is None or self.valid_to >= month.first_day)


@dataclass(frozen=True)
class Records:
    """Everything the figures read. Rows outside the scope or period are simply ignored."""

    workshops: tuple[WorkshopRow, ...] = ()
    placements: tuple[PlacementRow, ...] = ()
    pay: tuple[PayRow, ...] = ()
    adjustments: tuple[AdjustmentRow, ...] = ()
    low_income: tuple[LowIncomeRow, ...] = ()
    certifications: tuple[CertificationRow, ...] = ()
    baselines: tuple[tuple[str, Decimal], ...] = ()


@dataclass(frozen=True)
class FigureSet:
    """The figures of one scope and period: metric name (``_low_income`` for the variants) → value.

    Counts are ``int``; money is ``Decimal`` yuan rounded to the fen; percentages are
    ``Decimal``; ``None`` when the figure is undefined (a division by zero, or
    ``avg_annual_pay`` for a period that is not 12 months).
    """

    scope: Scope
    period: Period
    values: tuple[tuple[str, FigureValue], ...]
    certified_by_level: tuple[tuple[str, int], ...] = ()
    certified_by_level_low_income: tuple[tuple[str, int], ...] = ()
    definition_version: int = DEFINITION_VERSION

    def __getitem__(self, name: str) -> FigureValue:
        for key, value in self.values:
            if key == name:
                return value
        raise KeyError(name)

    def get(self, name: str, default: FigureValue = None) -> FigureValue:
        try:
            return self[name]
        except KeyError:
            return default

    def as_dict(self) -> dict[str, FigureValue]:
        return dict(self.values)


@dataclass
class _Totals:
    """Working sums for one restriction (all workers, or low-income worker-months only)."""

    total: Decimal = Decimal(0)
    month_pay: dict[tuple[str, Month], Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    employed: set[str] = field(default_factory=set)


def compute_figures(records: Records, scope: Scope, period: Period, *, with_growth: bool = True) -> FigureSet:
    """Every figure of SPEC version 1, plain and low-income, for ``scope`` and ``period``."""
    in_scope = {w.key: w for w in records.workshops if scope.matches(w.key, w.enterprise, w.region)}
    low_months = _low_income_months(records.low_income, period)

    def is_low(worker: str, month: Month) -> bool:
        return month in low_months.get(worker, frozenset())

    plain, low = _Totals(), _Totals()
    for row in records.pay:
        if row.workshop in in_scope and row.month in period:
            plain.month_pay[(row.worker, row.month)] += row.amount
            plain.total += row.amount
            if is_low(row.worker, row.month):
                low.month_pay[(row.worker, row.month)] += row.amount
                low.total += row.amount
    for adj in records.adjustments:
        if adj.workshop in in_scope and adj.month in period:
            plain.month_pay[(adj.worker, adj.month)] += adj.delta
            plain.total += adj.delta
            if is_low(adj.worker, adj.month):
                low.month_pay[(adj.worker, adj.month)] += adj.delta
                low.total += adj.delta
    for placement in records.placements:
        if placement.workshop not in in_scope:
            continue
        months = [m for m in period.months if placement.overlaps_month(m)]
        if months:
            plain.employed.add(placement.worker)
            if any(is_low(placement.worker, m) for m in months):
                low.employed.add(placement.worker)

    open_count = sum(1 for w in in_scope.values() if period.overlaps(w.opened_on, w.closed_on))
    by_level: dict[str, set[str]] = defaultdict(set)
    for cert in records.certifications:
        if cert.workshop in in_scope and cert.in_force_on(period.last_day):
            by_level[cert.level].add(cert.workshop)
    certified = len(set().union(*by_level.values())) if by_level else 0
    baselines = dict(records.baselines)

    values: list[tuple[str, FigureValue]] = []
    for low_income, totals in ((False, plain), (True, low)):
        person_months = {key for key, amount in totals.month_pay.items() if amount > 0}
        workers_paid = len({worker for worker, _ in person_months})
        workers_employed = len(totals.employed)
        uplift_sum, uplift_n = Decimal(0), 0
        for worker, month in person_months:
            if worker in baselines:
                uplift_sum += totals.month_pay[(worker, month)] - baselines[worker]
                uplift_n += 1
        figures: dict[Metric, FigureValue] = {
            Metric.workshops: open_count,
            Metric.workshops_certified: certified,
            Metric.workers_employed: workers_employed,
            Metric.workers_paid: workers_paid,
            Metric.person_months: len(person_months),
            Metric.total_pay: round_fen(totals.total),
            Metric.avg_monthly_pay: _average(totals.total, len(person_months)),
            Metric.avg_monthly_pay_per_worker: _average(totals.total, workers_employed * period.month_count),
            Metric.avg_annual_pay: _average(totals.total, workers_paid) if period.month_count == 12 else None,
            Metric.growth_total_pay: None,
            Metric.growth_avg_monthly_pay: None,
            Metric.uplift_over_baseline: _average(uplift_sum, uplift_n),
        }
        values.extend((figure_name(metric, low_income), value) for metric, value in figures.items())

    result = FigureSet(
        scope=scope,
        period=period,
        values=tuple(values),
        certified_by_level=tuple(sorted((level, len(ws)) for level, ws in by_level.items())),
        certified_by_level_low_income=tuple(sorted((level, len(ws)) for level, ws in by_level.items())),
    )
    if not with_growth:
        return result
    earlier = compute_figures(records, scope, period.same_months_year_earlier(), with_growth=False)
    grown = []
    for name, value in result.values:
        for metric, source in ((Metric.growth_total_pay, Metric.total_pay),
                               (Metric.growth_avg_monthly_pay, Metric.avg_monthly_pay)):
            for low_income in (False, True):
                if name == figure_name(metric, low_income):
                    value = growth_percent(result[figure_name(source, low_income)],
                                           earlier[figure_name(source, low_income)])
        grown.append((name, value))
    return FigureSet(result.scope, result.period, tuple(grown), result.certified_by_level,
                     result.certified_by_level_low_income)


def growth_percent(now: FigureValue, before: FigureValue) -> Decimal | None:
    """(now − before) ÷ before × 100, half-up to 0.01 %; None when it is undefined."""
    if now is None or before is None or before == 0:
        return None
    return ((Decimal(now) - Decimal(before)) * 100 / Decimal(before)).quantize(PERCENT_STEP, rounding=ROUND_HALF_UP)


def _average(total: Decimal, count: int) -> Decimal | None:
    if count == 0:
        return None
    return round_fen(total / count)


def _low_income_months(rows: Iterable[LowIncomeRow], period: Period) -> Mapping[str, frozenset[Month]]:
    months: dict[str, set[Month]] = defaultdict(set)
    for row in rows:
        for month in period.months:
            if row.in_force_in(month):
                months[row.worker].add(month)
    return {worker: frozenset(ms) for worker, ms in months.items()}
