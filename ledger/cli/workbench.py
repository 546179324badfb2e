"""The auditor's workbench verbs: anomaly signals and reproducible audit samples.

    ledger signals --scope S --period P [--format json|table] [--kind K ...] [--workshop CODE]
                   [--threshold NAME=VALUE ...]
        prints {"definition_version", "signals": [{"kind", "workshop", "month", "score", "threshold",
        "rows", "explanation_zh", "explanation_en"}]}
    ledger signal-review KEY --note TEXT           (KEY as kind:workshop:month; journaled)
    ledger signal-threshold --name NAME --value V [--region PREFIX]   (a county's threshold; journaled)
    ledger sample --scope S --period P --size N --method random|stratified|mus --seed SEED
                  [--format json|xlsx] [--out FILE] [--store [--lock ID] [--note TEXT]]
        prints {"seed", "method", "size", "records": [{"pay_id", "workshop", "month", "amount"}]};
        the same arguments always print the same records
    ledger samples list | redraw ID | sheet ID --out FILE.xlsx
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from ledger.core.sampling import SampleMethod
from ledger.core.signals import COUNT_KINDS, SignalKind


def add_parsers(sub: Any) -> None:
    sig = sub.add_parser("signals", help="异常信号 / anomaly signals in the pay records")
    sig.add_argument("--scope", required=True, help="all | workshop:CODE | enterprise:ID | region:PREFIX")
    sig.add_argument("--period", required=True, help="2023 | 2023-03 | 2023-01..2023-06")
    sig.add_argument("--format", choices=["json", "table"], default="json")
    sig.add_argument("--kind", action="append", choices=[k.value for k in SignalKind], help="只列此类 / only this kind")
    sig.add_argument("--workshop", help="只列此工坊 / only this workshop (code)")
    sig.add_argument("--threshold", action="append", default=[], metavar="NAME=VALUE",
                     help="本次覆盖阈值 / override a threshold for this run")

    review = sub.add_parser("signal-review", help="标记信号已复核 / mark a signal reviewed")
    review.add_argument("key", help="kind:workshop:month（整期为 *）")
    review.add_argument("--note", required=True, help="复核说明 / what was found")

    threshold = sub.add_parser("signal-threshold", help="设定县（区划）信号阈值 / set a county's threshold")
    threshold.add_argument("--name", required=True)
    threshold.add_argument("--value", required=True)
    threshold.add_argument("--region", default="", help="区划前缀（空为全部）/ region prefix (empty: everywhere)")

    sample = sub.add_parser("sample", help="抽取审计样本 / draw an audit sample")
    sample.add_argument("--scope", required=True)
    sample.add_argument("--period", required=True)
    sample.add_argument("--size", required=True, type=int)
    sample.add_argument("--method", required=True, choices=[m.value for m in SampleMethod])
    sample.add_argument("--seed", help="种子（缺省时生成并打印）/ seed (made and printed when omitted)")
    sample.add_argument("--format", choices=["json", "xlsx"], default="json")
    sample.add_argument("--out", help="输出文件（xlsx 必填）/ output file (required for xlsx)")
    sample.add_argument("--store", action="store_true", help="保存样本（与签发关联）/ store the sample")
    sample.add_argument("--lock", type=int, help="所支持的锁定编号 / the sign-off (lock id) it supports")
    sample.add_argument("--note", default="")

    stored = sub.add_parser("samples", help="已保存的样本 / stored samples")
    stored_sub = stored.add_subparsers(dest="samples_command", required=True)
    stored_sub.add_parser("list")
    redraw = stored_sub.add_parser("redraw", help="按种子重抽并比对 / re-draw from the seed and compare")
    redraw.add_argument("id", type=int)
    sheet = stored_sub.add_parser("sheet", help="现场核查表 / the inspector's sheet")
    sheet.add_argument("id", type=int)
    sheet.add_argument("--out", required=True)


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


async def _signals(args: argparse.Namespace) -> None:
    from ledger.services import signals

    overrides = signals.parse_overrides(args.threshold)
    report = await signals.compute(args.scope, args.period, overrides, set(args.kind or []), args.workshop)
    if args.format == "json":
        _print_json(report.as_json())
        return
    body = report.as_json(with_reviews=True)
    print(f"范围 scope {body['scope']}  期间 period {body['period']}  信号定义版本 v{body['definition_version']}  "
          f"共 {len(body['signals'])} 个 / signals")
    for s in body["signals"]:
        reviewed = "已复核 reviewed" if s["review"] else ""
        crossed = "≥" if SignalKind(s["kind"]) in COUNT_KINDS else ">"
        print(f"  {s['kind']:<20} {s['workshop']:<8} {s['month'] or '—':<8} {s['score']:>10} {crossed} {s['threshold']:<6} "
              f"{len(s['rows']):>4} 条  {reviewed}\n      {s['explanation_zh']}")


async def _sample(args: argparse.Namespace) -> None:
    from ledger.services import samples

    if args.format == "xlsx" and not args.out:
        raise SystemExit("xlsx 需要 --out / xlsx needs --out")
    if args.store or args.format == "xlsx":
        stored = await samples.store_sample(args.scope, args.period, args.method, args.size, args.seed,
                                            args.lock, args.note) if args.store else None
        if stored is not None:
            print(f"样本已保存 / sample stored: #{stored['id']}", file=sys.stderr)
        if args.format == "xlsx":
            if stored is None:
                raise SystemExit("现场核查表来自已保存的样本：加 --store / the sheet is of a stored sample: add --store")
            Path(args.out).write_bytes(await samples.inspection_sheet(stored["id"]))
            return
    sample = await samples.draw_sample(args.scope, args.period, args.method, args.size, args.seed)
    text = json.dumps(samples.sample_json(sample), ensure_ascii=False, indent=2)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    else:
        print(text)


async def _samples(args: argparse.Namespace) -> int:
    from ledger.services import samples

    if args.samples_command == "list":
        for s in await samples.list_samples():
            print(json.dumps({k: v for k, v in s.items() if k != "records"}, ensure_ascii=False))
        return 0
    if args.samples_command == "sheet":
        Path(args.out).write_bytes(await samples.inspection_sheet(args.id))
        return 0
    check = await samples.redraw(args.id)
    _print_json(check)
    return 0 if check["same_population"] and check["same_records"] else 1


async def _review(args: argparse.Namespace) -> None:
    from ledger.services import signals

    _print_json(await signals.review(args.key, args.note))


async def _threshold(args: argparse.Namespace) -> None:
    from ledger.services import signals

    _print_json(await signals.set_threshold(args.region, args.name, args.value))


def run(args: argparse.Namespace) -> bool:
    """Run a workbench verb; False when the command is not one of them."""
    from ledger.cli.imports import _with_engine

    if args.command == "signals":
        asyncio.run(_with_engine(_signals(args)))
    elif args.command == "signal-review":
        asyncio.run(_with_engine(_review(args)))
    elif args.command == "signal-threshold":
        asyncio.run(_with_engine(_threshold(args)))
    elif args.command == "sample":
        asyncio.run(_with_engine(_sample(args)))
    elif args.command == "samples":
        status = asyncio.run(_with_engine(_samples(args)))
        if status:
            sys.exit(status)
    else:
        return False
    return True
