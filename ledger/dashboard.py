"""The figures dashboard as HTML pages with charts drawn on the server (matplotlib → SVG).

Why matplotlib: it draws on the server, so the page needs no JavaScript chart library, no CDN
and no asset at all — the SVG is inline in the page, and prints. It is the most widely kept
plotting library in Python, works offline, and its SVG backend turns an artist's URL into a
link (``set_url``/``set_urls``): every point and bar links to the rows behind it. Text is
written as SVG text (``svg.fonttype = none``), so the browser sets the Chinese labels in
its own fonts and the server needs no CJK font.

Every amount written on a page is an exact decimal string; the floats here are only pixel
positions and shares.
"""

from __future__ import annotations

import html
import io
import logging
import re
import warnings
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402

from ledger.core.labels import certification_words  # noqa: E402
from ledger.core.signals import SignalKind  # noqa: E402

matplotlib.rcParams.update({
    "svg.fonttype": "none",
    "svg.hashsalt": "ledger",  # the same data draws the same SVG
    "font.family": ["sans-serif"],
    "font.sans-serif": ["Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Micro Hei", "DejaVu Sans"],
    "axes.spines.top": False,
    "axes.spines.right": False,
})
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)

BASE = "/api/v1/dashboard"
COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f",
           "#bcbd22"]
KIND_COLOURS = dict(zip([k.value for k in SignalKind], COLOURS, strict=False))
e = html.escape


def link(path: str, /, **params: Any) -> str:
    return f"{BASE}{path}?{urlencode({k: v for k, v in params.items() if v is not None})}"


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # glyphs the server's fonts lack: the browser sets the text
        fig.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)  # RDF boilerplate and a timestamp
    text = text.replace(' target="_blank"', "")  # a drill-down opens in place; Back returns to the chart
    return text[text.index("<svg"):]


def _months_axis(ax: Any, months: list[str]) -> None:
    ax.set_xticks(range(len(months)))
    step = 1 if len(months) <= 12 else 3
    ax.set_xticklabels([m if i % step == 0 else "" for i, m in enumerate(months)], rotation=45, ha="right",
                       fontsize=8)


def _series_chart(title: str, months: list[str], series: dict[str, dict[str, float]], urls: dict[str, dict[str, str]],
                  ylabel: str, lines: Iterable[tuple[float, str, str]] = ()) -> str:
    fig = Figure(figsize=(8.5, 3.6))
    ax = fig.subplots()
    for n, (name, points) in enumerate(sorted(series.items())):
        xs = [months.index(m) for m in sorted(points)]
        ys = [points[m] for m in sorted(points)]
        colour = COLOURS[n % len(COLOURS)]
        ax.plot(xs, ys, color=colour, linewidth=1.5, label=name)
        dots = ax.scatter(xs, ys, color=colour, s=36, zorder=3)
        dots.set_urls([urls[name][m] for m in sorted(points)])
        dots.set_gid(f"points-{name}")
    for value, label, colour in lines:
        ax.axhline(value, color=colour, linestyle="--", linewidth=1)
        ax.annotate(label, xy=(0, value), xytext=(2, 3), textcoords="offset points", fontsize=8, color=colour)
    _months_axis(ax, months)
    ax.set_title(title, fontsize=11, loc="left")
    ax.set_ylabel(ylabel, fontsize=9)
    ax.grid(axis="y", alpha=0.3)
    if series:
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return _svg(fig)


def charts(data: Any) -> dict[str, str]:
    """The dashboard's charts as SVG strings, keyed by name."""
    scope, period = str(data.scope), str(data.period)
    months = [str(m) for m in data.period.months]
    total: dict[str, dict[str, float]] = defaultdict(dict)
    head: dict[str, dict[str, float]] = defaultdict(dict)
    shop_urls: dict[str, dict[str, str]] = defaultdict(dict)
    for row in data.by_workshop:
        total[row["workshop"]][row["month"]] = float(row["total"]) / 10_000
        head[row["workshop"]][row["month"]] = row["head"]
        shop_urls[row["workshop"]][row["month"]] = link("/rows", scope=f"workshop:{row['workshop']}",
                                                        period=row["month"], metric="total_pay")
    trend: dict[str, dict[str, float]] = {"人均月增收 all": {}, "人均月增收 low-income（低收入）": {}}
    share: dict[str, dict[str, float]] = {"低收入人月占比 low-income share": {}}
    trend_urls: dict[str, dict[str, str]] = defaultdict(dict)
    for row in data.by_month:
        m = row["month"]
        if row["avg"] is not None:
            trend["人均月增收 all"][m] = float(row["avg"])
            trend_urls["人均月增收 all"][m] = link("/rows", scope=scope, period=m, metric="avg_monthly_pay")
        if row["avg_low"] is not None:
            trend["人均月增收 low-income（低收入）"][m] = float(row["avg_low"])
            trend_urls["人均月增收 low-income（低收入）"][m] = link("/rows", scope=scope, period=m,
                                                              metric="avg_monthly_pay_low_income")
        if row["low_share"] is not None:
            share["低收入人月占比 low-income share"][m] = row["low_share"] * 100
            trend_urls["低收入人月占比 low-income share"][m] = link("/rows", scope=scope, period=m,
                                                              metric="person_months_low_income")
    claim_lines = [(float(c["value"]), f"公开数据 #{c['claim']}: {c['text'] or c['value']}（{c['metric']}）",
                    "#d62728" if c["low_income"] else "#555") for c in data.claims]
    out = {
        "total": _series_chart("各工坊月收入合计 Monthly total pay per workshop（万元）", months, total, shop_urls, "万元"),
        "head": _series_chart("各工坊月有收入人数 Head count per workshop", months, head, shop_urls, "人"),
        "trend": _series_chart("人均月增收 Average monthly pay per person-month（元），虚线为公开数据",
                               months, {k: v for k, v in trend.items() if v}, trend_urls, "元", claim_lines),
        "share": _series_chart("低收入人员占比 Low-income share of person-months（%）", months,
                               {k: v for k, v in share.items() if v}, trend_urls, "%"),
        "signals": _signals_chart(data, scope, period),
    }
    return out


def _signals_chart(data: Any, scope: str, period: str) -> str:
    fig = Figure(figsize=(8.5, 3.2))
    ax = fig.subplots()
    shops = sorted(data.signals)
    bottoms = [0] * len(shops)
    for kind in SignalKind:
        heights = [data.signals[s].get(kind.value, 0) for s in shops]
        if not any(heights):
            continue
        bars = ax.bar(range(len(shops)), heights, bottom=bottoms, color=KIND_COLOURS[kind.value],
                      label=f"{kind.label} {kind.value}")
        for shop, bar in zip(shops, bars, strict=True):
            bar.set_url(link("/signals", scope=scope, period=period, workshop=shop, kind=kind.value))
        bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
    ax.set_xticks(range(len(shops)))
    ax.set_xticklabels(shops, fontsize=8)
    ax.set_title("各工坊异常信号数 Signals per workshop", fontsize=11, loc="left")
    ax.set_ylabel("个", fontsize=9)
    if shops:
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    else:
        ax.text(0.5, 0.5, "无信号 no signals", ha="center", va="center", transform=ax.transAxes)
    return _svg(fig)


STYLE = """body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:14px}td,th{border:1px solid #bbb;padding:3px 8px}
th{background:#f0f0f0}td.num{text-align:right;font-variant-numeric:tabular-nums}nav a{margin-right:1em}
section{margin:1.2em 0}svg a circle,svg a path{cursor:pointer}.note{color:#666;font-size:13px}
form.inline{display:inline}@media print{nav,form{display:none}}"""


def page(title: str, body: str, scope: str, period: str) -> str:
    nav = (f'<nav><a href="{e(link("", scope=scope, period=period))}">看板 Dashboard</a>'
           f'<a href="{e(link("/signals", scope=scope, period=period))}">信号 Signals</a>'
           f'<a href="/workbench">换个范围 Other scope</a></nav>')
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{e(title)}</title>'
            f"<style>{STYLE}</style></head><body>{nav}<h1>{e(title)}</h1>"
            f"<p>范围 scope <b>{e(scope)}</b> · 期间 period <b>{e(period)}</b></p>{body}</body></html>")


def dashboard_page(data: Any) -> str:
    svgs = charts(data)
    scope, period = str(data.scope), str(data.period)
    sections = "".join(f'<section id="chart-{name}" class="chart">{svg}</section>' for name, svg in svgs.items())
    body = (f'<p class="note">点任一点或柱可查看背后的记录 / click any point or bar for the rows behind it. '
            f'本期信号 {data.signal_total} 个 / {data.signal_total} signals in the period.</p>{sections}')
    return page("审计工作台 Auditor's workbench", body, scope, period)


def _cell(value: Any) -> str:
    if isinstance(value, list):  # a certified workshop's certifications in force
        return f"<td>{'<br>'.join(e(certification_words(c)) for c in value)}</td>"
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return f'<td class="num">{e(str(value))}</td>'
    if isinstance(value, str) and value.replace(".", "", 1).replace("-", "", 1).isdigit() and "." in value:
        return f'<td class="num">{e(value)}</td>'
    return f"<td>{e('' if value is None else str(value))}</td>"


def table(rows: list[dict[str, Any]], columns: list[str] | None = None) -> str:
    if not rows:
        return "<p>（没有记录 / no rows）</p>"
    columns = columns or list(rows[0])
    head = "".join(f"<th>{e(c)}</th>" for c in columns)
    body = "".join("<tr class='row'>" + "".join(_cell(r.get(c)) for c in columns) + "</tr>" for r in rows)
    return f'<table id="rows"><tr>{head}</tr>{body}</table>'


def rows_page(title: str, rows: list[dict[str, Any]], total: int, page_no: int, page_size: int, scope: str,
              period: str, more: dict[str, Any], next_after: str | None = None,
              numbered_pages: int | None = None) -> str:
    """A page of rows. Page numbers link the first ``numbered_pages`` pages (all when None);
    ``next_after`` is the cursor of the page after this one, for paging deeper than that."""
    pages = ""
    if total > page_size:
        last = (total + page_size - 1) // page_size
        numbered = last if numbered_pages is None else min(last, numbered_pages)

        def to(**where: Any) -> str:
            return link("/rows", scope=more.get("scope", scope), period=more.get("period", period),
                        metric=more.get("metric"), **where)

        parts = [f'<a href="{e(to(page=n))}">{n}</a>' if n != page_no else f"<b>{n}</b>" for n in range(1, numbered + 1)]
        if numbered < last:
            parts.append(f"… <b>{page_no}</b>" if page_no > numbered else f"… {last}")
        if next_after:
            parts.append(f'<a rel="next" href="{e(to(after=next_after))}">下一页 next</a>')
        pages = " ".join(parts)
    body = f"<p>共 {total} 条 / {total} rows（身份证号已脱敏 / ID numbers masked）</p>{table(rows)}<p>{pages}</p>"
    return page(title, body, scope, period)


def signals_page(report_json: dict[str, Any], scope: str, period: str) -> str:
    items = []
    for s in report_json["signals"]:
        rows_url = link("/signal-rows", scope=scope, period=period, key=s["key"])
        review = s.get("review")
        reviewed = (f"<br><small>已复核 reviewed by {e(review['reviewed_by'])} {e(review['reviewed_at'][:19])}: "
                    f"{e(review['note'])}</small>" if review else "")
        items.append(
            f"<tr class='signal'><td>{e(SignalKind(s['kind']).label)}<br><code>{e(s['kind'])}</code></td>"
            f"<td>{e(s['workshop'])}</td><td>{e(s['month'] or '整期 period')}</td>"
            f"<td class='num'>{s['score']}</td><td class='num'>{s['threshold']}</td>"
            f"<td>{e(s['explanation_zh'])}<br><small>{e(s['explanation_en'])}</small>{reviewed}</td>"
            f"<td><a href='{e(rows_url)}'>{len(s['rows'])} 条 rows</a></td>"
            f"<td><form class='inline review' data-key='{e(s['key'])}'><input name='note' placeholder='复核说明 note'>"
            f"<button>标记已复核 reviewed</button></form></td></tr>")
    body = (f"<p>信号定义版本 definition version {report_json['definition_version']} · "
            f"{len(report_json['signals'])} 个信号 signals（信号只是提示，不拒绝任何记录 / advice, never a refusal）</p>"
            "<table><tr><th>类型 kind</th><th>工坊</th><th>月份</th><th>得分 score</th><th>阈值 threshold</th>"
            f"<th>说明 explanation</th><th>记录 rows</th><th>复核 review</th></tr>{''.join(items)}</table>"
            f"<script>{REVIEW_SCRIPT}</script>")
    return page("异常信号 Anomaly signals", body, scope, period)


REVIEW_SCRIPT = """
document.querySelectorAll('form.review').forEach(function (form) {
  form.addEventListener('submit', async function (event) {
    event.preventDefault();
    var csrf = (document.cookie.match(/(?:^|; )ledger_csrf=([^;]*)/) || [])[1] || '';
    var answer = await fetch('/api/v1/signals/reviews', {method: 'POST', credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'X-CSRF-Token': decodeURIComponent(csrf)},
      body: JSON.stringify({key: form.dataset.key, note: form.note.value})});
    if (answer.ok) { location.reload(); } else { alert((await answer.json()).message); }
  });
});"""


SIGN_IN_PAGE = f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>审计工作台 Auditor's workbench</title><style>{STYLE}</style></head><body>
<h1>审计工作台 <small>Auditor's workbench</small></h1>
<p class="note">审核员与管理员登录后查看图表、信号和抽样 / auditors and admins sign in for charts, signals and samples.</p>
<form id="signin"><p><label>用户名 username <input name="username" autocomplete="username"></label></p>
<p><label>密码 password <input name="password" type="password" autocomplete="current-password"></label></p>
<p><label>范围 scope <input name="scope" value="region:330784"></label>
<label>期间 period <input name="period" value="2023"></label></p>
<p><button type="submit">登录并打开看板 Sign in and open</button> <span id="message"></span></p></form>
<script>
document.getElementById('signin').addEventListener('submit', async function (event) {{
  event.preventDefault();
  var f = event.target;
  var target = '{BASE}?' + new URLSearchParams({{scope: f.scope.value, period: f.period.value}});
  var me = await fetch('/api/v1/auth/me', {{credentials: 'same-origin'}});
  if (!me.ok || f.password.value) {{
    var answer = await fetch('/api/v1/auth/login', {{method: 'POST', credentials: 'same-origin',
      headers: {{'Content-Type': 'application/json'}},
      body: JSON.stringify({{username: f.username.value, password: f.password.value}})}});
    if (!answer.ok) {{ document.getElementById('message').textContent = (await answer.json()).message; return; }}
  }}
  location.href = target;
}});
</script></body></html>"""
