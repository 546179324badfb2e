import httpx
import pytest
from dbfixtures import db  # noqa: F401

from ledger.api.app import create_app
from ledger.cli import ensure_user

ADMIN_USER, ADMIN_PASSWORD = "admin", "admin-test-password-1"
_app = None


def app():
    global _app
    if _app is None:
        _app = create_app()
    return _app


class AdminClient:
    """The admin panel's own JSON API, as its web page calls it: session cookie + CSRF."""

    def __init__(self, client: httpx.AsyncClient):
        self.client = client

    def _headers(self) -> dict[str, str]:
        return {"X-CSRFToken": self.client.cookies.get("csrftoken", "")}

    async def login(self) -> None:
        await self.client.get("/admin/")
        response = await self.client.post("/admin/public/login/", headers=self._headers(),
                                          json={"username": ADMIN_USER, "password": ADMIN_PASSWORD})
        assert response.status_code == 200, response.text

    async def get(self, table: str, **params):
        return await self.client.get(f"/admin/api/tables/{table}/", params=params)

    async def post(self, table: str, data: dict):
        return await self.client.post(f"/admin/api/tables/{table}/", json=data, headers=self._headers())

    async def patch(self, table: str, row_id: int, data: dict):
        return await self.client.patch(f"/admin/api/tables/{table}/{row_id}/", json=data, headers=self._headers())

    async def delete(self, table: str, row_id: int):
        return await self.client.delete(f"/admin/api/tables/{table}/{row_id}/", headers=self._headers())


@pytest.fixture
async def admin(db):  # noqa: F811
    await ensure_user(ADMIN_USER, ADMIN_PASSWORD, "admin")
    transport = httpx.ASGITransport(app=app())
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
        client = AdminClient(c)
        await client.login()
        yield client
