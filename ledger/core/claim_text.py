"""Published prose made readable — one script, one set of digits, no scraping noise — with a map back.

The claim reader reads a normalised copy of the text and quotes the original: every character
of the normalised text remembers the stretch of the original it came from, so a fragment
found in the normalised text is quoted back exactly as it was published (``Normalised.quote``).
The steps, in order, each done by a well-kept library where one exists:

1. Pinyin that mirror sites print in parentheses after characters (就業(yè)人數(shù)1200余人,
   萬(wàn)) is removed: it splits clauses and detaches 万 from its number.
2. Traditional characters become simplified ones (OpenCC, ``t2s``).
3. Full-width digits and punctuation become half-width.
4. Chinese numerals that count something become Arabic digits (cn2an): 六家 → 6家,
   三十多名 → 30多名, 三千五百元 → 3500元, 七万元 → 7万元 (万 / 亿 stay as multipliers so the
   place of the last digit is still the one written), 近万名 → 近1万名, 万元以上 → 1万元以上
   (a bare 万 / 千 / 百 bounded by a wording is one of it). A numeral that does
   not count — 十大 (a label), 十八大, 一个 (an article), 第三家 (an ordinal) — is left as it
   is, and so are ranges (四五千元) and vague counts (上千, 数百), which the reader reports as
   unreadable rather than guess.

Identity numbers and mobile numbers are masked in every quoted fragment (SPEC, personal
information; ``ledger/core/privacy.py`` makes the masks): a pasted ID number is never echoed back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ledger.core.privacy import ID_NUMBER, PHONE, mask_personal_text

_PINYIN_RE = re.compile(
    r"(?<=[\u3400-\u9fff])[(（]\s*[a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ]{1,6}\s*[)）]"
)

_FULL_WIDTH = {chr(0xFF10 + i): str(i) for i in range(10)}
_FULL_WIDTH.update({"．": ".", "，": ",", "％": "%", "（": "(", "）": ")", "：": ":", "；": ";", "！": "!",
                    "？": "?", "　": " ", "／": "/", "～": "~", "－": "-", "〇": "零", "、": "、"})
_HALF_WIDTH = str.maketrans(_FULL_WIDTH)

_CN_DIGIT = "零一二两三四五六七八九"
_CN_NUMERAL_RE = re.compile(r"[零一二两三四五六七八九十百千万亿]+")
_COUNTED_RE = re.compile(r"[余多]?[万亿]?[余多]?[人名位户家个元块%]")
_BARE_UNIT_QUALIFIERS = ("近", "约", "逾", "超", "达", "过", "突破", "达到", "超过", "将近", "接近")
_VAGUE_BEFORE = ("数", "几", "上", "好", "成")
_BOUNDED_UNIT_RE = re.compile(r"(?:元|块|人|名|位|户|家|个)(?:以上|左右)")


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc  # the native OpenCC binding, with its dictionaries in the wheel

    return opencc.OpenCC("t2s")


def _cn_value(numeral: str) -> int | None:
    """The value of a simple Chinese numeral (两千三百 → 2300), None for a range (四五千) or nonsense."""
    import cn2an

    if any(a in _CN_DIGIT[1:] and b in _CN_DIGIT[1:] for a, b in zip(numeral, numeral[1:], strict=False)):
        return None  # 四五千, 二三十, 一两万: two digits side by side make a range
    text = numeral.replace("两", "二")
    if text[0] in "十百千万亿":
        text = "一" + text  # 十八 → 一十八; 千 → 一千
    try:
        value = cn2an.cn2an(text, "strict")
    except (ValueError, KeyError, IndexError):
        return None
    return int(value) if value == int(value) else None


@dataclass(frozen=True)
class Normalised:
    """The normalised text and, for each of its characters, the original stretch it came from."""

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original [start, end) behind the normalised [start, end)."""
        if end <= start:
            at = self.starts[start] if start < len(self.starts) else len(self.original)
            return at, at
        return self.starts[start], self.ends[end - 1]

    def quote(self, start: int, end: int) -> str:
        """The original text behind the normalised [start, end), personal numbers masked."""
        a, b = self.span(start, end)
        return mask_personal_text(self.original[a:b])


def normalise(text: str) -> Normalised:
    chars = list(text)
    starts = list(range(len(text)))
    ends = [i + 1 for i in range(len(text))]

    # 1. Parenthesised pinyin out.
    keep = [True] * len(chars)
    for m in _PINYIN_RE.finditer(text):
        for i in range(m.start(), m.end()):
            keep[i] = False
    chars = [c for c, k in zip(chars, keep, strict=True) if k]
    starts = [s for s, k in zip(starts, keep, strict=True) if k]
    ends = [e for e, k in zip(ends, keep, strict=True) if k]

    # 2. Traditional to simplified, character for character where OpenCC keeps the length.
    joined = "".join(chars)
    converted = _t2s().convert(joined)
    if len(converted) == len(joined):
        chars = list(converted)
    else:
        chars = [c2 if len(c2 := _t2s().convert(c)) == 1 else c for c in chars]

    # 3. Full-width to half-width.
    chars = list("".join(chars).translate(_HALF_WIDTH))

    # 4. Chinese numerals that count something to Arabic digits.
    joined = "".join(chars)
    out_chars: list[str] = []
    out_starts: list[int] = []
    out_ends: list[int] = []
    position = 0
    for m in _CN_NUMERAL_RE.finditer(joined):
        replacement = _arabic(joined, m.start(), m.end())
        if replacement is None:
            continue
        for i in range(position, m.start()):
            out_chars.append(chars[i])
            out_starts.append(starts[i])
            out_ends.append(ends[i])
        run_start, run_end = starts[m.start()], ends[m.end() - 1]
        for ch in replacement:
            out_chars.append(ch)
            out_starts.append(run_start)
            out_ends.append(run_end)
        position = m.end()
    for i in range(position, len(chars)):
        out_chars.append(chars[i])
        out_starts.append(starts[i])
        out_ends.append(ends[i])
    return Normalised(text, "".join(out_chars), tuple(out_starts), tuple(out_ends))


def _arabic(text: str, start: int, end: int) -> str | None:
    """The Arabic form of the Chinese numeral text[start:end], or None to leave it as written."""
    run = text[start:end]
    before = text[max(0, start - 2):start]
    after = text[end:end + 2]
    counted = _COUNTED_RE.match(text, end)
    if not counted:
        return None  # 十大, 十八大, 两年, 三类: a label, a duration or a category, not a count
    if before.endswith("第") or run in ("一", "零"):
        return None  # 第三家: an ordinal; 一家, 一个: an article
    if before.endswith(_VAGUE_BEFORE):
        return None  # 数百, 几十, 上千, 成百: vague
    if not any(ch in _CN_DIGIT for ch in run) and not run.startswith("十"):
        # 万, 千, 百 alone: a count only as 近万名, 千余家, 百余人, 万元以上, 千元左右 — where a
        # wording bounds it, so it stands as a quantity right before its unit — never in a name
        # (万达, 千岛湖, 万元户); after a digit (27万余元) it multiplies. A leading 十 right
        # before its unit is always ten (十家, 十人, 十万元: how 10 and 100000 are written out);
        # 十大, 十佳, 十里 count nothing (no unit follows) and were left above.
        if before[-1:].isdigit() or not (before.endswith(_BARE_UNIT_QUALIFIERS) or after[:1] in ("余", "多")
                                         or _BOUNDED_UNIT_RE.match(text, end)):
            return None
        run = "一" + run
    multiplier = ""
    if run[-1] in "万亿" and len(run) > 1:
        multiplier, run = run[-1], run[:-1]
        if run[-1] in "万亿":
            return None
    value = _cn_value(run)
    if not value:
        return None
    return f"{value}{multiplier}"


PERSONAL_NUMBER_RE = re.compile(
    r"(?:" + ID_NUMBER.pattern + r")|(?:" + PHONE.pattern + r")"
    r"|(?<![0-9])[0-9]{6}\*{8}[0-9]{3}[0-9Xx*]|(?<![0-9])1[3-9][0-9]\*{4}[0-9]{4}(?![0-9])"
)
"""An identity or mobile number in the normalised text, plain or already masked: never a figure, never echoed."""
