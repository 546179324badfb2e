"""The auditor's scriptable verbs: ``figures``, ``claims parse``, ``reconcile``.

    ledger figures --scope region:330784 --period 2023 [--low-income] [--format json|table]
    ledger figures --check | --rebuild      (the live aggregates: compare with / rewrite from the rows)
    ledger claims parse FILE            (FILE "-" reads stdin)
    ledger reconcile --text FILE | --claim ID  --scope ... --period ... [--format json|table|html|xlsx|csv] [--out PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any


def add_parsers(sub: Any) -> None:
    figures = sub.add_parser("figures", help="计算官方数字 / compute the official figures")
    figures.add_argument("--scope", help="all | workshop:CODE | enterprise:ID | region:PREFIX")
    figures.add_argument("--period", help="2023 | 2023-03 | 2023-01..2023-06")
    upkeep = figures.add_mutually_exclusive_group()
    upkeep.add_argument("--check", action="store_true",
                        help="汇总表与原始记录逐行、逐项核对 / recompute the aggregates and the figures from the rows, compare")
    upkeep.add_argument("--rebuild", action="store_true",
                        help="由原始记录重建汇总表（记入审计日志）/ rewrite the aggregates from the rows (journaled)")
    figures.add_argument("--low-income", action="store_true", help="只列低收入口径 / low-income variants only")
    figures.add_argument("--format", choices=["json", "table"], default="json")

    claims = sub.add_parser("claims", help="公开数据 / published claims")
    claims_sub = claims.add_subparsers(dest="claims_command", required=True)
    parse = claims_sub.add_parser("parse", help="把公开文字解析为数字 / parse published text into figures")
    parse.add_argument("file", help="文本文件，- 为标准输入 / text file, - for stdin")

    rec = sub.add_parser("reconcile", help="对账 / reconcile a claim against the ledger")
    source = rec.add_mutually_exclusive_group(required=True)
    source.add_argument("--text", help="文本文件，- 为标准输入 / text file, - for stdin")
    source.add_argument("--claim", type=int, help="已登记公开数据的编号 / a stored claim's id")
    rec.add_argument("--scope", help="范围（--claim 时可省略）/ scope (defaults to the claim's)")
    rec.add_argument("--period", help="期间（--claim 时可省略）/ period (defaults to the claim's)")
    rec.add_argument("--format", choices=["json", "table", "html", "xlsx", "csv"], default="json")
    rec.add_argument("--out", help="输出文件（xlsx 必填）/ output file (required for xlsx)")


def _read(path: str) -> str:
    return sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


async def _figures(args: argparse.Namespace) -> None:
    from ledger.services import aggregates, claims

    if args.check or args.rebuild:
        result = await (aggregates.check_all(args.scope, args.period) if args.check else aggregates.rebuild())
        _print_json(result)
        if args.check and not result["ok"]:
            raise SystemExit(1)
        return
    if not (args.scope and args.period):
        raise SystemExit("figures 需要 --scope 和 --period / figures needs --scope and --period")
    data = claims.figures_json(await claims.compute_figures(args.scope, args.period))
    if args.low_income:
        data["figures"] = [f for f in data["figures"] if f["metric"].endswith("_low_income")]
    if args.format == "json":
        _print_json(data)
        return
    from ledger import reports

    sys.stdout.write(reports.figures_to_table(data))


async def _reconcile(args: argparse.Namespace) -> None:
    from ledger import reports
    from ledger.services import claims, figures

    if args.text:
        if not (args.scope and args.period):
            raise SystemExit("--text 需要 --scope 和 --period / --text needs --scope and --period")
        report = await claims.reconcile_text(_read(args.text), args.scope, args.period)
    else:
        report = await claims.reconcile_claim(args.claim, args.scope, args.period)
    body = report.to_json_dict()
    if args.format == "xlsx":
        if not args.out:
            raise SystemExit("xlsx 需要 --out / xlsx needs --out")
        chart = await figures.monthly_pay_by_workshop(report.scope, report.period)
        Path(args.out).write_bytes(reports.to_xlsx(body, chart))
        return
    if args.format == "html":
        from ledger.settings import get_settings

        # a page written to a file: its drill-down links point at where `ledger serve` listens
        settings = get_settings()
        text = reports.to_html(body, await figures.monthly_pay_by_workshop(report.scope, report.period),
                               f"http://{settings.host}:{settings.port}")
    elif args.format == "table":
        text = reports.to_table(body)
    elif args.format == "csv":
        text = reports.to_csv(body)
    else:
        text = json.dumps(body, ensure_ascii=False, indent=2) + "\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def run(args: argparse.Namespace) -> bool:
    """Run an auditor verb; False when the command is not one of them."""
    if args.command == "figures":
        asyncio.run(_figures(args))
    elif args.command == "claims":
        from ledger.services import claims

        _print_json(claims.parse_text(_read(args.file)).to_json_dict())
    elif args.command == "reconcile":
        asyncio.run(_reconcile(args))
    else:
        return False
    return True
