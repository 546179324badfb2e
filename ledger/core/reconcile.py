"""Reconciliation (对账): a published claim against the ledger, and against itself.

Figure by figure, the ledger's value is compared with the interval the claim's wording allows
(``intervals``): it agrees, disagrees, or cannot be checked (the ledger has no such figure —
households, or a yearly figure for a period that is not a year). A disagreeing figure gets a
diagnosis in Chinese and English saying which way and by how much, naming a magnitude slip when
claim ÷ ledger is within ×1.5 of 10ⁿ (n ≠ 0) and a month/year mix-up when it is within ×1.5 of
12 or 1/12. A figure that misses the official definition but agrees with the other one (per
worker instead of per person-month; workers paid instead of employed) is a ``definition_mismatch``.

Against itself, where the claim states the figures an identity needs (one group: all workers,
or low-income workers):

* ``total_pay_annual = workers_employed × avg_monthly_pay × 12``: factor F = T ÷ (N × A × 12),
  implied months per worker m = T ÷ (N × A) = 12F;
* ``total_pay_annual = workers_employed × avg_annual_pay``: F = T ÷ (N × Y);
* ``avg_annual_pay = avg_monthly_pay × 12``: F = Y ÷ (12A), implied months per paid worker m = Y ÷ A.

By the definitions F ≤ 1 (nobody is paid for more than the 12 months of a year). F is computed
twice: as the number the claimed values give (reported, e.g. "0.1000" for the article) and as
an interval over everything the wording allows. Then, in this order:

1. the interval holds 1 — the claim could describe a full year of pay: ``holds``; no diagnosis
   is ever made against a claim whose figures could all be true of a year in which every
   worker was paid every month;
2. the interval lies wholly below 1 and holds a power of ten 10ⁿ (n < 0) — ``broken``,
   ``magnitude_slip``; failing that, if it holds 1/12 — ``broken``, ``monthly_annual``; else
   ``holds`` (hires and departures during the year make 1 < m < 12 normal). When the wording
   cannot tell ×10 from ×12 (the article: F ∈ [0.049, 0.102]) the slip is named a magnitude
   slip, the likelier mistake and the one SPEC names for the article;
3. the interval lies wholly above 1 (m > 12 beyond what the wording allows): ``broken`` —
   ``magnitude_slip`` if it holds a power of ten 10ⁿ (n > 0), else ``monthly_annual`` if it holds
   12, else ``inconsistent``: the figures cannot all be true.

``at_least`` wording bounds a figure only from below, so an identity with such a figure can be
broken only from the side the wording bounds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from ledger.core.claims import ClaimFigure, ClaimMetric, Qualifier, decimal_str
from ledger.core.intervals import Interval, allowed_interval
from ledger.core.metrics import DEFINITION_VERSION, Metric, Unit, figure_name
from ledger.core.money import money_str, round_fen

LedgerValue = Decimal | int | None

FACTOR_STEP = Decimal("0.0001")
MONTHS_STEP = Decimal("0.1")
PERCENT_STEP = Decimal("0.1")
NEAR = Decimal("1.5")
TWELVE = Decimal(12)
HALF_FEN = Decimal("0.005")
ONE = Decimal(1)
_POWERS = tuple(Decimal(10) ** n for n in range(-8, 9) if n != 0)


class FigureStatus(StrEnum):
    agrees = "agrees"
    disagrees = "disagrees"
    cannot_check = "cannot_check"


class IdentityStatus(StrEnum):
    holds = "holds"
    broken = "broken"
    cannot_check = "cannot_check"


class Diagnosis(StrEnum):
    magnitude_slip = "magnitude_slip"
    monthly_annual = "monthly_annual"
    definition_mismatch = "definition_mismatch"
    inconsistent = "inconsistent"


@dataclass(frozen=True)
class FigureCheck:
    """One claimed figure against the ledger."""

    figure: ClaimFigure
    metric: str  # the claim's metric, with ``_low_income`` for the variant
    ledger_metric: str | None  # the ledger figure it was compared with
    allowed: Interval
    ledger: LedgerValue
    status: FigureStatus
    diagnosis_code: Diagnosis | None = None
    diagnosis: str | None = None

    @property
    def claimed(self) -> Decimal:
        return self.figure.value

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "claimed": decimal_str(self.figure.value),
            "unit": str(self.figure.unit),
            "qualifier": str(self.figure.qualifier),
            "allowed": [decimal_str(self.allowed.low),
                        None if self.allowed.high is None else decimal_str(self.allowed.high)],
            "ledger": _ledger_str(self.ledger, self.figure.unit),
            "status": str(self.status),
            "diagnosis": self.diagnosis,
        }


@dataclass(frozen=True)
class IdentityCheck:
    """One identity the claim's own figures should satisfy."""

    identity: str
    status: IdentityStatus
    factor: Decimal | None  # from the claimed values, unrounded
    factor_interval: Interval | None  # over everything the wording allows
    implied_months_per_worker: Decimal | None
    diagnosis: Diagnosis | None
    explanation: str
    figures: tuple[str, ...]

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "identity": self.identity,
            "status": str(self.status),
            "factor": None if self.factor is None else f"{self.factor.quantize(FACTOR_STEP, ROUND_HALF_UP):f}",
            "implied_months_per_worker": None if self.implied_months_per_worker is None
            else f"{self.implied_months_per_worker.quantize(MONTHS_STEP, ROUND_HALF_UP):f}",
            "diagnosis": None if self.diagnosis is None else str(self.diagnosis),
        }


@dataclass(frozen=True)
class Reconciliation:
    figures: tuple[FigureCheck, ...]
    identities: tuple[IdentityCheck, ...]
    definition_version: int = DEFINITION_VERSION

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "definition_version": self.definition_version,
            "figures": [f.to_json_dict() for f in self.figures],
            "identities": [i.to_json_dict() for i in self.identities],
        }


def reconcile(figures: Sequence[ClaimFigure], ledger: Mapping[str, LedgerValue], period_months: int) -> Reconciliation:
    """Check each claimed figure against ``ledger`` (figure name → value) and the claim against itself.

    A target (planned or required, ``figure.target``) is not an achievement: it is not reconciled.
    """
    figures = [f for f in figures if not f.target]
    checks = tuple(check_figure(f, ledger, period_months) for f in figures)
    return Reconciliation(figures=checks, identities=check_identities(figures, period_months))


# -- Figures against the ledger ---------------------------------------------------------------

_OFFICIAL: dict[ClaimMetric, Metric] = {
    ClaimMetric.workshops: Metric.workshops,
    ClaimMetric.workshops_certified: Metric.workshops_certified,
    ClaimMetric.workers_employed: Metric.workers_employed,
    ClaimMetric.avg_monthly_pay: Metric.avg_monthly_pay,
    ClaimMetric.avg_annual_pay: Metric.avg_annual_pay,
    ClaimMetric.total_pay: Metric.total_pay,
    ClaimMetric.total_pay_annual: Metric.total_pay,
    ClaimMetric.total_pay_monthly: Metric.total_pay,
    ClaimMetric.growth_total_pay: Metric.growth_total_pay,
    ClaimMetric.growth_avg_monthly_pay: Metric.growth_avg_monthly_pay,
}
_OTHER_DEFINITION: dict[ClaimMetric, Metric] = {
    ClaimMetric.avg_monthly_pay: Metric.avg_monthly_pay_per_worker,
    ClaimMetric.workers_employed: Metric.workers_paid,
}


def check_figure(figure: ClaimFigure, ledger: Mapping[str, LedgerValue], period_months: int) -> FigureCheck:
    """One figure against the ledger's figure of the same definition."""
    allowed = allowed_interval(figure)

    def cannot(zh: str, en: str, key: str | None = None, value: LedgerValue = None) -> FigureCheck:
        return FigureCheck(figure, figure.name, key, allowed, value, FigureStatus.cannot_check, None, f"{zh}; {en}")

    metric = _OFFICIAL.get(figure.metric)
    if metric is None:
        return cannot("账本不记录户数，无法核对", "the ledger does not count households, so this cannot be checked")
    if figure.metric is ClaimMetric.total_pay_annual and period_months != 12:
        return cannot(f"声称的是全年合计，而核对期间为 {period_months} 个月",
                      f"the claim is a year's total but the period has {period_months} months")
    if figure.metric is ClaimMetric.avg_annual_pay and period_months != 12:
        return cannot(f"人均年增收只对12个月的期间有定义，核对期间为 {period_months} 个月",
                      f"avg_annual_pay is defined for a 12-month period only; this one has {period_months}")
    low = figure.low_income and metric not in (Metric.workshops, Metric.workshops_certified)
    key = figure_name(metric, low)
    value = ledger.get(key)
    if value is not None and figure.metric is ClaimMetric.total_pay_monthly:
        value = round_fen(Decimal(value) / period_months)
        key = f"{key}/{period_months}"
    if value is None:
        return cannot("账本没有这个数", "the ledger has no value for this figure", key, None)
    if Decimal(value) in allowed:
        return FigureCheck(figure, figure.name, key, allowed, value, FigureStatus.agrees)

    other = _OTHER_DEFINITION.get(figure.metric)
    if other is not None:
        other_key = figure_name(other, low)
        other_value = ledger.get(other_key)
        if other_value is not None and Decimal(other_value) in allowed:
            text = (f"definition_mismatch: 按正式口径（{metric.label}）账本为 {_ledger_str(value, figure.unit)}，"
                    f"与声称不符；按另一口径（{other.label}）为 {_ledger_str(other_value, figure.unit)}，相符; "
                    f"under the official definition ({metric}) the ledger has {_ledger_str(value, figure.unit)}, "
                    f"which disagrees; under {other} it has {_ledger_str(other_value, figure.unit)}, which agrees")
            return FigureCheck(figure, figure.name, key, allowed, value, FigureStatus.disagrees,
                               Diagnosis.definition_mismatch, text)
    code, text = describe_difference(figure.value, Decimal(value), figure.unit)
    return FigureCheck(figure, figure.name, key, allowed, value, FigureStatus.disagrees, code, text)


def describe_difference(claimed: Decimal, ledger: Decimal, unit: Unit) -> tuple[Diagnosis | None, str]:
    """Which way and by how much a claim misses the ledger, and whether the ratio looks like a slip."""
    claimed_text = f"{decimal_str(claimed)} {unit}"
    ledger_text = f"{_ledger_str(ledger, unit)} {unit}"
    if ledger == 0:
        return None, f"声称 {claimed_text}，账本为 0; claimed {claimed_text}, the ledger has 0"
    percent = ((claimed - ledger) * 100 / ledger).quantize(PERCENT_STEP, ROUND_HALF_UP)
    way_zh, way_en = ("高", "above") if percent > 0 else ("低", "below")
    text = (f"声称 {claimed_text}，账本 {ledger_text}，声称值比账本{way_zh} {abs(percent):f}%; "
            f"claimed {claimed_text} is {abs(percent):f}% {way_en} the ledger's {ledger_text}")
    if claimed == 0:
        return None, text
    ratio = claimed / ledger
    slip = _nearest_slip(ratio)
    if slip is None:
        return None, text
    code, target = slip
    shown = _ratio_text(target)
    if code is Diagnosis.magnitude_slip:
        return code, (f"magnitude_slip: 声称值约为账本的 {shown}（疑似数量级错误，如漏写一位或万与千混淆）；{text}; "
                      f"the claim is about {shown} of the ledger: a magnitude slip")
    return code, (f"monthly_annual: 声称值约为账本的 {shown}（疑似月度与年度混淆）；{text}; "
                  f"the claim is about {shown} of the ledger: a month's figure taken for a year's or back")


def _nearest_slip(ratio: Decimal) -> tuple[Diagnosis, Decimal] | None:
    best: tuple[Decimal, Diagnosis, Decimal] | None = None
    candidates = [(Diagnosis.magnitude_slip, p) for p in _POWERS] + [
        (Diagnosis.monthly_annual, TWELVE), (Diagnosis.monthly_annual, ONE / TWELVE)]
    for code, target in candidates:
        distance = max(ratio / target, target / ratio)
        if distance <= NEAR and (best is None or distance < best[0]):
            best = (distance, code, target)
    return None if best is None else (best[1], best[2])


def _ratio_text(target: Decimal) -> str:
    if target >= 1:
        return f"{decimal_str(target)} 倍" if target != TWELVE else "12 倍"
    inverse = (ONE / target).quantize(ONE, ROUND_HALF_UP)
    return f"1/{inverse}"


def _ledger_str(value: LedgerValue, unit: Unit) -> str | None:
    if value is None:
        return None
    if isinstance(value, int):
        return str(value)
    if unit is Unit.yuan:
        return money_str(value)
    return decimal_str(value)


# -- The claim against itself ------------------------------------------------------------------


def check_identities(figures: Sequence[ClaimFigure], period_months: int = 12) -> tuple[IdentityCheck, ...]:
    """The identities of a year that the claim states the figures for, per group (all / low-income)."""
    out: list[IdentityCheck] = []
    for low in (False, True):
        def find(*metrics: ClaimMetric, low: bool = low) -> ClaimFigure | None:
            for metric in metrics:
                for f in figures:
                    if f.metric is metric and f.low_income == low:
                        return f
            return None

        n = find(ClaimMetric.workers_employed)
        a = find(ClaimMetric.avg_monthly_pay)
        y = find(ClaimMetric.avg_annual_pay)
        t = find(ClaimMetric.total_pay_annual) or (find(ClaimMetric.total_pay) if period_months == 12 else None)
        if n and a and t:
            out.append(_identity(f"{t.name} = {n.name} × {a.name} × 12", (t,), (n, a), TWELVE, months=True))
        if n and y and t:
            out.append(_identity(f"{t.name} = {n.name} × {y.name}", (t,), (n, y), ONE, months=False))
        if a and y:
            out.append(_identity(f"{y.name} = {a.name} × 12", (y,), (a,), TWELVE, months=True))
    return tuple(out)


def _identity(name: str, top: tuple[ClaimFigure, ...], bottom: tuple[ClaimFigure, ...], constant: Decimal,
              months: bool) -> IdentityCheck:
    """factor = product(top) ÷ (product(bottom) × constant); implied months = 12 × factor."""
    names = tuple(f.name for f in top + bottom)
    numerator_value = _product(f.value for f in top)
    denominator_value = _product(f.value for f in bottom) * constant
    if denominator_value == 0:
        return IdentityCheck(name, IdentityStatus.cannot_check, None, None, None, None,
                             "声称的数为 0，无法核对; a claimed figure is 0, so this cannot be checked", names)
    factor = numerator_value / denominator_value
    numerator = _interval_product(_identity_interval(f) for f in top)
    denominator = _interval_product(_identity_interval(f) for f in bottom).scale(constant)
    if denominator.high == 0:
        return IdentityCheck(name, IdentityStatus.cannot_check, factor, None, None, None,
                             "措辞允许的数为 0，无法核对; the wording allows 0, so this cannot be checked", names)
    interval = numerator / denominator
    implied = factor * TWELVE if months else None
    status, diagnosis = judge_factor(interval)
    explanation = _explain(factor, interval, implied, status, diagnosis)
    return IdentityCheck(name, status, factor, interval, implied, diagnosis, explanation, names)


def _identity_interval(figure: ClaimFigure) -> Interval:
    """The wording's interval, widened by half a fen for averages.

    A published average is the exact quotient rounded to the fen, so the quotient itself — the
    value the identity is about — may lie up to half a fen outside what the wording allows.
    """
    interval = allowed_interval(figure)
    if figure.metric in (ClaimMetric.avg_monthly_pay, ClaimMetric.avg_annual_pay):
        return Interval(max(Decimal(0), interval.low - HALF_FEN),
                        None if interval.high is None else interval.high + HALF_FEN)
    return interval


def judge_factor(interval: Interval) -> tuple[IdentityStatus, Diagnosis | None]:
    """The verdict on an identity's factor interval (see the module doc for the order)."""
    if ONE in interval:
        return IdentityStatus.holds, None
    if interval.is_below(ONE):
        if any(p in interval for p in _POWERS if p < ONE):
            return IdentityStatus.broken, Diagnosis.magnitude_slip
        if ONE / TWELVE in interval:
            return IdentityStatus.broken, Diagnosis.monthly_annual
        return IdentityStatus.holds, None
    if any(p in interval for p in _POWERS if p > ONE):
        return IdentityStatus.broken, Diagnosis.magnitude_slip
    if TWELVE in interval:
        return IdentityStatus.broken, Diagnosis.monthly_annual
    return IdentityStatus.broken, Diagnosis.inconsistent


def _explain(factor: Decimal, interval: Interval, implied: Decimal | None, status: IdentityStatus,
             diagnosis: Diagnosis | None) -> str:
    shown = f"{factor.quantize(FACTOR_STEP, ROUND_HALF_UP):f}"
    span = interval.bounds_text() if interval.high is None else (
        f"[{interval.low.quantize(FACTOR_STEP, ROUND_HALF_UP):f}, {interval.high.quantize(FACTOR_STEP, ROUND_HALF_UP):f}]")
    months_zh = months_en = ""
    if implied is not None:
        m = f"{implied.quantize(MONTHS_STEP, ROUND_HALF_UP):f}"
        months_zh = f"，即每人只有 {m} 个月的收入"
        months_en = f", i.e. {m} months of pay per worker"
    verdict = {
        None: ("成立", "holds"),
        Diagnosis.magnitude_slip: ("不成立：相差约10的整数次幂，疑似数量级错误", "broken: off by a power of ten, a magnitude slip"),
        Diagnosis.monthly_annual: ("不成立：相差约12倍，疑似月度与年度混淆", "broken: off by about 12, month and year mixed up"),
        Diagnosis.inconsistent: ("不成立：这些数不可能同时为真", "broken: these figures cannot all be true"),
        Diagnosis.definition_mismatch: ("口径不一致", "definitions differ"),
    }[diagnosis]
    return (f"系数 {shown}（措辞允许 {span}）{months_zh}；{verdict[0]}; "
            f"factor {shown} (the wording allows {span}){months_en}; {verdict[1]}")


def _product(values: Any) -> Decimal:
    result = ONE
    for v in values:
        result *= v
    return result


def _interval_product(intervals: Any) -> Interval:
    result = Interval.point(1)
    for i in intervals:
        result = result * i
    return result


__all__ = [
    "Diagnosis",
    "FigureCheck",
    "FigureStatus",
    "IdentityCheck",
    "IdentityStatus",
    "Qualifier",
    "Reconciliation",
    "check_figure",
    "check_identities",
    "describe_difference",
    "judge_factor",
    "reconcile",
]
