"""Reconciliation reports: JSON, CSV, XLSX, a printable HTML page with a chart, a text table.

All take the report's JSON form (``Report.to_json_dict()``), so every format says the same
thing in the same words: the sentences (``explanation_zh`` / ``explanation_en``) and the
written amounts (约336万元, 2,163.41万元) come from the pure core (``ledger.core.reconcile``,
``ledger.core.written``), never from here. Chinese first, English beside.

* CSV is UTF-8 with a byte-order mark, so Excel opens it in the right encoding.
* XLSX holds numbers as numbers (claimed, allowed, ledger, likely, factor — exact decimals,
  never text), Chinese headers with English below, widths to read by, and the monthly pay per
  workshop as a line chart beside its table.
* HTML links every ledger figure to the rows behind it (``drilldown``).
* Restatements (a stored claim's figures whose reconciliation moved between two seals) come
  from one place, ``restated_figures``: a section of the HTML page and of the text table, a
  sheet 重述 in the XLSX (second, after 对账), and a section of the CSV after the identities
  with the same columns — one row per figure and pair of seals, so the whole history shows,
  and the figure rows keep their columns for scripts that read them. The ledger values there
  are the ones recorded at each seal, as decimal strings (money with two decimals), never
  floats — in the XLSX too, as text cells: a record of what was said, not a number to sum.

No ID number ever appears in a report: the figures are aggregates.
"""

from __future__ import annotations

import csv
import html
import io
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ledger.core.claims import ClaimMetric
from ledger.core.enums import CertificationLevel
from ledger.core.labels import certification_words, metric_label, period_label, scope_label
from ledger.core.metrics import Metric, Unit, split_figure_name
from ledger.core.money import money_str
from ledger.core.written import group_digits, write

STATUS_ZH = {"agrees": "相符", "disagrees": "不符", "cannot_check": "无法核对", "holds": "成立", "broken": "不成立"}

FIGURE_HEADERS: list[tuple[str, str]] = [
    ("指标", "metric"), ("指标代码", "metric code"), ("公布", "claimed, as written"), ("公布值", "claimed value"),
    ("单位", "unit"), ("限定词", "qualifier"), ("允许下限", "allowed low"), ("允许上限", "allowed high"),
    ("台账", "ledger, as written"), ("台账值", "ledger value"), ("结论", "status"), ("诊断", "diagnosis"),
    ("按台账应为", "likely, by the records"), ("说明", "explanation"), ("Explanation", "in English"),
    ("明细", "drill-down"),
]
IDENTITY_HEADERS: list[tuple[str, str]] = [
    ("恒等式", "identity"), ("恒等式代码", "identity code"), ("结论", "status"), ("系数", "factor"),
    ("隐含人均月数", "months per worker"), ("诊断", "diagnosis"), ("疑误的数", "suspect figure"),
    ("应为", "likely value"), ("应为（写法）", "likely, as written"), ("说明", "explanation"),
    ("Explanation", "in English"),
]


RESTATEMENT_HEADERS: list[tuple[str, str]] = [
    ("原封存", "from seal"), ("新封存", "to seal"), ("核对时间", "checked at"), ("指标", "metric"),
    ("指标代码", "metric code"), ("单位", "unit"), ("原结论", "previous status"), ("新结论", "new status"),
    ("原台账值", "previous ledger value"), ("新台账值", "new ledger value"), ("原诊断", "previous diagnosis"),
    ("新诊断", "new diagnosis"),
]


@dataclass(frozen=True)
class RestatedFigure:
    """One figure of a stored claim whose reconciliation moved between two consecutive seals."""

    old_seal: int
    new_seal: int
    checked_at: str
    metric: str
    unit: str
    old_status: str | None  # None: the figure was not in the claim at that seal
    new_status: str | None
    old_ledger: str | None
    new_ledger: str | None
    old_diagnosis: str | None
    new_diagnosis: str | None

    @property
    def metric_zh(self) -> str:
        return metric_label(self.metric)[0]

    def cells(self) -> list[str]:
        """The row under ``RESTATEMENT_HEADERS``: text throughout, values exactly as recorded."""
        return [f"#{self.old_seal}", f"#{self.new_seal}", self.checked_at, self.metric_zh, self.metric, self.unit,
                _status_words(self.old_status), _status_words(self.new_status), self.old_ledger or "",
                self.new_ledger or "", self.old_diagnosis or "", self.new_diagnosis or ""]

    def phrase(self) -> str:
        """合计增收 相符（12820.00）→ 不符（12720.00）"""
        return (f"{self.metric_zh} {STATUS_ZH.get(self.old_status or '', '—')}（{self.old_ledger or '—'}）"
                f"→ {STATUS_ZH.get(self.new_status or '', '—')}（{self.new_ledger or '—'}）")


def _status_words(status: str | None) -> str:
    return "" if status is None else _both(STATUS_ZH.get(status), status)


def _recorded_value(metric: str, value: Any) -> str | None:
    """A ledger value as a seal recorded it; money always as yuan with two decimals."""
    if value is None or value == "":
        return None
    return money_str(Decimal(str(value))) if _unit_of(metric) == Unit.yuan else str(value)


def _unit_of(metric: str) -> str:
    base, _ = split_figure_name(metric)
    if base in ClaimMetric.__members__:
        return str(ClaimMetric(base).unit)
    return str(Metric(base).unit) if base in Metric.__members__ else ""


def restated_figures(report: dict[str, Any]) -> list[RestatedFigure]:
    """The restatements of a report's JSON form (``restatements``), one entry per figure and pair
    of seals, oldest first: what every format shows."""
    out = []
    for r in report.get("restatements") or []:
        for change in r["changes"]:
            old, new = change.get("old") or {}, change.get("new") or {}
            metric = change["metric"]
            out.append(RestatedFigure(
                old_seal=r["old_seal"], new_seal=r["new_seal"], checked_at=r["checked_at"], metric=metric,
                unit=_unit_of(metric), old_status=old.get("status"), new_status=new.get("status"),
                old_ledger=_recorded_value(metric, old.get("ledger")),
                new_ledger=_recorded_value(metric, new.get("ledger")),
                old_diagnosis=old.get("diagnosis"), new_diagnosis=new.get("diagnosis")))
    return out


def _sealed_words(report: dict[str, Any]) -> tuple[str, str]:
    """Which seal the reconciliation was last checked against, in words."""
    seal = report.get("sealed_against")
    if seal is None:
        return "未经封存核对", "not checked against a seal"
    return f"最近核对所依封存 #{seal}", f"last checked against seal #{seal}"


def _number(text: Any) -> Decimal | None:
    """A decimal string of the JSON as an exact Decimal (a spreadsheet number), or None."""
    return None if text is None or text == "" else Decimal(str(text))


def _both(zh: str | None, en: str | None) -> str:
    if not zh:
        return en or ""
    return zh if not en or en == zh else f"{zh} {en}"


def _figure_row(f: dict[str, Any]) -> list[Any]:
    low, high = f["allowed"]
    return [f.get("metric_zh") or f["metric"], f["metric"], f.get("claimed_written") or f["claimed"],
            _number(f["claimed"]), f["unit"], f.get("qualifier_zh") or f["qualifier"], _number(low), _number(high),
            f.get("ledger_written") or "", _number(f["ledger"]),
            _both(f.get("status_zh"), f["status"]), _both(f.get("diagnosis_zh"), f.get("diagnosis_code")),
            f.get("likely_written") or "", f.get("explanation_zh") or f.get("diagnosis") or "",
            f.get("explanation_en") or "", f.get("drilldown") or ""]


def _identity_row(i: dict[str, Any]) -> list[Any]:
    suspect = i.get("suspect")
    return [i.get("identity_zh") or i["identity"], i["identity"], _both(i.get("status_zh"), i["status"]),
            _number(i["factor"]), _number(i.get("implied_months_per_worker")),
            _both(i.get("diagnosis_zh"), i.get("diagnosis")), metric_label(suspect)[0] if suspect else "",
            _number(i.get("likely_value")), i.get("likely_written") or "", i.get("explanation_zh") or "",
            i.get("explanation_en") or ""]


def _heading(report: dict[str, Any]) -> tuple[str, str]:
    scope_zh, scope_en = scope_label(report["scope"])
    period_zh, period_en = period_label(report["period"])
    return (f"对账报告：{scope_zh}，{period_zh}（指标定义第{report['definition_version']}版）",
            f"Reconciliation report: {scope_en}, {period_en} (metric definitions version {report['definition_version']})")


def _plain(value: Any) -> Any:
    return "" if value is None else (f"{value:f}" if isinstance(value, Decimal) else value)


def to_csv(report: dict[str, Any]) -> str:
    """The report as CSV, starting with a UTF-8 byte-order mark (Excel reads the encoding from it)."""
    out = io.StringIO()
    writer = csv.writer(out)
    zh, en = _heading(report)
    writer.writerow([zh, en])
    writer.writerow([report.get("summary_zh") or "", report.get("summary_en") or ""])
    sealed_zh, sealed_en = _sealed_words(report)
    writer.writerow(["范围 scope", report["scope"], "期间 period", report["period"], "定义版本 definition version",
                     report["definition_version"], "封存 seal", f"{sealed_zh} {sealed_en}"])
    writer.writerow([f"{a} {b}" for a, b in FIGURE_HEADERS])
    writer.writerows([_plain(v) for v in _figure_row(f)] for f in report["figures"])
    writer.writerow([])
    writer.writerow([f"{a} {b}" for a, b in IDENTITY_HEADERS])
    writer.writerows([_plain(v) for v in _identity_row(i)] for i in report["identities"])
    writer.writerow([])
    writer.writerow([f"{a} {b}" for a, b in RESTATEMENT_HEADERS])
    writer.writerows(r.cells() for r in restated_figures(report))
    return "\ufeff" + out.getvalue()


# -- XLSX -------------------------------------------------------------------------------------

_FORMATS = {"元": "#,##0.00", "%": "0.0", "人": "#,##0", "家": "#,##0", "户": "#,##0", "人月": "#,##0"}


def _width(text: Any) -> int:
    """Display width: a CJK character takes two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(text))


def to_xlsx(report: dict[str, Any], chart: list[dict[str, Any]] | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.chart import LineChart, Reference
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    fills = {"disagrees": PatternFill("solid", fgColor="F8CBAD"), "broken": PatternFill("solid", fgColor="F8CBAD"),
             "agrees": PatternFill("solid", fgColor="E2EFDA"), "holds": PatternFill("solid", fgColor="E2EFDA")}

    def table(sheet: Any, title: tuple[str, str], headers: list[tuple[str, str]], rows: list[list[Any]],
              statuses: list[str], widths: dict[int, int], formats: dict[int, list[str]],
              notes: tuple[str, ...] = ()) -> None:
        sheet.append([title[0]])
        sheet.append([title[1]])
        sheet["A1"].font = Font(bold=True, size=14)
        for note in notes:
            sheet.append([note])
            sheet.cell(sheet.max_row, 1).font = Font(bold=True, color="C55A11")
        sheet.append([f"{zh}\n{en}" for zh, en in headers])
        header_row = sheet.max_row
        for cell in sheet[header_row]:
            cell.font, cell.alignment = bold, wrap
        for index, (row, status) in enumerate(zip(rows, statuses, strict=True)):
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                cell.alignment = wrap
                if status in fills:
                    cell.fill = fills[status]
            for column, number_formats in formats.items():
                cell = sheet.cell(sheet.max_row, column)
                if isinstance(cell.value, Decimal):
                    cell.number_format = number_formats[index]
        for column in range(1, len(headers) + 1):
            natural = max([_width(line) for v in [headers[column - 1][0], headers[column - 1][1],
                                                  *(r[column - 1] for r in rows)]
                           for line in str(_plain(v)).splitlines() or [""]] + [6])
            sheet.column_dimensions[get_column_letter(column)].width = min(widths.get(column, 40), natural + 2)
        sheet.freeze_panes = f"B{header_row + 1}"

    book = Workbook()
    sheet = book.active
    sheet.title = "对账"
    figure_rows = [_figure_row(f) for f in report["figures"]]
    unit_formats = [_FORMATS.get(f["unit"], "General") for f in report["figures"]]
    table(sheet, _heading(report), FIGURE_HEADERS, figure_rows, [f["status"] for f in report["figures"]],
          {14: 60, 15: 60, 16: 30}, {4: unit_formats, 7: unit_formats, 8: unit_formats, 10: unit_formats},
          notes=tuple(n for n in (report.get("summary_zh"), report.get("summary_en")) if n))

    restated_sheet = book.create_sheet("重述")  # second: what changed since a published figure was checked
    restated = restated_figures(report)
    sealed_zh, sealed_en = _sealed_words(report)
    notes = [f"{sealed_zh} / {sealed_en}"]
    if not restated:
        notes.append("封存之间结论没有变化 / no restatements: the reconciliation did not move between seals")
    table(restated_sheet, ("重述：更正后结论有变的数", "Restatements: figures whose reconciliation moved between seals"),
          RESTATEMENT_HEADERS, [r.cells() for r in restated], [r.new_status or "" for r in restated],
          {11: 60, 12: 60}, {}, notes=tuple(notes))

    identities = book.create_sheet("自洽性核对")
    identity_rows = [_identity_row(i) for i in report["identities"]]
    likely_formats = []
    for i in report["identities"]:
        unit = next((f["unit"] for f in report["figures"] if f["metric"] == i.get("suspect")), "")
        likely_formats.append(_FORMATS.get(unit, "General"))
    table(identities, ("自洽性核对：公布的数彼此是否相容", "The claim against itself"), IDENTITY_HEADERS, identity_rows,
          [i["status"] for i in report["identities"]], {1: 40, 10: 70, 11: 70},
          {4: ["0.0000"] * len(identity_rows), 5: ["0.0"] * len(identity_rows), 8: likely_formats})

    ledger = book.create_sheet("台账数字")
    figures = report.get("ledger_figures", [])
    table(ledger, ("台账数字（按指标定义计算）", "The ledger's figures"),
          [("指标", "metric"), ("Metric", "in English"), ("指标代码", "metric code"), ("数值", "value"),
           ("单位", "unit"), ("明细", "drill-down")],
          [[f["label"], metric_label(f["metric"])[1], f["metric"], _number(f["value"]), f["unit"],
            f.get("drilldown") or ""] for f in figures],
          ["" for _ in figures], {6: 30}, {4: [_FORMATS.get(f["unit"], "General") for f in figures]})

    if chart:
        months = sorted({s["month"] for s in chart})
        shops = sorted({s["workshop"] for s in chart})
        pay = {(s["workshop"], s["month"]): Decimal(s["pay"]) for s in chart}
        monthly = book.create_sheet("各工坊月收入")
        monthly.append(["月份 month", *shops])
        for cell in monthly[1]:
            cell.font = bold
        for month in months:
            monthly.append([month, *(pay.get((shop, month), Decimal(0)) for shop in shops)])
            for cell in monthly[monthly.max_row][1:]:
                cell.number_format = "#,##0.00"
        monthly.column_dimensions["A"].width = 12
        for column in range(2, len(shops) + 2):
            monthly.column_dimensions[get_column_letter(column)].width = 14
        line = LineChart()
        line.title = "各工坊月收入（元）"
        line.y_axis.title = "元"
        line.x_axis.title = "月份"
        line.height, line.width = 9, 22
        line.add_data(Reference(monthly, min_col=2, max_col=len(shops) + 1, min_row=1, max_row=len(months) + 1),
                      titles_from_data=True)
        line.set_categories(Reference(monthly, min_col=1, min_row=2, max_row=len(months) + 1))
        monthly.add_chart(line, f"{get_column_letter(len(shops) + 3)}2")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# -- Text table (the CLI) ------------------------------------------------------------------------

def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _rpad(text: str, width: int) -> str:
    return " " * max(0, width - _width(text)) + text


def figures_to_table(data: dict[str, Any]) -> str:
    """The figures (``claims.figures_json``) as a table a county clerk reads: the Chinese name
    of SPEC's table first (``metric_label``, （低收入） for the low-income variants), the value
    right-aligned — money in 元 with two decimals, counts as integers — its unit, and the code
    name last, narrower, so an auditor can still match the JSON. Columns are padded by display
    width (a Chinese character takes two), so they line up in a terminal."""
    scope_zh, scope_en = scope_label(data["scope"])
    period_zh, period_en = period_label(data["period"])
    version = data["definition_version"]
    header = ("指标 metric", "数值 value", "单位 unit", "代码 code")
    rows: list[tuple[str, str, str, str]] = []
    for f in data["figures"]:
        rows.append((metric_label(f["metric"])[0], _figure_value(f["metric"], f["value"]), f["unit"], f["metric"]))
        if split_figure_name(f["metric"])[0] == Metric.workshops_certified:
            for level, count in sorted(data.get("workshops_certified_by_level", {}).items(), key=_level_order):
                rows.append((f"  其中{CertificationLevel(level).label}", f"{int(count):,}", f["unit"],
                             f"workshops_certified_by_level.{level}"))
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [f"{scope_zh}，{period_zh}（指标定义第{version}版）",
             f"{scope_en}, {period_en} (metric definitions version {version})", ""]
    for label, value, unit, code in [header, *rows]:
        lines.append(f"{_pad(label, widths[0])}  {_rpad(value, widths[1])}  {_pad(unit, widths[2])}  {code}".rstrip())
    return "\n".join(lines) + "\n"


def _figure_value(name: str, value: str | None) -> str:
    """A figure's value as the JSON sends it (exact decimal string), with thousands separators:
    money and percentages with two decimals (both are already exact to 0.01), counts whole."""
    if value is None:
        return "—"
    metric = Metric(split_figure_name(name)[0])
    if metric.is_count:
        return f"{int(value):,}"
    return f"{Decimal(value):,.2f}"


def _level_order(item: tuple[str, int]) -> int:
    levels = list(CertificationLevel)
    return levels.index(CertificationLevel(item[0])) if item[0] in CertificationLevel.__members__ else len(levels)


def to_table(report: dict[str, Any]) -> str:
    zh, en = _heading(report)
    lines = [zh, en, ""]
    if report.get("summary_zh"):
        lines += [report["summary_zh"], report.get("summary_en") or "", ""]
    header = ["指标 metric", "公布 claimed", "允许范围 allowed", "台账 ledger", "结论 status"]
    rows = [[f.get("metric_zh") or f["metric"], f.get("claimed_written") or f["claimed"],
             f.get("allowed_written") or f"[{f['allowed'][0]}, {f['allowed'][1] or '∞'}]",
             f.get("ledger_written") or str(f["ledger"] or "—"),
             _both(f.get("status_zh") or STATUS_ZH.get(f["status"]), f["status"])
             + (f"（{f['diagnosis_zh']}）" if f.get("diagnosis_zh") else "")] for f in report["figures"]]
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        lines.append("  ".join(_pad(str(c), w) for c, w in zip(row, widths, strict=True)).rstrip())
    lines.append("")
    for f in report["figures"]:
        lines.append(f"· {f.get('metric_zh') or f['metric']}：{f.get('explanation_zh') or f.get('diagnosis') or ''}")
        if f.get("explanation_en"):
            lines.append(f"  {f['explanation_en']}")
    for target in report.get("targets", []):
        lines.append(f"· 计划或要求的数，不核对 target, not reconciled：{_target_words(target)}")
    restated = restated_figures(report)
    if restated or report.get("sealed_against") is not None:
        sealed_zh, sealed_en = _sealed_words(report)
        lines += ["", f"更正后结论有变 Restatements（{sealed_zh} / {sealed_en}）"]
        if not restated:
            lines.append("· 封存之间结论没有变化 no restatements")
    for r in restated:
        lines.append(f"· 封存 seal #{r.old_seal} → #{r.new_seal}（{r.checked_at[:10]}）：{r.phrase()}")
    if report["identities"]:
        lines += ["", "自洽性核对 The claim against itself"]
    for i in report["identities"]:
        lines.append(f"· {i.get('identity_zh') or i['identity']}：{_both(i.get('status_zh'), i['status'])}"
                     f"（系数 factor {i['factor']}）")
        lines.append(f"  {i.get('explanation_zh') or ''}")
        lines.append(f"  {i.get('explanation_en') or ''}")
    return "\n".join(lines) + "\n"


# -- HTML ----------------------------------------------------------------------------------------

def _chart_svg(series: list[dict[str, Any]]) -> str:
    """Monthly pay per workshop as lines: what an auditor would rather look at than a table."""
    if not series:
        return "<p>（本范围和期间内无月收入数据 / no monthly pay in this scope and period）</p>"
    months = sorted({s["month"] for s in series})
    by_shop: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for s in series:
        by_shop[s["workshop"]][s["month"]] = Decimal(s["pay"])
    top = max(Decimal(s["pay"]) for s in series) or Decimal(1)
    width, height, left, bottom, legend = 860, 340, 70, 40, 110
    plot_right = width - legend - 20
    step = (plot_right - left) / max(len(months) - 1, 1)
    colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="各工坊月收入 monthly pay per workshop">',
             f'<line x1="{left}" y1="{height - bottom}" x2="{plot_right}" y2="{height - bottom}" stroke="#333"/>',
             f'<line x1="{left}" y1="10" x2="{left}" y2="{height - bottom}" stroke="#333"/>']
    for k in range(0, 5):
        value = top * k / 4
        y = (height - bottom) - float(k) / 4 * (height - bottom - 20)
        parts.append(f'<text x="{left - 6}" y="{y + 4:.0f}" font-size="11" text-anchor="end">'
                     f'{html.escape(_axis_text(value))}</text>')
        if k:
            parts.append(f'<line x1="{left}" y1="{y:.0f}" x2="{plot_right}" y2="{y:.0f}" stroke="#ddd"/>')
    for i, month in enumerate(months):
        if len(months) <= 12 or i % 3 == 0:
            label = month[5:] + "月" if len(months) <= 12 else month
            parts.append(f'<text x="{left + i * step:.0f}" y="{height - 22}" font-size="11" '
                         f'text-anchor="middle">{html.escape(label)}</text>')
    for n, (shop, points) in enumerate(sorted(by_shop.items())):
        colour = colours[n % len(colours)]
        coords = " ".join(f"{left + months.index(m) * step:.1f},"
                          f"{(height - bottom) - float(v / top) * (height - bottom - 20):.1f}"
                          for m, v in sorted(points.items()))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{coords}"/>')
        parts.append(f'<rect x="{width - legend}" y="{12 + 16 * n}" width="12" height="3" fill="{colour}"/>'
                     f'<text x="{width - legend + 16}" y="{18 + 16 * n}" font-size="12" fill="{colour}">'
                     f'{html.escape(shop)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _axis_text(value: Decimal) -> str:
    return write(value, "元", decimals=1).text


def to_html(report: dict[str, Any], chart: list[dict[str, Any]], base_url: str = "") -> str:
    """The printable page. ``base_url`` (``http://host:port``) makes the drill-down links absolute,
    for a page saved to a file; served by the API they stay relative."""
    e = html.escape
    source = report.get("source") or {}
    heading_zh, heading_en = _heading(report)

    def link(href: str | None) -> str:
        # the rows as a page to read (format=html); the JSON keeps the plain address for programs
        return f"<a href='{e(base_url + href + '&format=html')}'>明细</a>" if href else "—"

    def words(zh: str | None, en: str | None) -> str:
        return f"{e(zh or '')}<br><span class='en'>{e(en or '')}</span>"

    rows = "".join(
        f"<tr class='{e(f['status'])}'><td class='m'>{words(f.get('metric_zh') or f['metric'], f.get('metric_en'))}</td>"
        f"<td class='n'>{e(f.get('claimed_written') or f['claimed'])}</td>"
        f"<td class='n'>{e(f.get('allowed_written') or '')}</td>"
        f"<td class='n'>{_with_exact(f.get('ledger_written'), f['ledger'], f['unit'])}</td>"
        f"<td><b>{e(f.get('status_zh') or STATUS_ZH.get(f['status'], ''))}</b><br>"
        f"<span class='en'>{e(f.get('status_en') or f['status'])}</span>"
        f"{'<br>' + e(f['diagnosis_zh']) if f.get('diagnosis_zh') else ''}</td>"
        f"<td class='x'>{words(f.get('explanation_zh') or f.get('diagnosis'), f.get('explanation_en'))}</td>"
        f"<td>{link(f.get('drilldown'))}</td></tr>" for f in report["figures"])
    identities = "".join(
        f"<tr class='{e(i['status'])}'><td>{e(i.get('identity_zh') or i['identity'])}</td>"
        f"<td><b>{e(i.get('status_zh') or STATUS_ZH.get(i['status'], ''))}</b><br>"
        f"<span class='en'>{e(i.get('status_en') or i['status'])}</span>"
        f"{'<br>' + e(i['diagnosis_zh']) if i.get('diagnosis_zh') else ''}</td>"
        f"<td class='x'>{words(i.get('explanation_zh'), i.get('explanation_en'))}</td></tr>"
        for i in report["identities"])
    if not identities:
        identities = "<tr><td colspan='3'>公布的数不足以相互核对 / the claim does not state figures that check each other</td></tr>"
    ledger_rows = "".join(
        f"<tr><td>{words(f['label'], metric_label(f['metric'])[1])}</td>"
        f"<td class='n'>{_with_exact(_ledger_written(f), f['value'], f['unit'])}</td>"
        f"<td>{link(f.get('drilldown'))}</td></tr>"
        for f in report.get("ledger_figures", []))
    unrecognised = "".join(f"<li>{e(str(u))}</li>" for u in report.get("unrecognised", []))
    targets = "".join(f"<li>{e(_target_words(t))}</li>" for t in report.get("targets", []))
    restated = "".join(f"<li>封存 #{r.old_seal} → #{r.new_seal}（{e(r.checked_at[:10])}）：{e(r.phrase())}</li>"
                       for r in restated_figures(report))
    quote = e(str(source.get("quote") or ""))
    cite = " ".join(e(str(source.get(k) or "")) for k in ("title", "publisher", "published_on")).strip()
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>对账报告 Reconciliation report</title>
<style>body{{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif;margin:2em;
max-width:1200px;color:#222;line-height:1.5}}
table{{border-collapse:collapse;margin:1em 0;width:100%}}
td,th{{border:1px solid #999;padding:6px 8px;vertical-align:top;text-align:left}}th{{background:#eee}}
td.n{{white-space:nowrap;text-align:right}}td.m{{min-width:10em}}td.x{{min-width:22em}}
table.narrow{{width:auto;min-width:40em}}
p.summary{{font-size:1.15em;border:2px solid #c55a11;background:#fff4ec;padding:.8em 1em}}
tr.disagrees td,tr.broken td{{background:#fbe3d6}}tr.agrees td,tr.holds td{{background:#eef6e8}}
.en{{color:#666;font-size:.85em}}blockquote{{border-left:4px solid #999;margin:1em 0;padding:.5em 1em;background:#f7f7f7}}
@media print{{body{{margin:0}}a{{color:inherit;text-decoration:none}}}}</style></head><body>
<h1>{e(heading_zh)}<br><small class='en'>{e(heading_en)}</small></h1>
<p class='summary'>{e(report.get('summary_zh') or '')}<br><span class='en'>{e(report.get('summary_en') or '')}</span></p>
<h2>公布原文 <small class='en'>Published text</small></h2>
<blockquote>{quote}<br><small>{cite}</small></blockquote>
{f"<p>未能识别的数 / numbers not read as figures:</p><ul>{unrecognised}</ul>" if unrecognised else ""}
{f"<p>计划或要求的数，不是已达成的，不核对 / targets, not achievements, not reconciled:</p><ul>{targets}</ul>"
 if targets else ""}
<h2>逐项核对 <small class='en'>Each figure against the ledger</small></h2>
<table><tr><th>指标<br><span class='en'>metric</span></th><th>公布<br><span class='en'>claimed</span></th>
<th>措辞允许<br><span class='en'>allowed</span></th><th>台账<br><span class='en'>ledger</span></th>
<th>结论<br><span class='en'>status</span></th><th>说明<br><span class='en'>explanation</span></th>
<th>明细<br><span class='en'>rows</span></th></tr>{rows}</table>
<h2>自洽性核对 <small class='en'>The claim against itself</small></h2>
<table><tr><th>恒等式<br><span class='en'>identity</span></th><th>结论<br><span class='en'>status</span></th>
<th>说明<br><span class='en'>explanation</span></th></tr>{identities}</table>
{f"<h2>更正后结论有变 <small class='en'>Restatements: the reconciliation moved between seals</small></h2><ul>{restated}</ul>"
 if restated else ""}
<h2>各工坊月收入 <small class='en'>Monthly pay per workshop</small></h2>
{_chart_svg(chart)}
<h2>台账数字 <small class='en'>The ledger's figures</small></h2>
<table class='narrow'><tr><th>指标<br><span class='en'>metric</span></th><th>数值<br><span class='en'>value</span></th>
<th>明细<br><span class='en'>rows</span></th></tr>{ledger_rows}</table>
</body></html>"""


def _target_words(target: dict[str, Any]) -> str:
    """A planned or required figure in words: 工坊数60家以上（“力争建成60家以上”）."""
    written = write(Decimal(target["value"]), target["unit"], target.get("qualifier"), decimals=None).text
    text = f"（“{target['text']}”）" if target.get("text") else ""
    return f"{metric_label(target['metric'])[0]}{written}{text}"


def _with_exact(written: str | None, exact: str | None, unit: str) -> str:
    """The written amount, and under it the exact value when the words rounded it."""
    if exact is None:
        return "—"
    shown = html.escape(written or exact)
    if written and write(Decimal(exact), unit, decimals=None).text != written:
        return f"{shown}<br><span class='en'>{html.escape(group_digits(exact))} {html.escape(unit)}</span>"
    return shown


def _ledger_written(figure: dict[str, Any]) -> str:
    if figure.get("value") is None:
        return "—"
    return write(Decimal(figure["value"]), figure["unit"]).text



# -- The rows behind a figure, as a page (the drill-down a report links to) -----------------------

ROW_COLUMNS: dict[str, tuple[str, str]] = {
    "worker": ("人员编号", "worker"), "name": ("姓名", "name"), "id_number": ("身份证号（脱敏）", "ID number, masked"),
    "month": ("月份", "month"), "pay": ("收入（元）", "pay, yuan"), "low_income": ("低收入", "low-income"),
    "counts_as_person_month": ("计入人月", "a person-month"), "baseline": ("务工前月收入（元）", "baseline, yuan"),
    "placement": ("用工编号", "placement"), "workshop": ("工坊", "workshop"), "hired_on": ("入职日期", "hired on"),
    "left_on": ("离职日期", "left on"), "id": ("编号", "id"), "code": ("工坊编码", "workshop code"),
    "opened_on": ("开办日期", "opened on"), "closed_on": ("关闭日期", "closed on"),
    "region_code": ("行政区划", "region code"),
    "certifications": ("期末日有效的认定", "certifications in force on the last day"),
}
WORKSHOP_ROW_COLUMNS: dict[str, tuple[str, str]] = {
    **ROW_COLUMNS, "id": ("工坊编号", "workshop id"), "name": ("工坊名称", "workshop name"),
}
"""The headers of a workshop's row (the workshop counts' drill-downs, keyed by ``code``): its
name is the workshop's, not a person's 姓名."""


def rows_to_html(metric: str, scope: str, period: str, found: Any, first_link: str, next_link: str | None,
                 level: str | None = None) -> str:
    """The rows behind a figure as a printable page: Chinese headers, 是/否 for flags, paging links.
    ``found`` is a ``drilldown.RowsPage``; ``next_link`` the address of the page after it (by
    cursor), ``first_link`` that of the first page; ``level`` the certification level the rows
    were kept to, named in the title. ID numbers arrive masked and stay so."""
    e = html.escape
    metric_zh, metric_en = metric_label(metric)
    if level is not None:
        metric_zh, metric_en = f"{metric_zh}（{CertificationLevel(level).label}）", f"{metric_en} ({level} level)"
    scope_zh, scope_en = scope_label(scope)
    period_zh, period_en = period_label(period)
    items, total = found.items, found.total
    keys = list(items[0]) if items else []

    def cell(key: str, value: Any) -> str:
        if isinstance(value, bool):
            return "是" if value else "否"
        if value is None:
            return "—"
        if key in ("pay", "baseline"):
            return f"<span class='n'>{e(group_digits(str(value)))}</span>"
        if key == "certifications":
            return "<br>".join(e(certification_words(c)) for c in value)
        return e(str(value))

    columns = WORKSHOP_ROW_COLUMNS if "code" in keys else ROW_COLUMNS
    header = "".join(f"<th>{e(columns.get(k, (k, k))[0])}<br><span class='en'>{e(columns.get(k, (k, k))[1])}"
                     f"</span></th>" for k in keys)
    body = "".join("<tr>" + "".join(f"<td>{cell(k, r.get(k))}</td>" for k in keys) + "</tr>" for r in items)
    nav = []
    if found.first_row > 0:
        nav.append(f"<a href='{e(first_link)}' rel='first'>第一页 first page</a>")
    if next_link:
        nav.append(f"<a href='{e(next_link)}' rel='next'>下一页 next page</a>")
    first, last = found.first_row + 1, found.first_row + len(items)
    shown_zh = f"第 {first:,}–{last:,} 条" if items else "没有记录"
    shown_en = f"rows {first:,}–{last:,}" if items else "no rows"
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>明细 {e(metric_zh)}</title>
<style>body{{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}}
table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #999;padding:4px 8px;text-align:left}}
th{{background:#eee}}.en{{color:#666;font-size:.85em}}.n{{display:block;text-align:right}}
nav a{{margin-right:1.5em}}</style></head><body>
<h1>明细：{e(metric_zh)}<br><small class='en'>The rows behind {e(metric_en)}</small></h1>
<p>{e(scope_zh)}，{e(period_zh)} · 共 {total:,} 条，{shown_zh}（第 {found.page:,}/{found.pages:,} 页）<br>
<span class='en'>{e(scope_en)}, {e(period_en)} · {shown_en} of {total:,} (page {found.page:,} of {found.pages:,})</span></p>
<nav>{"".join(nav)}</nav>
<table><tr>{header}</tr>{body}</table>
<nav>{"".join(nav)}</nav>
</body></html>"""


__all__ = ["RESTATEMENT_HEADERS", "ROW_COLUMNS", "STATUS_ZH", "RestatedFigure", "figures_to_table",
           "restated_figures", "rows_to_html", "to_csv", "to_html", "to_table", "to_xlsx"]
