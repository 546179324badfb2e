"""Reconciliation: the article against the demo ledger, and the properties of issue 3."""

from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ledger.core.claims import ClaimFigure, ClaimMetric, Qualifier, parse_claim_text
from ledger.core.figures import PayRow, PlacementRow, Records, WorkshopRow, compute_figures
from ledger.core.intervals import allowed_interval
from ledger.core.metrics import Month, Period, Scope, Unit
from ledger.core.reconcile import (
    Diagnosis,
    FigureStatus,
    IdentityStatus,
    check_identities,
    reconcile,
)

D = Decimal
ARTICLE = "建成\"共富工坊\"8家，累计吸纳低收入人群就业1000余人，人均月增收约2800元，合计年增收约336万元"
DEMO_LEDGER = {
    "workshops": 8,
    "workers_employed": 1400,
    "workers_employed_low_income": 1100,
    "avg_monthly_pay_low_income": D("2803.17"),
    "avg_monthly_pay_per_worker_low_income": D("2045.91"),
    "total_pay_low_income": D("27006123.45"),
}


def test_the_article_against_the_demo_ledger_agrees_three_times_and_misses_the_total():
    result = reconcile(parse_claim_text(ARTICLE).figures, DEMO_LEDGER, 12)
    assert [(f.metric, f.status) for f in result.figures] == [
        ("workshops", FigureStatus.agrees),
        ("workers_employed_low_income", FigureStatus.agrees),
        ("avg_monthly_pay_low_income", FigureStatus.agrees),
        ("total_pay_annual_low_income", FigureStatus.disagrees),
    ]
    total = result.figures[3]
    assert total.ledger_metric == "total_pay_low_income"
    assert total.diagnosis_code is Diagnosis.magnitude_slip
    assert "1/10" in (total.diagnosis or "") and "below" in (total.diagnosis or "")


def test_the_articles_own_identity_is_broken_by_a_factor_of_ten():
    (identity,) = reconcile(parse_claim_text(ARTICLE).figures, DEMO_LEDGER, 12).identities
    assert identity.status is IdentityStatus.broken
    assert identity.diagnosis is Diagnosis.magnitude_slip
    assert identity.to_json_dict().items() >= {
        "identity": "total_pay_annual_low_income = workers_employed_low_income × avg_monthly_pay_low_income × 12",
        "status": "broken", "factor": "0.1000", "implied_months_per_worker": "1.2", "diagnosis": "magnitude_slip",
    }.items()


def test_the_reconciliation_json_has_the_fields_issue_3_names():
    data = reconcile(parse_claim_text(ARTICLE).figures, DEMO_LEDGER, 12).to_json_dict()
    assert data["definition_version"] == 1
    assert data["figures"][1].items() >= {
        "metric": "workers_employed_low_income", "claimed": "1000", "unit": "人", "qualifier": "over",
        "allowed": ["1000", "1999"], "ledger": "1100", "status": "agrees", "diagnosis": None}.items()
    assert data["figures"][2]["ledger"] == "2803.17" and data["figures"][2]["allowed"] == ["2750", "2850"]
    assert data["figures"][3]["allowed"] == ["3355000", "3365000"]
    assert data["figures"][3]["ledger"] == "27006123.45"


def test_an_average_that_agrees_only_per_worker_is_a_definition_mismatch():
    claim = parse_claim_text("吸纳低收入人群就业1100人，人均月增收约2000元。").figures
    check = reconcile(claim, DEMO_LEDGER, 12).figures[1]
    assert check.status is FigureStatus.disagrees
    assert check.diagnosis_code is Diagnosis.definition_mismatch


def test_a_months_pay_called_a_years_is_a_monthly_annual_slip():
    claim = parse_claim_text("吸纳就业1000人，人均月增收3000元，合计年增收300万元。").figures
    (identity,) = check_identities(claim)
    assert (identity.status, identity.diagnosis) == (IdentityStatus.broken, Diagnosis.monthly_annual)


def test_more_than_twelve_months_of_pay_a_year_is_inconsistent():
    claim = parse_claim_text("吸纳就业100人，人均月增收3000元，合计年增收500万元。").figures
    (identity,) = check_identities(claim)
    assert (identity.status, identity.diagnosis) == (IdentityStatus.broken, Diagnosis.inconsistent)


def test_a_shortfall_from_a_full_year_holds():
    claim = parse_claim_text("吸纳就业1000人，人均月增收3000元，合计年增收2000万元。").figures
    (identity,) = check_identities(claim)
    assert identity.status is IdentityStatus.holds
    assert identity.to_json_dict()["implied_months_per_worker"] == "6.7"


def test_households_and_a_year_figure_for_a_half_year_cannot_be_checked():
    claim = parse_claim_text("带动低收入农户35户，合计年增收336万元。").figures
    checks = reconcile(claim, DEMO_LEDGER, 6).figures
    assert [c.status for c in checks] == [FigureStatus.cannot_check, FigureStatus.cannot_check]


def test_a_figure_missing_from_the_ledger_cannot_be_checked():
    claim = parse_claim_text("人均年增收2.4万元。").figures
    assert reconcile(claim, {}, 12).figures[0].status is FigureStatus.cannot_check


# -- Properties -------------------------------------------------------------------------------

YEAR = Period.parse("2023")
SCOPE = Scope.all()


@st.composite
def full_year_ledger(draw):
    """Every worker placed all year and paid every month of it."""
    n = draw(st.integers(1, 30))
    pay = []
    for w in range(n):
        for m in range(1, 13):
            pay.append(PayRow(f"w{w}", "K", Month(2023, m), D(draw(st.integers(50_000, 900_000))) / 100))
    placements = tuple(PlacementRow(f"w{w}", "K", date(2023, 1, 1)) for w in range(n))
    return Records(workshops=(WorkshopRow("K", date(2020, 1, 1)),), placements=placements, pay=tuple(pay))


@st.composite
def any_year_ledger(draw):
    """Workers placed all year but paid in any months of it (at least one)."""
    n = draw(st.integers(1, 20))
    pay = []
    for w in range(n):
        paid = draw(st.sets(st.integers(1, 12), min_size=1))
        for m in sorted(paid):
            pay.append(PayRow(f"w{w}", "K", Month(2023, m), D(draw(st.integers(1, 900_000))) / 100))
    placements = tuple(PlacementRow(f"w{w}", "K", date(2023, 1, 1)) for w in range(n))
    return Records(workshops=(WorkshopRow("K", date(2020, 1, 1)),), placements=placements, pay=tuple(pay))


def _power_at_most(x: Decimal, draw, min_digits: int = 1) -> Decimal:
    """A place 10^k (k ≥ −2, the fen) low enough that rounding x to it keeps min_digits significant digits."""
    top_exp = len(str(int(x))) - 1 if x >= 1 else -2
    k = draw(st.integers(-2, max(-2, top_exp - (min_digits - 1))))
    return D(10) ** k


def rounded_claim(draw, metric: ClaimMetric, unit: Unit, x: Decimal, qualifier: Qualifier,
                  min_digits: int = 1) -> ClaimFigure:
    """The figure a publisher would write by rounding the ledger's value x with this qualifier."""
    if unit is not Unit.yuan:
        p = max(D(1), _power_at_most(x, draw, min_digits))
    else:
        p = _power_at_most(x, draw, min_digits)
    with localcontext() as ctx:
        ctx.prec = 60
        if qualifier is Qualifier.exact:
            c = (x / p).quantize(D(1), ROUND_HALF_UP) * p
            return ClaimFigure(metric, c, unit, qualifier, resolution=p)
        if qualifier is Qualifier.about:
            c = (x / p).quantize(D(1), ROUND_HALF_UP) * p
        else:
            c = (x / p).to_integral_value(ROUND_FLOOR) * p
    return ClaimFigure(metric, c, unit, qualifier)


def claim_from(draw, figures, qualifiers, min_digits=1):
    n = rounded_claim(draw, ClaimMetric.workers_employed, Unit.person, D(figures["workers_employed"]), qualifiers[0],
                      min_digits)
    a = rounded_claim(draw, ClaimMetric.avg_monthly_pay, Unit.yuan, figures["avg_monthly_pay"], qualifiers[1],
                      min_digits)
    t = rounded_claim(draw, ClaimMetric.total_pay_annual, Unit.yuan, figures["total_pay"], qualifiers[2], min_digits)
    return [n, a, t]


qualifier = st.sampled_from(list(Qualifier))
bounded = st.sampled_from([Qualifier.exact, Qualifier.about, Qualifier.over])


@given(full_year_ledger(), st.tuples(qualifier, qualifier, qualifier), st.data())
@settings(max_examples=150, deadline=None)
def test_a_claim_rounded_from_the_ledgers_own_figures_agrees_and_its_identity_holds(records, qualifiers, data):
    figures = compute_figures(records, SCOPE, YEAR, with_growth=False).as_dict()
    claim = claim_from(data.draw, figures, qualifiers)
    result = reconcile(claim, figures, 12)
    assert all(c.status is FigureStatus.agrees for c in result.figures), [c.diagnosis for c in result.figures]
    assert [i.status for i in result.identities] == [IdentityStatus.holds]


@given(full_year_ledger(), st.tuples(bounded, bounded, bounded), st.sampled_from([-3, -2, -1, 1, 2, 3]), st.data())
@settings(max_examples=150, deadline=None)
def test_the_same_claim_with_its_total_scaled_by_a_power_of_ten_disagrees_and_is_a_magnitude_slip(
        records, qualifiers, n, data):
    """For wordings that bound a figure on both sides; 约 keeps two significant digits (约1000元 = 500–1500
    元 is too loose to tell a ×10 slip from a full year, and ``at_least`` has no upper end)."""
    figures = compute_figures(records, SCOPE, YEAR, with_growth=False).as_dict()
    workers, average, total = claim_from(data.draw, figures, qualifiers, min_digits=2)
    k = D(10) ** n
    scaled = ClaimFigure(total.metric, total.value * k, total.unit, total.qualifier, place=total.place * k,
                         resolution=total.resolution * k)
    result = reconcile([workers, average, scaled], figures, 12)
    assert result.figures[2].status is FigureStatus.disagrees
    (identity,) = result.identities
    assert (identity.status, identity.diagnosis) == (IdentityStatus.broken, Diagnosis.magnitude_slip)
    # and in words: the slipped figure is named, and what it should read is the figure before the slip
    assert identity.suspect == "total_pay_annual" and identity.likely == total.value
    assert identity.explanation_zh.endswith(f"（数量级错误，应为{identity.likely_written}）。")
    assert ("少写" if n < 0 else "多写") in identity.explanation_zh


@given(any_year_ledger(), st.tuples(qualifier, qualifier, qualifier), st.data())
@settings(max_examples=150, deadline=None)
def test_the_interval_arithmetic_never_rejects_a_claim_whose_figures_can_all_be_true(records, qualifiers, data):
    """Whatever months the workers were paid, a truthful claim's factor interval holds the true factor
    (person-months ÷ 12 workers ≤ 1), so the claim is never called inconsistent."""
    figures = compute_figures(records, SCOPE, YEAR, with_growth=False).as_dict()
    claim = claim_from(data.draw, figures, qualifiers)
    assume(all(f.value > 0 for f in claim))
    for f in claim:
        assert figures[{"workers_employed": "workers_employed", "avg_monthly_pay": "avg_monthly_pay",
                        "total_pay_annual": "total_pay"}[f.metric]] in allowed_interval(f)
    (identity,) = check_identities(claim)
    interval = identity.factor_interval
    assert interval is not None
    true_months = D(figures["person_months"])
    true_workers = D(figures["workers_employed"])
    # the true factor is person_months / (12 × workers); check it lies inside, exactly
    with localcontext() as ctx:
        ctx.prec = 120
        assert interval.low * 12 * true_workers <= true_months
        assert interval.high is None or true_months <= interval.high * 12 * true_workers
    assert identity.diagnosis is not Diagnosis.inconsistent


# -- In words (issue 9) -----------------------------------------------------------------------

THE_DEMO = {**DEMO_LEDGER, "total_pay_low_income": D("21634090.12")}


def test_the_articles_identity_says_in_chinese_that_a_digit_was_dropped_and_the_total_should_read_33_6_million():
    (identity,) = reconcile(parse_claim_text(ARTICLE).figures, THE_DEMO, 12).identities
    assert identity.explanation_zh == (
        "1000余人 × 约2800元 × 12个月 ≈ 3360万元；公布的合计年增收（低收入）约336万元是它的0.1倍"
        "（相当于每人1.2个月的收入），公布数疑为少写一位（数量级错误，应为约3360万元）。")
    assert "magnitude slip" in identity.explanation_en and "about 33,600,000 yuan" in identity.explanation_en
    data = identity.to_json_dict()
    assert data["suspect"] == "total_pay_annual_low_income"
    assert (data["likely_value"], data["likely_written"]) == ("33600000", "约3360万元")
    assert data["identity_zh"] == "合计年增收（低收入） = 吸纳就业人数（低收入） × 人均月增收（低收入） × 12"
    assert (data["status_zh"], data["diagnosis_zh"]) == ("不成立", "数量级错误")


def test_the_articles_total_names_the_ledgers_figure_and_the_slip_the_claim_itself_shows():
    """With the demo's real total (2163万元) claim ÷ ledger is 0.155, no power of ten on its own:
    the figure still takes the slip from the broken identity that suspects it."""
    total = reconcile(parse_claim_text(ARTICLE).figures, THE_DEMO, 12).figures[3]
    data = total.to_json_dict()
    assert data["diagnosis_code"] == "magnitude_slip" and data["diagnosis_zh"] == "数量级错误"
    assert data["explanation_zh"].startswith("公布合计年增收（低收入）约336万元，台账为2,163.41万元，"
                                             "公布数比台账低84.5%，不符；按台账应为约2163万元。")
    assert "应为约3360万元" in data["explanation_zh"]
    assert (data["claimed_written"], data["ledger_written"], data["allowed_written"]) == (
        "约336万元", "2,163.41万元", "335.5至336.5万元")
    assert (data["metric_zh"], data["metric_en"]) == ("合计年增收（低收入）", "annual total pay (low-income)")
    assert (data["qualifier_zh"], data["status_zh"]) == ("约", "不符")
    assert data["ledger_metric"] == "total_pay_low_income"
    assert data["claimed"] == "3360000" and data["ledger"] == "21634090.12"  # the exact values stay beside


def test_every_figure_of_the_article_has_a_sentence_in_both_languages_with_its_verdict():
    figures = reconcile(parse_claim_text(ARTICLE).figures, THE_DEMO, 12).to_json_dict()["figures"]
    for f in figures:
        assert f["explanation_zh"].startswith("公布" + f["metric_zh"] + f["claimed_written"]), f
        assert f["status_zh"] in f["explanation_zh"] and f["status_en"] in f["explanation_en"]
    assert figures[1]["explanation_zh"] == "公布吸纳就业人数（低收入）1000余人，台账为1100人，在措辞允许的范围（1000至1999人）之内，相符。"
    assert figures[2]["qualifier_zh"] == "约" and figures[2]["ledger_written"] == "2,803.17元"


def test_a_definition_mismatch_says_per_head_and_what_the_official_definition_gives():
    claim = parse_claim_text("吸纳低收入人群就业1100人，人均月增收约2000元。").figures
    data = reconcile(claim, DEMO_LEDGER, 12).figures[1].to_json_dict()
    assert "疑按人头而非按人月计算（口径不一致）" in data["explanation_zh"]
    assert "2,045.91元" in data["explanation_zh"] and "按正式口径应为约2800元" in data["explanation_zh"]
    assert "per head" in data["explanation_en"]


def test_a_months_pay_called_a_years_reads_as_a_month_and_year_mix_up_with_the_full_year_figure():
    claim = parse_claim_text("吸纳就业1000人，人均月增收3000元，合计年增收300万元。").figures
    (identity,) = check_identities(claim)
    assert identity.explanation_zh.endswith("公布数疑为把一个月的数当成了全年的（月度与年度混淆，应为3600万元）。")
    assert identity.likely == D(36000000)


def test_an_inconsistent_claim_says_its_figures_cannot_all_be_true():
    claim = parse_claim_text("吸纳就业100人，人均月增收3000元，合计年增收500万元。").figures
    (identity,) = check_identities(claim)
    assert "相当于每人16.7个月的收入" in identity.explanation_zh
    assert "不可能同时为真（自相矛盾）" in identity.explanation_zh and "cannot all be true" in identity.explanation_en


def test_a_shortfall_from_a_full_year_reads_as_normal():
    claim = parse_claim_text("吸纳就业1000人，人均月增收3000元，合计年增收2000万元。").figures
    (identity,) = check_identities(claim)
    assert identity.explanation_zh.endswith("不足全年，年内有人入职、离职时属正常，成立。")


def test_a_figure_that_cannot_be_checked_says_why_in_both_languages():
    claim = parse_claim_text("带动低收入农户35户，合计年增收336万元。").figures
    households, total = reconcile(claim, DEMO_LEDGER, 6).figures
    assert households.explanation_zh == "公布带动户数（低收入）35户；台账不记录户数，无法核对。"
    assert "households" in households.explanation_en and households.ledger_figure is None
    assert "核对期间为6个月" in total.explanation_zh and total.ledger_figure == "total_pay"


def test_a_digit_too_many_on_a_head_count_is_named_with_the_count_the_records_support():
    claim = parse_claim_text("吸纳就业10000人。").figures
    (check,) = reconcile(claim, {"workers_employed": 1000}, 12).figures
    assert check.diagnosis_code is Diagnosis.magnitude_slip
    assert "疑为多写一位（数量级错误）" in check.explanation_zh and "按台账应为1000人" in check.explanation_zh


@given(st.sampled_from(list(ClaimMetric)), st.booleans())
@settings(max_examples=50, deadline=None)
def test_every_claim_metric_maps_to_a_ledger_figure_the_drill_down_knows_or_to_none(metric, low):
    from ledger.core.metrics import ALL_FIGURE_NAMES
    from ledger.core.reconcile import ledger_figure_for

    name = ledger_figure_for(metric, low)
    assert name is None or name in ALL_FIGURE_NAMES
    assert (name is None) == (metric is ClaimMetric.households)


def test_a_rise_claimed_against_a_fall_recorded_is_no_magnitude_slip():
    claim = parse_claim_text("合计增收同比增长15.3%。").figures
    (check,) = reconcile(claim, {"growth_total_pay": D("-0.22")}, 12).figures
    assert check.status is FigureStatus.disagrees and check.diagnosis_code is None
    assert "台账为-0.22%" in check.explanation_zh and "公布数比台账高" in check.explanation_zh


def test_a_per_person_gain_with_no_stated_period_says_it_was_taken_as_annual():
    claim = parse_claim_text("带动就业200人，人均增收4292元。").figures
    check = reconcile(claim, {"workers_employed": 200, "avg_annual_pay": D("4300.12")}, 12).figures[1]
    assert check.explanation_zh.startswith("公布人均年增收4292元（原文未写明期间，按统计惯例视为全年），台账为4,300.12元")
    assert "no period stated" in check.explanation_en


def test_targets_are_listed_in_the_report_in_words_and_not_reconciled():
    from ledger import reports

    parsed = parse_claim_text("全县建成共富工坊50家，力争明年建成60家以上。")
    body = {**reconcile(parsed.figures, {"workshops": 50}, 12).to_json_dict(), "scope": "all", "period": "2023",
            "source": {}, "ledger_figures": [], "targets": [t.to_json_dict() for t in parsed.targets]}
    assert [f["metric"] for f in body["figures"]] == ["workshops"]
    assert "计划或要求的数，不核对 target, not reconciled：工坊数60家以上" in reports.to_table(body)
    assert "工坊数60家以上" in reports.to_html(body, [])
