"""The ``ledger`` command: serve, migrate, demo, and the verbs of the modules beside this one.

Every verb that writes goes through the same services as the API. Every command says on
stderr which database it opened (``where.py``); stdout carries only its output, and a reader
that stops early (``ledger figures … | head -1``) ends it quietly.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import warnings

from ledger.access import Actor, acting_as
from ledger.cli import audit as cli_audit
from ledger.cli import imports as cli_import
from ledger.cli import publish as cli_publish
from ledger.cli import trust as cli_trust
from ledger.cli import where
from ledger.cli import workbench as cli_workbench
from ledger.core.enums import Role, WritePath
from ledger.errors import LedgerError


def cli_actor() -> Actor:
    """Whoever runs the command on the server is trusted with the database already; the
    journal names them by their login (``cli:alice``) and the path ``cli``."""
    import getpass

    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        login = str(os.getuid())
    return Actor(username=f"cli:{login}", role=Role.system, path=WritePath.cli)


def _ensure_conf() -> None:
    # Piccolo finds its configuration by module name; make the repository's one importable
    # wherever the command is run from.
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if here not in sys.path:
        sys.path.insert(0, here)
    os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")


async def migrate() -> None:
    from piccolo.apps.migrations.commands.forwards import run_forwards


    result = await run_forwards("all")
    if not result.success:
        raise SystemExit(f"迁移失败 / migration failed: {result.message}")
    await where.ensure_key()


DEMO_OPERATOR_WORKSHOPS = ["YK-01", "YK-02"]


async def ensure_user(username: str, password: str, role: str, workshops: list[str] | None = None) -> bool:
    """Create a user unless one of that name exists (for the demo and first set-up)."""
    from piccolo.apps.user.tables import BaseUser

    from ledger.services import users

    if await BaseUser.exists().where(BaseUser.username == username):
        return False
    await users.create_user(username, password, role, workshops or [])
    return True


async def demo(host: str, port: int) -> None:
    from ledger.settings import get_settings
    from seeds.demo import load_demo

    settings = get_settings()
    await migrate()
    loaded = await load_demo(progress=_Stages())
    await ensure_user(settings.demo_admin_user, settings.demo_admin_password, "admin")
    await ensure_user("auditor", settings.demo_auditor_password, "auditor")
    await ensure_user("operator", settings.demo_operator_password, "operator", DEMO_OPERATOR_WORKSHOPS)
    print("演示数据已载入 / demo data loaded" if loaded else "演示数据已存在 / demo data already present")
    url = f"http://{host}:{port}"
    print(f"""
  API 文档 / API docs : {url}/docs/swagger   (登录 / sign in: POST /api/v1/auth/login)
  管理后台 / admin    : {url}/admin/
  演示用户 / demo users (for a laptop only):
    管理员 admin      : {settings.demo_admin_user} / {settings.demo_admin_password}   (admin panel)
    审核员 auditor    : auditor / {settings.demo_auditor_password}   (figures, claims, sign-off, journal)
    运营方 operator   : operator / {settings.demo_operator_password}   (workshops {", ".join(DEMO_OPERATOR_WORKSHOPS)})
  数据库 / database   : {settings.database_label}
""")


class _Stages:
    """The demo load's progress: a line per stage on stderr, with its count and the time so far."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        where.say("正在载入永康演示数据（约需一两分钟）/ loading the 永康 demo (a minute or two) …")

    def __call__(self, line: str) -> None:
        where.say(f"  [{time.monotonic() - self.started:5.1f} s] {line}")


NOT_MIGRATED = "数据库里还没有台账的表，请先运行 ledger migrate / the database has no ledger tables yet: run `ledger migrate` first"


async def _refuse_an_unmigrated_database() -> None:
    """Serving a database without the ledger's tables would answer every request with a 500."""
    from ledger.tables import AuditEntry

    if not await AuditEntry.table_exists():
        print(NOT_MIGRATED, file=sys.stderr)
        raise SystemExit(2)


def serve(host: str, port: int) -> None:
    import uvicorn

    from ledger.api.app import create_app

    asyncio.run(_refuse_an_unmigrated_database())
    where.say(f"服务地址 / serving at http://{host}:{port}")
    uvicorn.run(create_app(), host=host, port=port, log_level="info")


def _add_host_and_port(parser: argparse.ArgumentParser) -> None:
    from ledger.settings import get_settings

    settings = get_settings()
    parser.add_argument("--host", default=settings.host,
                        help=f"监听地址 / address to listen on (LEDGER_HOST, default {settings.host})")
    parser.add_argument("--port", type=int, default=settings.port,
                        help=f"端口 / port (LEDGER_PORT, default {settings.port})")


def main(argv: list[str] | None = None) -> None:
    _ensure_conf()
    from ledger.settings import SettingsError, get_settings

    try:
        get_settings()
    except SettingsError as exc:  # before anything reads them (the parser's defaults do)
        print(exc, file=sys.stderr)
        raise SystemExit(2) from None
    parser = argparse.ArgumentParser(prog="ledger", description="共富工坊台账 / common-prosperity workshop ledger")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_host_and_port(sub.add_parser("serve", help="运行 API 与管理后台 / run the API and the admin panel"))
    sub.add_parser("migrate", help="建立或升级数据库（没有则新建）/ apply the migrations (makes a new database)")
    demo_parser = sub.add_parser("demo", help="载入永康演示数据并创建演示管理员 / load the 永康 demo")
    demo_parser.add_argument("--serve", action="store_true", help="载入后启动服务 / then serve")
    _add_host_and_port(demo_parser)
    cli_import.add_parsers(sub)
    cli_audit.add_parsers(sub)
    cli_trust.add_parsers(sub)
    cli_publish.add_parsers(sub)
    cli_workbench.add_parsers(sub)
    args = parser.parse_args(argv)
    # Piccolo warns, coloured, when it cannot reach a server; the one line below says it plainly.
    warnings.filterwarnings("ignore", message=r"(\x1b\[\d+m)?Unable to (connect|fetch server version)")
    try:
        if where.opens_a_database(args):
            where.announce(args.command)
        with acting_as(cli_actor()):
            _run(args)
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
    except BrokenPipeError:
        _quiet_after_a_closed_pipe()
    except LedgerError as exc:
        print(exc.message, file=sys.stderr)
        for problem in exc.problems:
            row = f"row {problem.row} " if problem.row is not None else ""
            print(f"  - {row}{problem.field}: {problem.message}", file=sys.stderr)
        raise SystemExit(2) from None
    except Exception as exc:
        from ledger.settings import get_settings

        if where.cannot_connect(exc):
            missing = getattr(exc, "sqlstate", None) == "3D000"
            print(f"无法打开数据库 / cannot open the database {get_settings().database_label}: "
                  f"{type(exc).__name__}: {exc}"
                  + ("（请先建库 / create it first: createdb）" if missing else ""), file=sys.stderr)
            raise SystemExit(2) from None
        if not _no_tables_yet(exc):
            raise
        print(NOT_MIGRATED, file=sys.stderr)
        raise SystemExit(2) from None


def _quiet_after_a_closed_pipe() -> None:
    """The reader went away (``| head -1``): what is left to print goes nowhere, and the
    interpreter's own flush at exit must not complain either (the recipe in Python's
    documentation of SIGPIPE)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    raise SystemExit(1)


def _no_tables_yet(exc: BaseException) -> bool:
    """A fresh database someone forgot to migrate (SQLite's and PostgreSQL's words for it)."""
    return type(exc).__name__ == "UndefinedTableError" or (
        type(exc).__name__ == "OperationalError" and "no such table" in str(exc))


def _run(args: argparse.Namespace) -> None:
    if cli_import.run(args):
        return
    if cli_audit.run(args):
        return
    if cli_trust.run(args):
        return
    if cli_publish.run(args):
        return
    if cli_workbench.run(args):
        return
    if args.command == "migrate":
        asyncio.run(migrate())
    elif args.command == "demo":
        asyncio.run(demo(args.host, args.port))
        if args.serve:
            serve(args.host, args.port)
    elif args.command == "serve":
        serve(args.host, args.port)

