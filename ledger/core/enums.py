"""The closed sets of values the SPEC names, each a StrEnum whose value is what is stored."""

from __future__ import annotations

from enum import StrEnum


class WorkshopType(StrEnum):
    """工坊类型."""

    processing = "来料加工式"
    directed_hiring = "定向招工式"
    ecommerce_live = "电商直播式"
    agri_tourism = "农旅融合式"
    brand_led = "品牌带动式"
    industry_enabling = "产业赋能式"


class CertificationLevel(StrEnum):
    """认定级别."""

    county = "county"
    city = "city"
    province = "province"

    @property
    def label(self) -> str:
        return {"county": "县级", "city": "市级", "province": "省级"}[self.value]


class CertificationStatus(StrEnum):
    """认定状态: a certification is in force only while 授牌 or 复核."""

    creating = "创建中"
    awarded = "授牌"
    reviewed = "复核"
    withdrawn = "摘牌"

    @property
    def is_in_force(self) -> bool:
        return self in (CertificationStatus.awarded, CertificationStatus.reviewed)


class LowIncomeCategory(StrEnum):
    """低收入认定类别."""

    dibao = "低保"
    dibao_edge = "低保边缘"
    tekun = "特困供养"
    expenditure_hardship = "支出型困难"
    relapse_monitoring = "防止返贫监测对象"
    disabled = "残疾人"
    other = "其他"


class PayBasis(StrEnum):
    """计酬方式."""

    piece = "计件"
    hourly = "计时"
    daily = "日薪"
    monthly = "月薪"


class Role(StrEnum):
    """Who a user is (SPEC "Who uses it"). ``system`` is the ledger itself (migrations, the
    demo loader, tests of the services) and is never given to a person."""

    operator = "operator"
    auditor = "auditor"
    admin = "admin"
    system = "system"

    @property
    def label(self) -> str:
        return {"operator": "运营方", "auditor": "审核员", "admin": "管理员", "system": "系统"}[self.value]


class WritePath(StrEnum):
    """By which door a change came in; every journal entry names one."""

    api = "api"
    import_ = "import"
    admin = "admin"
    cli = "cli"
    system = "system"


class JournalAction(StrEnum):
    create = "create"
    update = "update"
    delete = "delete"
    reveal = "reveal"
    """A full ID number was shown to someone: no row changed, but it is on the record."""
    rebuild = "rebuild"
    """The figures' aggregates were rewritten from the business rows (``ledger figures --rebuild``)."""
