"""The Litestar application: API under /api/v1, docs under /docs, admin under /admin."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from litestar import Litestar, Router, asgi, get
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.types import Receive, Scope, Send
from piccolo.engine.postgres import PostgresEngine

from ledger import __version__, logs
from ledger.api.auth import AUTH_CONTROLLERS, AuthMiddleware
from ledger.api.controllers import CONTROLLERS
from ledger.api.errors import EXCEPTION_HANDLERS, document_errors
from ledger.api.imports import ImportController
from ledger.api.publishing import PUBLISHING_CONTROLLERS
from ledger.api.reconciliation import RECONCILIATION_CONTROLLERS
from ledger.api.trust import TRUST_CONTROLLERS
from ledger.api.workbench import WORKBENCH_CONTROLLERS, workbench_page
from ledger.db import engine, read_engine, start_pool
from ledger.services.actor_cache import ACTORS
from ledger.services.aggregates import QUEUE_SWEEPER
from ledger.settings import get_settings

DESCRIPTION = """共富工坊台账 API — records hires and monthly pay at common-prosperity workshops, computes
the official figures by written definitions, and reconciles published claims.

登录 / sign in: `POST /api/v1/auth/login` (session cookie; writes send `X-CSRF-Token`), or
`Authorization: Bearer lgr_…` (a token an admin created). 未登录 401；越权 403 / no credential 401,
not allowed 403. Operators see only their own workshops' rows.

金额一律为十进制字符串（元，精确到分）/ money is always a decimal string of yuan, exact to the fen.
错误返回 4xx，列出全部问题（字段、原因，中英文）/ errors are 4xx naming every problem, in Chinese and English.
"""


SWAGGER_ASSETS = "/docs-assets"
"""Swagger UI 5 (it renders OpenAPI 3.1; the 4.x of ``swagger-ui-bundle`` answers "does not
specify a valid version field"), served from the ``swagger-ui-py`` package's static folder:
no CDN, and the favicon is its own too (Litestar's default one is on a CDN)."""


def _swagger_assets() -> Path:
    from importlib.util import find_spec

    spec = find_spec("swagger_ui")  # the folder only: importing swagger_ui would load its web-framework glue
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("swagger-ui-py is not installed (pip install -e .)")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


@asynccontextmanager
async def lifespan(_: Litestar) -> AsyncIterator[None]:
    logs.install()  # after the server configured its logging: no ID number or phone in any line
    db = engine()
    pool = isinstance(db, PostgresEngine) and get_settings().db_pool
    replica = read_engine()  # the primary itself unless LEDGER_READ_DATABASE_URL is set
    replica_pool = pool and replica is not db
    if pool:
        await start_pool(db)
        await ACTORS.start(db.config["dsn"])  # remember who tokens are, while told of changes
        QUEUE_SWEEPER.start()  # keep the aggregates' queue free of dead rows while writes come in
    if replica_pool:
        await start_pool(replica)
    try:
        yield
    finally:
        if pool:
            await QUEUE_SWEEPER.stop()
            await ACTORS.stop()
        if replica_pool:
            await replica.close_connection_pool()
        if pool:
            await db.close_connection_pool()


@get("/", include_in_schema=False)
async def index() -> Redirect:
    return Redirect("/docs/swagger")


@get("/healthz", include_in_schema=False)
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


def create_app(with_admin: bool = True) -> Litestar:
    logs.install()
    api = document_errors(Router("/api/v1", route_handlers=[*AUTH_CONTROLLERS, *CONTROLLERS, ImportController,
                                                            *RECONCILIATION_CONTROLLERS, *TRUST_CONTROLLERS,
                                                            *PUBLISHING_CONTROLLERS, *WORKBENCH_CONTROLLERS],
                                 middleware=[AuthMiddleware]))
    handlers: list = [index, healthz, api, workbench_page,
                      create_static_files_router(SWAGGER_ASSETS, directories=[_swagger_assets()],
                                                 include_in_schema=False)]
    if with_admin:
        from ledger.admin import build_admin
        from ledger.admin.writes import admin_guard

        admin_app = build_admin()

        @asgi("/admin", is_mount=True, copy_scope=True)
        async def admin(scope: Scope, receive: Receive, send: Send) -> None:
            await admin_guard(admin_app, scope, receive, send)

        handlers.append(admin)
    return Litestar(
        route_handlers=handlers,
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        lifespan=[lifespan],
        openapi_config=OpenAPIConfig(
            title="共富工坊台账 Ledger API",
            version=__version__,
            description=DESCRIPTION,
            path="/docs",
            components=Components(security_schemes={
                "bearer": SecurityScheme(type="http", scheme="bearer",
                                         description="管理员创建的令牌 / a token an admin created (lgr_…)"),
                "session": SecurityScheme(type="apiKey", security_scheme_in="cookie", name="ledger_session",
                                          description="POST /api/v1/auth/login 设置；写操作另需 X-CSRF-Token / set by "
                                                      "login; writes also need X-CSRF-Token"),
            }),
            security=[{"bearer": []}, {"session": []}],
            render_plugins=[SwaggerRenderPlugin(
                js_url=f"{SWAGGER_ASSETS}/swagger-ui-bundle.js",
                css_url=f"{SWAGGER_ASSETS}/swagger-ui.css",
                standalone_preset_js_url=f"{SWAGGER_ASSETS}/swagger-ui-standalone-preset.js",
                favicon=f"<link rel='icon' type='image/png' href='{SWAGGER_ASSETS}/favicon-32x32.png'>",
            )],
        ),
    )
