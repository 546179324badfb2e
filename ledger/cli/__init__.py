"""The ``ledger`` command: serve, migrate, demo (more verbs come with later features).

Every verb that writes goes through the same services as the API.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from ledger.access import Actor, acting_as
from ledger.cli import audit as cli_audit
from ledger.cli import imports as cli_import
from ledger.cli import publish as cli_publish
from ledger.cli import trust as cli_trust
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


DEMO_OPERATOR_WORKSHOPS = ["YK-01", "YK-02"]


async def ensure_user(username: str, password: str, role: str, workshops: list[str] | None = None) -> bool:
    """Create a user unless one of that name exists (for the demo and first set-up)."""
    from piccolo.apps.user.tables import BaseUser

    from ledger.services import users

    if await BaseUser.exists().where(BaseUser.username == username):
        return False
    await users.create_user(username, password, role, workshops or [])
    return True


async def demo() -> None:
    from ledger.settings import get_settings
    from seeds.demo import load_demo

    settings = get_settings()
    await migrate()
    loaded = await load_demo()
    await ensure_user(settings.demo_admin_user, settings.demo_admin_password, "admin")
    await ensure_user("auditor", settings.demo_auditor_password, "auditor")
    await ensure_user("operator", settings.demo_operator_password, "operator", DEMO_OPERATOR_WORKSHOPS)
    print("演示数据已载入 / demo data loaded" if loaded else "演示数据已存在 / demo data already present")
    url = f"http://{settings.host}:{settings.port}"
    print(f"""
  API 文档 / API docs : {url}/docs/swagger   (登录 / sign in: POST /api/v1/auth/login)
  管理后台 / admin    : {url}/admin/
  演示用户 / demo users (for a laptop only):
    管理员 admin      : {settings.demo_admin_user} / {settings.demo_admin_password}   (admin panel)
    审核员 auditor    : auditor / {settings.demo_auditor_password}   (figures, claims, sign-off, journal)
    运营方 operator   : operator / {settings.demo_operator_password}   (workshops {", ".join(DEMO_OPERATOR_WORKSHOPS)})
  数据库 / database   : {settings.database_url}
""")


NOT_MIGRATED = "数据库里还没有台账的表，请先运行 ledger migrate / the database has no ledger tables yet: run `ledger migrate` first"


async def _refuse_an_unmigrated_database() -> None:
    """Serving a database without the ledger's tables would answer every request with a 500."""
    from ledger.tables import AuditEntry

    if not await AuditEntry.table_exists():
        print(NOT_MIGRATED, file=sys.stderr)
        raise SystemExit(2)


def serve() -> None:
    import uvicorn

    from ledger.api.app import create_app
    from ledger.settings import get_settings

    settings = get_settings()
    asyncio.run(_refuse_an_unmigrated_database())
    uvicorn.run(create_app(), host=settings.host, port=settings.port, log_level="info")


def main(argv: list[str] | None = None) -> None:
    _ensure_conf()
    parser = argparse.ArgumentParser(prog="ledger", description="共富工坊台账 / common-prosperity workshop ledger")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="运行 API 与管理后台 / run the API and the admin panel")
    sub.add_parser("migrate", help="建立或升级数据库 / apply the migrations")
    demo_parser = sub.add_parser("demo", help="载入永康演示数据并创建演示管理员 / load the 永康 demo")
    demo_parser.add_argument("--serve", action="store_true", help="载入后启动服务 / then serve")
    cli_import.add_parsers(sub)
    cli_audit.add_parsers(sub)
    cli_trust.add_parsers(sub)
    cli_publish.add_parsers(sub)
    args = parser.parse_args(argv)
    try:
        with acting_as(cli_actor()):
            _run(args)
    except LedgerError as exc:
        print(exc.message, file=sys.stderr)
        for problem in exc.problems:
            where = f"row {problem.row} " if problem.row is not None else ""
            print(f"  - {where}{problem.field}: {problem.message}", file=sys.stderr)
        raise SystemExit(2) from None
    except Exception as exc:
        if not _no_tables_yet(exc):
            raise
        print(NOT_MIGRATED, file=sys.stderr)
        raise SystemExit(2) from None


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
    if args.command == "migrate":
        asyncio.run(migrate())
    elif args.command == "demo":
        asyncio.run(demo())
        if args.serve:
            serve()
    elif args.command == "serve":
        serve()

