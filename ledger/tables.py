"""The ledger's tables. They are also the admin panel's interface: help_text in Chinese,
choices from the domain enums, readable labels.

Money is stored as integer fen (``*_fen`` BigInt columns): exact on SQLite and PostgreSQL
alike. ID numbers are never stored in the clear: ``id_number`` holds the masked form,
``id_hash`` a keyed hash (the identity, unique), ``id_cipher`` the encrypted number.
Foreign keys are required and deletes restricted: a workshop with hires cannot vanish.
"""

from __future__ import annotations

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import (
    BigInt,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.readable import Readable
from piccolo.table import Table

from ledger.core.enums import (
    CertificationLevel,
    CertificationStatus,
    LowIncomeCategory,
    PayBasis,
    Role,
    WorkshopType,
)


def _fk(table: type[Table], help_text: str, index: bool = True) -> ForeignKey:
    return ForeignKey(
        references=table,
        null=False,
        on_delete=OnDelete.restrict,
        index=index,
        help_text=help_text,
    )


class Enterprise(Table, tablename="enterprise", help_text="领办企业：承接加工业务、领办共富工坊的企业。"):
    name = Varchar(length=200, required=True, null=False, help_text="企业名称")
    credit_code = Varchar(
        length=18, required=True, null=False, unique=True,
        help_text="统一社会信用代码（18位，校验位须正确）",
    )
    region_code = Varchar(length=6, required=True, null=False, help_text="所在行政区划代码（6位，GB/T 2260）")
    created_at = Timestamptz()

    @classmethod
    def get_readable(cls) -> Readable:
        return Readable(template="%s", columns=[cls.name])


class Workshop(Table, tablename="workshop", help_text="共富工坊：把企业的加工业务带进村社，让群众家门口就业。"):
    code = Varchar(length=32, required=True, null=False, unique=True, help_text="工坊编码（唯一）")
    name = Varchar(length=200, required=True, null=False, help_text="工坊名称")
    enterprise = _fk(Enterprise, "领办企业")
    workshop_type = Varchar(
        length=16, required=True, null=False, choices=WorkshopType, help_text="工坊类型"
    )
    village = Varchar(length=100, required=True, null=False, help_text="所在村或社区")
    region_code = Varchar(
        length=6, required=True, null=False, index=True,
        help_text="行政区划代码（6位，GB/T 2260，如 330784 = 永康市）",
    )
    opened_on = Date(required=True, null=False, default=None, help_text="开办日期")
    closed_on = Date(null=True, default=None, help_text="关闭日期（可空）")

    @classmethod
    def get_readable(cls) -> Readable:
        return Readable(template="%s %s", columns=[cls.code, cls.name])


class Certification(Table, tablename="certification", help_text="认定/授牌：工坊获得的示范点、星级等认定，按日期生效。"):
    workshop = _fk(Workshop, "工坊")
    title = Varchar(length=100, required=True, null=False, help_text="认定名称，如 省级示范点、三星级共富工坊")
    level = Varchar(length=16, required=True, null=False, choices=CertificationLevel, help_text="级别：县/市/省")
    issuer = Varchar(length=100, required=True, null=False, help_text="认定单位")
    batch = Varchar(length=50, null=False, default="", help_text="批次（可空）")
    awarded_on = Date(required=True, null=False, default=None, help_text="授牌日期")
    valid_until = Date(null=True, default=None, help_text="有效期至（可空）")
    status = Varchar(length=8, required=True, null=False, choices=CertificationStatus, help_text="状态：创建中/授牌/复核/摘牌")
    withdrawn_on = Date(null=True, default=None, help_text="摘牌日期（状态为摘牌时必填）")

    @classmethod
    def get_readable(cls) -> Readable:
        return Readable(template="%s", columns=[cls.title])


class Worker(Table, tablename="worker", help_text="务工人员：身份证号即身份，同一人在多个工坊务工仍是一人。"):
    name = Varchar(length=50, required=True, null=False, help_text="姓名")
    id_number = Varchar(
        length=18, required=True, null=False,
        help_text="居民身份证号。录入完整号码；保存后只显示脱敏形式（地区码+后四位）。",
    )
    id_hash = Varchar(length=64, null=False, unique=True, default="", secret=True, help_text="身份证号的密钥散列（系统生成）")
    id_cipher = Text(null=False, default="", secret=True, help_text="加密的身份证号（系统生成）")
    village = Varchar(length=100, required=True, null=False, help_text="所在村")
    phone = Varchar(length=20, null=False, default="", help_text="手机号（可空；保存后脱敏显示）")
    phone_cipher = Text(null=False, default="", secret=True, help_text="加密的手机号（系统生成）")
    baseline_income_fen = BigInt(null=True, default=None, help_text="务工前月收入，单位：分（可空）")

    @classmethod
    def get_readable(cls) -> Readable:
        return Readable(template="%s %s", columns=[cls.name, cls.id_number])


class LowIncomeStatus(Table, tablename="low_income_status", help_text="低收入认定：某段时间内某人属于低收入人群。"):
    worker = _fk(Worker, "务工人员")
    category = Varchar(length=16, required=True, null=False, choices=LowIncomeCategory, help_text="类别")
    valid_from = Date(required=True, null=False, default=None, help_text="起始日期")
    valid_to = Date(null=True, default=None, help_text="截止日期（可空，空表示仍有效）")
    source_document = Varchar(length=200, null=False, default="", help_text="认定依据文件")

    @classmethod
    def get_readable(cls) -> Readable:
        return Readable(template="%s %s · %s · %s起",
                        columns=[cls.worker.name, cls.worker.id_number, cls.category, cls.valid_from])


class Placement(Table, tablename="placement", help_text="吸纳/用工：某人在某工坊的一段受雇期间。同一人在同一工坊的期间不得重叠。"):
    worker = _fk(Worker, "务工人员")
    workshop = _fk(Workshop, "工坊")
    hired_on = Date(required=True, null=False, default=None, help_text="入职日期")
    left_on = Date(null=True, default=None, help_text="离职日期（可空）")
    pay_basis = Varchar(length=8, required=True, null=False, choices=PayBasis, help_text="计酬方式：计件/计时/日薪/月薪")

    @classmethod
    def get_readable(cls) -> Readable:
        """「张三 330784********123X · YK-01 · 2023-03-01」: the person, the workshop and the hire
        date, which is what a clerk knows (the pickers search this text)."""
        return Readable(template="%s %s · %s · %s",
                        columns=[cls.worker.name, cls.worker.id_number, cls.workshop.code, cls.hired_on])


class MonthlyPay(Table, tablename="monthly_pay", help_text="月收入：某次用工在某月的收入（元，精确到分，以分存储）。每次用工每月至多一条。"):
    # no index of its own: the unique (placement, month) index serves look-ups by placement
    placement = _fk(Placement, "用工记录", index=False)
    month = Varchar(length=7, required=True, null=False, index=True, help_text="月份 YYYY-MM")
    amount_fen = BigInt(required=True, null=False, help_text="收入，单位：分（2800元 = 280000）")
    days_worked = Integer(required=True, null=False, help_text="出勤天数（0 至当月天数）")
    hours = Numeric(digits=(7, 2), null=True, default=None, help_text="工时（可空）")
    pieces = Integer(null=True, default=None, help_text="计件数（可空）")

    # At most one record per placement and month: a unique index made by the migration
    # (monthly_pay_placement_month), since SQLite cannot add a table constraint later.


class Claim(Table, tablename="claim", help_text="公开数据：一组已发布的数字（来源、范围、期间），用于与台账对账。"):
    title = Varchar(length=300, required=True, null=False, help_text="来源标题")
    publisher = Varchar(length=200, null=False, default="", help_text="发布者")
    published_on = Date(null=True, default=None, help_text="发布日期")
    url = Varchar(length=500, null=False, default="", help_text="来源网址（可空）")
    quote = Text(null=False, default="", help_text="原文引文（发布时的原句）")
    scope = Varchar(length=64, required=True, null=False,
                    help_text="范围：all、workshop:编码、enterprise:编号、region:区划代码前缀（如 region:330784）")
    period = Varchar(length=32, required=True, null=False, help_text="期间：2023、2023-03 或 2023-01..2023-06")
    created_at = Timestamptz()

    @classmethod
    def get_readable(cls) -> Readable:
        return Readable(template="%s（%s）", columns=[cls.title, cls.period])


class ClaimFigure(Table, tablename="claim_figure", help_text="公开数据中的一个数字：指标、数值（基本单位）、单位、限定词和原文片段。"):
    claim = _fk(Claim, "所属公开数据")
    metric = Varchar(length=40, required=True, null=False,
                     help_text="指标，如 workers_employed、avg_monthly_pay、total_pay_annual")
    low_income = Boolean(default=False, null=False, help_text="是否指低收入人群")
    value = Varchar(length=40, required=True, null=False, help_text="数值，基本单位的十进制字符串（336万元 → 3360000）")
    unit = Varchar(length=4, required=True, null=False, help_text="单位：家、人、户、元、%")
    qualifier = Varchar(length=10, required=True, null=False,
                        help_text="限定词：exact（无）、about（约/近/左右）、over（余/多）、at_least（以上/超/逾）")
    place = Varchar(length=40, null=False, default="", help_text="末位非零数字的位值（约2800元 → 100；可空则按数值推算）")
    resolution = Varchar(length=40, null=False, default="", help_text="书写精度（可空则按数值推算）")
    tolerance = Varchar(length=40, null=True, default=None, help_text="自带容差（可空；填写则优先）")
    text = Varchar(length=300, null=False, default="", help_text="原文片段")


class MonthLock(Table, tablename="month_lock", help_text="审核锁定：审核员签发某月（全部工坊或某一工坊）后，该月收入不得再改；撤销锁定另行记录。"):
    month = Varchar(length=7, required=True, null=False, index=True, help_text="月份 YYYY-MM")
    workshop = ForeignKey(references=Workshop, null=True, default=None, on_delete=OnDelete.restrict, index=True,
                          help_text="工坊（空表示全部工坊）")
    signed_by = Varchar(length=100, required=True, null=False, help_text="签发人（用户名）")
    signed_at = Varchar(length=32, required=True, null=False, help_text="签发时间（UTC，ISO 8601）")
    note = Varchar(length=300, null=False, default="", help_text="签发说明（可空）")
    journal_seq = BigInt(null=False, default=0, help_text="签发时审计日志的最后序号（锚点）")
    reopened_by = Varchar(length=100, null=False, default="", help_text="撤销人（空表示仍锁定）")
    reopened_at = Varchar(length=32, null=False, default="", help_text="撤销时间（空表示仍锁定）")
    reopen_reason = Varchar(length=300, null=False, default="", help_text="撤销理由")

    @classmethod
    def get_readable(cls) -> Readable:
        return Readable(template="%s #%s", columns=[cls.month, cls.id])


class Adjustment(Table, tablename="adjustment", help_text="调整：对已锁定月份收入的更正（带符号金额，须填理由，只增不改）。计入所有指标。"):
    placement = _fk(Placement, "用工记录")
    month = Varchar(length=7, required=True, null=False, index=True, help_text="月份 YYYY-MM（须为已锁定月份）")
    delta_fen = BigInt(required=True, null=False, help_text="调整金额，单位：分，可为负（-150元 = -15000）")
    reason = Varchar(length=300, required=True, null=False, help_text="理由（必填）")
    created_by = Varchar(length=100, required=True, null=False, help_text="记录人（用户名）")
    created_at = Varchar(length=32, required=True, null=False, help_text="记录时间（UTC，ISO 8601）")


LEDGER_TABLES: list[type[Table]] = [
    Enterprise, Workshop, Certification, Worker, LowIncomeStatus, Placement, MonthlyPay, Claim, ClaimFigure,
    MonthLock, Adjustment,
]


# --- who may do what, and the record of what was done -------------------------------------------

class UserRole(Table, tablename="user_role", help_text="用户角色：operator（工坊运营方）、auditor（审核员）、admin（管理员）。"):
    user = ForeignKey(references=BaseUser, null=False, on_delete=OnDelete.cascade, unique=True, index=True,
                      help_text="用户")
    role = Varchar(length=16, required=True, null=False, choices=Role, help_text="角色")


class UserWorkshop(Table, tablename="user_workshop", help_text="运营方负责的工坊：只能查看和录入这些工坊的数据。"):
    user = ForeignKey(references=BaseUser, null=False, on_delete=OnDelete.cascade, index=True, help_text="用户")
    workshop = _fk(Workshop, "工坊")


class ApiToken(Table, tablename="api_token", help_text="脚本用的 Bearer 令牌：只存散列；由管理员创建和吊销。"):
    user = ForeignKey(references=BaseUser, null=False, on_delete=OnDelete.cascade, index=True, help_text="用户")
    name = Varchar(length=100, null=False, default="", help_text="用途说明")
    prefix = Varchar(length=12, null=False, default="", help_text="令牌前缀（便于辨认，不足以使用）")
    token_hash = Varchar(length=64, required=True, null=False, unique=True, secret=True, help_text="令牌的散列")
    created_by = Varchar(length=100, null=False, default="", help_text="创建人")
    created_at = Varchar(length=32, required=True, null=False, help_text="创建时间（UTC）")
    revoked_at = Varchar(length=32, null=False, default="", help_text="吊销时间（空表示有效）")


class AuditEntry(Table, tablename="audit_entry", help_text="审计日志：每次增删改一条，按序号连续，以哈希链相连；只增不改。"):
    seq = BigInt(null=False, unique=True, help_text="序号（从 1 起连续）")  # unique: indexed
    at = Varchar(length=32, required=True, null=False, index=True, help_text="时间（UTC，ISO 8601）")
    username = Varchar(length=100, required=True, null=False, index=True, help_text="用户")
    path = Varchar(length=8, required=True, null=False, help_text="途径：api / import / admin / cli / system")
    table_name = Varchar(length=40, required=True, null=False, index=True, help_text="表")
    row_id = BigInt(null=False, index=True, help_text="行编号")
    action = Varchar(length=8, required=True, null=False, help_text="create / update / delete")
    before = Text(null=False, default="", help_text="修改前（JSON，敏感字段脱敏）")
    after = Text(null=False, default="", help_text="修改后（JSON，敏感字段脱敏）")
    prev_hash = Varchar(length=64, required=True, null=False, help_text="上一条的哈希")
    hash = Varchar(length=64, required=True, null=False, help_text="本条哈希（HMAC-SHA256，链接上一条）")





# --- publishing: seals and what each claim was reconciled against ----------------------------------

class Seal(Table, tablename="seal", help_text="封存：签发时对该期间记录和指标的签名默克尔根；撤销后再签发生成新封存，旧封存保留。"):
    kind = Varchar(length=16, required=True, null=False, help_text="records（记录）或 table（公开表）")
    scope = Varchar(length=64, required=True, null=False, index=True, help_text="范围，如 all、workshop:YK-01")
    period = Varchar(length=32, required=True, null=False, index=True, help_text="期间，如 2023-03 或 2023")
    lock = ForeignKey(references=MonthLock, null=True, default=None, on_delete=OnDelete.restrict, index=True,
                      help_text="签发的锁定（由签发生成时）")
    supersedes = BigInt(null=True, default=None, help_text="被本封存取代的封存编号")
    merkle_root = Varchar(length=64, required=True, null=False, help_text="默克尔根（十六进制）")
    created_by = Varchar(length=100, required=True, null=False, help_text="封存人")
    created_at = Varchar(length=32, required=True, null=False, help_text="封存时间（UTC，ISO 8601）")
    document = Text(null=False, default="", help_text="封存文件（JSON：内容、签名、公钥）")


class ClaimCheck(Table, tablename="claim_check", help_text="公开数据的对账记录：每次封存时对期间重叠的公开数据对账一次。"):
    claim = ForeignKey(references=Claim, null=False, on_delete=OnDelete.cascade, index=True, help_text="公开数据")
    seal = ForeignKey(references=Seal, null=False, on_delete=OnDelete.restrict, index=True, help_text="所依据的封存")
    checked_at = Varchar(length=32, required=True, null=False, help_text="对账时间（UTC）")
    result = Text(null=False, default="", help_text="对账结果（JSON：各数字的结论、台账值、诊断）")


# --- the auditor's workbench: reviewed signals, county thresholds, audit samples -----------------

class SignalReview(Table, tablename="signal_review", help_text="异常信号的复核记录：审核员看过某个信号并写下说明（信号只是提示，不拒绝任何记录）。"):
    key = Varchar(length=120, required=True, null=False, index=True,
                  help_text="信号标识：类型:工坊编码:月份（整期信号为 *）")
    kind = Varchar(length=24, required=True, null=False, help_text="信号类型，如 pay_outlier、identical_amounts")
    workshop = Varchar(length=32, required=True, null=False, help_text="工坊编码")
    month = Varchar(length=7, null=False, default="", help_text="月份 YYYY-MM（整期信号为空）")
    definition_version = Integer(null=False, default=1, help_text="信号定义版本")
    score = Varchar(length=40, null=False, default="", help_text="复核时的得分")
    note = Varchar(length=500, required=True, null=False, help_text="复核说明（必填）")
    reviewed_by = Varchar(length=100, required=True, null=False, help_text="复核人（用户名）")
    reviewed_at = Varchar(length=32, required=True, null=False, help_text="复核时间（UTC，ISO 8601）")


class SignalThreshold(Table, tablename="signal_threshold", help_text="县（区划）设定的信号阈值：覆盖默认值；区划前缀越长越优先。"):
    region_prefix = Varchar(length=6, null=False, default="", help_text="区划代码前缀（空为全部）")
    name = Varchar(length=40, required=True, null=False, help_text="阈值名称，如 pay_outlier、heaping_min_count")
    value = Varchar(length=40, required=True, null=False, help_text="阈值（十进制字符串）")
    set_by = Varchar(length=100, required=True, null=False, help_text="设定人")
    set_at = Varchar(length=32, required=True, null=False, help_text="设定时间（UTC）")


class AuditSample(Table, tablename="audit_sample", help_text="审计抽样：按记录的种子抽取的月收入记录，任何人可用同一种子重抽核对。"):
    scope = Varchar(length=64, required=True, null=False, help_text="范围")
    period = Varchar(length=32, required=True, null=False, help_text="期间")
    method = Varchar(length=16, required=True, null=False, help_text="方法：random / stratified / mus")
    seed = Varchar(length=64, required=True, null=False, help_text="种子")
    size = Integer(null=False, default=0, help_text="样本量")
    month_lock = ForeignKey(references=MonthLock, null=True, default=None, on_delete=OnDelete.restrict, index=True,
                            help_text="所支持的审核锁定（签发）")
    population_count = Integer(null=False, default=0, help_text="总体记录数")
    population_total_fen = BigInt(null=False, default=0, help_text="总体金额，单位：分")
    population_digest = Varchar(length=64, null=False, default="", help_text="总体指纹（SHA-256）")
    records = Text(null=False, default="[]", help_text="抽中的月收入记录编号（JSON）")
    drawn_by = Varchar(length=100, required=True, null=False, help_text="抽样人")
    drawn_at = Varchar(length=32, required=True, null=False, help_text="抽样时间（UTC）")
    note = Varchar(length=300, null=False, default="", help_text="说明")


WORKBENCH_TABLES: list[type[Table]] = [SignalReview, SignalThreshold, AuditSample]


JOURNALED_TABLES: list[type[Table]] = [*LEDGER_TABLES, UserRole, UserWorkshop, ApiToken, Seal, *WORKBENCH_TABLES]
"""Every table whose writes go through the journal; the workbench's and the seals are not edited in
the panel (they are not LEDGER_TABLES)."""


# --- live aggregates of the figures (ledger/services/aggregates.py keeps them) -------------------

class FigureCell(Table, tablename="figure_cell",
                 help_text="指标汇总（自动维护）：某人某月在某工坊的收入（含调整），及是否低收入、是否仅此一个工坊。"):
    worker = Integer(null=False, help_text="务工人员编号")
    workshop = Integer(null=False, help_text="工坊编号")
    month = Varchar(length=7, null=False, help_text="月份 YYYY-MM")
    fen = BigInt(null=False, help_text="该月在该工坊的收入与调整之和，单位：分")
    low = Integer(null=False, help_text="该月是否低收入（1 是）")
    single = Integer(null=False, help_text="该人该月是否只在这一个工坊有收入记录（1 是）")
    baseline = BigInt(null=True, default=None, help_text="务工前月收入，单位：分（可空）")


class FigureWorkshopMonth(Table, tablename="figure_workshop_month",
                          help_text="指标汇总（自动维护）：工坊×月的可加总量；人月与增收只含仅在一个工坊的人月。"):
    workshop = Integer(null=False, help_text="工坊编号")
    month = Varchar(length=7, null=False, help_text="月份 YYYY-MM")
    total_fen = BigInt(null=False, help_text="收入与调整之和，单位：分")
    total_fen_low = BigInt(null=False, help_text="低收入月份的收入与调整之和，单位：分")
    person_months = Integer(null=False, help_text="仅在本工坊、收入 > 0 的人月数")
    person_months_low = Integer(null=False, help_text="同上，低收入月份")
    uplift_fen = BigInt(null=False, help_text="同上人月中有务工前收入者的（收入 − 务工前收入）之和，单位：分")
    uplift_n = Integer(null=False, help_text="同上人月数")
    uplift_fen_low = BigInt(null=False, help_text="同上，低收入月份")
    uplift_n_low = Integer(null=False, help_text="同上，低收入月份")
    cells = Integer(null=False, default=0, help_text="仅在本工坊的人月数（不论金额）")
    cells_low = Integer(null=False, default=0, help_text="同上，低收入月份")
    all_cells = Integer(null=False, default=0,
                        help_text="本工坊本月的格子数（含同月在多个工坊的人，不论金额）；为 0 时该行不存在")


class FigureWorkerYear(Table, tablename="figure_worker_year",
                       help_text="指标汇总（自动维护）：某人某年在某工坊有收入（> 0，仅此一个工坊）的月份，按位记录。"):
    worker = Integer(null=False, help_text="务工人员编号")
    workshop = Integer(null=False, help_text="工坊编号")
    year = Integer(null=False, help_text="年份")
    paid_mask = Integer(null=False, help_text="有收入的月份（第 m 位 = m 月）")
    paid_low_mask = Integer(null=False, help_text="有收入且低收入的月份")


class FigureWorkerSpan(Table, tablename="figure_worker_span",
                       help_text="指标汇总（自动维护）：某人所有任职工坊的行政区划代码的最长公共前缀。"):
    worker = Integer(null=False, help_text="务工人员编号")
    span = Varchar(length=6, null=False, help_text="所有任职工坊的区划代码的公共前缀（整省为 33，跨省为空）")


class FigurePersonYear(Table, tablename="figure_person_year",
                       help_text="指标汇总（自动维护）：某人某年合计收入 > 0 的月份（所有工坊合计），按位记录。"):
    worker = Integer(null=False, help_text="务工人员编号")
    year = Integer(null=False, help_text="年份")
    span = Varchar(length=6, null=False, help_text="该人的区划公共前缀")
    paid_mask = Integer(null=False, help_text="合计收入 > 0 的月份（第 m 位 = m 月）")
    paid_low_mask = Integer(null=False, help_text="同上且低收入的月份")


class FigureInterval(Table, tablename="figure_interval",
                     help_text="指标汇总（自动维护）：某人在岗（或在岗且低收入）的月份区间，合并后互不重叠。"):
    worker = Integer(null=False, help_text="务工人员编号")
    low = Integer(null=False, help_text="1：在岗且低收入的区间")
    first_month = Varchar(length=7, null=False, help_text="起始月份 YYYY-MM")
    last_month = Varchar(length=7, null=False, help_text="结束月份 YYYY-MM（仍在岗为 9999-12）")
    prev_last = Varchar(length=7, null=False, help_text="该人上一区间的结束月份（无则为空）")
    span = Varchar(length=6, null=False, help_text="该人的区划公共前缀")


class FigureSpanMonth(Table, tablename="figure_span_month",
                      help_text="指标汇总（自动维护）：同月在两个以上工坊有收入的人月，按人的区划公共前缀×月加总。"):
    span = Varchar(length=6, null=False, help_text="人的区划公共前缀")
    month = Varchar(length=7, null=False, help_text="月份 YYYY-MM")
    person_months = Integer(null=False, help_text="合计收入 > 0 的人月数")
    person_months_low = Integer(null=False, help_text="同上，低收入月份")
    uplift_fen = BigInt(null=False, help_text="同上人月中有务工前收入者的（收入 − 务工前收入）之和，单位：分")
    uplift_n = Integer(null=False, help_text="同上人月数")
    uplift_fen_low = BigInt(null=False, help_text="同上，低收入月份")
    uplift_n_low = Integer(null=False, help_text="同上，低收入月份")


class FigureDirty(Table, tablename="figure_dirty",
                  help_text="指标汇总待更新队列（触发器写入，同一事务内处理完）：某人某月，空月份表示该人所有月份。"):
    worker = Integer(null=False, help_text="务工人员编号（0：这一行是待重算的工坊×月）")
    workshop = Integer(null=False, default=0, help_text="0：待处理；-1：本次处理中；其他：待重算的工坊")
    month = Varchar(length=7, null=False, default="", help_text="月份 YYYY-MM；空表示所有月份")


AGGREGATE_TABLES: list[type[Table]] = [FigureCell, FigureWorkshopMonth, FigureWorkerYear, FigureWorkerSpan,
                                       FigurePersonYear, FigureInterval, FigureSpanMonth, FigureDirty]
"""Derived from the business tables, never journaled row by row; ``ledger figures --check``
recomputes them and ``--rebuild`` (journaled as one entry) rewrites them."""
