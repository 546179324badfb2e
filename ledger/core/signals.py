"""Anomaly signals in the pay records: the signatures of a fabricated pay sheet, as values.

A signal is advice for an auditor, never a refusal: it names a workshop (and a month), a
score, the threshold the score crossed, the pay records behind it and a sentence in Chinese
and English. The definitions (version ``SIGNALS_DEFINITION_VERSION``; README "Anomaly
signals" repeats them) read *pay records* (``monthly_pay``), not adjustments: an
adjustment is an auditor's correction, not what a workshop's sheet said.

The reference population ("the county's") is every pay record of the scope asked for; ask
for the county's region prefix (``region:330784``) to compare a workshop with its county.

The database computes the aggregates these functions score (``ledger.services.signals``:
one aggregate query per group); ``detect`` here computes the same signals from plain rows,
slowly and obviously, and a test compares the two on random records on both engines.
Statistics (z-scores, shares) are floats; amounts stay integer fen and are shown exactly.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from statistics import median
from typing import Any

from ledger.core.money import fen_to_yuan, money_str

SIGNALS_DEFINITION_VERSION = 1

MAD_TO_SIGMA = 0.6745
"""Iglewicz & Hoaglin (1993): M = 0.6745 (x − median) / MAD; |M| > 3.5 is a potential outlier."""
MEAN_AD_TO_SIGMA = 1.253314
"""When MAD is 0 (over half the values equal), M = (x − median) / (1.253314 × mean absolute deviation)."""


class SignalKind(StrEnum):
    pay_outlier = "pay_outlier"
    identical_amounts = "identical_amounts"
    heaping = "heaping"
    multiple_workshops = "multiple_workshops"
    pay_without_days = "pay_without_days"
    total_vs_headcount = "total_vs_headcount"
    first_digit = "first_digit"

    @property
    def label(self) -> str:
        return {
            "pay_outlier": "收入离群", "identical_amounts": "金额雷同", "heaping": "整数堆积",
            "multiple_workshops": "一人多坊", "pay_without_days": "无出勤有收入",
            "total_vs_headcount": "总额与人数背离", "first_digit": "首位数字分布异常",
        }[self.value]


@dataclass(frozen=True)
class Thresholds:
    """What a county can set (``ledger signals threshold set``); these defaults otherwise.

    A signal is raised when its score exceeds the threshold (``>``), except the two counts
    (``multiple_workshops``, ``pay_without_days``): raised when the count reaches it (``≥``).
    """

    pay_outlier: float = 3.5          # |modified z-score| of a record or of a workshop-month's pay per head
    identical_amounts: float = 0.5    # share of a workshop-month's paid workers on its most common amount
    heaping: float = 0.3              # round share (whole 100 元) minus the rest of the county's round share
    multiple_workshops: float = 1     # people in a workshop-month also paid at another workshop that month
    pay_without_days: float = 1       # records paid with 0 days worked or more days than employed that month
    total_vs_headcount: float = 1.5   # factor by which pay per head moved month over month (either way)
    first_digit: float = 0.06         # mean absolute difference of first-digit shares from the rest of the county
    outlier_min_count: int = 30       # values needed before a median and MAD mean anything
    identical_min_workers: int = 5
    heaping_min_count: int = 10
    headcount_min: int = 3
    first_digit_min_count: int = 300  # amounts of the workshop, and of the rest of the county, in the period

    def of(self, kind: SignalKind) -> float:
        return float(getattr(self, kind.value))

    def with_overrides(self, overrides: Mapping[str, float]) -> Thresholds:
        names = {f.name for f in fields(self)}
        unknown = set(overrides) - names
        if unknown:
            raise ValueError(f"unknown threshold {sorted(unknown)}")
        changes: dict[str, Any] = {k: (int(v) if isinstance(getattr(self, k), int) else float(v))
                                   for k, v in overrides.items()}
        return replace(self, **changes)

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


COUNT_KINDS = {SignalKind.multiple_workshops, SignalKind.pay_without_days}


def crosses(kind: SignalKind, score: float, threshold: float) -> bool:
    return score >= threshold if kind in COUNT_KINDS else score > threshold


@dataclass(frozen=True)
class RowFilter:
    """Which pay records stand behind a signal: a workshop's records of a month (or of the
    period), narrowed to one amount, to round amounts or to a first digit; or given ids."""

    workshop: str
    month: str | None = None
    amount_fen: int | None = None
    round_only: bool = False
    first_digit: int | None = None
    pay_ids: tuple[int, ...] = ()

    def matches(self, row: PayRecord) -> bool:
        return (row.workshop == self.workshop and (self.month is None or row.month == self.month)
                and (self.amount_fen is None or row.amount_fen == self.amount_fen)
                and (not self.round_only or is_round(row.amount_fen))
                and (self.first_digit is None or first_digit(row.amount_fen) == self.first_digit))


@dataclass(frozen=True)
class Signal:
    kind: SignalKind
    workshop: str
    month: str | None
    score: float
    threshold: float
    explanation_zh: str
    explanation_en: str
    behind: RowFilter
    rows: tuple[int, ...] = ()

    @property
    def key(self) -> str:
        """Stable name of the signal (what a review refers to): kind, workshop, month or period."""
        return f"{self.kind.value}:{self.workshop}:{self.month or '*'}"

    def as_json(self) -> dict:
        return {"kind": self.kind.value, "workshop": self.workshop, "month": self.month,
                "score": round(self.score, 4), "threshold": self.threshold, "rows": list(self.rows),
                "explanation_zh": self.explanation_zh, "explanation_en": self.explanation_en}


# --- the rows ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PayRecord:
    """One pay record as the signals read it. ``employed_days``: days of the month inside
    the placement (hired on … left on)."""

    pay_id: int
    worker: str
    workshop: str
    month: str
    amount_fen: int
    days_worked: int
    employed_days: int


def is_round(fen: int) -> bool:
    """A whole multiple of 100 元 (…00.00 and …000.00 alike), and not zero."""
    return fen > 0 and fen % 10000 == 0


def first_digit(fen: int) -> int | None:
    """The first digit of the amount in whole yuan; None under 1 元."""
    yuan = fen // 100
    return int(str(yuan)[0]) if yuan >= 1 else None


def previous_month(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:])
    return f"{year - 1:04d}-12" if mon == 1 else f"{year:04d}-{mon - 1:02d}"


def _yuan(fen: int | float) -> str:
    return money_str(fen_to_yuan(int(fen))) if float(fen).is_integer() else f"{fen / 100:.2f}"


# --- statistics ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Spread:
    """The median and deviations of a set of values (fen), for the modified z-score."""

    count: int
    median: float
    mad: float
    mean_ad: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        mid = float(median(values))
        deviations = [abs(v - mid) for v in values]
        return cls(len(values), mid, float(median(deviations)), sum(deviations) / len(values))

    def z(self, value: float) -> float:
        """Modified z-score; 0 when every value is the same."""
        if self.mad > 0:
            return MAD_TO_SIGMA * (value - self.median) / self.mad
        if self.mean_ad > 0:
            return (value - self.median) / (MEAN_AD_TO_SIGMA * self.mean_ad)
        return 0.0


def record_outliers(rows: Iterable[tuple[int, str, str, int]], spreads: Mapping[str, Spread],
                    t: Thresholds) -> list[Signal]:
    """(pay id, workshop, month, fen) against the scope's amounts of that month."""
    out = []
    for pay_id, workshop, month, fen in rows:
        spread = spreads.get(month)
        if spread is None or spread.count < max(t.outlier_min_count, 1):
            continue
        z = spread.z(fen)
        if crosses(SignalKind.pay_outlier, abs(z), t.pay_outlier):
            out.append(Signal(
                SignalKind.pay_outlier, workshop, month, abs(z), t.pay_outlier,
                f"{month} 一笔收入 {_yuan(fen)} 元，本范围当月中位数 {_yuan(spread.median)} 元，"
                f"修正 z 值 {z:.1f}（阈值 ±{t.pay_outlier}）",
                f"a {month} pay record of {_yuan(fen)} yuan against a median of {_yuan(spread.median)} yuan "
                f"that month in the scope: modified z-score {z:.1f} (threshold ±{t.pay_outlier})",
                RowFilter(workshop, month, pay_ids=(pay_id,))))
    return out


@dataclass(frozen=True)
class WorkshopMonth:
    """A workshop's pay records of one month, aggregated: records with pay > 0, their total,
    how many are round (whole 100 元), and the most common amount and its count."""

    workshop: str
    month: str
    head: int
    total_fen: int
    round_count: int = 0
    top_amount_fen: int | None = None
    top_count: int = 0

    @property
    def per_head(self) -> float:
        return self.total_fen / self.head if self.head else 0.0


def workshop_month_outliers(groups: Sequence[WorkshopMonth], t: Thresholds, months: set[str]) -> list[Signal]:
    """A workshop-month's pay per head against every workshop-month of the scope and period."""
    inside = [g for g in groups if g.month in months and g.head > 0]
    if not inside or len(inside) < t.outlier_min_count:
        return []
    spread = Spread.of([g.per_head for g in inside])
    out = []
    for g in inside:
        z = spread.z(g.per_head)
        if crosses(SignalKind.pay_outlier, abs(z), t.pay_outlier):
            out.append(Signal(
                SignalKind.pay_outlier, g.workshop, g.month, abs(z), t.pay_outlier,
                f"{g.workshop} {g.month} 人均 {_yuan(g.per_head)} 元（{g.head} 条），各工坊各月人均的中位数 "
                f"{_yuan(spread.median)} 元，修正 z 值 {z:.1f}",
                f"{g.workshop} {g.month}: {_yuan(g.per_head)} yuan per head ({g.head} records) against a median of "
                f"{_yuan(spread.median)} yuan over the workshop-months: modified z-score {z:.1f}",
                RowFilter(g.workshop, g.month)))
    return out


def identical_amounts(groups: Sequence[WorkshopMonth], t: Thresholds) -> list[Signal]:
    out = []
    for g in groups:
        if g.head < t.identical_min_workers or g.top_amount_fen is None:
            continue
        share = g.top_count / g.head
        if crosses(SignalKind.identical_amounts, share, t.identical_amounts):
            out.append(Signal(
                SignalKind.identical_amounts, g.workshop, g.month, share, t.identical_amounts,
                f"{g.workshop} {g.month} 的 {g.head} 条收入中有 {g.top_count} 条同为 {_yuan(g.top_amount_fen)} 元"
                f"（{share:.0%}）",
                f"{g.top_count} of {g.head} pay records of {g.workshop} in {g.month} are the same "
                f"{_yuan(g.top_amount_fen)} yuan ({share:.0%})",
                RowFilter(g.workshop, g.month, amount_fen=g.top_amount_fen)))
    return out


def heaping(groups: Sequence[WorkshopMonth], t: Thresholds) -> list[Signal]:
    """Round amounts (whole 100 元) in a workshop-month against the rest of the scope."""
    total_n = sum(g.head for g in groups)
    total_round = sum(g.round_count for g in groups)
    out = []
    for g in groups:
        rest_n = total_n - g.head
        if g.head < t.heaping_min_count or rest_n <= 0:
            continue
        share, rest = g.round_count / g.head, (total_round - g.round_count) / rest_n
        if crosses(SignalKind.heaping, share - rest, t.heaping):
            out.append(Signal(
                SignalKind.heaping, g.workshop, g.month, share - rest, t.heaping,
                f"{g.workshop} {g.month} 有 {share:.0%} 的收入是整百元（{g.round_count}/{g.head}），"
                f"本范围其余记录为 {rest:.1%}",
                f"{share:.0%} of {g.workshop}'s pay in {g.month} is in whole hundreds of yuan "
                f"({g.round_count}/{g.head}), against {rest:.1%} in the rest of the scope",
                RowFilter(g.workshop, g.month, round_only=True)))
    return out


def total_vs_headcount(groups: Sequence[WorkshopMonth], t: Thresholds, months: set[str]) -> list[Signal]:
    """A month whose total moved by a factor far from its head count's (month over month)."""
    by_key = {(g.workshop, g.month): g for g in groups}
    out = []
    for g in groups:
        before = by_key.get((g.workshop, previous_month(g.month)))
        if g.month not in months or before is None or min(g.head, before.head) < t.headcount_min:
            continue
        if g.total_fen <= 0 or before.total_fen <= 0:
            continue
        ratio = (g.total_fen / before.total_fen) / (g.head / before.head)
        score = max(ratio, 1 / ratio)
        if crosses(SignalKind.total_vs_headcount, score, t.total_vs_headcount):
            out.append(Signal(
                SignalKind.total_vs_headcount, g.workshop, g.month, score, t.total_vs_headcount,
                f"{g.workshop} {g.month} 总额 {_yuan(g.total_fen)} 元（上月 {_yuan(before.total_fen)} 元），"
                f"人数 {g.head}（上月 {before.head}）：人均变为上月的 {ratio:.2f} 倍",
                f"{g.workshop} {g.month}: total {_yuan(g.total_fen)} yuan (month before {_yuan(before.total_fen)}), "
                f"head count {g.head} (month before {before.head}): pay per head × {ratio:.2f}",
                RowFilter(g.workshop, g.month)))
    return out


def multiple_workshops(paid: Iterable[tuple[int, str, str, str]], t: Thresholds) -> list[Signal]:
    """(pay id, worker, workshop, month) of records with pay > 0: one signal per workshop-month
    counting the people also paid at another workshop that month."""
    by_person: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    for pay_id, worker, workshop, month in paid:
        by_person[(worker, month)].append((pay_id, workshop))
    people: dict[tuple[str, str], set[str]] = defaultdict(set)
    ids: dict[tuple[str, str], set[int]] = defaultdict(set)
    others: dict[tuple[str, str], set[str]] = defaultdict(set)
    for (worker, month), records in by_person.items():
        shops = {shop for _, shop in records}
        if len(shops) < 2:
            continue
        for shop in shops:
            people[(shop, month)].add(worker)
            ids[(shop, month)].update(pay_id for pay_id, _ in records)
            others[(shop, month)].update(shops - {shop})
    out = []
    for (shop, month), who in sorted(people.items()):
        n = len(who)
        if crosses(SignalKind.multiple_workshops, n, t.multiple_workshops):
            names = "、".join(sorted(others[(shop, month)]))
            out.append(Signal(
                SignalKind.multiple_workshops, shop, month, float(n), t.multiple_workshops,
                f"{shop} {month} 有 {n} 人同月也在 {names} 领取收入",
                f"{n} people paid by {shop} in {month} were also paid that month at {', '.join(sorted(others[(shop, month)]))}",
                RowFilter(shop, month, pay_ids=tuple(sorted(ids[(shop, month)])))))
    return out


def pay_without_days(flagged: Iterable[tuple[int, str, str, int, int, int]], t: Thresholds) -> list[Signal]:
    """(pay id, workshop, month, fen, days worked, days employed) of records with pay > 0
    and 0 days worked or more days worked than the placement covers that month."""
    groups: dict[tuple[str, str], list[tuple[int, int, int]]] = defaultdict(list)
    for pay_id, workshop, month, fen, days, employed in flagged:
        if fen > 0 and (days == 0 or days > employed):
            groups[(workshop, month)].append((pay_id, days, employed))
    out = []
    for (shop, month), records in sorted(groups.items()):
        zero = sum(1 for _, days, _ in records if days == 0)
        beyond = len(records) - zero
        if crosses(SignalKind.pay_without_days, len(records), t.pay_without_days):
            out.append(Signal(
                SignalKind.pay_without_days, shop, month, float(len(records)), t.pay_without_days,
                f"{shop} {month} 有 {zero} 条收入出勤 0 天，{beyond} 条出勤天数超过当月受雇天数（入职前或离职后）",
                f"{shop} {month}: {zero} records paid with 0 days worked, {beyond} with more days worked than "
                "employed that month (before hiring or after leaving)",
                RowFilter(shop, month, pay_ids=tuple(sorted(pay_id for pay_id, _, _ in records)))))
    return out


def first_digits(counts: Mapping[str, Mapping[int, int]], t: Thresholds) -> list[Signal]:
    """workshop → first digit → amounts, over the period: each workshop against the rest."""
    everyone: Counter[int] = Counter()
    for digits in counts.values():
        everyone.update(digits)
    out = []
    for shop, digits in sorted(counts.items()):
        n = sum(digits.values())
        rest = {d: everyone[d] - digits.get(d, 0) for d in range(1, 10)}
        rest_n = sum(rest.values())
        if min(n, rest_n) < max(t.first_digit_min_count, 1):
            continue
        diffs = {d: digits.get(d, 0) / n - rest[d] / rest_n for d in range(1, 10)}
        mad = sum(abs(v) for v in diffs.values()) / 9
        if crosses(SignalKind.first_digit, mad, t.first_digit):
            worst = max(range(1, 10), key=lambda d: (diffs[d], -d))
            out.append(Signal(
                SignalKind.first_digit, shop, None, mad, t.first_digit,
                f"{shop} 本期 {n} 笔收入的首位数字分布与本范围其余 {rest_n} 笔不同（平均绝对差 {mad:.3f}）；"
                f"首位为 {worst} 的占 {digits.get(worst, 0) / n:.0%}，其余为 {rest[worst] / rest_n:.0%}",
                f"the first digits of {shop}'s {n} amounts in the period differ from the other {rest_n} in the scope "
                f"(mean absolute difference {mad:.3f}); first digit {worst}: {digits.get(worst, 0) / n:.0%} "
                f"against {rest[worst] / rest_n:.0%}",
                RowFilter(shop, None, first_digit=worst)))
    return out


# --- the reference: every signal from plain rows -------------------------------------------------

@dataclass(frozen=True)
class Aggregates:
    """What the signals read, aggregated (the database computes this in SQL)."""

    months: frozenset[str]
    groups: tuple[WorkshopMonth, ...]               # the period's workshop-months and the month before it
    spreads: Mapping[str, Spread] = field(default_factory=dict)
    outlier_rows: tuple[tuple[int, str, str, int], ...] = ()     # candidates; scored against spreads
    paid_elsewhere: tuple[tuple[int, str, str, str], ...] = ()   # records of people paid at 2+ workshops
    dayless: tuple[tuple[int, str, str, int, int, int], ...] = ()
    digits: Mapping[str, Mapping[int, int]] = field(default_factory=dict)


def score_all(agg: Aggregates, t: Thresholds) -> list[Signal]:
    inside = [g for g in agg.groups if g.month in agg.months]
    found = [
        *record_outliers(agg.outlier_rows, agg.spreads, t),
        *workshop_month_outliers(agg.groups, t, set(agg.months)),
        *identical_amounts(inside, t),
        *heaping(inside, t),
        *multiple_workshops(agg.paid_elsewhere, t),
        *pay_without_days(agg.dayless, t),
        *total_vs_headcount(agg.groups, t, set(agg.months)),
        *first_digits(agg.digits, t),
    ]
    return sorted(found, key=sort_key)


def sort_key(s: Signal) -> tuple:
    return (list(SignalKind).index(s.kind), s.workshop, s.month or "", s.behind.pay_ids, -s.score)


def aggregate(rows: Sequence[PayRecord], months: Iterable[str]) -> Aggregates:
    """The aggregates of plain rows (the records of the period and of the month before it)."""
    months = frozenset(months)
    before = previous_month(min(months)) if months else None
    by_wm: dict[tuple[str, str], list[PayRecord]] = defaultdict(list)
    for r in rows:
        if r.month in months or r.month == before:
            if r.amount_fen > 0:
                by_wm[(r.workshop, r.month)].append(r)
    groups = []
    for (shop, month), records in sorted(by_wm.items()):
        amounts = Counter(r.amount_fen for r in records)
        top, top_n = min(amounts.items(), key=lambda kv: (-kv[1], kv[0]))
        groups.append(WorkshopMonth(shop, month, len(records), sum(r.amount_fen for r in records),
                                    sum(1 for r in records if is_round(r.amount_fen)),
                                    top if top_n >= 2 else None, top_n if top_n >= 2 else 0))
    inside = [r for r in rows if r.month in months]
    by_month: dict[str, list[int]] = defaultdict(list)
    for r in inside:
        by_month[r.month].append(r.amount_fen)
    spreads = {m: Spread.of(v) for m, v in by_month.items()}
    shops_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in inside:
        if r.amount_fen > 0:
            shops_of[(r.worker, r.month)].add(r.workshop)
    digits: dict[str, Counter[int]] = defaultdict(Counter)
    for r in inside:
        d = first_digit(r.amount_fen)
        if d is not None:
            digits[r.workshop][d] += 1
    return Aggregates(
        months=months, groups=tuple(groups), spreads=spreads,
        outlier_rows=tuple((r.pay_id, r.workshop, r.month, r.amount_fen) for r in inside),
        paid_elsewhere=tuple((r.pay_id, r.worker, r.workshop, r.month) for r in inside
                             if r.amount_fen > 0 and len(shops_of[(r.worker, r.month)]) >= 2),
        dayless=tuple((r.pay_id, r.workshop, r.month, r.amount_fen, r.days_worked, r.employed_days)
                      for r in inside if r.amount_fen > 0 and (r.days_worked == 0 or r.days_worked > r.employed_days)),
        digits={shop: dict(c) for shop, c in digits.items()},
    )


def resolve_rows(signal: Signal, rows: Iterable[PayRecord], months: Iterable[str]) -> Signal:
    """The signal with the ids of the records behind it (in the period)."""
    if signal.behind.pay_ids:
        return replace(signal, rows=signal.behind.pay_ids)
    months = set(months)
    ids = sorted(r.pay_id for r in rows if r.month in months and r.amount_fen > 0 and signal.behind.matches(r))
    return replace(signal, rows=tuple(ids))


def detect(rows: Sequence[PayRecord], months: Iterable[str], t: Thresholds = Thresholds()) -> list[Signal]:
    """Every signal of definition version 1 over plain rows: the reference the SQL is tested against."""
    months = frozenset(months)
    return [resolve_rows(s, rows, months) for s in score_all(aggregate(rows, months), t)]
