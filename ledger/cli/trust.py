"""The ``ledger user``, ``ledger token`` and ``ledger audit`` verbs.

    ledger user create NAME --role operator|auditor|admin [--workshop CODE ...] [--password P]
    ledger user list [--json]
    ledger user deactivate NAME                    (role, workshops and tokens revoked, on the record)
    ledger user set-password NAME [--password P]   (else asked at a prompt, or one line of stdin)
    ledger token create NAME [--name PURPOSE]      (prints the token once)
    ledger token revoke ID
    ledger audit verify                            (exit status 1 when anything is wrong)
    ledger audit log [--table T] [--row N] [--user U] [--limit N] [--format json|table]

Run on the server by whoever holds the database; journaled as ``cli:<login>``. Times a
person reads are in Beijing time; JSON keeps the stored UTC times.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import secrets
import sys
from typing import Any

from ledger.cli.where import say
from ledger.core.localtime import shown


def add_parsers(sub: Any) -> None:
    user = sub.add_parser("user", help="用户 / users")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    create = user_sub.add_parser("create", help="创建用户 / create a user")
    create.add_argument("username")
    create.add_argument("--role", required=True, choices=["operator", "auditor", "admin"])
    create.add_argument("--workshop", action="append", default=[], help="运营方的工坊编码，可多次 / workshop code")
    create.add_argument("--password", help="不填则生成并打印 / generated and printed when omitted")
    listing = user_sub.add_parser("list", help="列出用户 / list the users")
    listing.add_argument("--json", action="store_true", help="以 JSON 输出 / print JSON lines")
    off = user_sub.add_parser("deactivate", help="停用用户：撤销角色、工坊与令牌 / deactivate a user")
    off.add_argument("username")
    new_password = user_sub.add_parser(
        "set-password", help="设置新密码（提示输入或读标准输入）/ set a new password (prompted, or from stdin)")
    new_password.add_argument("username")
    new_password.add_argument("--password", help="明文写在命令行会留在 shell 历史里 / in argv it stays in the "
                                                 "shell's history: prefer the prompt or stdin")

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
    log.add_argument("--format", choices=["json", "table"], default="json",
                     help="table 以北京时间显示 / table shows Beijing time")


async def _user(args: argparse.Namespace) -> None:
    from ledger.services import users

    if args.user_command == "list":
        _print_users(await users.list_users(), args.json)
        return
    if args.user_command == "deactivate":
        user = await users.deactivate_user(args.username)
        print(f"已停用 {user['username']}：角色、工坊与令牌均已撤销 / deactivated {user['username']}: "
              "role, workshops and tokens revoked")
        return
    if args.user_command == "set-password":
        user = await users.set_password(args.username, _new_password(args))
        print(f"已为 {user['username']} 设置新密码，其登录会话已结束 / new password set for {user['username']}; "
              "their sessions are ended")
        return
    password = args.password or secrets.token_urlsafe(12)
    user = await users.create_user(args.username, password, args.role, args.workshop)
    print(json.dumps(user, ensure_ascii=False))
    if not args.password:
        print(f"密码 / password: {password}")


def _print_users(rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return
    print(f"{'id':>5}  {'用户名 username':<24} {'角色 role':<10} {'状态 state':<16} 工坊 workshops")
    for row in rows:
        state = "启用 active" if row["active"] else "已停用 inactive"
        print(f"{row['id']:>5}  {row['username']:<24} {row['role'] or '—':<10} {state:<16} "
              f"{', '.join(row['workshops']) or '—'}")


def _new_password(args: argparse.Namespace) -> str:
    """From --password if given; else typed twice at a prompt (not echoed), or the first line
    of stdin when it is not a terminal (``printf '%s\\n' "$PW" | ledger user set-password bob``)."""
    if args.password is not None:
        return args.password
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("新密码 / new password: ")
    if getpass.getpass("再输入一次 / again: ") != first:
        say("两次输入的密码不一致 / the two passwords differ")
        raise SystemExit(2)
    return first


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
            if args.format == "table":
                print(f"#{entry['seq']:<7} {shown(entry['at'])}  {entry['username']:<20} {entry['path']:<7} "
                      f"{entry['action']:<7} {entry['table_name']} {entry['row_id']}")
            else:
                print(json.dumps(entry, ensure_ascii=False))
        return 0
    result = await audit.verify(progress=lambda line: say(f"  {line}"))
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
