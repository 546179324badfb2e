"""The ``ledger user``, ``ledger token`` and ``ledger audit`` verbs.

    ledger user create NAME --role operator|auditor|admin [--workshop CODE ...] [--password P]
    ledger token create NAME [--name PURPOSE]      (prints the token once)
    ledger token revoke ID
    ledger audit verify                            (exit status 1 when anything is wrong)
    ledger audit log [--table T] [--row N] [--user U] [--limit N]

Run on the server by whoever holds the database; journaled as ``cli:<login>``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import sys
from typing import Any


def add_parsers(sub: Any) -> None:
    user = sub.add_parser("user", help="用户 / users")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    create = user_sub.add_parser("create", help="创建用户 / create a user")
    create.add_argument("username")
    create.add_argument("--role", required=True, choices=["operator", "auditor", "admin"])
    create.add_argument("--workshop", action="append", default=[], help="运营方的工坊编码，可多次 / workshop code")
    create.add_argument("--password", help="不填则生成并打印 / generated and printed when omitted")

    token = sub.add_parser("token", help="Bearer 令牌 / bearer tokens")
    token_sub = token.add_subparsers(dest="token_command", required=True)
    make = token_sub.add_parser("create", help="创建令牌 / create a token")
    make.add_argument("username")
    make.add_argument("--name", default="", help="用途 / purpose")
    revoke = token_sub.add_parser("revoke", help="吊销令牌 / revoke a token")
    revoke.add_argument("id", type=int)

    audit = sub.add_parser("audit", help="审计日志 / the audit journal")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    audit_sub.add_parser("verify", help="校验哈希链并与各表回放比对 / verify the chain and replay it")
    log = audit_sub.add_parser("log", help="列出日志 / list entries")
    log.add_argument("--table")
    log.add_argument("--row", type=int)
    log.add_argument("--user")
    log.add_argument("--limit", type=int, default=50)


async def _user(args: argparse.Namespace) -> None:
    from ledger.services import users

    password = args.password or secrets.token_urlsafe(12)
    user = await users.create_user(args.username, password, args.role, args.workshop)
    print(json.dumps(user, ensure_ascii=False))
    if not args.password:
        print(f"密码 / password: {password}")


async def _token(args: argparse.Namespace) -> None:
    from ledger.services import users

    if args.token_command == "create":
        created = await users.create_token(args.username, args.name)
        print(f"令牌（只显示这一次）/ token (shown this once): {created['token']}")
    else:
        print(json.dumps(await users.revoke_token(args.id), ensure_ascii=False))


async def _audit(args: argparse.Namespace) -> int:
    from ledger.services import audit

    if args.audit_command == "log":
        page = await audit.list_entries(1, max(1, min(args.limit, 500)), args.table, args.row, args.user)
        for entry in page.items:
            print(json.dumps(entry, ensure_ascii=False))
        return 0
    result = await audit.verify()
    print(f"日志条目 / entries: {result.entries}   最后序号 / head: {result.head_seq} {result.head_hash}")
    if result.ok:
        print("完好：哈希链连续，回放与各表一致 / intact: the chain holds and replays to the tables")
        return 0
    for finding in result.findings:
        where = f"#{finding.seq} " if finding.seq is not None else ""
        print(f"  [{finding.kind}] {where}{finding.zh} / {finding.en}")
    return 1


def run(args: argparse.Namespace) -> bool:
    from ledger.cli.imports import _with_engine

    if args.command == "user":
        asyncio.run(_with_engine(_user(args)))
    elif args.command == "token":
        asyncio.run(_with_engine(_token(args)))
    elif args.command == "audit":
        status = asyncio.run(_with_engine(_audit(args)))
        if status:
            sys.exit(status)
    else:
        return False
    return True
