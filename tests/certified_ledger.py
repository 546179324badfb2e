"""A ledger with one workshop per way of (not) being certified on a period's last day, and the
workshops certified at each period end by SPEC's rule (awarded on or before it, past 创建中, not
expired and not withdrawn (摘牌) by it) — worked out by hand, for the drill-down tests."""

from __future__ import annotations

from datetime import date

from dbfixtures import valid_credit_code

from ledger.tables import Certification, Enterprise, Workshop

D = date.fromisoformat

# code: (region, [(title, level, awarded_on, valid_until, status, withdrawn_on)])
SHOPS: dict[str, tuple[str, list[tuple[str, str, str, str | None, str, str | None]]]] = {
    "A-never": ("330784", []),
    "B-expired": ("330784", [("市级示范共富工坊", "city", "2021-03-01", "2023-06-30", "授牌", None)]),
    "C-withdrawn": ("330784", [("三星级共富工坊", "county", "2021-03-01", None, "摘牌", "2023-10-01")]),
    "D-later": ("330784", [("省级示范点", "province", "2024-01-15", None, "授牌", None)]),
    "E-two-levels": ("330784", [("三星级共富工坊", "county", "2021-05-01", None, "复核", None),
                                ("省级示范点", "province", "2022-09-01", "2025-08-31", "授牌", None),
                                ("市级示范共富工坊", "city", "2020-01-01", "2022-12-31", "授牌", None)]),
    "F-until-last-day": ("330784", [("市级示范共富工坊", "city", "2021-01-01", "2023-12-31", "授牌", None)]),
    "G-withdrawn-after": ("330784", [("市级示范共富工坊", "city", "2022-01-01", None, "摘牌", "2024-03-01")]),
    "H-creating": ("330784", [("省级示范点", "province", "2022-01-01", None, "创建中", None)]),
    "X-elsewhere": ("330702", [("三星级共富工坊", "county", "2022-01-01", None, "授牌", None)]),
}

# period: {code: levels in force on its last day}
EXPECTED: dict[str, dict[str, set[str]]] = {
    "2023": {"E-two-levels": {"county", "province"}, "F-until-last-day": {"city"},
             "G-withdrawn-after": {"city"}, "X-elsewhere": {"county"}},
    "2023-06": {"B-expired": {"city"}, "C-withdrawn": {"county"}, "E-two-levels": {"county", "province"},
                "F-until-last-day": {"city"}, "G-withdrawn-after": {"city"}, "X-elsewhere": {"county"}},
    "2023-09..2023-10": {"E-two-levels": {"county", "province"}, "F-until-last-day": {"city"},
                         "G-withdrawn-after": {"city"}, "X-elsewhere": {"county"}},
    "2022": {"B-expired": {"city"}, "C-withdrawn": {"county"}, "E-two-levels": {"county", "province", "city"},
             "F-until-last-day": {"city"}, "G-withdrawn-after": {"city"}, "X-elsewhere": {"county"}},
    "2024": {"D-later": {"province"}, "E-two-levels": {"county", "province"}, "X-elsewhere": {"county"}},
    "2024-03": {"D-later": {"province"}, "E-two-levels": {"county", "province"}, "X-elsewhere": {"county"}},
}


async def certified_ledger() -> None:
    e = Enterprise(name="E", credit_code=valid_credit_code(), region_code="330784")
    await e.save()
    for code, (region, certs) in SHOPS.items():
        w = Workshop(code=code, name=f"工坊{code}", enterprise=e.id, workshop_type="来料加工式", village="v",
                     region_code=region, opened_on=date(2020, 1, 1))
        await w.save()
        for title, level, awarded, until, status, withdrawn in certs:
            await Certification(workshop=w.id, title=title, level=level, issuer="县委组织部", awarded_on=D(awarded),
                                valid_until=None if until is None else D(until), status=status,
                                withdrawn_on=None if withdrawn is None else D(withdrawn)).save()
