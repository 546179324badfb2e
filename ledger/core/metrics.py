"""The official figures' names, units and the scope and period they are computed over.

SPEC "The official figures" defines version 1 of the metrics. This module names them (the
``Metric`` StrEnum, with the Chinese label and the unit of each), names their low-income
variants (suffix ``_low_income``), and parses the two arguments every figure takes: a
``Scope`` (``all``, ``workshop:CODE``, ``enterprise:ID``, ``region:PREFIX``) and a
``Period`` (an inclusive month range: ``2023``, ``2023-03``, ``2023-01..2023-06``).

SPEC's ``growth`` is "the change of total_pay and of avg_monthly_pay": two numbers, so
version 1 names them ``growth_total_pay`` and ``growth_avg_monthly_pay`` (both in %).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

DEFINITION_VERSION = 1
LOW_INCOME_SUFFIX = "_low_income"


class Unit(StrEnum):
    """The unit a figure is counted or measured in (claims use the first five)."""

    workshop = "家"
    person = "人"
    household = "户"
    yuan = "元"
    percent = "%"
    person_month = "人月"


class Metric(StrEnum):
    """The official figures of SPEC, version 1."""

    workshops = "workshops"
    workshops_certified = "workshops_certified"
    workers_employed = "workers_employed"
    workers_paid = "workers_paid"
    person_months = "person_months"
    total_pay = "total_pay"
    avg_monthly_pay = "avg_monthly_pay"
    avg_monthly_pay_per_worker = "avg_monthly_pay_per_worker"
    avg_annual_pay = "avg_annual_pay"
    growth_total_pay = "growth_total_pay"
    growth_avg_monthly_pay = "growth_avg_monthly_pay"
    uplift_over_baseline = "uplift_over_baseline"

    @property
    def label(self) -> str:
        """The Chinese name SPEC gives the figure."""
        return _LABELS[self]

    @property
    def label_en(self) -> str:
        """The English name a report gives the figure."""
        return _LABELS_EN[self]

    @property
    def unit(self) -> Unit:
        return _UNITS[self]

    @property
    def is_money(self) -> bool:
        return self.unit is Unit.yuan

    @property
    def is_count(self) -> bool:
        return self.unit in (Unit.workshop, Unit.person, Unit.person_month)

    def low_income(self) -> str:
        """The name of this figure restricted to low-income workers."""
        return low_income_name(self)


_LABELS: dict[Metric, str] = {
    Metric.workshops: "工坊数",
    Metric.workshops_certified: "认定工坊数",
    Metric.workers_employed: "吸纳就业人数",
    Metric.workers_paid: "有收入人数",
    Metric.person_months: "人月数",
    Metric.total_pay: "合计增收",
    Metric.avg_monthly_pay: "人均月增收",
    Metric.avg_monthly_pay_per_worker: "人均月增收（按人头）",
    Metric.avg_annual_pay: "人均年增收",
    Metric.growth_total_pay: "合计增收同比增长",
    Metric.growth_avg_monthly_pay: "人均月增收同比增长",
    Metric.uplift_over_baseline: "较务工前月增收",
}

_LABELS_EN: dict[Metric, str] = {
    Metric.workshops: "workshops",
    Metric.workshops_certified: "certified workshops",
    Metric.workers_employed: "workers employed",
    Metric.workers_paid: "workers paid",
    Metric.person_months: "person-months",
    Metric.total_pay: "total pay",
    Metric.avg_monthly_pay: "average monthly pay per person-month",
    Metric.avg_monthly_pay_per_worker: "average monthly pay per head",
    Metric.avg_annual_pay: "average annual pay",
    Metric.growth_total_pay: "growth of total pay",
    Metric.growth_avg_monthly_pay: "growth of average monthly pay",
    Metric.uplift_over_baseline: "monthly gain over pre-placement income",
}

_UNITS: dict[Metric, Unit] = {
    Metric.workshops: Unit.workshop,
    Metric.workshops_certified: Unit.workshop,
    Metric.workers_employed: Unit.person,
    Metric.workers_paid: Unit.person,
    Metric.person_months: Unit.person_month,
    Metric.total_pay: Unit.yuan,
    Metric.avg_monthly_pay: Unit.yuan,
    Metric.avg_monthly_pay_per_worker: Unit.yuan,
    Metric.avg_annual_pay: Unit.yuan,
    Metric.growth_total_pay: Unit.percent,
    Metric.growth_avg_monthly_pay: Unit.percent,
    Metric.uplift_over_baseline: Unit.yuan,
}


def low_income_name(metric: str) -> str:
    """``avg_monthly_pay`` → ``avg_monthly_pay_low_income``."""
    base = str(metric)
    return base if base.endswith(LOW_INCOME_SUFFIX) else base + LOW_INCOME_SUFFIX


def figure_name(metric: str, low_income: bool) -> str:
    """The name of a figure, with the suffix when it is the low-income variant."""
    return low_income_name(metric) if low_income else str(metric)


def split_figure_name(name: str) -> tuple[str, bool]:
    """``workers_employed_low_income`` → ``("workers_employed", True)``."""
    if name.endswith(LOW_INCOME_SUFFIX):
        return name[: -len(LOW_INCOME_SUFFIX)], True
    return name, False


ALL_FIGURE_NAMES: tuple[str, ...] = tuple(m.value for m in Metric) + tuple(low_income_name(m) for m in Metric)


class ArgumentError(ValueError):
    """A scope, period or month that does not parse; the message is Chinese first, English beside."""

    def __init__(self, field: str, zh: str, en: str) -> None:
        self.field = field
        self.zh = zh
        self.en = en
        super().__init__(f"{zh} / {en}")


class ScopeError(ArgumentError):
    pass


class PeriodError(ArgumentError):
    pass


# -- Months and periods ---------------------------------------------------------------------

_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, ``YYYY-MM``."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1 <= self.year <= 9999:
            raise PeriodError("month", f"月份无效：{self.year}-{self.month}", f"not a month: {self.year}-{self.month}")

    @classmethod
    def parse(cls, text: str) -> Month:
        m = _MONTH_RE.match(text.strip())
        if not m:
            raise PeriodError("month", f"月份应写作 YYYY-MM：{text!r}", f"a month is written YYYY-MM: {text!r}")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def index(self) -> int:
        """Months since year 0, so that month arithmetic is integer arithmetic."""
        return self.year * 12 + self.month - 1

    @classmethod
    def from_index(cls, index: int) -> Month:
        return cls(index // 12, index % 12 + 1)

    def plus(self, months: int) -> Month:
        return Month.from_index(self.index + months)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]


@dataclass(frozen=True)
class Period:
    """An inclusive range of months [first, last] (SPEC "Money and time")."""

    first: Month
    last: Month

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise PeriodError("period", f"期间的结束月 {self.last} 早于开始月 {self.first}",
                              f"the period ends ({self.last}) before it starts ({self.first})")

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2023`` (a year), ``2023-03`` (a month) or ``2023-01..2023-06`` (a range)."""
        raw = text.strip()
        if re.fullmatch(r"\d{4}", raw):
            year = int(raw)
            if year < 1:
                raise PeriodError("period", f"年份无效：{raw}", f"not a year: {raw}")
            return cls(Month(year, 1), Month(year, 12))
        if ".." in raw:
            left, _, right = raw.partition("..")
            try:
                return cls(Month.parse(left), Month.parse(right))
            except PeriodError as exc:
                if exc.field == "period":
                    raise
                raise PeriodError("period", f"期间应写作 2023、2023-03 或 2023-01..2023-06：{text!r}",
                                  f"a period is written 2023, 2023-03 or 2023-01..2023-06: {text!r}") from exc
        try:
            month = Month.parse(raw)
        except PeriodError as exc:
            raise PeriodError("period", f"期间应写作 2023、2023-03 或 2023-01..2023-06：{text!r}",
                              f"a period is written 2023, 2023-03 or 2023-01..2023-06: {text!r}") from exc
        return cls(month, month)

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(Month(year, 1), Month(year, 12))

    def __str__(self) -> str:
        if self.first == self.last:
            return str(self.first)
        if self.is_calendar_year:
            return f"{self.first.year:04d}"
        return f"{self.first}..{self.last}"

    @property
    def months(self) -> tuple[Month, ...]:
        return tuple(Month.from_index(i) for i in range(self.first.index, self.last.index + 1))

    @property
    def month_count(self) -> int:
        return self.last.index - self.first.index + 1

    @property
    def is_calendar_year(self) -> bool:
        return self.first.month == 1 and self.last.month == 12 and self.first.year == self.last.year

    @property
    def first_day(self) -> date:
        return self.first.first_day

    @property
    def last_day(self) -> date:
        return self.last.last_day

    def __contains__(self, month: object) -> bool:
        return isinstance(month, Month) and self.first <= month <= self.last

    def same_months_year_earlier(self) -> Period:
        """The period growth is measured against: the same months one year before."""
        return Period(self.first.plus(-12), self.last.plus(-12))

    def overlaps(self, start: date, end: date | None) -> bool:
        """Whether [start, end] (end None = still open) has a day in this period."""
        return start <= self.last_day and (end is None or end >= self.first_day)


# -- Scopes ---------------------------------------------------------------------------------


class ScopeKind(StrEnum):
    all = "all"
    workshop = "workshop"
    enterprise = "enterprise"
    region = "region"


_REGION_PREFIX_RE = re.compile(r"^\d{2}(?:\d{2}){0,2}$")


@dataclass(frozen=True)
class Scope:
    """Which workshops a figure covers: all, one workshop, one enterprise's, or a region code prefix.

    A region prefix is 2, 4 or 6 digits of a GB/T 2260 code (province, city, county):
    ``region:33`` is 浙江, ``region:3307`` 金华, ``region:330784`` 永康.
    """

    kind: ScopeKind
    value: str | None = None

    def __post_init__(self) -> None:
        if self.kind is ScopeKind.all:
            if self.value is not None:
                raise ScopeError("scope", "范围 all 不带参数", "scope 'all' takes no value")
            return
        if not self.value:
            raise ScopeError("scope", f"范围 {self.kind} 需要一个值，如 {self.kind}:…",
                             f"scope {self.kind} needs a value, e.g. {self.kind}:…")
        if self.kind is ScopeKind.region and not _REGION_PREFIX_RE.match(self.value):
            raise ScopeError("scope", f"地区前缀应为2、4或6位数字（如 330784）：{self.value!r}",
                             f"a region prefix is 2, 4 or 6 digits (e.g. 330784): {self.value!r}")

    @classmethod
    def parse(cls, text: str) -> Scope:
        raw = text.strip()
        if raw == "all":
            return cls(ScopeKind.all)
        kind, sep, value = raw.partition(":")
        if not sep or kind not in ScopeKind.__members__:
            raise ScopeError("scope", f"范围应写作 all、workshop:编码、enterprise:ID 或 region:前缀：{text!r}",
                             f"a scope is written all, workshop:CODE, enterprise:ID or region:PREFIX: {text!r}")
        return cls(ScopeKind(kind), value.strip())

    @classmethod
    def all(cls) -> Scope:
        return cls(ScopeKind.all)

    def __str__(self) -> str:
        return "all" if self.kind is ScopeKind.all else f"{self.kind}:{self.value}"

    def matches(self, workshop: str, enterprise: str | None = None, region: str | None = None) -> bool:
        """Whether a workshop (its code, its host enterprise, its 6-digit region) is in the scope."""
        if self.kind is ScopeKind.all:
            return True
        if self.kind is ScopeKind.workshop:
            return workshop == self.value
        if self.kind is ScopeKind.enterprise:
            return enterprise is not None and str(enterprise) == self.value
        return region is not None and self.value is not None and region.startswith(self.value)
