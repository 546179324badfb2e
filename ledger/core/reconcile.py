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

In words (issue 9): every figure and identity carries a sentence in Chinese and one in English
(``explanation_zh`` / ``explanation_en``) that names the figures as people write them
(``ledger.core.written``: 约336万元, 1000余人, 2,163.41万元), the verdict and, where it can, the
likely correct value. For a broken identity the suspect is the one figure of it that
disagrees with the ledger (the published total when none or several do); the likely value
undoes the slip on it — for the article, 1000余人 × 约2800元 × 12个月 ≈ 3360万元, so 约336万元
should read 约3360万元. A figure that disagrees with the ledger and is the suspect of a broken
identity takes that identity's diagnosis when it has none of its own, and its sentence ends
with the identity's. A figure's own likely value is what the records support: the ledger's
value written to the published figure's precision, with its wording (约2163万元).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from ledger.core.claims import ClaimFigure, ClaimMetric, Qualifier, decimal_str
from ledger.core.intervals import Interval, allowed_interval
from ledger.core.labels import diagnosis_label, metric_label, qualifier_label, status_label
from ledger.core.metrics import DEFINITION_VERSION, Metric, Unit, figure_name
from ledger.core.money import money_str, round_fen
from ledger.core.written import write, write_en, write_range, write_range_en

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

    @property
    def label(self) -> tuple[str, str]:
        return status_label(self)


class IdentityStatus(StrEnum):
    holds = "holds"
    broken = "broken"
    cannot_check = "cannot_check"

    @property
    def label(self) -> tuple[str, str]:
        return status_label(self)


class Diagnosis(StrEnum):
    magnitude_slip = "magnitude_slip"
    monthly_annual = "monthly_annual"
    definition_mismatch = "definition_mismatch"
    inconsistent = "inconsistent"

    @property
    def label(self) -> tuple[str, str]:
        return diagnosis_label(self)


def _written(value: Decimal | int | None, unit: Unit, qualifier: str | None = None,
             decimals: int | None = 2) -> str | None:
    return None if value is None else write(value, unit, qualifier, decimals=decimals).text


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
    explanation_zh: str = ""
    explanation_en: str = ""
    likely: Decimal | None = None  # what the records say the published figure should read
    ledger_figure: str | None = None  # the ledger figure whose rows stand behind it (drill-down)

    @property
    def claimed(self) -> Decimal:
        return self.figure.value

    def to_json_dict(self) -> dict[str, Any]:
        unit = self.figure.unit
        metric_zh, metric_en = metric_label(self.metric)
        qualifier_zh, qualifier_en = qualifier_label(self.figure.qualifier)
        status_zh, status_en = self.status.label
        diagnosis_zh, diagnosis_en = diagnosis_label(self.diagnosis_code)
        return {
            "metric": self.metric,
            "claimed": decimal_str(self.figure.value),
            "unit": str(unit),
            "qualifier": str(self.figure.qualifier),
            "allowed": [decimal_str(self.allowed.low),
                        None if self.allowed.high is None else decimal_str(self.allowed.high)],
            "ledger": _ledger_str(self.ledger, unit),
            "status": str(self.status),
            "diagnosis": self.diagnosis,
            # in words (issue 9): added beside the keys above, which stay as they were
            "metric_zh": metric_zh,
            "metric_en": metric_en,
            "qualifier_zh": qualifier_zh,
            "qualifier_en": qualifier_en,
            "claimed_written": _written(self.figure.value, unit, self.figure.qualifier, decimals=None),
            "ledger_written": _written(self.ledger, unit),
            "allowed_written": write_range(self.allowed.low, self.allowed.high, unit),
            "status_zh": status_zh,
            "status_en": status_en,
            "diagnosis_code": None if self.diagnosis_code is None else str(self.diagnosis_code),
            "diagnosis_zh": diagnosis_zh or None,
            "diagnosis_en": diagnosis_en or None,
            "likely_value": None if self.likely is None else decimal_str(self.likely),
            "likely_written": _written(self.likely, unit, self.figure.qualifier, decimals=None),
            "ledger_metric": self.ledger_figure,
            "explanation_zh": self.explanation_zh,
            "explanation_en": self.explanation_en,
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
    identity_zh: str = ""
    explanation_zh: str = ""
    explanation_en: str = ""
    suspect: str | None = None  # the figure that most likely slipped, when broken
    likely: Decimal | None = None  # what the suspect figure should read
    likely_written: str | None = None
    conclusion_zh: str = ""  # a broken identity's finding alone: 公布的合计年增收约336万元疑为少写一位（…）
    conclusion_en: str = ""

    def to_json_dict(self) -> dict[str, Any]:
        status_zh, status_en = self.status.label
        diagnosis_zh, diagnosis_en = diagnosis_label(self.diagnosis)
        return {
            "identity": self.identity,
            "status": str(self.status),
            "factor": None if self.factor is None else f"{self.factor.quantize(FACTOR_STEP, ROUND_HALF_UP):f}",
            "implied_months_per_worker": None if self.implied_months_per_worker is None
            else f"{self.implied_months_per_worker.quantize(MONTHS_STEP, ROUND_HALF_UP):f}",
            "diagnosis": None if self.diagnosis is None else str(self.diagnosis),
            # in words (issue 9)
            "identity_zh": self.identity_zh,
            "status_zh": status_zh,
            "status_en": status_en,
            "diagnosis_zh": diagnosis_zh or None,
            "diagnosis_en": diagnosis_en or None,
            "suspect": self.suspect,
            "likely_value": None if self.likely is None else decimal_str(self.likely),
            "likely_written": self.likely_written,
            "explanation_zh": self.explanation_zh,
            "explanation_en": self.explanation_en,
        }


@dataclass(frozen=True)
class Reconciliation:
    figures: tuple[FigureCheck, ...]
    identities: tuple[IdentityCheck, ...]
    definition_version: int = DEFINITION_VERSION

    def summary(self) -> tuple[str, str]:
        """The whole finding in a sentence or two, Chinese and English, for the top of a report."""
        counts = {s: [f for f in self.figures if f.status is s] for s in FigureStatus}
        agreeing = len(counts[FigureStatus.agrees])
        parts_zh = [f"{agreeing}个与台账相符"]
        parts_en = [f"{agreeing} {'agrees' if agreeing == 1 else 'agree'} with the ledger"]
        verbs: tuple[tuple[FigureStatus, str, str, str], ...] = (
            (FigureStatus.disagrees, "不符", "disagrees", "disagree"),
            (FigureStatus.cannot_check, "无法核对", "cannot be checked", "cannot be checked"))
        for status, verb_zh, one_en, many_en in verbs:
            if counts[status]:
                n = len(counts[status])
                names_zh = "、".join(metric_label(f.metric)[0] for f in counts[status])
                names_en = "; ".join(metric_label(f.metric)[1] for f in counts[status])
                parts_zh.append(f"{n}个{verb_zh}（{names_zh}）")
                parts_en.append(f"{n} {one_en if n == 1 else many_en} ({names_en})")
        zh = f"核对结果：公布的{len(self.figures)}个数中，{'，'.join(parts_zh)}。"
        en = f"Result: of the {len(self.figures)} published figures, {', '.join(parts_en)}."
        broken = [i for i in self.identities if i.status is IdentityStatus.broken and i.conclusion_zh]
        if broken:
            zh += "公布的数彼此不相容：" + "；".join(i.conclusion_zh for i in broken) + "。"
            en += " The published figures do not fit together: " + "; ".join(i.conclusion_en for i in broken) + "."
        elif self.identities and all(i.status is IdentityStatus.holds for i in self.identities):
            zh += "公布的数彼此相容。"
            en += " The published figures fit together."
        return zh, en

    def to_json_dict(self) -> dict[str, Any]:
        summary_zh, summary_en = self.summary()
        return {
            "definition_version": self.definition_version,
            "figures": [f.to_json_dict() for f in self.figures],
            "identities": [i.to_json_dict() for i in self.identities],
            "summary_zh": summary_zh,
            "summary_en": summary_en,
        }


def reconcile(figures: Sequence[ClaimFigure], ledger: Mapping[str, LedgerValue], period_months: int) -> Reconciliation:
    """Check each claimed figure against ``ledger`` (figure name → value) and the claim against itself.

    A target (planned or required, ``figure.target``) is not an achievement: it is not reconciled.
    """
    figures = [f for f in figures if not f.target]
    checks = tuple(check_figure(f, ledger, period_months) for f in figures)
    identities = check_identities(figures, period_months, checks)
    return Reconciliation(figures=_with_identity_findings(checks, identities), identities=identities)


def _with_identity_findings(checks: tuple[FigureCheck, ...], identities: tuple[IdentityCheck, ...]
                            ) -> tuple[FigureCheck, ...]:
    """A disagreeing figure that a broken identity suspects says so, and takes its diagnosis."""
    out = []
    for check in checks:
        found = next((i for i in identities if i.status is IdentityStatus.broken and i.suspect == check.metric), None)
        if found is not None and check.status is FigureStatus.disagrees:
            zh = f"{check.explanation_zh}自洽性核对：{found.explanation_zh}"
            en = f"{check.explanation_en} The claim against itself: {found.explanation_en}"
            code = check.diagnosis_code or found.diagnosis
            check = replace(check, diagnosis_code=code, explanation_zh=zh, explanation_en=en,
                            diagnosis=f"{zh}; {en}")
        out.append(check)
    return tuple(out)


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
"""The one map from what a publication states to the ledger figure whose rows stand behind it."""

_OTHER_DEFINITION: dict[ClaimMetric, Metric] = {
    ClaimMetric.avg_monthly_pay: Metric.avg_monthly_pay_per_worker,
    ClaimMetric.workers_employed: Metric.workers_paid,
}
_OTHER_DEFINITION_HINT: dict[ClaimMetric, tuple[str, str]] = {
    ClaimMetric.avg_monthly_pay: ("疑按人头而非按人月计算", "it looks computed per head, not per person-month"),
    ClaimMetric.workers_employed: ("疑只计了有收入的人，而非全部吸纳就业的人",
                                   "it looks like only the workers paid were counted, not all employed"),
}


def ledger_figure_for(metric: ClaimMetric | str, low_income: bool) -> str | None:
    """The ledger figure (name, ``_low_income`` suffix included) a published figure is checked
    against and drilled down to: 合计年增收 → ``total_pay``; ``None`` for what the ledger does
    not count (households)."""
    official = _OFFICIAL.get(ClaimMetric(metric))
    if official is None:
        return None
    low = low_income and official not in (Metric.workshops, Metric.workshops_certified)
    return figure_name(official, low)


def _said(figure: ClaimFigure) -> tuple[str, str]:
    """'合计年增收（低收入）约336万元' and its English; a period the text did not state is said to be assumed."""
    zh, en = metric_label(figure.name)
    assumed_zh = assumed_en = ""
    if getattr(figure, "period_assumed", False):
        assumed_zh = "（原文未写明期间，按统计惯例视为全年）"
        assumed_en = " (no period stated: taken as a year's, by the convention of official statistics)"
    return (f"{zh}{write(figure.value, figure.unit, figure.qualifier, decimals=None).text}{assumed_zh}",
            f"{en}: {write_en(figure.value, figure.unit, figure.qualifier)}{assumed_en}")


def _ledger_words(value: Decimal | int, unit: Unit) -> tuple[str, str]:
    return write(value, unit).text, write_en(value, unit)


def likely_from_ledger(figure: ClaimFigure, ledger: Decimal) -> Decimal:
    """The ledger's value written as the publication wrote its figure: to the place of its last
    non-zero digit, but keeping at least two significant digits of the ledger's value (约2000元
    against 2803.17 reads 约2800元, not 约3000元), the way its wording rounds — 约 to the nearest,
    余 and 以上 down, no word to the digit as written."""
    if ledger == 0:
        return Decimal(0)
    if ledger < 0:  # a fall (growth): written the same way, with its sign
        return -likely_from_ledger(figure, -ledger)
    place = figure.resolution if figure.qualifier is Qualifier.exact else figure.place
    if place <= 0:
        place = ONE
    place = min(place, Decimal(10) ** (ledger.adjusted() - 1))
    if figure.unit in (Unit.workshop, Unit.person, Unit.household):
        place = max(place, ONE)
    rounding = ROUND_FLOOR if figure.qualifier in (Qualifier.over, Qualifier.at_least) else ROUND_HALF_UP
    return ((ledger / place).quantize(ONE, rounding) * place).normalize()


def check_figure(figure: ClaimFigure, ledger: Mapping[str, LedgerValue], period_months: int) -> FigureCheck:
    """One figure against the ledger's figure of the same definition."""
    allowed = allowed_interval(figure)
    said_zh, said_en = _said(figure)
    behind = ledger_figure_for(figure.metric, figure.low_income)

    def cannot(zh: str, en: str, key: str | None = None, value: LedgerValue = None) -> FigureCheck:
        text_zh, text_en = f"公布{said_zh}；{zh}，无法核对。", f"Published {said_en}; {en}, so it cannot be checked."
        return FigureCheck(figure, figure.name, key, allowed, value, FigureStatus.cannot_check, None,
                           f"{zh}; {en}", text_zh, text_en, None, behind)

    metric = _OFFICIAL.get(figure.metric)
    if metric is None:
        return cannot("台账不记录户数", "the ledger does not count households")
    if figure.metric is ClaimMetric.total_pay_annual and period_months != 12:
        return cannot(f"公布的是全年合计，而核对期间为{period_months}个月",
                      f"it is a year's total but the period has {period_months} months")
    if figure.metric is ClaimMetric.avg_annual_pay and period_months != 12:
        return cannot(f"人均年增收只对12个月的期间有定义，核对期间为{period_months}个月",
                      f"average annual pay is defined for a 12-month period only; this one has {period_months}")
    low = figure.low_income and metric not in (Metric.workshops, Metric.workshops_certified)
    key = figure_name(metric, low)
    value = ledger.get(key)
    if value is not None and figure.metric is ClaimMetric.total_pay_monthly:
        value = round_fen(Decimal(value) / period_months)
        key = f"{key}/{period_months}"
    if value is None:
        return cannot("台账没有这个数（如期间内没有收入记录）", "the ledger has no value for it (no pay in the period)",
                      key, None)
    ledger_zh, ledger_en = _ledger_words(value, figure.unit)
    range_zh = write_range(allowed.low, allowed.high, figure.unit)
    range_en = write_range_en(allowed.low, allowed.high, figure.unit)
    if Decimal(value) in allowed:
        return FigureCheck(figure, figure.name, key, allowed, value, FigureStatus.agrees, None, None,
                           f"公布{said_zh}，台账为{ledger_zh}，在措辞允许的范围（{range_zh}）之内，相符。",
                           f"Published {said_en}; the ledger has {ledger_en}, within what the wording allows "
                           f"({range_en}): agrees.", None, behind)
    likely = likely_from_ledger(figure, Decimal(value))
    likely_zh = write(likely, figure.unit, figure.qualifier, decimals=None).text
    likely_en = write_en(likely, figure.unit, figure.qualifier)

    other = _OTHER_DEFINITION.get(figure.metric)
    if other is not None:
        other_key = figure_name(other, low)
        other_value = ledger.get(other_key)
        if other_value is not None and Decimal(other_value) in allowed:
            other_zh, other_en = _ledger_words(other_value, figure.unit)
            hint_zh, hint_en = _OTHER_DEFINITION_HINT[figure.metric]
            zh = (f"公布{said_zh}，按正式口径（{metric.label}）台账为{ledger_zh}，不符；按另一口径"
                  f"（{other.label}）台账为{other_zh}，相符：公布数{hint_zh}（口径不一致），按正式口径应为{likely_zh}。")
            en = (f"Published {said_en}; under the official definition ({metric.label_en}) the ledger has "
                  f"{ledger_en}, which disagrees; under another ({other.label_en}) it has {other_en}, which agrees: "
                  f"{hint_en} (a definition mismatch); by the official definition it should read {likely_en}.")
            return FigureCheck(figure, figure.name, key, allowed, value, FigureStatus.disagrees,
                               Diagnosis.definition_mismatch, f"{zh}; {en}", zh, en, likely, behind)
    code, zh, en = describe_difference(figure.value, Decimal(value), figure.unit)
    zh = f"公布{said_zh}，台账为{ledger_zh}，{zh}不符；按台账应为{likely_zh}。"
    en = f"Published {said_en}; the ledger has {ledger_en}: {en} It disagrees; by the records it should read {likely_en}."
    return FigureCheck(figure, figure.name, key, allowed, value, FigureStatus.disagrees, code, f"{zh}; {en}",
                       zh, en, likely, behind)


def describe_difference(claimed: Decimal, ledger: Decimal, unit: Unit) -> tuple[Diagnosis | None, str, str]:
    """Which way and by how much a claim misses the ledger, and whether the ratio looks like a slip:
    the diagnosis and a clause in Chinese and in English."""
    if ledger == 0:
        return None, "台账为0，", "the ledger has 0."
    percent = ((claimed - ledger) * 100 / abs(ledger)).quantize(PERCENT_STEP, ROUND_HALF_UP)
    way_zh, way_en = ("高", "above") if percent > 0 else ("低", "below")
    zh = f"公布数比台账{way_zh}{abs(percent):f}%，"
    en = f"the published figure is {abs(percent):f}% {way_en} the ledger's."
    if claimed <= 0 or ledger < 0:  # a ratio of opposite signs (a rise claimed, a fall recorded) is no slip
        return None, zh, en
    slip = _nearest_slip(claimed / ledger)
    if slip is None:
        return None, zh, en
    code, target = slip
    shown = _ratio_text(target)
    if code is Diagnosis.magnitude_slip:
        digits_zh, digits_en = _digits_words(target)
        return code, (f"{zh}约为台账的{shown}，疑为{digits_zh}（数量级错误），"), (
            f"{en} It is about {shown} of the ledger's: it looks like {digits_en} (a magnitude slip).")
    mix_zh, mix_en = (("疑为把全年的数当成了一个月的", "a year's figure given as a month's") if target > 1
                      else ("疑为把一个月的数当成了全年的", "a month's figure given as a year's"))
    return code, f"{zh}约为台账的{shown}，{mix_zh}（月度与年度混淆），", (
        f"{en} It is about {shown} of the ledger's: {mix_en} (month and year mixed up).")


_CHINESE_COUNT = {1: "一", 2: "两", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八"}
_ENGLISH_COUNT = {1: "a digit", 2: "two digits", 3: "three digits"}


def _digits_words(ratio: Decimal) -> tuple[str, str]:
    """Written ÷ correct = 10ⁿ in words: 1/10 → 少写一位 / a digit was dropped; 100 → 多写两位."""
    n = ratio.adjusted() if ratio >= 1 else -((ONE / ratio).quantize(ONE, ROUND_HALF_UP).adjusted())
    count = abs(n)
    zh_n = _CHINESE_COUNT.get(count, str(count))
    en_n = _ENGLISH_COUNT.get(count, f"{count} digits")
    if n < 0:
        return f"少写{zh_n}位", f"{en_n} {'was' if count == 1 else 'were'} dropped"
    return f"多写{zh_n}位", f"{en_n} too many {'was' if count == 1 else 'were'} written"


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
        return f"{decimal_str(target)}倍" if target != TWELVE else "12倍"
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


def check_identities(figures: Sequence[ClaimFigure], period_months: int = 12,
                     checks: Sequence[FigureCheck] = ()) -> tuple[IdentityCheck, ...]:
    """The identities of a year that the claim states the figures for, per group (all / low-income).

    ``checks`` (the figures against the ledger), when given, pick which figure of a broken
    identity is the suspect: the one that disagrees with the ledger.
    """
    disagreeing = {c.metric for c in checks if c.status is FigureStatus.disagrees}
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
            out.append(_identity(f"{t.name} = {n.name} × {a.name} × 12", (t,), (n, a), TWELVE, True, disagreeing))
        if n and y and t:
            out.append(_identity(f"{t.name} = {n.name} × {y.name}", (t,), (n, y), ONE, False, disagreeing))
        if a and y:
            out.append(_identity(f"{y.name} = {a.name} × 12", (y,), (a,), TWELVE, True, disagreeing))
    return tuple(out)


def _identity(name: str, top: tuple[ClaimFigure, ...], bottom: tuple[ClaimFigure, ...], constant: Decimal,
              months: bool, disagreeing: set[str] | frozenset[str] = frozenset()) -> IdentityCheck:
    """factor = product(top) ÷ (product(bottom) × constant); implied months = 12 × factor."""
    names = tuple(f.name for f in top + bottom)
    zh_names = [metric_label(f.name)[0] for f in top + bottom]
    identity_zh = f"{zh_names[0]} = " + " × ".join(zh_names[1:]) + (" × 12" if constant == TWELVE else "")
    numerator_value = _product(f.value for f in top)
    denominator_value = _product(f.value for f in bottom) * constant
    if denominator_value == 0:
        zh, en = "公布的数中有0，无法核对。", "A published figure is 0, so this cannot be checked."
        return IdentityCheck(name, IdentityStatus.cannot_check, None, None, None, None, f"{zh}; {en}", names,
                             identity_zh, zh, en)
    factor = numerator_value / denominator_value
    numerator = _interval_product(_identity_interval(f) for f in top)
    denominator = _interval_product(_identity_interval(f) for f in bottom).scale(constant)
    if denominator.high == 0:
        zh, en = "措辞允许的数为0，无法核对。", "The wording allows 0, so this cannot be checked."
        return IdentityCheck(name, IdentityStatus.cannot_check, factor, None, None, None, f"{zh}; {en}", names,
                             identity_zh, zh, en)
    interval = numerator / denominator
    implied = factor * TWELVE if months else None
    status, diagnosis = judge_factor(interval)
    suspect, likely = None, None
    if status is IdentityStatus.broken and diagnosis in (Diagnosis.magnitude_slip, Diagnosis.monthly_annual):
        suspect, likely = _suspect(top, bottom, factor, interval, diagnosis, disagreeing)
    elif status is IdentityStatus.broken:
        suspect = _pick_suspect(top, bottom, disagreeing)
    zh, en, conclusion_zh, conclusion_en = _identity_words(top, bottom, constant, denominator_value, factor, implied,
                                                           interval, status, diagnosis, suspect, likely)
    likely_written = None
    if suspect is not None and likely is not None:
        likely_written = write(likely, suspect.unit, suspect.qualifier, decimals=None).text
    return IdentityCheck(name, status, factor, interval, implied, diagnosis, f"{zh}; {en}", names, identity_zh, zh,
                         en, None if suspect is None else suspect.name, likely, likely_written, conclusion_zh,
                         conclusion_en)


def _pick_suspect(top: tuple[ClaimFigure, ...], bottom: tuple[ClaimFigure, ...],
                  disagreeing: set[str] | frozenset[str]) -> ClaimFigure:
    """The one figure of the identity that disagrees with the ledger; else the published total."""
    off = [f for f in top + bottom if f.name in disagreeing]
    return off[0] if len(off) == 1 else top[0]


def _suspect(top: tuple[ClaimFigure, ...], bottom: tuple[ClaimFigure, ...], factor: Decimal, interval: Interval,
             diagnosis: Diagnosis, disagreeing: set[str] | frozenset[str]) -> tuple[ClaimFigure, Decimal]:
    """The figure that slipped and what it should read: the slip's factor P (the power of ten, or
    12 / 1/12, in the wording's interval nearest the claimed factor) undone on it."""
    if diagnosis is Diagnosis.magnitude_slip:
        candidates = [p for p in _POWERS if p in interval]
    else:
        candidates = [p for p in (TWELVE, ONE / TWELVE) if p in interval]
    target = min(candidates, key=lambda p: max(factor / p, p / factor) if factor > 0 else p)
    suspect = _pick_suspect(top, bottom, disagreeing)
    # the factor is top ÷ bottom: a top figure P times too large reads value ÷ P, a bottom one value × P
    likely = suspect.value / target if suspect in top else suspect.value * target
    if target in (TWELVE, ONE / TWELVE):
        likely = round_fen(likely) if suspect.unit is Unit.yuan else likely.quantize(ONE, ROUND_HALF_UP)
    return suspect, likely.normalize()


def _identity_words(top: tuple[ClaimFigure, ...], bottom: tuple[ClaimFigure, ...], constant: Decimal,
                    product: Decimal, factor: Decimal, implied: Decimal | None, interval: Interval,
                    status: IdentityStatus, diagnosis: Diagnosis | None, suspect: ClaimFigure | None,
                    likely: Decimal | None) -> tuple[str, str, str, str]:
    """The sentence (1000余人 × 约2800元 × 12个月 ≈ 3360万元；公布的合计年增收约336万元是它的0.1倍…)
    in Chinese and English, and for a broken identity its conclusion alone, for the summary."""
    (stated,) = top
    approximate = any(f.qualifier is not Qualifier.exact for f in top + bottom)
    sign = "≈" if approximate else "="
    terms_zh = [write(f.value, f.unit, f.qualifier, decimals=None).text for f in bottom]
    terms_en = [write_en(f.value, f.unit, f.qualifier) for f in bottom]
    if constant == TWELVE:
        terms_zh.append("12个月")
        terms_en.append("12 months")
    product_zh = write(product, stated.unit).text
    product_en = write_en(product.quantize(Decimal("0.01"), ROUND_HALF_UP), stated.unit)
    said_zh, _ = _said(stated)
    said_en = f"{metric_label(stated.name)[1]}, {write_en(stated.value, stated.unit, stated.qualifier)},"
    times = _times_text(factor)
    months_zh = months_en = ""
    if implied is not None:
        m = f"{implied.quantize(MONTHS_STEP, ROUND_HALF_UP):f}"
        months_zh = f"（相当于每人{m}个月的收入）"
        months_en = f" ({m} months of pay per worker)"
    head_zh = f"{' × '.join(terms_zh)} {sign} {product_zh}；公布的{said_zh}是它的{times}倍{months_zh}"
    head_en = f"{' × '.join(terms_en)} {sign} {product_en}; the published {said_en} is {times} times that{months_en}"
    head_en = head_en[:1].upper() + head_en[1:]
    if status is IdentityStatus.holds:
        if ONE in interval:
            return (f"{head_zh}，与全年足额发放相符，成立。",
                    f"{head_en}, as a full year of pay would give: holds.", "", "")
        return (f"{head_zh}，不足全年，年内有人入职、离职时属正常，成立。",
                f"{head_en}, short of a full year, as hires and departures during the year make it: holds.", "", "")
    assert suspect is not None
    suspect_zh, suspect_en = _said(suspect)
    suspect_en = f"{metric_label(suspect.name)[1]}, {write_en(suspect.value, suspect.unit, suspect.qualifier)},"
    if diagnosis is Diagnosis.inconsistent:
        names_zh = "、".join(metric_label(f.name)[0] for f in (*top, *bottom))
        names_en = ", ".join(metric_label(f.name)[1] for f in (*top, *bottom))
        return (f"{head_zh}，超出全年12个月足额发放所能达到的数：这些数不可能同时为真（自相矛盾）。",
                f"{head_en}, more than a full year of pay could give: these figures cannot all be true (inconsistent).",
                f"公布的{names_zh}不可能同时为真（自相矛盾）",
                f"the published {names_en} cannot all be true (inconsistent)")
    assert likely is not None
    likely_zh = write(likely, suspect.unit, suspect.qualifier, decimals=None).text
    likely_en = write_en(likely, suspect.unit, suspect.qualifier)
    which_zh = "公布数" if suspect is stated else f"公布的{suspect_zh}"
    which_en = "the published figure" if suspect is stated else f"the published {suspect_en}"
    if diagnosis is Diagnosis.magnitude_slip:
        digits_zh, digits_en = _digits_words(suspect.value / likely)
        verdict_zh = f"疑为{digits_zh}（数量级错误，应为{likely_zh}）"
        verdict_en = f"looks like {digits_en} (a magnitude slip); it should read {likely_en}"
    else:
        if suspect is stated and suspect.value < likely:
            mix_zh, mix_en = "疑为把一个月的数当成了全年的", "a month's figure given as a year's"
        else:
            mix_zh, mix_en = "疑为月度数与年度数混淆", "a monthly and an annual figure mixed up"
        verdict_zh = f"{mix_zh}（月度与年度混淆，应为{likely_zh}）"
        verdict_en = f"looks like {mix_en} (month and year mixed up); it should read {likely_en}"
    return (f"{head_zh}，{which_zh}{verdict_zh}。", f"{head_en}: {which_en} {verdict_en}.",
            f"公布的{suspect_zh}{verdict_zh}", f"the published {suspect_en} {verdict_en}")


def _times_text(factor: Decimal) -> str:
    """0.1 → "0.1", 0.6438 → "0.64", 0.0123 → "0.012", 1.4 → "1.4": two significant digits at least."""
    if factor == 0:
        return "0"
    places = max(2, 1 - factor.adjusted())
    shown = factor.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    text = f"{shown:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


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
    "ledger_figure_for",
    "likely_from_ledger",
    "reconcile",
]
