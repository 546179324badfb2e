import httpx
import pytest
from dbfixtures import bearer, db, token_for  # noqa: F401

from ledger.api.app import create_app

_app = None


def app():
    global _app
    if _app is None:
        _app = create_app()
    return _app


@pytest.fixture
async def anonymous(db):  # noqa: F811
    # In the test's own event loop (no lifespan, so no connection pool): the test's direct
    # database checks and the app then share one loop on PostgreSQL too.
    transport = httpx.ASGITransport(app=app())
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def client(anonymous):
    """A client signed in as an admin (by bearer token): most API tests are about rules,
    not roles; the authorization tests make their own users."""
    anonymous.headers.update(bearer(await token_for("api-admin", "admin")))
    return anonymous
