"""The claim-text parser on the article, on published sentences, and on the edge forms.

Every sentence under "Published sentences" is quoted verbatim from a public page (source in the
comment above it), collected from a stored copy of the web; the assertions say what an auditor
would read out of it, and which numbers in it are about something else and must stay
unrecognised. Sentences under "Edge forms" are constructed and say so.
"""

from decimal import Decimal as D

import pytest

from ledger.core.claims import ClaimFigure, ClaimMetric, Qualifier, parse_claim_text
from ledger.core.metrics import Unit

ARTICLE = "建成\"共富工坊\"8家，累计吸纳低收入人群就业1000余人，人均月增收约2800元，合计年增收约336万元"


def read(text):
    """(name, value, qualifier) of each figure parsed, in order."""
    return [(f.name, f.value, f.qualifier.value) for f in parse_claim_text(text).figures]


def test_the_article_parses_to_its_four_figures_with_the_subject_carried_forward():
    result = parse_claim_text(ARTICLE)
    assert [(f.metric, f.value, f.unit, f.qualifier, f.low_income) for f in result.figures] == [
        (ClaimMetric.workshops, D(8), Unit.workshop, Qualifier.exact, False),
        (ClaimMetric.workers_employed, D(1000), Unit.person, Qualifier.over, True),
        (ClaimMetric.avg_monthly_pay, D(2800), Unit.yuan, Qualifier.about, True),
        (ClaimMetric.total_pay_annual, D(3360000), Unit.yuan, Qualifier.about, True),
    ]
    assert result.unrecognised == ()
    assert [f.place for f in result.figures] == [D(1), D(1000), D(100), D(10000)]


def test_the_article_prints_as_the_cli_json():
    assert parse_claim_text(ARTICLE).to_json_dict() == {
        "figures": [
            {"metric": "workshops", "value": "8", "unit": "家", "qualifier": "exact", "text": "建成\"共富工坊\"8家"},
            {"metric": "workers_employed_low_income", "value": "1000", "unit": "人", "qualifier": "over",
             "text": "累计吸纳低收入人群就业1000余人"},
            {"metric": "avg_monthly_pay_low_income", "value": "2800", "unit": "元", "qualifier": "about",
             "text": "人均月增收约2800元"},
            {"metric": "total_pay_annual_low_income", "value": "3360000", "unit": "元", "qualifier": "about",
             "text": "合计年增收约336万元"},
        ],
        "unrecognised": [],
        "targets": [],
        "unrecognised_reasons": [],
    }


def test_a_figure_read_back_from_json_keeps_its_place_from_the_quoted_text():
    original = parse_claim_text(ARTICLE).figures[3]
    again = ClaimFigure.from_json_dict(original.to_json_dict())
    assert again == original


# -- Published sentences --------------------------------------------------------------------

PUBLISHED = [
    # 宁波广电 看点 "近千家'共富工坊'为百姓打开'致富门'" https://web.ncmc.nbtv.cn/cms/nbdst/xwdsg/nb/40211093.shtml
    ("目前,宁波各地已经建设近千家,各具特色的“共富工坊”吸纳农村剩余劳动力5万余人,其中低收入农户5514人,人均年增收2.4万元。",
     [("workshops", D(1000), "about"), ("workers_employed", D(50000), "over"),
      ("workers_employed_low_income", D(5514), "exact"), ("avg_annual_pay", D(24000), "exact")],
     []),
    # same page
    ("像这样面向残障人士的“共富工坊”,我市已经建设了54家,带动1617名残疾人就业。",
     [("workshops", D(54), "exact"), ("workers_employed_low_income", D(1617), "exact")],
     []),
    # 新华网 "浙江余姚:把定向招工式共富工坊開進田間車間" (2024-11-22; stored copy without address)
    ("截至目前,余姚市已建设运营定向招工式共富工坊49家,累計吸納各類工作力3500餘人,實現人均月增收3500餘元,總產值超過8億元。",
     [("workshops", D(49), "exact"), ("workers_employed", D(3500), "over"), ("avg_monthly_pay", D(3500), "over")],
     ["總產值超過8億元"]),
    # 龍泉 郭春珍共富工坊 http://m.chiefpdf.com/shsj/33335.html
    ("自2015年工坊成立以來,工坊累計帶動留守婦女、陪讀媽媽等20余人就業,年發放加工費27萬余元,幫助工坊工人人均年增收1.5萬元。",
     [("workers_employed", D(20), "over"), ("total_pay_annual", D(270000), "over"),
      ("avg_annual_pay", D(15000), "exact")],
     []),
    # 中华工商时报 (舟山) http://www.huashangw.com/shangye/show-816161.html
    ("截至目前,浙江省舟山市累计建成定向招工式“共富工坊”128家,累计吸纳就业6063人(其中低收入农户551户),实现人均月增收3082元,"
     "村集体经济和渔农民财产性收入显著提升。",
     [("workshops", D(128), "exact"), ("workers_employed", D(6063), "exact"),
      ("households_low_income", D(551), "exact"), ("avg_monthly_pay", D(3082), "exact")],
     []),
    # same page (嵊泗)
    ("嵊泗依托“中国贻贝之乡”优势,将工坊嵌入贻贝养殖、挑拣、加工、包装全产业链,通过整合周边5个渔农村、6家水产企业、23个合作社力量,"
     "打造5个区域化共富工坊,设立12处共富生产线和车间,推出6大类贻贝初加工共富岗位,辐射带动就业1600余人,年人均收入达5.2万元,"
     "村集体海域租金收入增长38%。",
     [("workshops", D(5), "exact"), ("workers_employed", D(1600), "over"), ("avg_annual_pay", D(52000), "exact")],
     ["通过整合周边5个渔农村", "6家水产企业", "23个合作社力量", "设立12处共富生产线", "推出6大类贻贝初加工共富岗位",
      "村集体海域租金收入增长38%"]),
    # same page (定海)
    ("定海米林“脉动力”共富工坊利用3个水库优质水源,投入230万元改造闲置房产,招引饮用水公司入驻,建成自动化生产线,年产水5万吨,"
     "年营收500万元,村集体年增收25万元,实现“一库水”到“一瓶水”的增值。",
     [],
     ["定海米林“脉动力”共富工坊利用3个水库优质水源", "投入230万元改造闲置房产", "年产水5万吨", "年营收500万元",
      "村集体年增收25万元"]),
    # 莒南县政府 http://www.junan.gov.cn/info/5463/221362.htm
    ("该共富工坊总投资60万元,占地300平方米,不仅盘活了闲置资源,更成为带动社区居民增收致富的关键力量。",
     [],
     ["该共富工坊总投资60万元", "占地300平方米"]),
    # 大众新闻 (阳信县劳店镇) https://dzrb.dzng.com/general/0/NEWS3002340CZZFYBVBDKDLV
    ("截至目前,工坊已成功与欣宇电子、靓星家纺、蓝海纺织等多家企业签订合作协议并顺利开工,可提供就业岗位150个,"
     "预计每年能为村集体增收约15万元,实现企业增益、村集体增收、村民致富的多赢局面。",
     [],
     ["可提供就业岗位150个", "预计每年能为村集体增收约15万元"]),
    # 臨海 河頭鎮 http://www.ai4488.com/lhnews/system/2022/04/25/033601043.shtml
    ("“我們村的老百姓日常從事藤椅加工或橘樹種植,新建成的共富工坊,讓每個村民每月能增加1000多元的收入,村民們的積極性都很高。”",
     [("avg_monthly_pay", D(1000), "over")],
     []),
    # same page
    ("目前,30個村的近1500戶老百姓在家從事藤椅、彩燈等加工產業。",
     [("households", D(1500), "about")],
     ["30個村的"]),
    # 人民网 浙江 (麗水鬆陽) http://zj.people.com.cn/BIG5/n2/2023/0606/c186327-40445559.html
    ("該工坊涵蓋茶葉加工銷售、電商物流、倉儲冷鏈、研學培訓等全產業鏈,目前已帶動200余名村民在家門口就業增收。",
     [("workers_employed", D(200), "over")],
     []),
    # same page
    ("新興鎮是當地遠近聞名的產茶區,全鎮擁有生態茶園2.6萬畝,茶葉加工戶623家,還有浙西南最大的茶青市場——上安茶青交易市場,年交易額超7億元。",
     [],
     ["全鎮擁有生態茶園2.6萬畝", "茶葉加工戶623家", "年交易額超7億元"]),
    # 德州 天衢新區 http://www.gzhjhw.com.cn/xsq/p/1689023.html
    ("抬頭寺鎮積極行動,通過打破企業用工需求與農村剩余勞動力之間的“信息差”,已建成11家共富工坊,累計提供700余個固定崗位和300余個勞務崗位,"
     "形成了“企業送單、工坊派單、農戶接單”的致富路徑。",
     [("workshops", D(11), "exact")],
     ["累計提供700余個固定崗位", "300余個勞務崗位"]),
    # 台州日报 "临海全面启动'共富工坊'" http://zhulinhai.com/newstailw/wapnews20673.html
    ("早在去年上半年,临海市委统战部就在该市永丰镇凤凰桥村启动相关工作试点,向村集体捐赠缝纫机,帮助开办凤桥工艺品加工厂,对接会员企业来料加工,"
     "实现村集体年经济增收10万元,村民年总增收约200万元。",
     [("total_pay_annual", D(2000000), "about")],
     ["实现村集体年经济增收10万元"]),
    # 新华网 (瓯海经济开发区) http://zj.news.cn/20231201/1467b0112b4b4b42a4490691f4354ea1/c.html
    ("截至目前,该工坊吸纳了48位周边村社的居民,每位员工的年收入6万元以上。",
     [("workers_employed", D(48), "exact"), ("avg_annual_pay", D(60000), "at_least")],
     []),
    # same page: who gets the 6万元 (each or all) is not said, and 带来 is not employment
    ("截至目前,该工坊为20多位村民带来近6万元年收入。",
     [],
     ["该工坊为20多位村民带来", "近6万元年收入"]),
    # 乐清日报 https://www.yqcn.com/system/2026/03/02/015421587.shtml
    ("经过两年多的探索和坚持,该共富工坊已吸纳30余人实现稳定就业,累计完成产品420余万件,月收入从最初的人均几百元提升到如今最高可达4000元。",
     [("workers_employed", D(30), "over")],
     ["累计完成产品420余万件", "月收入从最初的人均几百元提升到如今最高可达", "4000元"]),
    # 浙江在线 台州 https://tz.zjol.com.cn/tzxw/202404/t20240409_26763914.shtml (the village's income, not workers')
    ("在实现村民增收的同时,留贤村通过房屋租金及股份分红实现了村集体增效,去年,留贤村通过该工坊共实现增收106万元。",
     [],
     ["留贤村通过该工坊共实现增收106万元"]),
    # 小切口 大作为——浙江"共富工坊"的实践探索 https://m.fx361.cc/news/2023/0926/22943336.html
    ("自2022 年6月推进“共富工坊”建设以来,浙江省基本形成来料加工式、定向招工式、电商直播式、农旅融合式、品牌带动式和产业赋能式六种类型,"
     "目前已成功打造“共富工坊”3700多家,累计吸纳就业24.5万人,其中低收入农户约2.6万名,人均月增收1600 元。",
     [("workshops", D(3700), "over"), ("workers_employed", D(245000), "exact"),
      ("workers_employed_low_income", D(26000), "about"), ("avg_monthly_pay", D(1600), "exact")],
     []),
    # same page
    ("如,丽水市根据“一县一业”优势产业链,将云和的木玩企业、庆元的竹木家居企业、缙云的机械装备企业打造成定向招工式“共富工坊”的排头兵,"
     "带动275名本地村民实现家门口增收,实现村集体月增收共11万元;",
     [("workers_employed", D(275), "exact")],
     ["实现村集体月增收共11万元"]),
    # same page
    ("瑞安善康农业“共富工坊”线上对接全国12个合作基地,建立助农传播员直播培训和社群零售分销体系,年均销售额突破2000万元。",
     [],
     ["瑞安善康农业“共富工坊”线上对接全国12个合作基地", "年均销售额突破2000万元"]),
    # 菏泽日报 (曹县) http://www.heze.cn/County%20News/2025-11/18/content_647840.html
    ("截至目前,全县已建成共富工坊118个,总投资8.07亿元,建设面积73万平方米,带动6409名农村劳动力就近就业。",
     [("workshops", D(118), "exact"), ("workers_employed", D(6409), "exact")],
     ["总投资8.07亿元", "建设面积73万平方米"]),
    # 莲都区政府 (碧湖镇) https://www.liandu.gov.cn/art/2023/4/24/art_1229641344_59114697.html
    ("目前,全镇共建成“共富工坊”11家,涵盖农旅融合、来料加工、品牌带动、产业赋能和定向招工5类,解决15名低收入农户就业问题,"
     "辐射带动2000余名群众实现致富增收。",
     [("workshops", D(11), "exact"), ("workers_employed_low_income", D(15), "exact")],
     ["涵盖农旅融合、来料加工、品牌带动、产业赋能和定向招工5类", "辐射带动2000余名群众实现致富增收"]),
    # 缙云县统战部 联丰村 (stored copy without address)
    ("近年来,缙云县统战部紧紧围绕高质量发展建设共同富裕示范区的重大战略部署,广泛动员企业、商会等踊跃参与“共富工坊”建设,"
     "主动与包含晨龙锯床、天喜厨电、万维机械等龙头企业对接联系,联合企业借助工坊平台,实施“村企结合提收入”项目,利用村内闲置祠堂,"
     "引入企业生产线,帮助村内闲置劳动力和低收入农户就近就地灵活稳定就业,将企业优势与村经济基础、资源优势相结合,互促并进、推动发展,"
     "目前,缙云县联丰村“共富工坊”已有2条生产线投入运行,累计吸纳周边50余名农户就业,其中低收入农户2名,实现人均月增收3000余元。",
     [("workers_employed", D(50), "over"), ("workers_employed_low_income", D(2), "exact"),
      ("avg_monthly_pay", D(3000), "over")],
     ["缙云县联丰村“共富工坊”已有2条生产线投入运行"]),
    # 工人日报 (瑞安桐浦樱花谷) http://m.hn.shijianwang.net/lianzheng/2023/0707/17209.html
    ("事实上,樱花谷“共富工坊”一共为周边150名低收入群体提供了就业岗位,人均年收入5万元。",
     [("workers_employed_low_income", D(150), "exact"), ("avg_annual_pay_low_income", D(50000), "exact")],
     []),
    # same page
    ("据了解,樱花谷“共富工坊”流转林地约1500亩,每年4个村集体共可得租金45万元,预计村集体经济增收100多万元。",
     [],
     ["樱花谷“共富工坊”流转林地约1500亩", "每年4个村集体共可得租金", "45万元", "预计村集体经济增收100多万元"]),
    # 浙江日报 "杭州萧山:共富工坊为乡村振兴注入新活力" (stored copy without address)
    ("“通过共富工坊,我们加深了与禾伙人公司的合作,现在随着项目的不断推进,每年可为村集体增收40余万元,带动了20多名村民再就业,"
     "周边的民宿也开了好几家。”",
     [("workers_employed", D(20), "over")],
     ["每年可为村集体增收40余万元"]),
    # 瑞安新闻客户端 "'共富工坊'助企惠民,瑞安今年预计建60家以上" http://app.tmuyun.com/webDetails/news?id=1865108&tenantId=48
    ("今年,市委组织部联合市农业农村局等7个部门打造“共富工坊”,依托党建联建机制,引领企业、村集体、农户有效协作,助力农民增收、企业增效、"
     "集体增富,预计全年建成60家以上。",
     [],  # 预计: a plan, kept apart in ``targets`` (test below)
     ["市委组织部联合市农业农村局等7个部门打造“共富工坊”"]),
]


def test_at_least_twenty_published_sentences_are_pinned():
    assert len(PUBLISHED) >= 20


@pytest.mark.parametrize(("sentence", "figures", "unrecognised"), PUBLISHED,
                         ids=[f"published-{i + 1}" for i in range(len(PUBLISHED))])
def test_a_published_sentence_yields_its_figures_and_leaves_the_rest_unrecognised(sentence, figures, unrecognised):
    result = parse_claim_text(sentence)
    assert read(sentence) == figures
    assert list(result.unrecognised) == unrecognised
    for figure in result.figures:
        assert figure.text in sentence


# -- Edge forms (constructed) ---------------------------------------------------------------


def test_full_width_digits_read_as_digits_and_are_quoted_as_written():
    result = parse_claim_text("全区共富工坊累计吸纳低收入农户１０００余人，人均月增收约２８００元。")
    assert read("全区共富工坊累计吸纳低收入农户１０００余人，人均月增收约２８００元。") == [
        ("workers_employed_low_income", D(1000), "over"), ("avg_monthly_pay_low_income", D(2800), "about")]
    assert result.figures[0].text == "全区共富工坊累计吸纳低收入农户１０００余人"


def test_the_article_in_traditional_characters_with_chinese_numerals_reads_the_same():
    text = "建成「共富工坊」八家，累計吸納低收入人群就業一千餘人，人均月增收約2800圓，合計年增收約336萬元。"
    assert read(text) == read(ARTICLE)


def test_wan_and_yi_with_decimals_give_base_units_and_the_place_as_written():
    result = parse_claim_text("全省共富工坊带动4.79万人就业，合计年增收1.2亿元。")
    assert read("全省共富工坊带动4.79万人就业，合计年增收1.2亿元。") == [
        ("workers_employed", D(47900), "exact"), ("total_pay_annual", D(120000000), "exact")]
    assert [f.place for f in result.figures] == [D(100), D(10000000)]
    assert result.to_json_dict()["figures"][0]["value"] == "47900"


def test_households_are_never_workers():
    text = "该工坊吸纳就业120人，带动低收入农户35户，人均月增收3200元左右。"
    assert read(text) == [("workers_employed", D(120), "exact"), ("households_low_income", D(35), "exact"),
                          ("avg_monthly_pay", D(3200), "about")]
    assert parse_claim_text(text).figures[1].unit is Unit.household


def test_village_collective_income_and_rent_in_the_same_sentence_are_not_worker_pay():
    text = "该工坊吸纳就业120人，村集体增收12万元，租金收入8万元，人均月增收3200元。"
    result = parse_claim_text(text)
    assert read(text) == [("workers_employed", D(120), "exact"), ("avg_monthly_pay", D(3200), "exact")]
    assert result.unrecognised == ("村集体增收12万元", "租金收入8万元")


def test_the_low_income_subject_resets_at_the_end_of_a_sentence():
    text = "累计吸纳低收入人群就业1000余人。人均月增收约2800元。"
    assert read(text) == [("workers_employed_low_income", D(1000), "over"), ("avg_monthly_pay", D(2800), "about")]


def test_workers_named_in_general_end_the_low_income_subject():
    text = "吸纳低收入农户就业30人，全体员工人均月增收3000元。"
    assert read(text) == [("workers_employed_low_income", D(30), "exact"), ("avg_monthly_pay", D(3000), "exact")]


def test_at_least_wordings_and_about_wordings_are_told_apart():
    assert read("工坊吸纳困难群众就业超过80人，人均月增收2000元以上。") == [
        ("workers_employed_low_income", D(80), "at_least"), ("avg_monthly_pay_low_income", D(2000), "at_least")]
    assert read("工坊吸纳就业逾百人，人均年增收大约3万元。") == [
        ("workers_employed", D(100), "at_least"), ("avg_annual_pay", D(30000), "about")]


def test_monthly_and_annual_totals_are_told_apart():
    assert read("工坊每月发放工资20万元，全年合计增收240万元，累计发放工资500万元。") == [
        ("total_pay_monthly", D(200000), "exact"), ("total_pay_annual", D(2400000), "exact"),
        ("total_pay", D(5000000), "exact")]


def test_a_gain_per_person_with_no_period_is_annual_by_convention_and_says_so_and_ranges_stay_unrecognised():
    result = parse_claim_text("工坊吸纳就业50人，人均增收3000元，每月增收四五千元，工资2000-3000元。")
    assert read("工坊吸纳就业50人，人均增收3000元，每月增收四五千元，工资2000-3000元。") == [
        ("workers_employed", D(50), "exact"), ("avg_annual_pay", D(3000), "exact")]
    assert [f.period_assumed for f in result.figures] == [False, True]
    assert result.to_json_dict()["figures"][1]["period_assumed"] is True
    assert [(u.text, u.reason.value) for u in result.unread] == [("每月增收四五千元", "range"), ("工资2000-3000元", "range")]


def test_a_wage_with_no_period_is_not_guessed():
    result = parse_claim_text("工坊吸纳就业50人，员工人均工资3000元。")
    assert read("工坊吸纳就业50人，员工人均工资3000元。") == [("workers_employed", D(50), "exact")]
    assert [u.reason.value for u in result.unread] == ["no_period"]


def test_certified_workshops_are_counted_apart_from_workshops():
    assert read("全市认定星级共富工坊120家，其中五星级工坊12家。") == [
        ("workshops_certified", D(120), "exact"), ("workshops_certified", D(12), "exact")]


def test_growth_of_average_monthly_pay_is_a_percentage():
    assert read("低收入农户人均月增收同比增长15%。") == [("growth_avg_monthly_pay_low_income", D(15), "exact")]


def test_a_thousands_separator_is_part_of_the_number():
    assert read("工坊吸纳就业1,000人，员工月均工资3000元/月。") == [
        ("workers_employed", D(1000), "exact"), ("avg_monthly_pay", D(3000), "exact")]


def test_text_without_figures_parses_to_nothing():
    assert parse_claim_text("共富工坊是促进共同富裕的重要抓手。").to_json_dict() == {
        "figures": [], "unrecognised": [], "targets": [], "unrecognised_reasons": []}


def test_a_bare_gain_in_the_ten_thousands_is_the_workers_total_a_small_one_is_left_unread():
    result = parse_claim_text("全市共富工坊带动低收入农户就业3.5万人，实现增收11.2亿元。带动村民增收2000余元。")
    assert [(f.metric, f.value, f.low_income) for f in result.figures] == [
        (ClaimMetric.workers_employed, D(35000), True), (ClaimMetric.total_pay, D("1120000000"), True)]
    assert result.unrecognised == ("带动村民增收2000余元",)


def test_a_growth_with_no_subject_is_the_growth_of_the_pay_figure_just_before_it():
    read_ = [(f.metric, f.value) for f in parse_claim_text(
        "合计年增收336万元，同比增长12.5%，人均月增收2800元，同比增长3%。总产值超过8亿元，同比增长20%。"
        "吸纳就业300人，同比增长10%。").figures]
    assert read_ == [(ClaimMetric.total_pay_annual, D(3360000)), (ClaimMetric.growth_total_pay, D("12.5")),
                     (ClaimMetric.avg_monthly_pay, D(2800)), (ClaimMetric.growth_avg_monthly_pay, D(3)),
                     (ClaimMetric.workers_employed, D(300))]


# -- The wordings of issue 11 (constructed, one kind each) ------------------------------------


def unread(text):
    return [(u.text, u.reason.value) for u in parse_claim_text(text).unread]


def targets(text):
    return [(f.name, f.value, f.qualifier.value) for f in parse_claim_text(text).targets]


def test_person_times_are_never_a_head_count_and_never_silently_dropped():
    assert read("全县共富工坊带动就业2300人次。") == []
    assert unread("全县共富工坊带动就业2300人次。") == [("全县共富工坊带动就业2300人次", "person_times")]
    reasons = parse_claim_text("带动就业2300人次。").to_json_dict()["unrecognised_reasons"]
    assert reasons == [{"text": "带动就业2300人次", "reason": "person_times",
                        "message": "人次是次数，不是人数 / person-times count visits or shifts, not people"}]


def test_pinyin_printed_by_mirror_sites_neither_splits_a_clause_nor_detaches_wan():
    result = parse_claim_text("就業(yè)人數(shù)1200余人,發放工資300萬(wàn)元。")
    assert read("就業(yè)人數(shù)1200余人,發放工資300萬(wàn)元。") == [
        ("workers_employed", D(1200), "over"), ("total_pay", D(3000000), "exact")]
    assert [f.text for f in result.figures] == ["就業(yè)人數(shù)1200余人", "發放工資300萬(wàn)元"]


def test_chinese_numerals_and_vague_counts_and_labels():
    assert read("建成共富工坊六家,吸纳三十多名村民就业。") == [
        ("workshops", D(6), "exact"), ("workers_employed", D(30), "over")]
    assert read("带动近万名群众就业。") == [("workers_employed", D(10000), "about")]
    assert parse_claim_text("评选十大共富工坊。").to_json_dict()["unrecognised"] == []  # a label, not a number
    assert unread("累计带动上万名妇女就业。") == [("累计带动上万名妇女就业", "vague")]


def test_a_bare_wan_or_qian_bounded_by_its_wording_is_one_of_it():
    # 鲁网 "莒南县岭泉镇:共富工坊绽活力" https://m.dhbk.net/news/agnD497nyV.html (held-out corpus line)
    text = "“目前我们村共有30多个富余劳动力参与除味剂的生产制作,人均收入万元以上。”化家庙子村党支部书记化籍增说。"
    assert read(text) == [("workers_employed", D(30), "over"), ("avg_annual_pay", D(10000), "at_least")]
    figure = parse_claim_text(text).figures[1]
    assert (figure.text, figure.place, figure.period_assumed) == ("人均收入万元以上", D(10000), True)
    assert read("吸纳就业45人,人均月增收千元以上。")[1] == ("avg_monthly_pay", D(1000), "at_least")
    assert read("吸纳就业45人,人均月增收千元左右。")[1] == ("avg_monthly_pay", D(1000), "about")
    assert read("带动就业万人以上。") == [("workers_employed", D(10000), "at_least")]
    assert read("吸纳就业45人,人均年增收万余元。")[1] == ("avg_annual_pay", D(10000), "over")


def test_a_bare_wan_or_qian_in_a_name_or_unbounded_is_no_number():
    for text in ("万达广场共富工坊吸纳就业30人。", "千岛湖畔的共富工坊吸纳就业30人。",
                 "村里出了不少万元户,共富工坊吸纳就业30人。", "千万工程带动共富工坊吸纳就业30人。"):
        assert read(text) == [("workers_employed", D(30), "exact")], text
        assert parse_claim_text(text).unread == (), text
    assert read("人均收入万元以下。") == []  # an upper bound the reader has no qualifier for: not read as a figure
    assert unread("累计带动上万名妇女就业。") == [("累计带动上万名妇女就业", "vague")]
    assert read("吸纳就业45人,人均收入5万元以上。")[1] == ("avg_annual_pay", D(50000), "at_least")  # after a digit: 5 × 万


def test_per_person_gains_with_no_period_are_annual_and_say_the_period_was_assumed():
    for text, value in (("吸纳就业80人,人均增收4292元。", D(4292)), ("吸纳就业80人,人均增收1.49万元。", D(14900))):
        figure = parse_claim_text(text).figures[1]
        assert (figure.name, figure.value, figure.period_assumed) == ("avg_annual_pay", value, True)


def test_a_monthly_gain_of_named_workers_and_an_income_without_yuan_are_averages():
    assert read("带动农户就业60人,农户月增收2000余元。")[1] == ("avg_monthly_pay", D(2000), "over")
    assert read("吸纳就业45人,平均月收入达到2000以上。")[1] == ("avg_monthly_pay", D(2000), "at_least")


def test_money_paid_out_is_the_workers_total():
    assert read("全年发放务工费120万元。") == [("total_pay_annual", D(1200000), "exact")]
    assert read("发放劳务报酬86万元。") == [("total_pay", D(860000), "exact")]
    assert read("吸纳就业45人,已发放250万元。")[1] == ("total_pay", D(2500000), "exact")


def test_thresholds_and_plans_are_targets_never_achievements():
    for text, target in (("各工坊要求带动就业10人以上。", ("workers_employed", D(10), "at_least")),
                         ("预计建60家共富工坊。", ("workshops", D(60), "exact")),
                         ("力争吸纳就业500人。", ("workers_employed", D(500), "exact")),
                         ("目标建成共富工坊50家。", ("workshops", D(50), "exact")),
                         ("每个工坊吸纳就业不少于10人。", ("workers_employed", D(10), "at_least"))):
        assert read(text) == [] and targets(text) == [target], text


def test_counts_beside_a_workshop_that_are_not_workshops_and_people_who_are_not_workers():
    assert unread("工坊推出20多个品类。") == [("工坊推出20多个品类", "not_workshop")]
    assert unread("建成工坊服务中心1个。") == [("建成工坊服务中心1个", "not_workshop")]
    assert unread("吸纳120名创业能手组建创业联盟。") == [("吸纳120名创业能手组建创业联盟", "not_workers")]
    assert unread("培训务工群众1179人。") == [("培训务工群众1179人", "not_workers")]
    assert unread("全村人均收入3.5万元。") == [("全村人均收入3.5万元", "place_wide")]


def test_an_id_number_in_pasted_text_is_never_echoed_back():
    result = parse_claim_text("工人身份证号330784199001011234,手机13812345678,吸纳就业1人。")
    body = str(result.to_json_dict())
    assert "330784199001011234" not in body and "13812345678" not in body
    assert [u.reason.value for u in result.unread] == ["personal_number", "personal_number"]
    assert result.unread[0].text == "工人身份证号330784********1234"


def test_a_target_read_back_from_json_stays_a_target():
    target = parse_claim_text("预计建60家共富工坊。").targets[0]
    assert target.to_json_dict()["target"] is True
    assert ClaimFigure.from_json_dict(target.to_json_dict()) == target


def test_a_target_is_never_reconciled_as_an_achievement():
    from ledger.core.reconcile import reconcile

    result = parse_claim_text("已建成共富工坊8家,预计全年建成60家以上。")
    figures = list(result.figures) + list(result.targets)
    assert [f.target for f in figures] == [False, True]
    report = reconcile(figures, {"workshops": 8}, 12)
    assert [(f.metric, f.claimed) for f in report.figures] == [("workshops", D(8))]


# -- Where a plan ends (constructed, except where a source is named) ------------------------


def test_a_plan_set_between_reported_figures_leaves_the_achieved_gain_after_it_to_be_reconciled():
    from ledger.core.reconcile import reconcile

    text = "带动就业200人，力争明年建成共富工坊60家以上，人均增收4292元。"
    assert read(text) == [("workers_employed", D(200), "exact"), ("avg_annual_pay", D(4292), "exact")]
    assert targets(text) == [("workshops", D(60), "at_least")]
    report = reconcile(parse_claim_text(text).figures, {"workers_employed": 200, "avg_annual_pay": D("4300.12")}, 12)
    assert [f.metric for f in report.figures] == ["workers_employed", "avg_annual_pay"]
    assert read("全县建成共富工坊50家，力争明年建成60家以上，人均增收4292元。")[1] == ("avg_annual_pay", D(4292), "exact")


def test_a_plan_that_opens_the_sentence_lists_its_targets_over_several_clauses():
    planned = [("workshops", D(100), "exact"), ("workers_employed", D(5000), "exact"),
               ("avg_monthly_pay", D(3000), "exact")]
    for text in ("力争到2025年建成共富工坊100家、吸纳就业5000人、人均月增收3000元。",
                 "力争到2025年建成共富工坊100家，吸纳就业5000人，人均月增收3000元。"):
        assert read(text) == [] and targets(text) == planned, text
    text = "计划2025年建成共富工坊20家，到2027年建成100家，吸纳就业5000人。"  # a later year: the same plan
    assert read(text) == [] and [t[1] for t in targets(text)] == [D(20), D(100), D(5000)]
    text = "目标是：建成共富工坊100家，其中星级工坊20家，吸纳就业5000人。"
    assert read(text) == [] and [t[1] for t in targets(text)] == [D(100), D(20), D(5000)]
    # A time word inside another word (体现在, 提前年底) is no time of the clause's own.
    for text in ("力争到2025年建成共富工坊100家，成效体现在吸纳就业5000人。",
                 "计划明年建成共富工坊100家，提前年底吸纳就业5000人。"):
        assert read(text) == [] and [t[1] for t in targets(text)] == [D(100), D(5000)], text


def test_a_clause_that_says_what_was_done_or_names_a_time_past_ends_the_plan():
    achieved = [("workers_employed", D(800), "exact"), ("avg_annual_pay", D(4292), "exact")]
    for text in ("力争年底建成共富工坊20家，目前吸纳就业800人，人均增收4292元。",
                 "力争到2025年建成共富工坊100家，去年带动就业800人，人均增收4292元。",
                 "计划到2025年建成共富工坊100家，2023年吸纳就业800人，人均增收4292元。",
                 "工坊力争打造全县标杆，吸纳了周边村民800人就业，人均增收4292元。"):
        assert read(text) == achieved, text
    assert targets("力争建成共富工坊100家；吸纳就业5000人。") == [("workshops", D(100), "exact")]
    assert read("力争建成共富工坊100家；吸纳就业5000人。") == [("workers_employed", D(5000), "exact")]


def test_after_reported_figures_a_plan_goes_on_over_its_asides_and_its_own_further_actions():
    text = "全县已建成共富工坊50家，计划明年新建共富工坊20家（其中星级工坊5家），吸纳就业800人。"
    assert read(text) == [("workshops", D(50), "exact")]
    assert targets(text) == [("workshops", D(20), "exact"), ("workshops_certified", D(5), "exact"),
                             ("workers_employed", D(800), "exact")]
    # 华商报 "勉县周家山首家扶贫车间成立" (forum copy http://0916001.com/forum.php?goto=lastpost&mod=redirect&tid=32071),
    # its two sentences joined by a comma: the plan's second action is planned, the report before it achieved.
    text = ("目前,全县已建成产业扶贫车间示范点10个,吸纳当地贫困户315户,"
            "计划8月底建成20个扶贫车间(工厂),带动5000户以上贫困户稳定增收。")
    assert read(text) == [("workshops_certified", D(10), "exact"), ("households_low_income", D(315), "exact")]
    assert targets(text) == [("workshops", D(20), "exact"), ("households_low_income", D(5000), "at_least")]
