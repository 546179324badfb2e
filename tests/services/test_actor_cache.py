"""A server process remembers who a bearer token acts as only while PostgreSQL tells it of
every change: a revocation, a role or workshop change, a deactivated user — made by the
services, or by anyone else on another connection — is obeyed from the next request on.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
from dbfixtures import actor, token_for, world

from ledger.core.enums import Role, WritePath
from ledger.db import engine
from ledger.services import actor_cache, users
from ledger.services.actor_cache import ACTORS
from ledger.tables import ApiToken

pytestmark = pytest.mark.skipif(engine().engine_type != "postgres",
                                reason="the cache listens for PostgreSQL's notifications")


@pytest.fixture
async def listening(db) -> AsyncIterator[None]:
    await ACTORS.start(engine().config["dsn"])
    assert ACTORS.listening
    try:
        yield
    finally:
        await ACTORS.stop()


async def another_process(sql: str, *args) -> None:
    """A change made on a connection of its own, as a script or another server would."""
    connection = await asyncpg.connect(engine().config["dsn"])
    try:
        await connection.execute(sql, *args)
    finally:
        await connection.close()


async def until(condition, what: str) -> None:
    """Wait for the notification to arrive (a guard against waiting forever, not a speed limit)."""
    for _ in range(3000):
        if await condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"still waiting for {what}")


async def operator_token() -> str:
    await world()
    return await token_for("op", "operator", "T-01")


def key(token: str) -> str:
    return users._token_hash(token)


async def test_a_token_read_once_is_remembered_while_the_process_listens(listening):
    token = await operator_token()
    first = await users.actor_for_token(token)
    assert first is not None and first.username == "op"
    assert ACTORS.get(key(token)) == first
    assert await users.actor_for_token(token) == first


async def deaf() -> None:
    """Stop hearing notifications, so that only the service's own forgetting is tested (a
    notification could otherwise arrive first)."""
    await ACTORS._connection.remove_listener(actor_cache.CHANNEL, ACTORS._notified)


async def test_a_token_revoked_by_the_service_is_refused_at_once(listening):
    token = await operator_token()
    assert await users.actor_for_token(token) is not None
    await deaf()
    [row] = await ApiToken.select(ApiToken.id).where(ApiToken.token_hash == key(token))
    with actor("admin"):
        await users.revoke_token(row["id"])
    assert await users.actor_for_token(token) is None  # no waiting: the service forgot after its commit


async def test_a_deactivated_users_token_is_refused_at_once(listening):
    token = await operator_token()
    assert await users.actor_for_token(token) is not None
    await deaf()
    with actor("admin"):
        await users.deactivate_user("op")
    assert await users.actor_for_token(token) is None


async def test_a_revocation_by_another_connection_is_obeyed_when_its_notification_arrives(listening):
    token = await operator_token()
    assert await users.actor_for_token(token) is not None
    await another_process("UPDATE api_token SET revoked_at = '2026-12-05T05:00:00+08:00' WHERE token_hash = $1",
                          key(token))

    async def refused() -> bool:
        return await users.actor_for_token(token) is None

    await until(refused, "the revocation's notification")


async def test_a_role_and_workshops_changed_elsewhere_are_read_again(listening):
    token = await operator_token()
    before = await users.actor_for_token(token)
    assert before is not None and before.role is Role.operator and len(before.workshops) == 1
    await another_process("DELETE FROM user_workshop WHERE \"user\" = $1", before.user_id)

    async def without_the_workshop() -> bool:
        found = await users.actor_for_token(token)
        return found is not None and found.workshops == frozenset()

    await until(without_the_workshop, "the workshop withdrawal's notification")
    await another_process("UPDATE user_role SET role = 'auditor' WHERE \"user\" = $1", before.user_id)

    async def an_auditor() -> bool:
        found = await users.actor_for_token(token)
        return found is not None and found.role is Role.auditor

    await until(an_auditor, "the role change's notification")


async def test_a_change_rolled_back_elsewhere_forgets_nothing(listening):
    token = await operator_token()
    remembered = await users.actor_for_token(token)
    probe = asyncio.Event()
    await ACTORS._connection.add_listener("ledger_test_probe", lambda *_: probe.set())

    class Undone(Exception):
        pass

    connection = await asyncpg.connect(engine().config["dsn"])
    try:
        with pytest.raises(Undone):
            async with connection.transaction():
                await connection.execute("UPDATE user_role SET role = 'auditor'")
                raise Undone
        # notifications reach a listener in commit order: once this one is here, a
        # notification of the rolled-back change would have been too
        await connection.execute("SELECT pg_notify('ledger_test_probe', '')")
    finally:
        await connection.close()
    await asyncio.wait_for(probe.wait(), timeout=60)
    assert ACTORS.get(key(token)) == remembered


async def test_a_read_that_raced_a_change_is_not_remembered(listening):
    token = await operator_token()
    generation = ACTORS.generation
    found = await users._read_token_actor(key(token), WritePath.api)
    assert found is not None
    ACTORS.forget()  # the notification of a change that committed while the read was in flight
    ACTORS.put(key(token), found, generation)
    assert ACTORS.get(key(token)) is None
    ACTORS.put(key(token), found, ACTORS.generation)
    assert ACTORS.get(key(token)) == found


async def test_nothing_is_remembered_without_a_listener_and_a_lost_one_comes_back(listening, monkeypatch):
    # long enough that the checks below run before the reconnect, whatever the machine's load
    monkeypatch.setattr(actor_cache, "RECONNECT_SECONDS", 3.0)
    token = await operator_token()
    assert await users.actor_for_token(token) is not None
    assert ACTORS.get(key(token)) is not None
    pid = ACTORS._connection.get_server_pid()
    await another_process("SELECT pg_terminate_backend($1)", pid)

    async def lost() -> bool:
        return not ACTORS.listening

    await until(lost, "the listener's loss")
    assert ACTORS.get(key(token)) is None
    assert await users.actor_for_token(token) is not None  # read, not remembered
    assert not ACTORS.listening and ACTORS.get(key(token)) is None

    async def back() -> bool:
        return ACTORS.listening

    await until(back, "the listener to reconnect")
    assert await users.actor_for_token(token) is not None
    assert ACTORS.get(key(token)) is not None
