"""The ``ledger import``, ``ledger template`` and ``ledger export`` verbs.

They call the same import service as the API and the admin panel. Progress of a long
import goes to stderr (rows read so far), the report to stdout; a sheet with problems
prints every one of them (row, column, masked value, Chinese and English), can write the
annotated workbook with ``--annotated OUT.xlsx``, and exits with status 2.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

from ledger.importer.headers import SheetKind


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="导入用工表或月收入表（.xlsx/.csv） / import a hires or pay sheet")
    p.add_argument("file", type=Path, help="表格文件 / the sheet")
    p.add_argument("--kind", choices=[k.value for k in SheetKind],
                   help="pay、hires 或 low-income（默认按表头判断）/ pay, hires or low-income (default: from the header)")
    p.add_argument("--sheet", help="只读取这个工作表（按名称，隐藏的也可；CSV 没有工作表） / read only this tab "
                                   "(by name, hidden or not; a CSV has none)")
    p.add_argument("--dry-run", action="store_true", help="只检查和预演，不写入 / check and preview only")
    p.add_argument("--replace", action="store_true", help="覆盖冲突的已有记录 / overwrite conflicting records")
    p.add_argument("--confirm-unusual", action="store_true",
                   help="确认异常金额（超出一个月合理收入范围）/ take unusual amounts as meant")
    p.add_argument("--workshop", help="工坊编码：无该列时的默认工坊 / workshop code for rows without one")
    p.add_argument("--annotated", type=Path, help="有问题时把标注后的表格写到这里 / write the annotated sheet here")
    p.add_argument("--json", action="store_true", help="以 JSON 输出报告 / print the report as JSON")
    p.add_argument("--batch-size", type=int, default=1000, help=argparse.SUPPRESS)

    t = sub.add_parser("template", help="下载某工坊某月的月收入模板 / write a workshop's pay template")
    t.add_argument("--workshop", required=True, help="工坊编码 / workshop code")
    t.add_argument("--month", required=True, help="月份 YYYY-MM")
    t.add_argument("--kind", choices=[k.value for k in SheetKind], default="pay")
    t.add_argument("--out", required=True, type=Path, help="输出文件 .xlsx 或 .csv / output file")

    e = sub.add_parser("export", help="导出某工坊的月收入 / export a workshop's monthly pay")
    e.add_argument("--workshop", required=True, help="工坊编码 / workshop code")
    e.add_argument("--first", required=True, help="起始月份 YYYY-MM")
    e.add_argument("--last", help="截止月份 YYYY-MM（默认同起始）")
    e.add_argument("--out", required=True, type=Path, help="输出文件 .xlsx 或 .csv / output file")


def run(args: argparse.Namespace) -> bool:
    """Run the verb if it is one of ours; False lets the caller handle it."""
    if args.command == "import":
        asyncio.run(_with_engine(_import(args)))
    elif args.command == "template":
        asyncio.run(_with_engine(_template(args)))
    elif args.command == "export":
        asyncio.run(_with_engine(_export(args)))
    else:
        return False
    return True


async def _with_engine(work):
    from piccolo.engine.postgres import PostgresEngine

    from ledger.db import engine, start_pool

    db = engine()
    if isinstance(db, PostgresEngine):
        await start_pool(db)
    try:
        return await work
    finally:
        if isinstance(db, PostgresEngine):
            await db.close_connection_pool()


class _Progress:
    def __init__(self) -> None:
        self.started = time.monotonic()
        self.shown = False

    def __call__(self, rows: int) -> None:
        elapsed = time.monotonic() - self.started
        if elapsed > 1 or self.shown:
            self.shown = True
            print(f"\r已读 {rows:,} 行 / {rows:,} rows read ({elapsed:.0f} s)", end="", file=sys.stderr, flush=True)

    def done(self) -> None:
        if self.shown:
            print(file=sys.stderr)


async def _import(args: argparse.Namespace) -> None:
    from ledger.importer import ImportFailed, ImportOptions, run_import
    from ledger.importer.workbook import annotate_source

    progress = _Progress()
    options = ImportOptions(kind=SheetKind(args.kind) if args.kind else None, dry_run=args.dry_run,
                            replace=args.replace, confirm_unusual=args.confirm_unusual,
                            workshop=args.workshop, sheet=args.sheet, batch_size=args.batch_size,
                            progress=progress)
    try:
        report = await run_import(args.file, options)
    except ImportFailed as exc:
        progress.done()
        if args.annotated:
            annotated = annotate_source(args.file, exc.report.problems, args.sheet)
            if annotated is not None:
                args.annotated.write_bytes(annotated)
                print(f"标注后的表格 / annotated sheet: {args.annotated}", file=sys.stderr)
        if args.json:
            print(json.dumps(exc.as_dict(), ensure_ascii=False, indent=2))
        _print_problems(exc)
        raise SystemExit(2) from None
    progress.done()
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    print(report.message)
    for tab in report.sheets:
        if tab["name"] is not None and len(report.sheets) > 1:
            counts = (f"：{tab['rows']} 行，新增 {tab['created']}，不变 {tab['unchanged']}"
                      if tab["status"] == "read" else "")
            print(f"  工作表 / tab “{tab['name']}”：{tab['zh']}{counts} / {tab['en']}")
    for delta in report.figures:
        d = delta.as_dict()
        change = d["delta"]
        if "total_pay" not in change:  # a low-income roster: its _low_income figures
            moved = ", ".join(f"Δ{name} {'—' if v is None else (f'{v:+d}' if isinstance(v, int) else v)}"
                              for name, v in change.items())
            print(f"  {d['workshop']} {d['period']['first']}–{d['period']['last']}: {moved}")
            continue
        print(f"  {d['workshop']} {d['period']['first']}–{d['period']['last']}: "
              f"Δ吸纳就业 {change['workers_employed']:+d}, Δ有收入人数 {change['workers_paid']:+d}, "
              f"Δ人月数 {change['person_months']:+d}, Δ合计增收 {change['total_pay']} 元, "
              f"Δ人均月增收 {change['avg_monthly_pay'] if change['avg_monthly_pay'] is not None else '—'} 元")


def _print_problems(exc) -> None:
    print(exc.message, file=sys.stderr)
    for item in exc.report.problems:
        p = item.problem
        where = " ".join(x for x in (f"“{item.sheet}”" if item.sheet else "", f"第 {p.row} 行" if p.row else "",
                                     f"{p.column} 列" if p.column else "") if x)
        value = f" [{item.value}]" if item.value is not None else ""
        print(f"  - {where} {p.field}{value}: {p.message}", file=sys.stderr)


async def _template(args: argparse.Namespace) -> None:
    from ledger.importer import template

    item = await template(args.workshop, args.month, args.kind, _format(args.out))
    args.out.write_bytes(item.content)
    print(f"已写出 / written: {args.out}")


async def _export(args: argparse.Namespace) -> None:
    from ledger.importer import export_pay

    item = await export_pay(args.workshop, args.first, args.last, _format(args.out))
    args.out.write_bytes(item.content)
    print(f"已写出 / written: {args.out}")


def _format(path: Path) -> str:
    return "csv" if path.suffix.lower() == ".csv" else "xlsx"
