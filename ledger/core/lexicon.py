"""The words the claim reader knows, as data: one place to read, extend and test them.

Each lexicon is a tuple of ``Word`` — the word (or a short regular expression when a word has
variants), and an example sentence in which it does what the lexicon says. The test
``tests/core/test_core_claim_lexicon.py`` parses every example and checks that effect, so a
word cannot be added without showing what it does. Examples marked ``real`` are quoted from
the corpus (``tests/core/corpus/claims_corpus.jsonl``, source and address there); the others
are constructed to show one word at a time.

The parser (``ledger/core/claims.py``) compiles these into regular expressions. It keeps only
its grammar there — the words that make an amount an average or a total (人均, 合计), a month's or
a year's (月, 年), a growth (同比) — and the vocabulary of who and what is counted lives here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Word:
    pattern: str  # a word, or a regular expression for a word with variants
    example: str  # a sentence in which the word does what its lexicon says
    real: bool = False  # quoted from the corpus rather than constructed


def alternation(words: tuple[Word, ...]) -> str:
    """One regular expression matching any of the words, longest first."""
    return "|".join(sorted((w.pattern for w in words), key=len, reverse=True))


# -- What is counted -------------------------------------------------------------------------

WORKSHOP_NOUNS: tuple[Word, ...] = (
    Word("共富工坊", "全县已建成共富工坊118个。"),
    Word("工坊", "因地制宜建立工坊200余个。"),
    Word("扶贫车间", "截至目前,张掖市累计兴建扶贫车间66个。", real=True),
    Word("就业帮扶车间", "全县认定就业帮扶车间42家。"),
    Word("帮扶车间", "全县建成帮扶车间15个。"),
    Word("就业车间", "目前,西和县已建成就业车间69家,吸纳就业1772人。", real=True),
    Word("就业工厂", "全县建成乡村就业工厂12家。"),
    Word("社区工厂", "截至目前,白河县已创办社区工厂33家。"),
    Word("扶贫工厂", "打造就业“扶贫工厂”10余家。"),
    Word("微工厂", "全区建成社区微工厂8个。"),
    Word("乡村振兴车间", "着力培育和发展乡村振兴车间24家。"),
    Word("乡村车间", "全县建成乡村车间57个。"),
    Word("共富车间", "全镇建成共富车间9个。"),
    Word("脱贫车间", "共建脱贫车间88个。"),
    Word("振兴工坊", "到2025年已打造振兴工坊20家。"),
    Word("巧媳妇工厂", "全县已有巧媳妇工厂30个。"),
    Word("来料加工点", "王阜乡已建立来料加工点29个。"),
    Word("加工点", "全乡设立加工点14个。"),
)
"""A count of N家 / N个 is a count of workshops when one of these nouns is its noun."""

WORKSHOP_NOUN_AS_MODIFIER: tuple[Word, ...] = (
    Word("岗位", "雅风帽业共设有50个“共富工坊”定向招工专项岗位。"),
    Word("定向招工", "共设有50个共富工坊定向招工岗位。"),
    Word("服务中心", "建成工坊服务中心1个。"),
    Word("产品", "推出20个工坊产品。"),
    Word("品类", "推出12个工坊品类。"),
    Word("负责人", "培训30个共富工坊负责人。"),
    Word("带头人", "评选10个工坊带头人。"),
    Word("经纪人", "培育15个工坊经纪人。"),
)
"""After the workshop noun these make it a modifier: 50个共富工坊岗位 counts jobs, not workshops."""

CERTIFICATION_WORDS: tuple[Word, ...] = (
    Word("认定", "兴业县已认定“就业扶贫车间”156家。"),
    Word("授牌", "全市授牌共富工坊40家。"),
    Word("示范", "全县已建成产业扶贫车间示范点10个。"),
    Word("星级", "全市认定星级共富工坊120家。"),
    Word("获评", "全县获评省级共富工坊6家。"),
    Word("殊荣", "等10家工坊喜获殊荣。"),
)
"""In the noun phrase of a workshop count, these make it a count of certified workshops."""

BUILD_VERBS: tuple[Word, ...] = (
    Word("建成", "全市大力打造共富工坊,预计全年建成60家以上。"),
    Word("建设", "宁波已经建设近千家,各具特色的共富工坊吸纳就业。"),
    Word("打造", "全市打造80家,共富工坊遍地开花。"),
    Word("挂牌", "全镇挂牌9家,共富工坊辐射全镇。"),
    Word("成立", "今年成立12家,共富工坊成效明显。"),
    Word("培育", "全区培育30家,共富工坊带动就业。"),
    Word("创办", "已创办25家,社区工厂带动就业。"),
    Word("新建", "年内新建7家,共富工坊全覆盖。"),
)
"""建成N家 with no noun of its own counts workshops when the sentence is about workshops."""

EMPLOYMENT_WORDINGS: tuple[Word, ...] = (
    Word("就业", "带动1617名残疾人就业。"),
    Word("吸纳", "张掖市共吸纳4460名农村劳动力。"),
    Word("务工", "这家公司共有固定务工村民110多人。"),
    Word("上岗", "工坊已有45人上岗。"),
    Word("上班", "工坊现有60人在车间上班。"),
    Word("用工", "每年季节性用工120人左右。"),
    Word("雇工", "基地季节性雇工80余人。"),
    Word("招工", "工坊定向招工35人。"),
    Word("招聘", "工坊今年招聘工人26名。"),
    Word("员工", "现在厂里共有100多名员工。"),
    Word("职工", "银丰工艺厂现有200多名职工。"),
    Word("工人", "这个车间共有工人30余人。"),
    Word("女工", "工厂里有近200名女工。"),
    Word("工作人员", "工坊现有工作人员20多人。"),
    Word("从业", "全县稳定从业12万人以上。"),
    Word("就业人数", "解决实际就业人数1300余人。"),
    Word("从事", "像田锦秀一样从事来料加工的村民超过3500人。"),
    Word("参与(?:[^,。;]{0,12})(?:生产|加工|制作)", "村里共有30多个富余劳动力参与除味剂的生产制作。"),
    Word("(?:参与|加入|进入)(?:到)?[^,。;]{0,6}(?:工坊|车间|工厂)", "辖区内近70名社区困难居民参与到微工厂中。"),
    Word("(?:工坊|车间|工厂)(?:里|内|中)[^,。;]{0,4}有", "车间里今年有贫困户9人。"),
    Word("开展来料加工", "该工坊已带动雷山村30余位女性开展来料加工制作。"),
    Word("劳动合同", "目前有38名留守妇女与工厂签订劳动合同。"),
    Word("提供(?:了)?(?:就业|工作)岗位", "为周边150名低收入群体提供了就业岗位。"),
    Word("在岗", "工坊在岗人员52人。"),
    Word("家门口", "带动275名本地村民实现家门口增收。"),
)
"""A number of people (人 / 名 / 位) is a number of workers only when its clause speaks of work."""

NOT_WORKERS: tuple[Word, ...] = (
    Word("培训", "全年培训务工群众1179人。"),
    Word("培育", "累计培育务工绣娘1200余人。"),
    Word("培养", "工坊培养就业带头人35名。"),
    Word("创业能手", "吸纳120名乡村创业能手组建巾帼创业联盟。"),
    Word("联盟", "吸纳85名会员组建联盟。"),
    Word("经纪人", "全县拥有就业经纪人635多人。"),
    Word("游客", "工坊吸纳就业并接待游客3000人。"),
    Word("志愿者", "组织就业志愿者40名。"),
    Word("输转", "全县输转就业富余劳动力28297人。"),
)
"""People counted for something else than work at a workshop: trained, recruited into an
association, brokers, visitors, labour sent elsewhere."""

LOW_INCOME_WORDS: tuple[Word, ...] = (
    Word("低收入", "吸纳农村剩余劳动力5万余人,其中低收入农户5514人。", real=True),
    Word("困难群众", "吸纳困难群众就业80人。"),
    Word("困难群体", "吸纳困难群体就业25人。"),
    Word("困难居民", "辖区内近70名社区困难居民参与到微工厂中就业。"),
    Word("困难家庭", "吸纳困难家庭成员就业12人。"),
    Word("低保", "吸纳低保对象就业9人。"),
    Word("特困", "吸纳特困人员就业3人。"),
    Word("残疾", "带动1617名残疾人就业。"),
    Word("残障", "吸纳残障人士就业26人。"),
    Word("防止返贫", "吸纳防止返贫监测对象就业18人。"),
    Word("监测对象", "吸纳监测对象就业11人。"),
    Word("建档立卡", "目前已吸纳建档立卡劳动力46人。"),
    Word("脱贫(?:户|人口|劳动力|群众|人员)", "其中吸纳脱贫人口929人。"),
    Word("贫困(?:户|人口|劳动力|群众|家庭|妇女|人员)", "带动农村贫困群众2000余人就业增收。"),
)
"""People named by these are low-income (SPEC: a worker low-income in the month)."""

PEOPLE_NOUNS: tuple[Word, ...] = (
    Word("村民", "吸纳低收入农户就业30人,全体村民人均月增收3000元。"),
    Word("农户", "吸纳低收入人群就业30人,带动农户人均月增收3000元。"),
    Word("群众", "吸纳低收入人群就业30人,群众人均月增收3000元。"),
    Word("员工", "吸纳低收入人群就业30人,员工人均月增收3000元。"),
    Word("工人", "吸纳低收入人群就业30人,工人人均月增收3000元。"),
    Word("职工", "吸纳低收入人群就业30人,职工人均月增收3000元。"),
    Word("居民", "吸纳低收入人群就业30人,居民人均月增收3000元。"),
    Word("劳动力", "吸纳低收入人群就业30人,劳动力人均月增收3000元。"),
    Word("人员", "吸纳低收入人群就业30人,就业人员人均月增收3000元。"),
    Word("妇女", "吸纳低收入人群就业30人,妇女人均月增收3000元。"),
    Word("农民", "吸纳低收入人群就业30人,农民人均月增收3000元。"),
    Word("绣娘", "吸纳低收入人群就业30人,绣娘人均月增收3000元。"),
)
"""Workers in general: naming them ends a low-income subject carried from earlier in the sentence."""


# -- Money that is not workers' pay ---------------------------------------------------------

NOT_WORKERS_MONEY: tuple[Word, ...] = (
    Word("村集体", "村集体年增收25万元。"),
    Word("集体经济", "带动集体经济增收40万元。"),
    Word("集体收入", "实现集体收入30万元。"),
    Word("产值", "年产值1800多万元。"),
    Word("总值", "妇女手工制品年生产总值达400多亿元。"),
    Word("销售额", "年销售额达500多万元。"),
    Word("营收", "年营收500万元。"),
    Word("营业额", "营业额超过170万元。"),
    Word("交易额", "年交易额超7亿元。"),
    Word("订单", "年均订单额达2000万元。"),
    Word("投资", "该共富工坊总投资60万元。"),
    Word("投入", "投入230万元改造闲置房产。"),
    Word("资金", "筹集各类资金超400万元。"),
    Word("租金", "每年4个村集体共可得租金45万元。"),
    Word("分红", "带给村集体入股分红8万元。"),
    Word("红利", "发放红利20万元。"),
    Word("效益", "预计年创效益5310万元。"),
    Word("成本", "成本近100万元。"),
    Word("利润", "实现利润80万元。"),
    Word("税收", "贡献税收30万元。"),
    Word("补贴", "发放就业补贴12万元。"),
    Word("补助", "争取补助资金200万元。"),
    Word("奖补", "兑现奖补资金15万元。"),
    Word("奖励", "每人还能拿到100元额外奖励。"),
    Word("物业", "物业收入12万元。"),
    Word("品牌价值", "提升品牌价值至2.2亿元。"),
    Word("财产性收入", "财产性收入增加20万元。"),
    Word("经营性收入", "经营性收入达30万元。"),
    Word("流转费", "发放土地流转费18万元。"),
    Word("创收", "实现劳务创收1.71亿元。"),
)
"""Money whose clause names these belongs to someone else than the workers, or is not pay."""

PLACE_WIDE_INCOME: tuple[Word, ...] = (
    Word("全(?:县|村|镇|乡|市|省|区)(?:农民|村民|居民|农村居民)?人均", "为全县农民人均增收9000元左右。"),
    Word("人均可支配收入", "全村人均可支配收入3.2万元。"),
    Word("人均纯收入", "搬迁脱贫人口人均纯收入16927元。"),
)
"""A whole place's per-capita income is not the workshop workers' average pay (SPEC)."""

NOT_AN_AVERAGE: tuple[Word, ...] = (
    Word("最高", "最高可达4000元。"),
    Word("最低", "最低工资每月也能拿到近4000元。"),
    Word("最多", "每月最多能挣6000元。"),
    Word("最少", "最少的人一年也有3万元。"),
    Word("少则", "每月增收少则2000元。"),
    Word("多则", "多则5000元。"),
    Word("高达", "一天收入高达150元。"),
    Word("部分", "部分骨干年收入超10万元。"),
    Word("一天", "一天能挣120元。"),
    Word("每天", "每天有80元收入。"),
    Word("每日", "每日工资100元。"),
    Word("日均", "日均收入150元。"),
    Word("日薪", "日薪120元。"),
    Word("户均", "为贫困户户均年增收2万元左右。"),
    Word("每户", "预计每户可增收3000元。"),
    Word("户平", "实现户平增收1.4万元。"),
)
"""A maximum, a minimum, a subset, a day's or a household's money is not workers' average pay."""


# -- Plans and conditions -------------------------------------------------------------------

TARGET_MARKERS: tuple[Word, ...] = (
    Word("预计", "瑞安打造共富工坊,预计全年建成60家以上。"),
    Word("(?<![”\"])计划(?![”\"])", "年内计划新建共富工坊5家以上。"),
    Word("力争", "力争建成共富工坊100家。"),
    Word("目标", "目标建成共富工坊50家。"),
    Word("争取", "争取吸纳就业500人。"),
    Word("规划", "规划建设共富工坊30家。"),
    Word("拟", "拟新建共富工坊12家。"),
    Word("将(?:再|新|陆续|继续)?(?:建|打造|增设|吸纳|带动|达到|实现|超过|突破|增加|提供|覆盖)",
         "到2027年,累计将打造100家振兴工坊。"),
)
"""Figures after these are planned: in their clause, and in the clauses after it that go on listing
the plan (the reader's docstring says where a plan ends)."""

THRESHOLD_MARKERS: tuple[Word, ...] = (
    Word("要求", "明确带动就业10人以上的硬性要求。"),
    Word("门槛", "申报门槛为吸纳就业10人以上。"),
    Word("标准(?!化)", "认定标准为吸纳就业5名以上。"),
    Word("条件", "认定条件是带动就业10人以上。"),
    Word("须", "每个工坊须吸纳就业10人以上。"),
    Word("必须", "工坊必须吸纳就业8人以上。"),
    Word("至少", "确保每个工坊至少吸纳就业5人。"),
    Word("每(?:个|家|户|人)[^,。;]{0,10}(?:不少于|不低于)", "每个工坊吸纳就业不少于10人。"),
)
"""Figures in a clause with these are conditions (要求带动就业10人以上), not achievements."""

PLAN_CHAIN_VERBS: tuple[Word, ...] = (
    Word("带动", "全县已建成共富工坊50家,计划明年新建共富工坊20家,带动就业800人。"),
    Word("吸纳", "全县已建成共富工坊50家,计划明年新建共富工坊20家,吸纳就业800人。"),
    Word("新增", "全县已建成共富工坊50家,计划明年新建共富工坊20家,新增就业800人。"),
    Word("实现", "全县已建成共富工坊50家,计划明年新建共富工坊20家,实现人均增收3000元。"),
    Word("(?:新建|建成|建设|打造|增设)", "全县已建成共富工坊50家,力争明年新建共富工坊20家,打造星级共富工坊5家。"),
)
"""In a sentence that has already reported figures, a plan goes on over the clauses that open with
one of these — a further action of the same plan (计划8月底建成20个扶贫车间,带动5000户…增收) —
and ends at the first that does not (带动就业200人,力争明年建成60家以上,人均增收4292元)."""

ACHIEVED_MARKERS: tuple[Word, ...] = (
    Word("已", "计划新建共富工坊5家,已建成共富工坊8家。"),
    Word("目前", "计划新建共富工坊5家,目前建成共富工坊8家。"),
    Word("截至", "计划新建共富工坊5家,截至去年建成共富工坊8家。"),
    Word("现有", "计划新建共富工坊5家,现有共富工坊8家。"),
    Word("累计(?!将)", "计划新建共富工坊5家,累计建成共富工坊8家。"),
    Word("(?<![为除])了(?!解)", "计划新建共富工坊5家,建成了共富工坊8家。"),
    Word("如今", "计划新建共富工坊5家,如今共富工坊有8家。"),
    Word("至今", "计划新建共富工坊5家,至今建成共富工坊8家。"),
    Word("迄今", "计划新建共富工坊5家,迄今建成共富工坊8家。"),
    Word("(?<![体表])现在", "计划新建共富工坊5家,现在共富工坊有8家。"),
    Word("去年", "计划新建共富工坊5家,去年建成共富工坊8家。"),
    Word("(?<!提)前年", "计划新建共富工坊5家,前年建成共富工坊8家。"),
    Word("以来", "计划新建共富工坊5家,今年以来建成共富工坊8家。"),
    Word("近年来", "计划新建共富工坊5家,近年来建成共富工坊8家。"),
    Word("此前", "计划新建共富工坊5家,此前建成共富工坊8家。"),
)
"""A clause with these (and no plan word) speaks of what has been done, or of a time past or
present: a plan ends there (力争明年建成60家,去年带动就业800人)."""
