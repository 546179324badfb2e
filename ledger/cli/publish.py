"""The publishing verbs: seals, restatements and public tables.

    ledger seal export --period P [--workshop CODE] --out SEAL.json [--rows ROWS.csv|xlsx]
    ledger seal verify SEAL.json EXPORT.csv|xlsx|PROOF.json [--public-key KEY.pem]
                                                  (exit 0 when it matches, 1 naming what does not)
    ledger seal prove --period P [--workshop CODE] --row N --out PROOF.json
    ledger seal key                               (the installation's public key, PEM)
    ledger restatements [--format json|table]
    ledger publish --scope S --period P [--k 5] [--by workshop|region] [--format json|csv|xlsx]
                   [--out PATH] [--seal-out SEAL.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any


def add_parsers(sub: Any) -> None:
    seal = sub.add_parser("seal", help="封存 / period seals")
    seal_sub = seal.add_subparsers(dest="seal_command", required=True)
    export = seal_sub.add_parser("export", help="导出期间的封存 / export a period's seal")
    export.add_argument("--period", required=True)
    export.add_argument("--workshop", help="工坊编码（缺省为全部工坊）/ workshop code (default: all)")
    export.add_argument("--out", required=True, type=Path)
    export.add_argument("--rows", type=Path, help="同时写出封存的记录表（.csv 或 .xlsx）/ also write the sealed sheet")
    verify = seal_sub.add_parser("verify", help="核对导出表或包含证明 / verify an export or a proof")
    verify.add_argument("seal", type=Path)
    verify.add_argument("export", type=Path)
    verify.add_argument("--public-key", type=Path)
    prove = seal_sub.add_parser("prove", help="某一行的包含证明 / an inclusion proof for one row")
    prove.add_argument("--period", required=True)
    prove.add_argument("--workshop")
    prove.add_argument("--row", required=True, type=int, help="表头下第几行（从 1 起）/ row under the header, from 1")
    prove.add_argument("--out", required=True, type=Path)
    seal_sub.add_parser("key", help="本台账的封存公钥（PEM）/ this installation's public key")

    restated = sub.add_parser("restatements", help="因更正而改变对账结论的公开数据 / restated claims")
    restated.add_argument("--format", choices=["json", "table"], default="table")

    publish = sub.add_parser("publish", help="公开表（小格不公布）/ a public table with small cells withheld")
    publish.add_argument("--scope", required=True)
    publish.add_argument("--period", required=True)
    publish.add_argument("--k", type=int, default=5)
    publish.add_argument("--by", choices=["workshop", "region"], default="workshop")
    publish.add_argument("--format", choices=["json", "csv", "xlsx"], default="json")
    publish.add_argument("--out", type=Path)
    publish.add_argument("--seal-out", type=Path)


def _write(path: Path | None, content: bytes) -> None:
    if path is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    else:
        path.write_bytes(content)


def _fmt(path: Path) -> str:
    return "xlsx" if path.suffix.lower() == ".xlsx" else "csv"


async def _seal(args: argparse.Namespace) -> int:
    from ledger.core import seal as core
    from ledger.services import seals

    if args.seal_command == "key":
        print(seals.public_key_pem(), end="")
        return 0
    if args.seal_command == "verify":
        findings = core.verify_files(args.seal, args.export, args.public_key)
        for finding in findings:
            print(finding)
        if not findings:
            print("一致：签名有效，内容与封存相符 / matches: the signature is valid and the content is the sealed one")
        return 1 if findings else 0
    row = await seals.seal_for(args.period, args.workshop)
    document = seals.document(row)
    if args.seal_command == "prove":
        args.out.write_text(json.dumps(await seals.proof(row, args.row), ensure_ascii=False, indent=1),
                            encoding="utf-8")
        return 0
    args.out.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.rows:
        args.rows.write_bytes(seals.sheet_bytes(document["payload"]["columns"], await seals.sealed_rows(row),
                                                _fmt(args.rows)))
    print(f"封存 #{row['id']}（{row['scope']} {row['period']}，{document['payload']['row_count']} 行，"
          f"根 {row['merkle_root'][:16]}…）/ seal #{row['id']} written to {args.out}", file=sys.stderr)
    return 0


async def _restatements(args: argparse.Namespace) -> int:
    from ledger.services import seals

    items = await seals.restatements()
    if args.format == "json":
        print(json.dumps({"restatements": items}, ensure_ascii=False, indent=1))
        return 0
    if not items:
        print("没有因更正而改变结论的公开数据 / no claim's reconciliation changed between seals")
    for item in items:
        print(f"公开数据 #{item['claim']} {item['title']}：封存 #{item['old_seal']} → #{item['new_seal']}")
        for change in item["changes"]:
            old, new = change["old"] or {}, change["new"] or {}
            print(f"  {change['metric']}: {old.get('status')} ({old.get('ledger')}) → "
                  f"{new.get('status')} ({new.get('ledger')})")
    return 0


async def _publish(args: argparse.Namespace) -> int:
    from ledger.services import publishing, seals

    table = await publishing.public_table(args.scope, args.period, k=args.k, by=args.by)
    if args.seal_out:
        args.seal_out.write_text(json.dumps(table["seal"], ensure_ascii=False, indent=1), encoding="utf-8")
    if args.format == "json":
        _write(args.out, json.dumps({k: v for k, v in table.items() if k != "seal"}, ensure_ascii=False,
                                    indent=1).encode("utf-8") + b"\n")
    else:
        _write(args.out, seals.sheet_bytes(table["columns"], table["rows"], args.format))
    print(f"{len(table['suppressed'])} 项不公布（k={args.k}），封存 #{table['seal_id']} / {len(table['suppressed'])} "
          f"entries withheld, seal #{table['seal_id']}", file=sys.stderr)
    return 0


def run(args: argparse.Namespace) -> bool:
    from ledger.cli.imports import _with_engine

    handlers = {"seal": _seal, "restatements": _restatements, "publish": _publish}
    handler = handlers.get(args.command)
    if handler is None:
        return False
    if args.command == "seal" and args.seal_command == "verify":
        status = asyncio.run(handler(args))  # an outsider's check: no database needed
    else:
        status = asyncio.run(_with_engine(handler(args)))
    if status:
        sys.exit(status)
    return True
