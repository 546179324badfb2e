"""schemathesis against the app's own OpenAPI schema: whatever it sends, never a 5xx."""

from __future__ import annotations

import asyncio
import os

import pytest
import schemathesis
from dbfixtures import reset_schema, token_for, world
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from ledger.api.app import create_app


@pytest.fixture(scope="module", autouse=True)
def seeded_database():
    async def prepare():
        await reset_schema()
        await world()
        return await token_for("fuzz-admin", "admin")

    TOKEN.append(asyncio.run(prepare()))
    import dbfixtures

    dbfixtures._migrated = False  # the next async test starts from a clean schema again


TOKEN: list[str] = []
schema = schemathesis.openapi.from_asgi("/docs/openapi.json", create_app(with_admin=False))


@schema.parametrize()
@settings(max_examples=int(os.environ.get("LEDGER_FUZZ_EXAMPLES", "30")), deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_makes_the_api_fail_with_a_5xx(case):
    case.call_and_validate(checks=[not_a_server_error], headers={"Authorization": f"Bearer {TOKEN[0]}"})
