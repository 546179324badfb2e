"""What the admin panel calls each table and column, in Chinese, and which columns hold money.

Piccolo Admin titles a column with the field title of the JSON schema it fetches per table
(pydantic makes "Amount Fen" from ``amount_fen``) and a table with its SQL name
(``monthly_pay`` → "monthly pay"). The titles below replace the first in the schema
``LedgerCRUD`` serves; the table names reach the page through ``ledger.admin.page``.
A test holds every column of every table in the panel to having a title here.
"""

from __future__ import annotations

from typing import Any

from piccolo.table import Table

TABLE_NAMES: dict[str, str] = {
    "enterprise": "领办企业",
    "workshop": "共富工坊",
    "certification": "认定授牌",
    "worker": "务工人员",
    "low_income_status": "低收入认定",
    "placement": "用工记录",
    "monthly_pay": "月收入",
    "claim": "公开数据",
    "claim_figure": "公开数据中的数字",
    "month_lock": "月份锁定",
    "adjustment": "收入调整",
    "user_role": "用户角色",
    "user_workshop": "运营方负责的工坊",
    "piccolo_user": "用户账号",
}

COLUMN_TITLES: dict[str, dict[str, str]] = {
    "enterprise": {"name": "企业名称", "credit_code": "统一社会信用代码", "region_code": "行政区划代码",
                   "created_at": "创建时间"},
    "workshop": {"code": "工坊编码", "name": "工坊名称", "enterprise": "领办企业", "workshop_type": "工坊类型",
                 "village": "所在村（社区）", "region_code": "行政区划代码", "opened_on": "开办日期",
                 "closed_on": "关闭日期"},
    "certification": {"workshop": "工坊", "title": "认定名称", "level": "级别", "issuer": "认定单位", "batch": "批次",
                      "awarded_on": "授牌日期", "valid_until": "有效期至", "status": "状态",
                      "withdrawn_on": "摘牌日期"},
    "worker": {"name": "姓名", "id_number": "身份证号", "village": "所在村", "phone": "手机号",
               "baseline_income_fen": "务工前月收入（元）", "id_hash": "身份证号散列", "id_cipher": "身份证号密文",
               "phone_cipher": "手机号密文"},
    "low_income_status": {"worker": "务工人员", "category": "类别", "valid_from": "起始日期", "valid_to": "截止日期",
                          "source_document": "认定依据文件"},
    "placement": {"worker": "务工人员", "workshop": "工坊", "hired_on": "入职日期", "left_on": "离职日期",
                  "pay_basis": "计酬方式"},
    "monthly_pay": {"placement": "用工记录（姓名 · 工坊 · 入职日期）", "month": "月份", "amount_fen": "收入（元）",
                    "days_worked": "出勤天数", "hours": "工时", "pieces": "计件数"},
    "claim": {"title": "来源标题", "publisher": "发布者", "published_on": "发布日期", "url": "来源网址",
              "quote": "原文引文", "scope": "范围", "period": "期间", "created_at": "登记时间"},
    "claim_figure": {"claim": "所属公开数据", "metric": "指标", "low_income": "是否指低收入人群", "value": "数值",
                     "unit": "单位", "qualifier": "限定词", "place": "末位数字的位值", "resolution": "书写精度",
                     "tolerance": "容差", "text": "原文片段"},
    "month_lock": {"month": "月份", "workshop": "工坊（空为全部）", "signed_by": "签发人", "signed_at": "签发时间",
                   "note": "签发说明", "journal_seq": "审计日志锚点", "reopened_by": "撤销人",
                   "reopened_at": "撤销时间", "reopen_reason": "撤销理由"},
    "adjustment": {"placement": "用工记录（姓名 · 工坊 · 入职日期）", "month": "月份", "delta_fen": "调整金额（元）",
                   "reason": "理由", "created_by": "记录人", "created_at": "记录时间"},
    "user_role": {"user": "用户", "role": "角色"},
    "user_workshop": {"user": "用户", "workshop": "工坊"},
    "piccolo_user": {"username": "用户名", "password": "密码", "first_name": "名", "last_name": "姓",
                     "email": "电子邮箱", "active": "启用", "admin": "可进管理后台", "superuser": "超级用户",
                     "last_login": "上次登录"},
}

HELP_TEXTS: dict[str, dict[str, str]] = {
    "piccolo_user": {
        "username": "登录用的用户名", "password": "密码（至少 10 个字符）", "email": "电子邮箱（可空）",
        "active": "停用的账号不能登录", "admin": "Piccolo 的后台标志；进入本后台还须在“用户角色”中为管理员",
        "superuser": "可管理用户账号", "last_login": "上次登录时间",
    },
}
"""Help for columns whose help text is not ours (Piccolo's own user table)."""

MONEY_COLUMNS: dict[str, dict[str, str]] = {
    "monthly_pay": {"amount_fen": "amount"},
    "worker": {"baseline_income_fen": "baseline_income"},
    "adjustment": {"delta_fen": "delta"},
}
"""Integer-fen columns the panel shows and takes as yuan (``"2800.00"``), and the name of the
yuan field the service reads for each."""

CONFIRM_FIELD = "confirm_unusual"
CONFIRM_TITLE = "确认异常金额"
CONFIRM_HELP = ("月收入或务工前月收入高于 5 万元、或高于 0 而低于 100 元时，会被拒收以防把“分”当“元”或多写少写一位；"
                "如金额确实无误，选“是”后再提交。")
CONFIRMABLE_TABLES = {"monthly_pay", "worker"}
"""Tables whose amounts the unusual-amount rule asks about (the service's rule; the panel only
offers the answer)."""

MONEY_HELP = "单位：元，可带两位小数，如 2800.00（按分精确保存）"


def field_title(table: str | None, field: str) -> str:
    """The Chinese title of a field a service named in a problem (``amount`` → 收入（元）)."""
    titles = COLUMN_TITLES.get(table or "", {})
    for column, service_field in MONEY_COLUMNS.get(table or "", {}).items():
        if field == service_field:
            return titles.get(column, field)
    if field == CONFIRM_FIELD:
        return CONFIRM_TITLE
    return titles.get(field, field)


def choice_labels(table: type[Table]) -> dict[str, dict[str, str]]:
    """Per column with choices, each stored value's Chinese label: the value itself where it is
    Chinese already (低保, 计件), the enum's ``label`` where it is not (county → 县级)."""
    return {column._meta.name: {m.value: getattr(m, "label", m.value) for m in column._meta.choices}
            for column in table._meta.columns if column._meta.choices is not None}


def panel_schema(table: str, schema: dict[str, Any],
                 choices: dict[str, dict[str, str]] | None = None) -> dict[str, Any]:
    """Piccolo's JSON schema of a table as the panel should show it: Chinese titles, choices by
    their Chinese labels (the values stay the stored ones), money as yuan text, the confirmation
    field where the unusual-amount rule asks, and no filter on money (it would be typed in fen)."""
    titles = COLUMN_TITLES.get(table, {})
    money = MONEY_COLUMNS.get(table, {})
    properties: dict[str, Any] = {}
    for name, prop in schema.get("properties", {}).items():
        prop = dict(prop, title=titles.get(name, prop.get("title", name)))
        if name in (choices or {}) and prop.get("extra", {}).get("choices"):
            shown = {key: dict(choice, display_name=choices[name].get(choice["value"], choice["display_name"]))
                     for key, choice in prop["extra"]["choices"].items()}
            prop["extra"] = dict(prop["extra"], choices=shown)
        if name in HELP_TEXTS.get(table, {}):
            prop["extra"] = dict(prop.get("extra", {}), help_text=HELP_TEXTS[table][name])
        if name in money:
            nullable = prop.get("extra", {}).get("nullable", False)
            prop.pop("anyOf", None)
            prop.pop("type", None)
            if nullable:
                prop["anyOf"] = [{"type": "string"}, {"type": "null"}]
            else:
                prop["type"] = "string"
            extra = dict(prop.get("extra", {}))
            extra["help_text"] = MONEY_HELP
            prop["extra"] = extra
        properties[name] = prop
    if table in CONFIRMABLE_TABLES:
        properties[CONFIRM_FIELD] = {
            "title": CONFIRM_TITLE, "type": "boolean", "default": False,
            "extra": {"help_text": CONFIRM_HELP, "choices": None, "nullable": False, "secret": False,
                      "unique": False}}
    required = list(schema.get("required", []))
    required += [name for name in money if name in properties and name not in required
                 and not properties[name].get("extra", {}).get("nullable", False)]
    required = [name for name in required if name != CONFIRM_FIELD]
    extra = dict(schema.get("extra", {}))
    for key in ("visible_filter_names", "visible_column_names"):
        if key in extra:
            extra[key] = [n for n in extra[key] if n not in money or key == "visible_column_names"]
    return dict(schema, properties=properties, required=required, extra=extra)
