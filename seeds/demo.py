"""The 永康 demo, generated deterministically (a fixed random seed; no database file).

ALL PERSON DATA HERE IS SYNTHETIC: names are drawn from common characters, ID numbers are
made up under region 330784 with valid GB 11643 check digits, and no phone is real.

The demo is built so that, for region 330784 and 2023, the article's first three figures
agree with the records — 8 workshops; 1000–1999 low-income workers employed; low-income
average monthly pay per person-month within 2750–2850 元 — and the fourth (约336万元 a year)
does not. Some 300 workers who are not low-income are placed too, so the low-income
variants differ from the plain ones. 2022 is there for year-on-year growth.

Generation (``build_demo``) is pure; loading (``load_demo``) goes through the services,
like every other write, inside one transaction, and does nothing if the demo is there.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from stdnum.cn import ric, uscc

REGION = "330784"
SEED = 20231231
LOW_INCOME_WORKERS = 1180
OTHER_WORKERS = 320
FIRST_MONTH, LAST_MONTH = (2022, 1), (2023, 12)

ARTICLE_TEXT = (
    "永康经济开发区建成\u201c共富工坊\u201d8家，累计吸纳低收入人群就业1000余人，"
    "人均月增收约2800元，合计年增收约336万元。"
)
ARTICLE_SOURCE = {
    "title": "永康经济开发区\u201c共富工坊\u201d建设情况（演示用引文）",
    "publisher": "永康经济开发区",
    "published_on": "2024-01-15",
}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严覃武"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国玉梅红云飞志新文斌林丽萍春梅海燕金凤小红建华晓东国强"

ENTERPRISES = [
    ("永康市顺虎工贸有限公司", "顺虎公司"),
    ("浙江钱一塔消防科技有限公司", "钱一塔消防"),
    ("永康市溪岸五金制品有限公司（虚构）", "溪岸五金"),
    ("永康市青禾电器配件有限公司（虚构）", "青禾电器"),
    ("永康市晨光门业有限公司（虚构）", "晨光门业"),
    ("永康市石鼓工具有限公司（虚构）", "石鼓工具"),
    ("永康市云栖服饰有限公司（虚构）", "云栖服饰"),
    ("永康市南溪电商有限公司（虚构）", "南溪电商"),
]
WORKSHOP_TYPES = ["来料加工式", "来料加工式", "定向招工式", "来料加工式", "产业赋能式", "品牌带动式",
                  "来料加工式", "电商直播式"]
VILLAGES = ["花街村", "长城村", "塘里村", "下宅口村", "胡库村", "荷塘村", "溪心村", "大园村"]


@dataclass
class Demo:
    enterprises: list[dict] = field(default_factory=list)
    workshops: list[dict] = field(default_factory=list)
    certifications: list[dict] = field(default_factory=list)
    workers: list[dict] = field(default_factory=list)
    low_income: list[dict] = field(default_factory=list)
    placements: list[dict] = field(default_factory=list)
    pay: list[dict] = field(default_factory=list)


def credit_code(rng: random.Random) -> str:
    body = "91" + REGION + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return body + uscc.calc_check_digit(body)


def id_number(rng: random.Random, serial: int) -> str:
    birth = date(1958, 1, 1) + timedelta(days=rng.randrange(0, 365 * 42))
    body = f"{REGION}{birth:%Y%m%d}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def months(first: tuple[int, int], last: tuple[int, int]) -> list[str]:
    out, (y, m) = [], first
    while (y, m) <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _month_start(month: str) -> date:
    return date(int(month[:4]), int(month[5:]), 1)


def _month_end(month: str) -> date:
    start = _month_start(month)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def build_demo() -> Demo:
    rng = random.Random(SEED)
    demo = Demo()
    for index, (name, _short) in enumerate(ENTERPRISES):
        demo.enterprises.append({"key": index, "name": name, "credit_code": credit_code(rng),
                                 "region_code": REGION})
        demo.workshops.append({
            "key": index, "enterprise": index, "code": f"YK-{index + 1:02d}",
            "name": f"{VILLAGES[index]}{_short}共富工坊", "workshop_type": WORKSHOP_TYPES[index],
            "village": VILLAGES[index], "region_code": REGION,
            "opened_on": date(2021, 3 + index, 1),
        })
    levels = [("省级示范点", "province", "浙江省委组织部"), ("市级示范共富工坊", "city", "金华市委组织部"),
              ("三星级共富工坊", "county", "永康市委组织部")]
    for index in range(8):
        title, level, issuer = levels[index % 3]
        demo.certifications.append({
            "workshop": index, "title": title, "level": level, "issuer": issuer, "batch": "2022年第一批",
            "awarded_on": date(2022, 6, 1), "valid_until": date(2025, 5, 31), "status": "授牌",
        })
    all_months = months(FIRST_MONTH, LAST_MONTH)
    seen_ids: set[str] = set()
    total = LOW_INCOME_WORKERS + OTHER_WORKERS
    for key in range(total):
        number = id_number(rng, key)
        while number in seen_ids:
            number = id_number(rng, key + rng.randrange(1000))
        seen_ids.add(number)
        low = key < LOW_INCOME_WORKERS
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        baseline = f"{rng.randrange(800, 1800)}.00" if rng.random() < 0.6 else None
        home = rng.randrange(8)
        demo.workers.append({"key": key, "name": name, "id_number": number, "village": VILLAGES[home],
                             "phone": None, "baseline_income": baseline})
        if low:
            demo.low_income.append({"worker": key, "category": rng.choice(
                ["低保", "低保边缘", "特困供养", "支出型困难", "防止返贫监测对象", "残疾人"]),
                "valid_from": date(2021, 1, 1), "valid_to": None, "source_document": "永民〔2021〕演示文件"})
        # A stint of several months somewhere in 2022–2023; some come and go.
        start = rng.randrange(0, len(all_months) - 3)
        length = rng.randrange(4, len(all_months) - start + 1)
        span = all_months[start:start + length]
        if not any(m.startswith("2023") for m in span):
            span = all_months[12:12 + rng.randrange(4, 13)]
        workshop = home if rng.random() < 0.7 else rng.randrange(8)
        hired = _month_start(span[0]) + timedelta(days=rng.randrange(0, 10))
        left = None if span[-1] == all_months[-1] else _month_end(span[-1]) - timedelta(days=rng.randrange(0, 5))
        placement_key = len(demo.placements)
        demo.placements.append({"key": placement_key, "worker": key, "workshop": workshop, "hired_on": hired,
                                "left_on": left, "pay_basis": rng.choice(["计件", "计件", "计时", "日薪", "月薪"])})
        centre = 2800 if low else 3600
        for month in span:
            fen = (centre + rng.randrange(-500, 501)) * 100 + rng.randrange(0, 100)
            demo.pay.append({"placement": placement_key, "month": month, "amount": f"{fen // 100}.{fen % 100:02d}",
                             "days_worked": rng.randrange(12, 27)})
    return demo


async def load_demo(progress: Callable[[str], None] | None = None) -> bool:
    """Load the demo through the services in one transaction; False if it is already there.

    ``progress`` hears a line per stage, with its count (the CLI prints them on stderr: the
    load takes a minute or two, mostly the workers' encryption and the journal)."""
    from ledger.db import write_transaction
    from ledger.services import claims, employment, masterdata, people
    from ledger.tables import Workshop

    def stage(zh: str, count: int, en: str) -> None:
        if progress is not None:
            progress(f"{zh} {count:,} / {count:,} {en}")

    if await Workshop.exists().where(Workshop.code == "YK-01"):
        return False
    demo = build_demo()
    async with write_transaction():
        enterprise_ids = {}
        for e in demo.enterprises:
            enterprise_ids[e["key"]] = (await masterdata.create_enterprise(
                {k: v for k, v in e.items() if k != "key"}))["id"]
        stage("领办企业", len(enterprise_ids), "enterprises")
        workshop_ids = {}
        for w in demo.workshops:
            data = {k: v for k, v in w.items() if k != "key"} | {"enterprise": enterprise_ids[w["enterprise"]]}
            workshop_ids[w["key"]] = (await masterdata.create_workshop(data))["id"]
        stage("共富工坊", len(workshop_ids), "workshops")
        for c in demo.certifications:
            await masterdata.create_certification(c | {"workshop": workshop_ids[c["workshop"]]})
        stage("认定", len(demo.certifications), "certifications")
        worker_ids = {}
        for person in demo.workers:
            worker_ids[person["key"]] = (await people.create_worker(
                {k: v for k, v in person.items() if k != "key"}))["id"]
        stage("务工人员", len(worker_ids), "workers")
        for status in demo.low_income:
            await people.create_low_income(status | {"worker": worker_ids[status["worker"]]})
        stage("低收入认定", len(demo.low_income), "low-income statuses")
        placement_ids = {}
        for p in demo.placements:
            data = {k: v for k, v in p.items() if k != "key"} | {
                "worker": worker_ids[p["worker"]], "workshop": workshop_ids[p["workshop"]]}
            placement_ids[p["key"]] = (await employment.create_placement(data))["id"]
        stage("用工", len(placement_ids), "placements")
        by_month: dict[str, list[dict]] = {}
        for row in demo.pay:
            by_month.setdefault(row["month"], []).append(
                {"placement": placement_ids[row["placement"]], "amount": row["amount"],
                 "days_worked": row["days_worked"]})
        for month, items in sorted(by_month.items()):
            await employment.create_pay_batch(month, items)
        stage(f"月收入（{len(by_month)} 个月）", len(demo.pay), f"monthly pay records ({len(by_month)} months)")
        await claims.create_claim({**ARTICLE_SOURCE, "quote": ARTICLE_TEXT, "scope": f"region:{REGION}",
                                   "period": "2023"})
        stage("公开数据", 1, "published claim")
    return True
