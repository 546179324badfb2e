"""Piccolo's configuration: the database engine comes from ``LEDGER_DATABASE_URL``."""

from piccolo.conf.apps import AppRegistry

from ledger.db import make_engine

DB = make_engine()

APP_REGISTRY = AppRegistry(
    apps=[
        "ledger.piccolo_app",
        "piccolo.apps.user.piccolo_app",
        "piccolo_api.session_auth.piccolo_app",
    ]
)
