"""Published claims, and the reader that finds them in Chinese prose.

A claim figure is what a publication said: a metric, a value in base units (元, 人, 户, 家,
%), the qualifier of its wording (约 / 余 / 以上 / none), the place of its last non-zero
digit (which, by SPEC, decides how far the wording lets it stray), and the exact fragment of
text it came from.

The reader reads figures out of prose the way an auditor would, and no further: every number
it sees ends as a figure, a target (a planned or required figure, kept apart and never
reconciled) or an ``unrecognised`` entry with the reason it could not be placed. Dates, ages,
durations, ordinals and codes (2023年, 60岁, 3个月, 第三家, 5G) are not figures and are passed over.

Text is normalised first (``ledger/core/claim_text.py``: pinyin in parentheses removed,
OpenCC traditional → simplified, full-width → half-width, cn2an Chinese numerals → digits);
the fragment quoted back is always the original text, ID and phone numbers masked. The words
it knows are data in ``ledger/core/lexicon.py``. It works sentence by sentence (。！？；) and
clause by clause (，：and parentheses; '、' joins):

* Numbers: Arabic (half- or full-width) with decimals, times 万 / 亿 (4.79万人 → 47900), and
  Chinese numerals that count something (八家, 一千余人, 近万名, 万元以上: a bare 万 or 千 that a
  wording bounds is one of it). Ranges (四五千元, 2000-3000元) and vague counts (几百, 上千,
  上万名) are unrecognised, never guessed.
* Qualifiers: 余 / 多 → ``over``; 约 / 近 / 左右 / 大约 / 将近 / 接近 → ``about``;
  以上 / 超 / 超过 / 逾 / 突破 / 不少于 / 不低于 → ``at_least``; nothing (or 达) → ``exact``.
* Workshops: N家 / N个 counts workshops when a workshop noun (共富工坊, 扶贫车间, 社区工厂,
  振兴工坊, 来料加工点 …) is its noun — right before it (共富工坊128家) or after it
  (11家共富工坊), not as a modifier (50个共富工坊岗位 counts jobs) — or, with no noun of its
  own, after a build verb in a sentence about workshops (建成60家以上). A certification word in
  the noun phrase (认定, 示范, 星级, 授牌 …) makes it ``workshops_certified``.
* Workers: N人 / 名 / 位 (or N个 + people) is a number of workers only when its clause speaks
  of work (就业, 吸纳, 务工, 从事, 参与…生产, 员工, 工作人员 …) or it is the 其中 part of one,
  and not when the people are trained, recruited into an association, brokers, visitors or
  labour sent elsewhere (培训务工群众1179人). N人次 counts visits or shifts and N个岗位 counts
  jobs: neither is a head count, both are unrecognised with that reason. N户 is households,
  never workers. ``从N…发展到M`` reads M; N is an earlier value.
* Money: 人均 / 每人 / 平均 / 年均 / 月均 make an average, 合计 / 累计 / 总 / 共 / 发放工资
  (务工费, 加工费, 劳务报酬) a total; 月 / 每月 / 元/月 make it monthly, 年 / 每年 / 全年
  annual. A per-person gain with no stated period (人均增收4292元) is annual by the convention
  of official statistics (SPEC) and says ``period_assumed``; a wage with no period is
  unrecognised. A monthly gain of named workers with no 人均 (农户月增收2000余元) is their
  average. An amount of 10万元 or more that is the workers' gain, pay or income (实现增收11.2亿元,
  工人60多万元的工资) is their total: no one person's pay is that large. Maxima (最高), minima,
  a part (部分骨干), a day's and a household's money (户均, 户平) are not averages; a whole
  place's per-capita income (全县农民人均, 人均可支配收入) is not workers' pay; money of another
  payee or of another kind (村集体, 产值, 销售额, 订单, 租金, 分红, 效益 …) is not either, and that
  subject carries on through the sentence until workers are named again.
* Growth: N% with 增长 / 同比 … is the growth of total pay or of the monthly average its clause
  names; a clause that names nothing (同比增长15.3%) is the growth of the pay figure just before
  it in the sentence.
* Plans and conditions: figures after 预计 / 计划 / 力争 / 目标 / 将建 … and in a clause that
  states a condition (要求, 门槛, 标准, 须, 至少) are targets: ``targets``, never reconciled. A
  plan's word governs the rest of its clause ('、' lists included: 力争到2025年建成工坊100家、吸纳
  就业5000人、人均月增收3000元) and goes on over the following clauses of the sentence that list
  more of the same plan (力争到2025年建成100家，吸纳就业5000人，人均月增收3000元; 计划2025年
  建成20家，到2027年建成100家). It ends at the sentence's end (。；！？) and, before that, at the
  first clause that
  - says what has been done or is so now, or names a time past or present of its own: 已, 了,
    目前, 现有, 截至, 累计, 如今, 至今, 去年, 以来 … (力争明年建成60家，去年带动就业800人);
  - names a year of its own before the plan's (计划到2025年建成100家，2023年吸纳就业800人);
  - or, when the sentence had already reported figures before the plan, is neither an aside
    (其中 …, a parenthesis) nor a further action of the plan opening with its own verb (带动,
    吸纳, 新增, 实现, 建成 …): a plan set between reported figures is that clause's aim, and the
    report resumes after it (带动就业200人，力争明年建成60家以上，人均增收4292元: the 4292 is
    achieved; 已建成10个，计划8月底建成20个，带动5000户增收: the 5000 is planned).
  A sentence that opens with its plan stays in it until one of the first two: the words of a
  plan's list and of a report look alike, and only a marker of time or of completion tells them
  apart there.
* Low-income: a clause naming 低收入 / 困难群众 / 建档立卡 / 贫困户 / 残疾人 … makes its figures
  low-income (not when the same group also names workers in general: 低收入农户、闲散劳动力等240
  余人); the subject carries forward within the sentence (SPEC: in the article the 人均 and
  合计 figures refer to the low-income people named before them) until workers in general are
  named, and resets at the sentence's end. A purpose clause (为促进贫困人口就业) sets no
  subject, and an aside does not carry: a parenthesis, or a clause opening with 其中, which names
  a subgroup — whose naming low-income people also shows the whole before it was not.

Claim metric names (``ClaimMetric``): workshops, workshops_certified, workers_employed,
households, avg_monthly_pay, avg_annual_pay, total_pay (for the claim's stated period),
total_pay_annual, total_pay_monthly, growth_total_pay, growth_avg_monthly_pay.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ledger.core import lexicon as lx
from ledger.core.claim_text import PERSONAL_NUMBER_RE, Normalised, normalise
from ledger.core.metrics import Unit, figure_name, split_figure_name


class Qualifier(StrEnum):
    """How a published figure's wording bounds the true value (SPEC "Claims and reconciliation")."""

    exact = "exact"
    about = "about"
    over = "over"
    at_least = "at_least"


class ClaimMetric(StrEnum):
    """What a published figure is about; the ledger's metric of the same name where there is one."""

    workshops = "workshops"
    workshops_certified = "workshops_certified"
    workers_employed = "workers_employed"
    households = "households"
    avg_monthly_pay = "avg_monthly_pay"
    avg_annual_pay = "avg_annual_pay"
    total_pay = "total_pay"
    total_pay_annual = "total_pay_annual"
    total_pay_monthly = "total_pay_monthly"
    growth_total_pay = "growth_total_pay"
    growth_avg_monthly_pay = "growth_avg_monthly_pay"

    @property
    def unit(self) -> Unit:
        if self in (ClaimMetric.workshops, ClaimMetric.workshops_certified):
            return Unit.workshop
        if self is ClaimMetric.workers_employed:
            return Unit.person
        if self is ClaimMetric.households:
            return Unit.household
        if self in (ClaimMetric.growth_total_pay, ClaimMetric.growth_avg_monthly_pay):
            return Unit.percent
        return Unit.yuan


CLAIM_UNITS: tuple[Unit, ...] = (Unit.workshop, Unit.person, Unit.household, Unit.yuan, Unit.percent)


def place_of(value: Decimal) -> Decimal:
    """The place value of the last non-zero digit: 2800 → 100, 3360000 → 10000, 47900 → 100, 1.5 → 0.1."""
    if value == 0:
        return Decimal(1)
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return Decimal(10) ** exponent


@dataclass(frozen=True)
class ClaimFigure:
    """One published figure.

    ``value`` is in base units (336万元 → 3360000). ``place`` is the place value of the last
    non-zero digit as written (约336万元 → 10000; 1000余人 → 1000) and decides the ``about``
    and ``over`` intervals. ``resolution`` is the place value of the last digit as written,
    zeros included (336万 → 10000, 2800元 → 1, 24.50万 → 100): ``exact`` means equal when the
    ledger is rounded to it. ``tolerance``, when a claim states one, overrides the wording.
    ``target`` marks a planned or required figure (预计建成60家): it is never reconciled as an
    achievement. ``period_assumed`` marks an average read as annual by convention because the
    text states no period (人均增收4292元); a person can overrule it. ``start`` / ``end`` are
    where the fragment lies in the parsed text (not part of the figure's identity).
    """

    metric: ClaimMetric
    value: Decimal
    unit: Unit
    qualifier: Qualifier = Qualifier.exact
    text: str = ""
    low_income: bool = False
    place: Decimal = Decimal(0)
    resolution: Decimal = Decimal(0)
    tolerance: Decimal | None = None
    target: bool = False
    period_assumed: bool = False
    start: int = field(default=-1, compare=False)
    end: int = field(default=-1, compare=False)

    def __post_init__(self) -> None:
        # Values read from a database or a form arrive as strings; coerce them here, once.
        if isinstance(self.value, float) or isinstance(self.tolerance, float):
            raise TypeError("claim figures are Decimal, never float")
        object.__setattr__(self, "metric", ClaimMetric(self.metric))
        object.__setattr__(self, "unit", Unit(self.unit))
        object.__setattr__(self, "qualifier", Qualifier(self.qualifier))
        if not isinstance(self.value, Decimal):
            object.__setattr__(self, "value", Decimal(str(self.value)))
        if self.tolerance is not None and not isinstance(self.tolerance, Decimal):
            object.__setattr__(self, "tolerance", Decimal(str(self.tolerance)))
        if self.place == 0:
            object.__setattr__(self, "place", place_of(self.value))
        if self.resolution == 0:
            object.__setattr__(self, "resolution", _resolution_of(self.value))

    @property
    def name(self) -> str:
        """The metric name with the ``_low_income`` suffix when it is about low-income workers."""
        return figure_name(self.metric, self.low_income)

    def to_json_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"metric": self.name, "value": decimal_str(self.value), "unit": str(self.unit),
                                "qualifier": str(self.qualifier), "text": self.text}
        # Keys added in 2026-12 appear only when they say something, so older readers see what they saw.
        if self.period_assumed:
            body["period_assumed"] = True
        if self.target:
            body["target"] = True
        return body

    @classmethod
    def from_json_dict(cls, data: Mapping[str, Any]) -> ClaimFigure:
        """Read back what ``to_json_dict`` wrote (or what a person typed in the same shape).

        The place and resolution come from the quoted text when it holds the number, otherwise
        from the value's own digits.
        """
        base, low_income = split_figure_name(str(data["metric"]))
        metric = ClaimMetric(base)
        value = Decimal(str(data["value"]))
        text = str(data.get("text") or "")
        place, resolution = Decimal(0), Decimal(0)
        for token in _tokens(normalise(text).text):
            if token.value == value:
                place, resolution = token.place, token.resolution
                break
        tolerance = data.get("tolerance")
        return cls(metric=metric, value=value, unit=Unit(data.get("unit") or metric.unit),
                   qualifier=Qualifier(data.get("qualifier") or "exact"), text=text,
                   low_income=bool(data.get("low_income", low_income)), place=place, resolution=resolution,
                   tolerance=None if tolerance is None else Decimal(str(tolerance)),
                   target=data.get("target") is True, period_assumed=data.get("period_assumed") is True)


def _resolution_of(value: Decimal) -> Decimal:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return Decimal(10) ** min(exponent, 0)


def decimal_str(value: Decimal | int) -> str:
    """A decimal string without exponent or trailing zeros: 3.36E+6 → "3360000", 47900.00 → "47900"."""
    if isinstance(value, int):
        return str(value)
    text = f"{value.normalize():f}"
    return text


class UnreadReason(StrEnum):
    """Why a number the reader saw is not a figure (each with the sentence a person reads)."""

    person_times = "person_times"
    jobs = "jobs"
    not_workers = "not_workers"
    not_employment = "not_employment"
    not_workshop = "not_workshop"
    other_payee = "other_payee"
    place_wide = "place_wide"
    not_average = "not_average"
    no_period = "no_period"
    range = "range"
    vague = "vague"
    earlier_value = "earlier_value"
    other_unit = "other_unit"
    no_unit = "no_unit"
    percent = "percent"
    personal_number = "personal_number"
    too_large = "too_large"
    unplaced = "unplaced"

    @property
    def message(self) -> str:
        return _REASON_MESSAGES[self]


_REASON_MESSAGES = {
    UnreadReason.person_times: "人次是次数，不是人数 / person-times count visits or shifts, not people",
    UnreadReason.jobs: "岗位数不是就业人数 / a number of jobs is not a number of people",
    UnreadReason.not_workers: "所说的人不是工坊务工人员（培训、会员、经纪人、游客、外出务工等） / "
                              "these people are not workshop workers (trained, members, brokers, visitors, labour sent elsewhere)",
    UnreadReason.not_employment: "原文未说这些人在工坊务工 / the text does not say these people work at a workshop",
    UnreadReason.not_workshop: "数的不是工坊 / what is counted is not workshops",
    UnreadReason.other_payee: "不是务工人员的收入（村集体、产值、订单、租金、分红等） / "
                              "not the workers' pay (village collective, output, orders, rent, dividends …)",
    UnreadReason.place_wide: "是一地的人均收入，不是务工人员的平均收入 / a whole place's per-capita income, not workers' average pay",
    UnreadReason.not_average: "最高、最低、部分人、按天或按户的金额不是人均 / "
                              "a maximum, minimum, part, daily or per-household amount is not an average",
    UnreadReason.no_period: "工资未说明是月还是年 / a wage with no stated period",
    UnreadReason.range: "是一个区间，不是一个数 / a range, not one figure",
    UnreadReason.vague: "是约数（几百、上千），不是一个数 / a vague count, not one figure",
    UnreadReason.earlier_value: "是此前的数值（从……发展到……） / an earlier value (from … to …)",
    UnreadReason.other_unit: "单位不是对账所用的单位 / a unit that claims are not reconciled in",
    UnreadReason.no_unit: "数字没有单位 / a number without a unit",
    UnreadReason.percent: "百分比不是增长率 / a percentage that is not a growth rate",
    UnreadReason.personal_number: "是身份证号或手机号，已隐去 / an identity or phone number, masked",
    UnreadReason.too_large: "数字过大，不是公开的数字 / too large to be a published figure",
    UnreadReason.unplaced: "看不出这个数说的是什么 / cannot tell what this number is about",
}


@dataclass(frozen=True)
class Unread:
    """A number the reader saw and could not place, the fragment it sits in, and why."""

    text: str
    reason: UnreadReason
    start: int = field(default=-1, compare=False)
    end: int = field(default=-1, compare=False)

    def to_json_dict(self) -> dict[str, Any]:
        return {"text": self.text, "reason": str(self.reason), "message": self.reason.message}


@dataclass(frozen=True)
class ParseResult:
    figures: tuple[ClaimFigure, ...] = ()
    unread: tuple[Unread, ...] = ()
    targets: tuple[ClaimFigure, ...] = ()

    @property
    def unrecognised(self) -> tuple[str, ...]:
        return tuple(u.text for u in self.unread)

    def to_json_dict(self) -> dict[str, Any]:
        return {"figures": [f.to_json_dict() for f in self.figures], "unrecognised": list(self.unrecognised),
                "targets": [f.to_json_dict() for f in self.targets],
                "unrecognised_reasons": [u.to_json_dict() for u in self.unread]}


# -- Number tokens --------------------------------------------------------------------------


class _Kind(StrEnum):
    person = "person"
    person_times = "person_times"
    household = "household"
    classifier = "classifier"  # 家 / 个: workshops, jobs, people or something else, by context
    yuan = "yuan"
    percent = "percent"
    other = "other"  # a unit claims are not made in (亩, 吨, 件 …)
    bare = "bare"  # no unit at all
    range = "range"
    vague = "vague"
    personal = "personal"
    too_large = "too_large"


_MAX_DIGITS = 16
"""A number of 16 digits or more (before 万 / 亿) is no published figure; the ledger stores at most 18."""
_MULTIPLIERS = {"万": Decimal(10000), "亿": Decimal(100000000), "千": Decimal(1000), "百": Decimal(100)}
_NUMBER_RE = re.compile(
    r"(?<![\d.])(?<!\d,)(?P<num>(?:\d{1,3}(?:,\d{3})+(?![\d,])|\d{1,3}(?:[ \u2009\u202f]\d{3})+(?!\d)|\d+)(?:\.\d+)?)"
    r"\s*(?P<over1>余|多)?\s*(?P<mult>万|亿|千|百)?\s*(?P<over2>余|多)?"
)
_EXEMPT_AFTER_RE = re.compile(
    r"(?:年|个月|月|日|号|时|点钟|点(?![\d])|分钟|秒|小时|个小时|天|周岁|岁|周年|周|届|世纪|后|楼|层|个季度|季度|个工作日)"
)
"""Dates, times, durations, ages, floors and house numbers: not figures, and not unread either."""
_RANGE_JOIN_RE = re.compile(r"\s*(?:-|~|—|–|至|到)\s*(?=\d)")
_CN_LEFTOVER_RE = re.compile(
    r"(?P<range>[一二两三四五六七八九]{2,}[十百千]?(?:余|多)?[万亿]?)(?=[人名位户家个元块])"
    r"|(?P<vague>[数几上成好]+[十百千万]+(?:余|多)?[万亿]?)(?=[人名位户家个元块])"
)
_PREFIX_QUALIFIERS: tuple[tuple[str, Qualifier], ...] = (
    ("约为", Qualifier.about), ("大约", Qualifier.about), ("将近", Qualifier.about), ("接近", Qualifier.about),
    ("超过", Qualifier.at_least), ("不少于", Qualifier.at_least), ("不低于", Qualifier.at_least),
    ("突破", Qualifier.at_least), ("约", Qualifier.about), ("近", Qualifier.about), ("超", Qualifier.at_least),
    ("逾", Qualifier.at_least),
)
_SUFFIX_QUALIFIERS: tuple[tuple[str, Qualifier], ...] = (("左右", Qualifier.about), ("以上", Qualifier.at_least))


@dataclass(frozen=True)
class _Token:
    start: int  # where the number (or its prefix qualifier) starts
    end: int  # just past the unit and any suffix qualifier
    value: Decimal
    kind: _Kind
    qualifier: Qualifier
    place: Decimal
    resolution: Decimal
    unit_text: str = ""


def _tidy(value: Decimal) -> Decimal:
    """4.79 × 10000 → 47900 rather than 47900.00; 0.5 stays 0.5."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _unit_at(norm: str, i: int) -> tuple[_Kind | None, int]:
    """The unit written at norm[i:] and where it ends; kind None when the number is exempt."""
    rest = norm[i:i + 5]
    if rest.startswith("人次"):
        return _Kind.person_times, i + 2
    if _EXEMPT_AFTER_RE.match(rest):
        return None, i
    ch = rest[:1]
    if not ch:
        return _Kind.bare, i
    if ch.isascii() and ch.isalpha():
        return None, i  # 5G, 117N, 400KV: part of a code or a name
    if ch == "人":
        return (_Kind.other, i + 2) if rest[1:2] in ("口", "民") else (_Kind.person, i + 1)
    if ch in "名位":
        return _Kind.person, i + 1
    if ch == "户":
        return _Kind.household, i + 1
    if ch in "家个":
        return _Kind.classifier, i + 1
    if ch in "元圆":
        return _Kind.yuan, i + 1
    if ch == "块":
        return _Kind.yuan, i + (2 if rest[1:2] == "钱" else 1)
    if ch == "%":
        return _Kind.percent, i + 1
    if "\u3400" <= ch <= "\u9fff" and ch not in "以左余多的和、及与或等":
        return _Kind.other, i + 1
    return _Kind.bare, i


def _tokens(norm: str, start: int = 0, end: int | None = None) -> list[_Token]:
    end = len(norm) if end is None else end
    out: list[_Token] = []
    personal = [(m.start(), m.end()) for m in PERSONAL_NUMBER_RE.finditer(norm, start, end)]
    for a, b in personal:
        out.append(_Token(a, b, Decimal(0), _Kind.personal, Qualifier.exact, Decimal(1), Decimal(1)))
    for m in _CN_LEFTOVER_RE.finditer(norm, start, end):
        leftover = _Kind.range if m.group("range") else _Kind.vague
        unit_kind, unit_end = _unit_at(norm, m.end())
        out.append(_Token(m.start(), unit_end if unit_kind else m.end(), Decimal(0), leftover, Qualifier.exact,
                          Decimal(1), Decimal(1)))
    skip_until = -1
    for m in _NUMBER_RE.finditer(norm, start, end):
        if m.start() < skip_until or any(a <= m.start() < b for a, b in personal):
            continue
        before = norm[max(start, m.start() - 4):m.start()]
        if before.endswith("第") or (before[-1:].isascii() and before[-1:].isalpha()):
            continue  # 第3家, G60: an ordinal or a code
        raw = m.group("num")
        number = Decimal(re.sub(r"[, \u2009\u202f]", "", raw))  # 1,000 and 1 200: thousands separators
        if number.adjusted() >= _MAX_DIGITS:
            out.append(_Token(m.start(), m.end(), Decimal(0), _Kind.too_large, Qualifier.exact, Decimal(1),
                              Decimal(1)))
            continue
        exponent = number.as_tuple().exponent
        assert isinstance(exponent, int)
        multiplier = _MULTIPLIERS[m.group("mult")] if m.group("mult") else Decimal(1)
        value = _tidy(number * multiplier)
        place = _tidy(place_of(number) * multiplier) if number else Decimal(1)
        resolution = _tidy(Decimal(10) ** min(exponent, 0) * multiplier)
        qualifier = Qualifier.over if (m.group("over1") or m.group("over2")) else Qualifier.exact
        kind, unit_end = _unit_at(norm, m.end())
        # A range (2000-3000元, 500元到1000元, 1.5-3万元): one unread entry, or nothing for dates (1至9月).
        joined = _RANGE_JOIN_RE.match(norm, unit_end if kind else m.end())
        if joined:
            second = _NUMBER_RE.match(norm, joined.end())
            if second:
                second_kind, second_end = _unit_at(norm, second.end())
                skip_until = second.end()
                if second_kind is None:
                    continue  # 1至9月, 2022—2024年: a stretch of time
                out.append(_Token(m.start(), second_end, Decimal(0), _Kind.range, Qualifier.exact, place,
                                  resolution))
                continue
        if kind is None:
            continue
        token_start, token_end = m.start(), unit_end
        if qualifier is Qualifier.exact:
            for word, q in _PREFIX_QUALIFIERS:
                if before.endswith(word):
                    qualifier, token_start = q, m.start() - len(word)
                    break
        rest = norm[token_end:end]
        for word, q in _SUFFIX_QUALIFIERS:
            if rest.startswith(word):
                if qualifier is Qualifier.exact:
                    qualifier = q
                token_end += len(word)
                break
        out.append(_Token(token_start, token_end, value, kind, qualifier, place, resolution,
                          norm[m.end():unit_end]))
    out.sort(key=lambda t: t.start)
    kept: list[_Token] = []
    for token in out:
        if kept and token.start < kept[-1].end:
            continue
        kept.append(token)
    return kept


# -- Context words (compiled from the lexicons) ----------------------------------------------

def _words(words: tuple[lx.Word, ...]) -> re.Pattern[str]:
    return re.compile(lx.alternation(words))


_WORKSHOP_NOUN_RE = _words(lx.WORKSHOP_NOUNS)
_WORKSHOP_NOUN_END_RE = re.compile(r"(?:" + lx.alternation(lx.WORKSHOP_NOUNS)
                                   + r")(?:示范点|示范基地)?[”\"'」』\s]*(?:共|达|已有|有|数量为|数量达)?$")
_MODIFIER_RE = re.compile(r"[”\"'」』\s]*(?:" + lx.alternation(lx.WORKSHOP_NOUN_AS_MODIFIER) + ")")
_CERT_RE = _words(lx.CERTIFICATION_WORDS)
_BUILD_END_RE = re.compile(r"(?:" + lx.alternation(lx.BUILD_VERBS) + r")了?$")
_EMPLOY_RE = _words(lx.EMPLOYMENT_WORDINGS)
_NOT_WORKERS_RE = _words(lx.NOT_WORKERS)
_LOW_RE = _words(lx.LOW_INCOME_WORDS)
_LOW_PHRASE_RE = re.compile(
    r"(?:" + lx.alternation(lx.LOW_INCOME_WORDS) + r")"
    r"(?:家庭|农户|户)?(?:人群|群体|人员|人口|群众|职工|员工|工人|劳动力|妇女|人士|对象|者|人)?"
)
_PEOPLE_RE = _words(lx.PEOPLE_NOUNS)
_OTHER_RE = _words(lx.NOT_WORKERS_MONEY)
_PLACE_WIDE_RE = _words(lx.PLACE_WIDE_INCOME)
_NOT_AVERAGE_RE = _words(lx.NOT_AN_AVERAGE)
_TARGET_RE = _words(lx.TARGET_MARKERS)
_THRESHOLD_RE = _words(lx.THRESHOLD_MARKERS)
_ACHIEVED_RE = _words(lx.ACHIEVED_MARKERS)
_PLAN_CHAIN_RE = re.compile(r"(?:并|再|还|同时|可|能|将)?(?:" + lx.alternation(lx.PLAN_CHAIN_VERBS) + ")")

_STRONG_AVG_RE = re.compile(r"人均|每人|每位|每名|每个(?:村民|员工|工人|人|农户|职工)|平均每|月平均|年平均|平均(?=月|年|收入|工资|增收)")
_WEAK_AVG_RE = re.compile(r"年均|月均")
_TOTAL_RE = re.compile(r"合计|累计|总(?!产值|投资)|共(?!富|同|建|享)|工资总额|"
                       r"发放(?:了)?(?:工资|薪酬|加工费|劳务费|务工费|劳务报酬|报酬)")
_WORKERS_PAY_RE = re.compile(r"发放(?:了)?(?:工资|薪酬|加工费|劳务费|务工费|劳务报酬|报酬)|务工费|加工费|劳务报酬|务工增收")
_PAID_OUT_RE = re.compile(r"发放(?:了|共|累计)?$")  # 已发放250万元: money paid out, to the workers
_PAY_WORD_RE = re.compile(r"增收|收入|工资|报酬|薪酬|薪|务工费|加工费|劳务费|增加")
_GAIN_RE = re.compile(r"增收|收入|增加")
_MONTHLY_RE = re.compile(r"月(?:增收|收入|工资|薪|均|人均|发放|增加|度|平均)|每月|每个月|人均月|/月")
_ANNUAL_RE = re.compile(r"年(?:增收|收入|工资|薪|均|人均|发放|总|增加|度|经济|平均)|每年|全年|人均年|/年")
_BARE_GAIN_TOTAL_FROM = Decimal(100_000)
_GROWTH_RE = re.compile(r"增长|同比|提高|提升|上涨|增幅")
_GAP_STOP_RE = re.compile(r"打造|建|成立|部门|企业|合作社|参与|入驻|联合|(?<!乡)村|基地|品类|系列|品种|产品|店铺|岗位|项目")
_EARLIER_RE = re.compile(r"(?:发展|增加|增长|提升|提高|扩大|上升|增)(?:到|至)")
_PURPOSE_RE = re.compile(r"^(?:为了|为解决|为促进|为|旨在|针对)")
_CURRENCY_CONTEXT_RE = re.compile(r"收入|增收|工资|薪|报酬")

_SENTENCE_END = "。!?;\n"
_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d\d)年")


@dataclass
class _SentenceState:
    low: bool = False
    other: bool = False
    plan: bool = False  # a plan's figures continue in this clause
    plan_in_report: bool = False  # the plan came after reported figures: it ends at the next clause not an aside
    plan_year: int | None = None  # the year of the plan's time frame (到2025年)
    reported: bool = False  # an achieved figure has been read in this sentence
    last_people_metric: ClaimMetric | None = None
    last_money_metric: ClaimMetric | None = None  # what a bare 同比增长N% that follows is about
    carried: tuple[str, int] | None = None  # the workers figure made low-income only by the carried subject


@dataclass
class _Reading:
    """What the reader has found so far in one text."""

    norm: Normalised
    figures: list[ClaimFigure] = field(default_factory=list)
    targets: list[ClaimFigure] = field(default_factory=list)
    unread: list[Unread] = field(default_factory=list)


def parse_claim_text(text: str) -> ParseResult:
    """Read the figures out of a sentence or paragraph; what is not understood is left unrecognised."""
    norm = normalise(text)
    reading = _Reading(norm)
    start = 0
    for i, ch in enumerate(norm.text + "。"):
        if ch in _SENTENCE_END:
            if i > start:
                _parse_sentence(reading, start, i)
            start = i + 1
    return ParseResult(tuple(reading.figures), tuple(reading.unread), tuple(reading.targets))


def _clauses(norm: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    """(start, end, in_parentheses) for each clause; '、' joins rather than separates."""
    out: list[tuple[int, int, bool]] = []
    clause_start, depth = start, 0
    for i in range(start, end):
        ch = norm[i]
        if ch == "," and 0 < i < end - 1 and norm[i - 1].isdigit() and norm[i + 1: i + 4].isdigit():
            continue  # a thousands separator (1,000人), not a clause break
        if ch in ",:" or ch in "()":
            if i > clause_start:
                out.append((clause_start, i, depth > 0))
            clause_start = i + 1
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth = max(0, depth - 1)
    if end > clause_start:
        out.append((clause_start, end, depth > 0))
    return out


@dataclass(frozen=True)
class _Context:
    """What the reader knows about one token: its clause, its own stretch of text, the sentence."""

    token: _Token
    clause: str
    before: str  # the clause up to the token
    own_before: str  # from the previous number (or the clause's start) to the token
    after: str  # from the token to the next token (or the clause's end)
    sentence: str
    aside: bool
    has_low: bool
    people_noun: bool
    has_other: bool


def _parse_sentence(reading: _Reading, start: int, end: int) -> None:
    n = reading.norm
    norm = n.text
    sentence = norm[start:end]
    state = _SentenceState()
    for c_start, c_end, in_parens in _clauses(norm, start, end):
        clause = norm[c_start:c_end]
        stripped = clause.strip(" “”\"'「」『』")
        aside = in_parens or stripped.startswith("其中")
        has_low = bool(_LOW_RE.search(clause))
        people_noun = bool(_PEOPLE_RE.search(_LOW_PHRASE_RE.sub("", clause)))
        has_other = bool(_OTHER_RE.search(clause))
        plan_here = _TARGET_RE.search(clause)
        threshold = bool(_THRESHOLD_RE.search(clause))
        if state.plan and not plan_here and _plan_ends_at(clause, aside, state):
            state.plan = False
        tokens = _tokens(norm, c_start, c_end)
        previous_end = c_start
        for k, token in enumerate(tokens):
            next_start = tokens[k + 1].start if k + 1 < len(tokens) else c_end
            after = norm[token.end:next_start]
            # The fragment runs on to the words the figure is about (带动1617名残疾人就业), up to
            # the next figure or a list separator (5个渔农村、6家水产企业).
            cut = min((i for i in (after.find("、"), after.find("和")) if i >= 0), default=len(after))
            fragment_end = token.end + cut
            frag_start = previous_end
            while frag_start < token.start and norm[frag_start] in " \t\r\n“\"'「『、和":
                frag_start += 1
            frag_stop = fragment_end
            while frag_stop > token.end and norm[frag_stop - 1] in " \t\r\n、和":
                frag_stop -= 1
            fragment = n.quote(frag_start, frag_stop)
            span = n.span(frag_start, frag_stop)
            own_from = tokens[k - 1].end if k else c_start
            context = _Context(token, clause, norm[c_start:token.start], norm[own_from:token.start], after,
                               sentence, aside, has_low, people_noun, has_other)
            target = threshold or state.plan or bool(plan_here and plan_here.start() <= token.start - c_start)
            read = _read_token(context, state)
            if isinstance(read, UnreadReason):
                reading.unread.append(Unread(fragment, read, span[0], span[1]))
                if token.kind is _Kind.yuan:
                    state.last_money_metric = None
            else:
                metric, low, period_assumed, carried = read
                figure = ClaimFigure(metric=metric, value=token.value, unit=metric.unit, qualifier=token.qualifier,
                                     text=fragment, low_income=low, place=token.place, resolution=token.resolution,
                                     target=target, period_assumed=period_assumed, start=span[0], end=span[1])
                _record(reading, state, figure, carried, aside)
                state.reported = state.reported or not target
                if token.kind is _Kind.yuan:
                    state.last_money_metric = metric
            previous_end = fragment_end
        if not aside:
            if has_other and not people_noun and not _STRONG_AVG_RE.search(clause) \
                    and not _WORKERS_PAY_RE.search(clause):
                state.other = True
            elif people_noun or _STRONG_AVG_RE.search(clause):
                state.other = False
            if not tokens and has_low and not _PURPOSE_RE.match(stripped):
                state.low = True
        if plan_here:
            # A plan that follows reported figures is one clause's aim between them: it covers its
            # own clause and its asides, and the report resumes after it.
            state.plan, state.plan_in_report = True, state.reported
            state.plan_year = _last_year(clause) or state.plan_year


def _plan_ends_at(clause: str, aside: bool, state: _SentenceState) -> bool:
    """Whether a clause after a plan's clause leaves the plan (module docstring: plans and conditions)."""
    if _ACHIEVED_RE.search(clause):
        return True  # 计划新建5家，已建成8家 / 去年带动就业800人: done, or at a time past or present
    year = _last_year(clause)
    if year is not None and state.plan_year is not None and year < state.plan_year:
        return True  # 计划到2025年建成100家，2023年吸纳就业800人: a time of its own, before the plan's
    # After reported figures, the plan goes on only over asides and further actions of its own.
    return state.plan_in_report and not aside and not _PLAN_CHAIN_RE.match(clause.strip(" “”\"'「」『』"))


def _last_year(clause: str) -> int | None:
    years = _YEAR_RE.findall(clause)
    return int(years[-1]) if years else None


def _record(reading: _Reading, state: _SentenceState, figure: ClaimFigure, carried: bool, aside: bool) -> None:
    bucket = reading.targets if figure.target else reading.figures
    if figure.metric is ClaimMetric.workers_employed and not aside:
        state.carried = ("targets" if figure.target else "figures", len(bucket)) if carried else None
    if figure.metric is ClaimMetric.workers_employed and aside and figure.low_income and state.carried:
        # 带动就业近1000人，其中贫困户近200人: naming the low-income part shows the whole was not.
        name, index = state.carried
        whole_bucket = reading.targets if name == "targets" else reading.figures
        whole = whole_bucket[index]
        whole_bucket[index] = ClaimFigure(
            metric=whole.metric, value=whole.value, unit=whole.unit, qualifier=whole.qualifier, text=whole.text,
            low_income=False, place=whole.place, resolution=whole.resolution, target=whole.target,
            period_assumed=whole.period_assumed, start=whole.start, end=whole.end)
        state.carried = None
    bucket.append(figure)


_Read = tuple[ClaimMetric, bool, bool, bool] | UnreadReason  # (metric, low-income, period assumed, low by carry)


def _read_token(c: _Context, state: _SentenceState) -> _Read:
    token = c.token
    if token.kind is _Kind.personal:
        return UnreadReason.personal_number
    if token.kind is _Kind.too_large:
        return UnreadReason.too_large
    if token.kind is _Kind.range:
        return UnreadReason.range
    if token.kind is _Kind.vague:
        return UnreadReason.vague
    if "从" in c.own_before and _EARLIER_RE.search(c.after[:12]):
        return UnreadReason.earlier_value  # 从8000名绣娘发展到23万人: the 8000 is then, not now
    if token.kind is _Kind.person_times:
        if _EMPLOY_RE.search(c.clause):
            state.last_people_metric = ClaimMetric.workers_employed
        return UnreadReason.person_times
    if token.kind is _Kind.other:
        return UnreadReason.other_unit
    if token.kind is _Kind.classifier:
        return _read_classifier(c, state)
    if token.kind is _Kind.person:
        return _read_people(c, state)
    if token.kind is _Kind.household:
        return _read_households(c, state)
    if token.kind is _Kind.bare and not (_CURRENCY_CONTEXT_RE.search(c.own_before or c.before)
                                         and c.token.value >= 100):
        return UnreadReason.no_unit
    return _read_money(c, state)


def _read_classifier(c: _Context, state: _SentenceState) -> _Read:
    gap = c.after.lstrip(" “”\"'「」『』")
    if re.match(r"[^,。;]{0,8}(?:岗位|工位)", gap) or re.search(r"岗位[”\"'」』\s]*$", c.own_before):
        return UnreadReason.jobs  # 700余个固定岗位, 就业岗位150个
    if _PEOPLE_RE.match(gap) or re.match(r"(?:富余|剩余|闲置)?劳动力", gap):
        return _read_people(c, state)  # 30多个富余劳动力
    return _read_workshops(c)


def _read_workshops(c: _Context) -> _Read:
    gap = c.after.lstrip(" “”\"'「」『』")
    noun_phrase = ""
    hit = _WORKSHOP_NOUN_RE.search(gap[:14])
    if gap and hit and not _GAP_STOP_RE.search(gap[:hit.start()]):
        if _MODIFIER_RE.match(gap, hit.end()):
            return UnreadReason.not_workshop  # 50个共富工坊定向招工专项岗位
        noun_phrase = gap[:hit.end()] + gap[hit.end():hit.end() + 6]
    elif _WORKSHOP_NOUN_END_RE.search(c.own_before):
        noun_phrase = re.split(r"[、,]", c.own_before)[-1]
    elif (not gap or gap.startswith(("以上", "左右"))) and _BUILD_END_RE.search(c.own_before) \
            and _WORKSHOP_NOUN_RE.search(c.sentence):
        noun_phrase = c.clause  # 预计全年建成60家以上, in a sentence about workshops
    else:
        return UnreadReason.not_workshop
    certified = bool(_CERT_RE.search(noun_phrase))
    return (ClaimMetric.workshops_certified if certified else ClaimMetric.workshops), False, False, False


def _own_low(c: _Context, state: _SentenceState) -> tuple[bool, bool]:
    """(low-income, low only because the subject was carried) for a count of people or households."""
    own = c.own_before + c.after
    if _LOW_RE.search(own):
        mixed = bool(_PEOPLE_RE.search(_LOW_PHRASE_RE.sub("", own)))
        return not mixed, False  # 低收入农户、闲散劳动力等240余人: a mixed group is not low-income
    if c.has_low:
        return not c.people_noun, False
    if state.low and not c.people_noun:
        return True, True
    return False, False


def _read_people(c: _Context, state: _SentenceState) -> _Read:
    # The people named around the number (培训务工群众1179人, 吸纳120名创业能手): the words right
    # after it name who they are, and a training verb governs what follows it.
    if _NOT_WORKERS_RE.search(c.own_before) or _NOT_WORKERS_RE.search(c.after[:8]):
        return UnreadReason.not_workers  # 培训务工群众1179人, 吸纳120名创业能手组建联盟
    employed = bool(_EMPLOY_RE.search(c.clause)) or (
        c.aside and c.clause.strip().startswith("其中") and state.last_people_metric is ClaimMetric.workers_employed)
    if not employed:
        return UnreadReason.not_employment
    low, carried = _own_low(c, state)
    if not c.aside:
        state.low = low
        state.other = False
        state.last_people_metric = ClaimMetric.workers_employed
    return ClaimMetric.workers_employed, low, False, carried


_HOUSEHOLD_CONTEXT_RE = re.compile(r"就业|增收|收入|带动|吸纳|低收入|受益|帮扶|务工|加工|结对")


def _read_households(c: _Context, state: _SentenceState) -> _Read:
    if not (_HOUSEHOLD_CONTEXT_RE.search(c.clause) or _HOUSEHOLD_CONTEXT_RE.search(c.sentence)):
        return UnreadReason.unplaced
    low, _ = _own_low(c, state)
    return ClaimMetric.households, low, False, False


def _read_money(c: _Context, state: _SentenceState) -> _Read:
    token = c.token
    low = c.has_low or (not c.people_noun and state.low)
    own = c.own_before + c.after
    workers_pay = bool(_WORKERS_PAY_RE.search(own) or _PAID_OUT_RE.search(c.own_before))
    if _PLACE_WIDE_RE.search(c.own_before) or _PLACE_WIDE_RE.search(c.before):
        return UnreadReason.place_wide
    if not workers_pay and (c.has_other or (state.other and not c.people_noun
                                             and not _STRONG_AVG_RE.search(c.clause))):
        return UnreadReason.other_payee
    if token.kind is _Kind.percent:
        return _read_growth(c, state, low)
    if _NOT_AVERAGE_RE.search(own):
        return UnreadReason.not_average
    # The words around this figure decide; a figure sharing its clause with another falls back
    # on the clause for what its own stretch of text does not say (人均月增收3000元、年增收3.6万元).
    if any(r.search(own) for r in (_STRONG_AVG_RE, _WEAK_AVG_RE, _TOTAL_RE)):
        words = own
    else:
        words = c.before
    strong, weak, total = _STRONG_AVG_RE.search(words), _WEAK_AVG_RE.search(words), _TOTAL_RE.search(words)
    monthly, annual = bool(_MONTHLY_RE.search(own)), bool(_ANNUAL_RE.search(own))
    if not monthly and not annual:
        monthly, annual = bool(_MONTHLY_RE.search(c.before)), bool(_ANNUAL_RE.search(c.before))
    if strong and total:
        return UnreadReason.unplaced
    average = bool(strong) or (bool(weak) and not total)
    if average:
        if monthly and annual:
            return UnreadReason.unplaced
        if monthly:
            return ClaimMetric.avg_monthly_pay, low, False, False
        if annual:
            return ClaimMetric.avg_annual_pay, low, False, False
        if _GAIN_RE.search(own) or _GAIN_RE.search(c.before):
            # SPEC: a per-person gain with no stated period is annual, by the convention of official statistics.
            return ClaimMetric.avg_annual_pay, low, True, False
        return UnreadReason.no_period
    named_workers = bool(_PEOPLE_RE.search(c.own_before) or _EMPLOY_RE.search(c.own_before))
    large = token.value >= _BARE_GAIN_TOTAL_FROM
    # 实现增收11.2亿元, 发放加工费2.8亿元, 工人60多万元的工资: the workers' total when no word makes
    # it an average and it is at least 10万元 — no one person's pay is that large.
    paid_out = bool(_PAID_OUT_RE.search(c.own_before))  # 已发放250万元
    if total or paid_out or (large and ("增收" in c.own_before or workers_pay
                                        or (named_workers and _PAY_WORD_RE.search(own)))):
        if monthly and annual:
            return UnreadReason.unplaced
        metric = (ClaimMetric.total_pay_monthly if monthly else
                  ClaimMetric.total_pay_annual if annual else ClaimMetric.total_pay)
        return metric, low, False, False
    # 农户月增收2000余元: a monthly gain of named workers, small enough to be each one's. Not when
    # the people are counted just before (为20多位村民带来近6万元年收入: each's or all's is not said).
    if named_workers and not large and monthly and not annual and _GAIN_RE.search(own) \
            and c.own_before == c.before:
        return ClaimMetric.avg_monthly_pay, low, False, False
    return UnreadReason.unplaced


def _read_growth(c: _Context, state: _SentenceState, low: bool) -> _Read:
    clause = c.clause
    if not _GROWTH_RE.search(clause):
        return UnreadReason.percent
    if _STRONG_AVG_RE.search(clause) or _WEAK_AVG_RE.search(clause):
        if _MONTHLY_RE.search(clause):
            return ClaimMetric.growth_avg_monthly_pay, low, False, False
        return UnreadReason.unplaced
    if _TOTAL_RE.search(clause) or "增收" in clause:
        return ClaimMetric.growth_total_pay, low, False, False
    # 实现增收11.2亿元，同比增长15.3%: a growth with no subject of its own is the growth of
    # the money figure just before it in the sentence, if that was the workers' pay.
    if clause.strip().startswith(("同比", "增长", "较上年", "比上年")):
        previous = state.last_money_metric
        if previous in (ClaimMetric.total_pay, ClaimMetric.total_pay_annual, ClaimMetric.total_pay_monthly):
            return ClaimMetric.growth_total_pay, low, False, False
        if previous is ClaimMetric.avg_monthly_pay:
            return ClaimMetric.growth_avg_monthly_pay, low, False, False
    return UnreadReason.unplaced
