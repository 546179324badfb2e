"""Published claims, and the parser that reads them out of a Chinese sentence.

A claim figure is what a publication said: a metric, a value in base units (元, 人, 户, 家,
%), the qualifier of its wording (约 / 余 / 以上 / none), the place of its last non-zero
digit (which, by SPEC, decides how far the wording lets it stray), and the exact fragment of
text it came from.

The parser reads figures out of prose the way an auditor would, and no further: when it cannot
tell what a number is about it says so (``unrecognised``) rather than guess. It works sentence
by sentence (。！？；) and clause by clause (，：and parentheses):

* Numbers: Arabic (half- or full-width) with decimals, times 万 / 亿 (4.79万人 → 47900),
  and simple Chinese numerals (八家, 一千余人, 近千家). Ranges (四五千元), vague numbers
  (几百, 数百, 上千) and ordinals (第三家) are not figures. Thousands separators are not read:
  in this prose "," separates clauses.
* Traditional characters (萬 億 圓 餘 約 戶 數 …) are read as their simplified forms; the
  fragment quoted back is always the original text.
* Qualifiers: 余 / 多 → ``over``; 约 / 近 / 左右 / 大约 / 约为 / 将近 / 接近 → ``about``;
  以上 / 超 / 超过 / 逾 / 突破 / 不少于 / 不低于 → ``at_least``; nothing (or 达) → ``exact``.
* Units: N家 / N个 is a count of workshops only next to 工坊 (共富工坊128家, 11家共富工坊, or
  建成60家以上 in a sentence about 工坊); 6家水产企业 is not. N人 / 名 / 位 is a number of workers
  only when its clause speaks of employment (就业, 吸纳, 务工, 用工, 员工 …) or it is the
  其中 part of one; 辐射带动2000余名群众 is not. N户 is always households, never workers.
* Money: 人均 / 每人 / 每位 / 每个村民 / 年均 / 月均 are averages, 合计 / 累计 / 总 / 共 / 发放
  工资 (or 加工费) are totals; 月 / 每月 / 元/月 make it monthly, 年 / 每年 / 全年 annual.
  An average without a period (人均增收3000元) and money that is neither average nor total
  is unrecognised — except a bare 增收 of 10万元 or more (实现增收11.2亿元), which is the
  workers' total: no one person's gain is that large.
* Growth: N% with 增长 / 同比 … is the growth of total pay (增收, 合计 …) or of the monthly
  average (人均月) its clause names; a clause that names nothing (同比增长15.3%) is the growth of
  the pay figure just before it in the sentence, and unrecognised after anything else. Maxima (最高), daily pay (一天) and household averages (户均) are
  unrecognised. Money whose clause names another payee or another kind of money — 村集体,
  集体经济, 租金, 产值, 销售额, 营收, 交易额, 订单, 投资, 投入, 分红 … — is unrecognised, and
  that subject carries on through the sentence until workers are named again (村民, 人均 …).
* Low-income: a clause naming 低收入 / 困难群众 / 低保 / 特困 / 残疾人 … makes its figures
  low-income; the subject carries forward within the sentence (SPEC: in the article the
  人均 and 合计 figures refer to the low-income people named before them) until workers in
  general are named (村民, 农户, 员工 …) and resets at the sentence's end. An aside does not
  carry: a parenthesis, or a clause opening with 其中 ("of whom"), which names a subgroup.

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
        return {"metric": self.name, "value": decimal_str(self.value), "unit": str(self.unit),
                "qualifier": str(self.qualifier), "text": self.text}

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
        for token in _tokens(normalise(text)):
            if token.value == value:
                place, resolution = token.place, token.resolution
                break
        tolerance = data.get("tolerance")
        return cls(metric=metric, value=value, unit=Unit(data.get("unit") or metric.unit),
                   qualifier=Qualifier(data.get("qualifier") or "exact"), text=text,
                   low_income=bool(data.get("low_income", low_income)), place=place, resolution=resolution,
                   tolerance=None if tolerance is None else Decimal(str(tolerance)))


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


@dataclass(frozen=True)
class ParseResult:
    figures: tuple[ClaimFigure, ...] = ()
    unrecognised: tuple[str, ...] = ()

    def to_json_dict(self) -> dict[str, Any]:
        return {"figures": [f.to_json_dict() for f in self.figures], "unrecognised": list(self.unrecognised)}


# -- Normalisation --------------------------------------------------------------------------
# One character for one character, so that positions in the normalised text are positions in
# the original and the fragment quoted back is exactly what was published.

_FULL_WIDTH = {chr(0xFF10 + i): str(i) for i in range(10)}
_FULL_WIDTH.update({"．": ".", "，": ",", "％": "%", "（": "(", "）": ")", "：": ":", "；": ";", "！": "!",
                    "？": "?", "　": " ", "／": "/", "～": "~", "－": "-", "〇": "零"})
_TRADITIONAL = (
    "萬万 億亿 圓元 餘余 約约 戶户 數数 總总 計计 納纳 業业 帶带 動动 實实 現现 額额 產产 資资 營营 銷销 訂订 單单 "
    "體体 經经 濟济 個个 達达 過过 幾几 員员 農农 勞劳 難难 殘残 礙碍 眾众 衆众 貧贫 級级 認认 證证 設设 掛挂 兩两 "
    "為为 縣县 鄉乡 鎮镇 場场 廠厂 發发 費费 薪薪 務务 這这 點点 們们 來来 錢钱 紅红 稅税 潤润 規规 崗岗 條条 "
    "輻辐 職职 齊齐 區区 歲岁 時时 間间 對对 進进 礎础 處处 種种 類类 滿满 將将 長长 際际 層层 門门 幫帮 協协 "
    "進进 獲获 貨货 買买 賣卖 價价 築筑 從从 護护 戶户 約约 額额 餘余 總总 範范 園园 財财 務务 據据 當当 "
    "萊莱 爭争 讓让 於于 與与 創创 環环 倉仓 儲储 聯联 統统 織织 縫缝 機机 電电 網网 線线 億亿 傳传 鐵铁 養养 "
    "紡纺 漁渔 險险 補补 貼贴 獎奖 較较 並并 無无 僅仅 萬万 離离 歷历 屆届 圍围 週周 歸归 給给 結结 邊边 "
    "閒闲 閑闲 畝亩 噸吨 樣样 瀏浏 覽览 陸陆 續续 專专 項项 內内 總总 嶺岭 溫温 寧宁 麗丽 興兴 鬆松 臨临 "
    "擁拥 葉叶 茶茶 彙汇 剩剩 羣群 監监 測测 脫脱 續续"
)
_TRAD_MAP = {pair[0]: pair[1] for pair in _TRADITIONAL.split() if len(pair) == 2}
_CHAR_MAP = str.maketrans({**_FULL_WIDTH, **_TRAD_MAP})


def normalise(text: str) -> str:
    """Half-width digits and punctuation, simplified characters; the same length as ``text``."""
    out = text.translate(_CHAR_MAP)
    assert len(out) == len(text)
    return out


# -- Number tokens --------------------------------------------------------------------------

_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_MULTIPLIERS = {"万": Decimal(10000), "亿": Decimal(100000000), "千": Decimal(1000), "百": Decimal(100)}
_UNIT_WORDS = {"人": Unit.person, "名": Unit.person, "位": Unit.person, "户": Unit.household, "家": Unit.workshop,
               "个": Unit.workshop, "元": Unit.yuan, "%": Unit.percent}

_TOKEN_RE = re.compile(
    r"(?P<num>(?<![\d.])(?<!\d,)(?:\d{1,3}(?:,\d{3})+(?![\d,])|\d+)(?:\.\d+)?|[零一二两三四五六七八九十百千]+)"
    r"\s*(?P<over1>余|多)?\s*(?P<mult>万|亿|千|百)?\s*(?P<over2>余|多)?\s*"
    r"(?P<unit>人(?!次|口|民币)|名|位|户|家|个(?!月|百分点|小时|工作日|季度)|元|%)"
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
    unit: Unit
    unit_char: str
    qualifier: Qualifier
    place: Decimal
    resolution: Decimal


def _tidy(value: Decimal) -> Decimal:
    """4.79 × 10000 → 47900 rather than 47900.00; 0.5 stays 0.5."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _chinese_number(text: str) -> Decimal | None:
    """Simple Chinese numerals (八, 十二, 一千, 两千三百); None for ranges like 四五 or vague ones."""
    total, digit, seen_digit = 0, None, False
    for ch in text:
        if ch in _CN_DIGITS:
            if digit is not None and digit != 0 and _CN_DIGITS[ch] != 0:
                return None  # 四五千: a range, not a number
            digit = _CN_DIGITS[ch]
            seen_digit = True
        elif ch in _CN_UNITS:
            total += (digit if digit is not None else 1) * _CN_UNITS[ch]
            digit = None
        else:
            return None
    if digit is not None:
        total += digit
    if not seen_digit and total == 0:
        return None
    return Decimal(total)


def _tokens(norm: str, start: int = 0, end: int | None = None) -> list[_Token]:
    end = len(norm) if end is None else end
    out: list[_Token] = []
    for m in _TOKEN_RE.finditer(norm, start, end):
        raw = m.group("num")
        before = norm[max(start, m.start() - 4):m.start()]
        if raw[0].isdigit():
            number = Decimal(raw.replace(",", ""))
            exponent = number.as_tuple().exponent
            assert isinstance(exponent, int)
            resolution = Decimal(10) ** min(exponent, 0)
        else:
            if raw == "一" or before.endswith(("第", "数", "几", "上", "好", "成")) or m.group("mult") in ("千", "百"):
                continue
            cn = _chinese_number(raw)
            if cn is None:
                continue
            number = cn
            resolution = place_of(cn) if cn else Decimal(1)
        multiplier = _MULTIPLIERS[m.group("mult")] if m.group("mult") else Decimal(1)
        if m.group("mult") in ("千", "百") and not raw[0].isdigit():
            continue
        value = _tidy(number * multiplier)
        place = _tidy(place_of(number) * multiplier) if number else Decimal(1)
        resolution = _tidy(resolution * multiplier)
        qualifier = Qualifier.over if (m.group("over1") or m.group("over2")) else Qualifier.exact
        token_start, token_end = m.start(), m.end()
        if qualifier is Qualifier.exact:
            for word, q in _PREFIX_QUALIFIERS:
                if before.endswith(word):
                    qualifier, token_start = q, m.start() - len(word)
                    break
        rest = norm[m.end():end]
        for word, q in _SUFFIX_QUALIFIERS:
            if rest.startswith(word):
                if qualifier is Qualifier.exact:
                    qualifier = q
                token_end = m.end() + len(word)
                break
        if re.search(r"\d\s*[-~—至到]\s*$", norm[max(start, m.start() - 3):m.start()]):
            continue  # the upper end of a range (2000-3000元): not one figure
        out.append(_Token(token_start, token_end, value, _UNIT_WORDS[m.group("unit")], m.group("unit"),
                          qualifier, place, resolution))
    return out


# -- Context words --------------------------------------------------------------------------

_LOW_RE = re.compile(r"低收入|困难群众|困难群体|困难家庭|困难户|低保|特困|残疾|残障|防止返贫|监测对象|脱贫户|脱贫人口|贫困户|贫困人口")
_LOW_PHRASE_RE = re.compile(
    r"(?:低收入|困难|低保|特困|残疾|残障|防止返贫|监测对象|脱贫|贫困)"
    r"(?:农户|人群|群体|家庭|人员|人口|户|群众|职工|人士|对象|者|人)?"
)
_PEOPLE_RE = re.compile(r"村民|农户|群众|员工|工人|职工|居民|劳动力|人员|妇女|老人|宝妈|农民|渔民|全体|各类|务工者")
_OTHER_RE = re.compile(
    r"村集体|集体经济|集体收入|集体增收|租金|产值|销售额|销售收入|营收|营业收入|营业额|交易额|成交额|订单|投资|投入|"
    r"分红|税收|利润|利税|融资|贷款|资金|货值|补助|补贴|奖补|股金|物业|房租|地租|流转费|门票|经营性收入|财产性收入"
)
_EMPLOY_RE = re.compile(r"就业|吸纳|务工|上岗|用工|招工|招聘|员工|工人|职工|吸收|安置|从业|在岗|家门口")
_HOUSEHOLD_CONTEXT_RE = re.compile(r"就业|增收|收入|带动|吸纳|低收入|受益|帮扶|务工|加工|结对")
_STRONG_AVG_RE = re.compile(r"人均|每人|每位|每名|每个(?:村民|员工|工人|人|农户)|平均每")
_WEAK_AVG_RE = re.compile(r"年均|月均")
_TOTAL_RE = re.compile(r"合计|累计|总|共|发放(?:工资|薪酬|加工费|劳务费|报酬)|工资总额")
_MONTHLY_RE = re.compile(r"月(?:增收|收入|工资|薪|均|人均|发放|增加|度)|每月|人均月|/月")
_ANNUAL_RE = re.compile(r"年(?:增收|收入|工资|薪|均|人均|发放|总|增加|度|经济)|每年|全年|人均年|/年")
_EXCLUDED_MONEY_RE = re.compile(r"最高|最低|最多|最少|少则|多则|高达|一天|每天|每日|日均|日薪|户均|每户")
_BARE_GAIN_TOTAL_FROM = Decimal(100_000)
_GROWTH_RE = re.compile(r"增长|同比|提高|提升|上涨|增幅")
_WORKSHOP_RE = re.compile(r"工坊")
_BUILD_RE = re.compile(r"建成|建设|打造|挂牌|成立|建立|培育|认定|授牌|创建|组建|新建|运营")
_CERT_RE = re.compile(r"认定|授牌|示范|星级")
_GAP_STOP_RE = re.compile(r"打造|建|成立|部门|企业|合作社|参与|入驻|联合|村|基地")

_SENTENCE_END = "。!?;\n"
_CLAUSE_SEP = ",:、"


@dataclass
class _SentenceState:
    low: bool = False
    other: bool = False
    last_people_metric: ClaimMetric | None = None
    last_money_metric: ClaimMetric | None = None  # what a bare 同比增长N% that follows is about
    saved: list[tuple[bool, bool]] = field(default_factory=list)


def parse_claim_text(text: str) -> ParseResult:
    """Read the figures out of a sentence or paragraph; what is not understood is left unrecognised."""
    norm = normalise(text)
    figures: list[ClaimFigure] = []
    unrecognised: list[str] = []
    start = 0
    for i, ch in enumerate(norm + "。"):
        if ch in _SENTENCE_END:
            if i > start:
                _parse_sentence(text, norm, start, i, figures, unrecognised)
            start = i + 1
    return ParseResult(tuple(figures), tuple(unrecognised))


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


def _parse_sentence(text: str, norm: str, start: int, end: int,
                    figures: list[ClaimFigure], unrecognised: list[str]) -> None:
    sentence = norm[start:end]
    state = _SentenceState()
    for c_start, c_end, in_parens in _clauses(norm, start, end):
        clause = norm[c_start:c_end]
        stripped = clause.strip(" “”\"'「」『』")
        aside = in_parens or stripped.startswith("其中")
        has_low = bool(_LOW_RE.search(clause))
        people_noun = bool(_PEOPLE_RE.search(_LOW_PHRASE_RE.sub("", clause)))
        has_other = bool(_OTHER_RE.search(clause))
        tokens = _tokens(norm, c_start, c_end)
        previous_end = c_start
        for k, token in enumerate(tokens):
            next_start = tokens[k + 1].start if k + 1 < len(tokens) else c_end
            before = norm[c_start:token.start]
            own_before = norm[previous_end:token.start]
            after = norm[token.end:next_start]
            # The fragment runs on to the words the figure is about (带动1617名残疾人就业), up to
            # the next figure or a list separator (5个渔农村、6家水产企业).
            cut = min((i for i in (after.find("、"), after.find("和")) if i >= 0), default=len(after))
            fragment_end = token.end + cut
            fragment = text[previous_end:fragment_end].lstrip(" \t\r\n“\"'「『、和").rstrip(" \t\r\n、和")
            figure = _read_token(token, clause, before, own_before, after, sentence, fragment, aside, has_low,
                                 people_noun, has_other, state)
            if figure is None:
                unrecognised.append(fragment)
            else:
                figures.append(figure)
            if token.unit is Unit.yuan:
                state.last_money_metric = figure.metric if figure is not None else None
            previous_end = fragment_end
        if not aside:
            if has_other and not people_noun and not _STRONG_AVG_RE.search(clause):
                state.other = True
            elif people_noun or _STRONG_AVG_RE.search(clause):
                state.other = False
            if not tokens and has_low:
                state.low = True


def _read_token(token: _Token, clause: str, before: str, own_before: str, after: str, sentence: str, fragment: str,
                aside: bool, has_low: bool, people_noun: bool, has_other: bool,
                state: _SentenceState) -> ClaimFigure | None:
    def figure(metric: ClaimMetric, low: bool) -> ClaimFigure:
        return ClaimFigure(metric=metric, value=token.value, unit=metric.unit, qualifier=token.qualifier,
                           text=fragment, low_income=low, place=token.place, resolution=token.resolution)

    if token.unit is Unit.workshop:
        gap = after.strip(" “”\"'「」")
        is_workshop = False
        if gap:
            hit = _WORKSHOP_RE.search(gap)
            is_workshop = bool(hit and hit.start() <= 10 and not _GAP_STOP_RE.search(gap[:hit.start()]))
        else:
            is_workshop = bool(_WORKSHOP_RE.search(before) or (_BUILD_RE.search(before) and "工坊" in sentence))
        if not is_workshop:
            return None
        certified = _CERT_RE.search(clause)
        return figure(ClaimMetric.workshops_certified if certified else ClaimMetric.workshops, False)

    if token.unit is Unit.person:
        employed = bool(_EMPLOY_RE.search(clause)) or (aside and clause.strip().startswith("其中")
                                                       and state.last_people_metric is ClaimMetric.workers_employed)
        if not employed:
            return None
        low = has_low or (not people_noun and state.low)
        if not aside:
            state.low = low
            state.other = False
            state.last_people_metric = ClaimMetric.workers_employed
        return figure(ClaimMetric.workers_employed, low)

    if token.unit is Unit.household:
        if not (_HOUSEHOLD_CONTEXT_RE.search(clause) or _HOUSEHOLD_CONTEXT_RE.search(sentence)):
            return None
        return figure(ClaimMetric.households, has_low or (not people_noun and state.low))

    # Money and percentages: whose money is it, and what kind?
    low = has_low or (not people_noun and state.low)
    if has_other or (state.other and not people_noun and not _STRONG_AVG_RE.search(clause)):
        return None
    if token.unit is Unit.percent:
        if not _GROWTH_RE.search(clause):
            return None
        if _STRONG_AVG_RE.search(clause) or _WEAK_AVG_RE.search(clause):
            return figure(ClaimMetric.growth_avg_monthly_pay, low) if _MONTHLY_RE.search(clause) else None
        if _TOTAL_RE.search(clause) or "增收" in clause:
            return figure(ClaimMetric.growth_total_pay, low)
        # 实现增收11.2亿元，同比增长15.3%: a growth with no subject of its own is the growth of
        # the money figure just before it in the sentence, if that was the workers' pay.
        if clause.strip().startswith(("同比", "增长", "较上年", "比上年")):
            previous = state.last_money_metric
            if previous in (ClaimMetric.total_pay, ClaimMetric.total_pay_annual, ClaimMetric.total_pay_monthly):
                return figure(ClaimMetric.growth_total_pay, low)
            if previous is ClaimMetric.avg_monthly_pay:
                return figure(ClaimMetric.growth_avg_monthly_pay, low)
        return None
    if _EXCLUDED_MONEY_RE.search(own_before + after):
        return None
    # The words around this figure decide; a figure sharing its clause with another falls back
    # on the clause for what its own stretch of text does not say (人均月增收3000元、年增收3.6万元).
    own = own_before + after
    if any(r.search(own) for r in (_STRONG_AVG_RE, _WEAK_AVG_RE, _TOTAL_RE)):
        strong, weak, total = _STRONG_AVG_RE.search(own), _WEAK_AVG_RE.search(own), _TOTAL_RE.search(own)
    else:
        strong, weak, total = _STRONG_AVG_RE.search(before), _WEAK_AVG_RE.search(before), _TOTAL_RE.search(before)
    monthly, annual = bool(_MONTHLY_RE.search(own)), bool(_ANNUAL_RE.search(own))
    if not monthly and not annual:
        monthly, annual = bool(_MONTHLY_RE.search(before)), bool(_ANNUAL_RE.search(before))
    if strong and total:
        return None
    average = bool(strong) or (bool(weak) and not total)
    if average:
        if monthly == annual:
            return None
        return figure(ClaimMetric.avg_monthly_pay if monthly else ClaimMetric.avg_annual_pay, low)
    # 实现增收11.2亿元, 带动增收3000万元: an amount of 增收 that no word makes an average is the
    # workers' total (a village's or a firm's money was set aside above) — when it is at least
    # 10万元; below that (带动村民增收2000余元) it may as well be each person's, so it is left.
    if total or (not weak and "增收" in own_before and token.value >= _BARE_GAIN_TOTAL_FROM):
        if monthly and annual:
            return None
        metric = (ClaimMetric.total_pay_monthly if monthly else
                  ClaimMetric.total_pay_annual if annual else ClaimMetric.total_pay)
        return figure(metric, low)
    return None
