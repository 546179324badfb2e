"""Reconciliation reports: JSON, CSV, XLSX, a printable HTML page with a chart, a text table.

All take the report's JSON form (``Report.to_json_dict()``), so every format says the same
thing. No ID number ever appears in a report: the figures are aggregates.
"""

from __future__ import annotations

import csv
import html
import io
from collections import defaultdict
from decimal import Decimal
from typing import Any

STATUS_ZH = {"agrees": "一致", "disagrees": "不一致", "cannot_check": "无法核对", "holds": "成立",
             "broken": "不成立"}
COLUMNS = ["metric", "claimed", "unit", "qualifier", "allowed_low", "allowed_high", "ledger", "status", "diagnosis"]


def _rows(report: dict[str, Any]) -> list[list[Any]]:
    rows = []
    for f in report["figures"]:
        low, high = f["allowed"]
        rows.append([f["metric"], f["claimed"], f["unit"], f["qualifier"], low, high, f["ledger"], f["status"],
                     f["diagnosis"] or ""])
    return rows


def _identity_rows(report: dict[str, Any]) -> list[list[Any]]:
    return [[i["identity"], i["status"], i["factor"], i.get("implied_months_per_worker"), i["diagnosis"] or ""]
            for i in report["identities"]]


def to_csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["scope", report["scope"], "period", report["period"], "definition_version",
                     report["definition_version"]])
    writer.writerow(COLUMNS)
    writer.writerows(_rows(report))
    writer.writerow([])
    writer.writerow(["identity", "status", "factor", "implied_months_per_worker", "diagnosis"])
    writer.writerows(_identity_rows(report))
    return out.getvalue()


def to_xlsx(report: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = "对账 Reconciliation"
    sheet.append(["范围 scope", report["scope"], "期间 period", report["period"], "定义版本", report["definition_version"]])
    sheet.append(COLUMNS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    red = PatternFill("solid", fgColor="F8CBAD")
    for row in _rows(report):
        sheet.append(row)
        if row[7] == "disagrees":
            for cell in sheet[sheet.max_row]:
                cell.fill = red
    identities = book.create_sheet("自洽性 Identities")
    identities.append(["identity", "status", "factor", "implied_months_per_worker", "diagnosis"])
    for row in _identity_rows(report):
        identities.append(row)
    ledger = book.create_sheet("台账数字 Ledger figures")
    ledger.append(["metric", "label", "value", "unit"])
    for f in report.get("ledger_figures", []):
        ledger.append([f["metric"], f["label"], f["value"], f["unit"]])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_table(report: dict[str, Any]) -> str:
    lines = [f"范围 scope {report['scope']}  期间 period {report['period']}  定义版本 v{report['definition_version']}"]
    header = ["metric", "claimed", "allowed", "ledger", "status"]
    rows = [[f["metric"], f"{f['claimed']} {f['unit']} ({f['qualifier']})",
             f"[{f['allowed'][0]}, {f['allowed'][1] or '∞'}]", str(f["ledger"]), f["status"]]
            for f in report["figures"]]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    for f in report["figures"]:
        if f["diagnosis"]:
            lines.append(f"  · {f['metric']}: {f['diagnosis']}")
    for i in report["identities"]:
        lines.append(f"identity {i['identity']}: {i['status']} factor={i['factor']} "
                     f"months/worker={i.get('implied_months_per_worker')} diagnosis={i['diagnosis']}")
    return "\n".join(lines) + "\n"


def _chart_svg(series: list[dict[str, Any]]) -> str:
    """Monthly pay per workshop as lines: what an auditor would rather look at than a table."""
    if not series:
        return "<p>（无月收入数据 / no monthly pay in this scope and period）</p>"
    months = sorted({s["month"] for s in series})
    by_shop: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for s in series:
        by_shop[s["workshop"]][s["month"]] = Decimal(s["pay"])
    top = max(Decimal(s["pay"]) for s in series) or Decimal(1)
    width, height, left, bottom = 760, 320, 70, 40
    step = (width - left - 20) / max(len(months) - 1, 1)
    colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="各工坊月收入 monthly pay per workshop">',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#333"/>',
             f'<line x1="{left}" y1="10" x2="{left}" y2="{height - bottom}" stroke="#333"/>',
             f'<text x="4" y="16" font-size="11">{int(top / 10000)}万元</text>']
    for i, month in enumerate(months):
        if len(months) <= 12 or i % 3 == 0:
            parts.append(f'<text x="{left + i * step:.0f}" y="{height - 22}" font-size="10" '
                         f'text-anchor="middle">{month}</text>')
    for n, (shop, points) in enumerate(sorted(by_shop.items())):
        colour = colours[n % len(colours)]
        coords = " ".join(f"{left + months.index(m) * step:.1f},"
                          f"{(height - bottom) - float(v / top) * (height - bottom - 20):.1f}"
                          for m, v in sorted(points.items()))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{coords}"/>')
        parts.append(f'<text x="{width - 120}" y="{20 + 14 * n}" font-size="11" fill="{colour}">'
                     f'{html.escape(shop)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def to_html(report: dict[str, Any], chart: list[dict[str, Any]]) -> str:
    e = html.escape
    source = report.get("source") or {}
    rows = "".join(
        f"<tr class='{e(f['status'])}'><td>{e(f['metric'])}</td><td>{e(str(f['claimed']))} {e(f['unit'])}</td>"
        f"<td>{e(f['qualifier'])}</td><td>[{e(str(f['allowed'][0]))}, {e(str(f['allowed'][1] or '∞'))}]</td>"
        f"<td>{e(str(f['ledger']))}</td><td>{STATUS_ZH.get(f['status'], '')} {e(f['status'])}</td>"
        f"<td>{e(f['diagnosis'] or '')}</td></tr>" for f in report["figures"])
    identities = "".join(
        f"<tr class='{e(i['status'])}'><td>{e(i['identity'])}</td><td>{STATUS_ZH.get(i['status'], '')} "
        f"{e(i['status'])}</td><td>{e(str(i['factor']))}</td><td>{e(str(i.get('implied_months_per_worker')))}</td>"
        f"<td>{e(str(i['diagnosis'] or ''))}</td></tr>" for i in report["identities"])
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>对账报告 Reconciliation report</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #999;padding:4px 8px}}tr.disagrees td,tr.broken td{{background:#f8cbad}}
tr.agrees td,tr.holds td{{background:#e2efda}}@media print{{body{{margin:0}}}}</style></head><body>
<h1>对账报告 <small>Reconciliation report</small></h1>
<p>范围 scope <b>{e(report['scope'])}</b> · 期间 period <b>{e(report['period'])}</b> ·
指标定义版本 definition version <b>{report['definition_version']}</b></p>
<blockquote>{e(str(source.get('quote') or ''))}<br><small>{e(str(source.get('title') or ''))}
{e(str(source.get('publisher') or ''))} {e(str(source.get('published_on') or ''))}</small></blockquote>
<h2>逐项核对 Figures</h2>
<table><tr><th>指标 metric</th><th>公布 claimed</th><th>限定 qualifier</th><th>允许区间 allowed</th>
<th>台账 ledger</th><th>结论 status</th><th>诊断 diagnosis</th></tr>{rows}</table>
<h2>自洽性 Identities</h2>
<table><tr><th>恒等式 identity</th><th>结论 status</th><th>因子 factor</th><th>隐含人均月数 months/worker</th>
<th>诊断 diagnosis</th></tr>{identities}</table>
<h2>各工坊月收入 Monthly pay per workshop</h2>
{_chart_svg(chart)}
</body></html>"""
