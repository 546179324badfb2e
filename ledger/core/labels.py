"""What a report calls each metric, qualifier, verdict and diagnosis, in Chinese and English.

One table per closed set, keyed by the set's stored value, so the API, the reports, the CLI
and the admin panel say the same words. The ledger's own metrics carry their names on the
``Metric`` enum (``label``, ``label_en``); a published figure whose metric is a ledger metric
reuses that name, and only the metrics a publication has but the ledger does not (户数, 年/月
合计) are named here. A low-income figure adds （低收入） / (low-income), as the figures API does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ledger.core.claims import ClaimMetric, Qualifier
from ledger.core.enums import CertificationLevel
from ledger.core.metrics import Metric, split_figure_name

LOW_INCOME_ZH = "（低收入）"
LOW_INCOME_EN = " (low-income)"

Label = tuple[str, str]

CLAIM_ONLY_METRICS: dict[str, Label] = {
    ClaimMetric.households: ("带动户数", "households"),
    ClaimMetric.total_pay_annual: ("合计年增收", "annual total pay"),
    ClaimMetric.total_pay_monthly: ("合计月增收", "monthly total pay"),
}

QUALIFIERS: dict[str, Label] = {
    Qualifier.exact: ("（无）", "exact"),
    Qualifier.about: ("约", "about"),
    Qualifier.over: ("余", "more than"),
    Qualifier.at_least: ("以上", "at least"),
}

STATUSES: dict[str, Label] = {
    "agrees": ("相符", "agrees"),
    "disagrees": ("不符", "disagrees"),
    "cannot_check": ("无法核对", "cannot check"),
    "holds": ("成立", "holds"),
    "broken": ("不成立", "broken"),
}

DIAGNOSES: dict[str, Label] = {
    "magnitude_slip": ("数量级错误", "magnitude slip"),
    "monthly_annual": ("月度与年度混淆", "month and year mixed up"),
    "definition_mismatch": ("口径不一致", "definition mismatch"),
    "inconsistent": ("自相矛盾", "inconsistent"),
}


def metric_label(name: str) -> Label:
    """A figure's name (ledger or claim metric, ``_low_income`` suffix allowed) in words."""
    base, low = split_figure_name(str(name))
    if base in CLAIM_ONLY_METRICS:
        zh, en = CLAIM_ONLY_METRICS[base]
    elif base in Metric.__members__:
        zh, en = Metric(base).label, Metric(base).label_en
    else:
        zh = en = base
    return (zh + LOW_INCOME_ZH, en + LOW_INCOME_EN) if low else (zh, en)


def certification_words(cert: Mapping[str, Any]) -> str:
    """A certification of a drill-down row in one line: title, level, awarded on, valid until, status
    (省级示范点（省级）2022-05-01 授牌，有效至 2025-04-30，状态：授牌). The status is named as one: it
    is often the same word as the award (授牌), and "授牌，…，授牌" read as a slip."""
    level = str(cert.get("level"))
    level_zh = CertificationLevel(level).label if level in CertificationLevel.__members__ else level
    until = cert.get("valid_until")
    return (f"{cert.get('title')}（{level_zh}）{cert.get('awarded_on')} 授牌，"
            f"{'有效至 ' + str(until) if until else '长期有效'}，状态：{cert.get('status')}")


def qualifier_label(qualifier: str) -> Label:
    return QUALIFIERS.get(str(qualifier), (str(qualifier), str(qualifier)))


def status_label(status: str) -> Label:
    return STATUSES.get(str(status), (str(status), str(status)))


def diagnosis_label(diagnosis: str | None) -> Label:
    if diagnosis is None:
        return ("", "")
    return DIAGNOSES.get(str(diagnosis), (str(diagnosis), str(diagnosis)))



def scope_label(text: str) -> Label:
    """``region:330784`` → ("行政区划 330784", "region 330784"); ``all`` → 全部工坊."""
    from ledger.core.metrics import Scope, ScopeError, ScopeKind

    try:
        scope = Scope.parse(str(text))
    except ScopeError:
        return str(text), str(text)
    words = {ScopeKind.all: ("全部工坊", "all workshops"), ScopeKind.workshop: ("工坊", "workshop"),
             ScopeKind.enterprise: ("领办企业", "enterprise"), ScopeKind.region: ("行政区划", "region")}
    zh, en = words[scope.kind]
    return (zh, en) if scope.value is None else (f"{zh} {scope.value}", f"{en} {scope.value}")


def period_label(text: str) -> Label:
    """``2023`` → 2023年; ``2023-03`` → 2023年3月; ``2023-01..2023-06`` → 2023年1月至2023年6月."""
    from ledger.core.metrics import Period, PeriodError

    try:
        period = Period.parse(str(text))
    except PeriodError:
        return str(text), str(text)
    if period.is_calendar_year:
        return f"{period.first.year}年", f"the year {period.first.year}"
    first = f"{period.first.year}年{period.first.month}月"
    if period.first == period.last:
        return first, str(period.first)
    return f"{first}至{period.last.year}年{period.last.month}月", f"{period.first} to {period.last}"


__all__ = ["DIAGNOSES", "QUALIFIERS", "STATUSES", "diagnosis_label", "metric_label", "period_label",
           "qualifier_label", "scope_label", "status_label"]
