"""Numbers as a county report writes them (issue 9): the words, and that they keep the value."""

import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.core.labels import metric_label, qualifier_label
from ledger.core.metrics import Metric, Unit
from ledger.core.written import write, write_en, write_range

D = Decimal


@pytest.mark.parametrize(("value", "unit", "qualifier", "text"), [
    ("3360000", "元", "about", "约336万元"),
    ("21634090.12", "元", None, "2,163.41万元"),
    ("2800", "元", None, "2800元"),
    ("33600000", "元", "about", "约3360万元"),
    ("120000000", "元", None, "1.2亿元"),
    ("2803.17", "元", None, "2,803.17元"),
    ("1000", "人", "over", "1000余人"),
    ("10000000", "元", "over", "1000余万元"),
    ("60", "家", "at_least", "60家以上"),
    ("47900", "人", None, "4.79万人"),
    ("12345", "人", None, "12,345人"),
    ("99999999.99", "元", None, "1亿元"),
    ("0.00", "元", None, "0元"),
])
def test_amounts_and_counts_are_written_as_people_write_them(value, unit, qualifier, text):
    assert write(D(value), unit, qualifier).text == text


def test_ranges_and_english_keep_the_exact_value():
    assert write_range(D(3355000), D(3365000), Unit.yuan) == "335.5至336.5万元"
    assert write_range(1000, 1999, Unit.person) == "1000至1999人"
    assert write_range(60, None, Unit.workshop) == "不少于60家"
    assert write_en(D("21634090.12"), Unit.yuan) == "21,634,090.12 yuan"
    assert write_en(D(1000), Unit.person, "over") == "more than 1,000 people"


def test_a_float_is_refused():
    with pytest.raises(TypeError):
        write(2800.0, Unit.yuan)  # type: ignore[arg-type]


def test_every_metric_and_qualifier_has_a_chinese_and_an_english_name():
    for metric in Metric:
        zh, en = metric_label(metric)
        assert re.search(r"[\u4e00-\u9fff]", zh) and re.fullmatch(r"[a-z (),-]+", en)
        assert metric_label(metric.low_income()) == (zh + "（低收入）", en + " (low-income)")
    assert [qualifier_label(q)[0] for q in ("exact", "about", "over", "at_least")] == ["（无）", "约", "余", "以上"]


def _read_back(text: str) -> Decimal:
    """An independent reader of the words: digits, then 万 / 亿."""
    m = re.fullmatch(r"约?(-?[\d,]+(?:\.\d+)?)余?(万|亿)?(元|人|家|户|%|人月)(以上)?", text)
    assert m, text
    number = D(m.group(1).replace(",", ""))
    return number * {None: 1, "万": 10 ** 4, "亿": 10 ** 8}[m.group(2)]


money = st.decimals(min_value=0, max_value=D("1e13"), places=2, allow_nan=False, allow_infinity=False)


@given(money, st.integers(0, 4), st.sampled_from([None, "about", "over", "at_least"]))
@settings(max_examples=500, deadline=None)
def test_written_money_never_strays_beyond_its_stated_rounding(value, decimals, qualifier):
    written = write(value, Unit.yuan, qualifier, decimals=decimals)
    assert _read_back(written.text) == written.value
    assert abs(written.value - value) * 2 <= written.step
    assert "E" not in written.text and "e" not in written.text


@given(money)
@settings(max_examples=300, deadline=None)
def test_money_written_exactly_reads_back_to_the_same_value(value):
    written = write(value, Unit.yuan, decimals=None)
    assert _read_back(written.text) == value and written.step == 0


@given(st.integers(0, 10 ** 12), st.sampled_from([Unit.person, Unit.workshop, Unit.household]))
@settings(max_examples=300, deadline=None)
def test_counts_are_never_rounded(count, unit):
    written = write(count, unit)
    assert _read_back(written.text) == count == written.value


@given(st.decimals(min_value=-1000, max_value=1000, places=3, allow_nan=False, allow_infinity=False))
@settings(max_examples=200, deadline=None)
def test_percentages_keep_their_decimals(value):
    written = write(value, Unit.percent, decimals=1)
    assert abs(_read_back(written.text) - value) <= D("0.05")


def test_every_claim_metric_has_a_chinese_and_an_english_name():
    from ledger.core.claims import ClaimMetric

    for metric in ClaimMetric:
        zh, en = metric_label(metric)
        assert re.search(r"[\u4e00-\u9fff]", zh) and "_" not in en, metric
