"""Who a bearer token acts as, remembered by a server process while the database tells it of
every change.

Every API request names its caller, and reading who that is (the token, the user, the role,
the workshops: one join) was a round trip per request, with 0.2 ms of planning on
PostgreSQL (the connections force custom plans, for the figures) — a seventh of a pay
write's whole cost at 8 concurrent writers. So a server process on PostgreSQL remembers the
actors of the tokens it has seen, but only while it listens on the ``ledger_actors``
channel: statement triggers on the four tables an actor is read from (``api_token``,
``user_role``, ``user_workshop``, ``piccolo_user``; migration 2026-12-05T04:40) notify it
with every commit that changes one of them, whatever wrote it — a service, the admin panel,
a script, psql — and the process forgets every actor it remembered. Changes to these tables
are rare; a forgotten actor is read again once.

What this costs in freshness:
- In the process that revoked a token or deactivated a user, nothing: the service forgets at
  once after its commit (``forget``), before it answers.
- In another process, the time the notification takes to arrive: it is sent with the
  commit, before the revoking request is answered, and read by the listening connection at
  the process's next turn of its event loop.
- A read that raced a change is not remembered: each read carries the generation it began in,
  and a notification in between makes it stale (``put``).
- Without a listening connection (SQLite, the CLI, the tests' in-process app, a listener
  that was lost) nothing is remembered and every request reads, as before. A lost listener
  is reconnected in the background; what it missed is forgotten when it is back.

Only actors are kept (never the token: the key is its SHA-256), only found ones (an unknown
token is read every time, so made-up tokens cannot fill the memory), and at most ``LIMIT``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from ledger.access import Actor

CHANNEL = "ledger_actors"
LIMIT = 10_000
RECONNECT_SECONDS = 5.0

log = logging.getLogger("ledger.actors")


class ActorCache:
    def __init__(self) -> None:
        self._actors: dict[str, Actor] = {}
        self._generation = 0
        self._dsn: str | None = None
        self._connection: Any = None  # the listening asyncpg connection, while it lives
        self._reconnecting: asyncio.Task[None] | None = None

    @property
    def listening(self) -> bool:
        return self._connection is not None and not self._connection.is_closed()

    @property
    def generation(self) -> int:
        """Taken before a read; ``put`` keeps the read only if nothing changed meanwhile."""
        return self._generation

    def get(self, key: str) -> Actor | None:
        return self._actors.get(key) if self.listening else None

    def put(self, key: str, actor: Actor | None, generation: int) -> None:
        if actor is None or generation != self._generation or not self.listening:
            return
        if len(self._actors) >= LIMIT:
            self._actors.clear()
        self._actors[key] = actor

    def forget(self) -> None:
        """Forget every actor, and make the reads in flight stale."""
        self._generation += 1
        self._actors.clear()

    async def start(self, dsn: str) -> None:
        """Listen on ``dsn`` (the primary); until this succeeds nothing is remembered. A failure
        (no LISTEN through a transaction-mode pooler, say) leaves the process reading every
        time, and is logged without the URL (it may hold a password)."""
        self._dsn = dsn
        try:
            await self._listen()
        except Exception as error:  # noqa: BLE001 - any failure: run without remembering
            log.warning("actor cache off: cannot listen for changes (%s)", type(error).__name__)

    async def stop(self) -> None:
        self._dsn = None
        if self._reconnecting is not None:
            self._reconnecting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reconnecting
            self._reconnecting = None
        connection, self._connection = self._connection, None
        self.forget()
        if connection is not None and not connection.is_closed():
            await connection.close()

    async def _listen(self) -> None:
        import asyncpg

        connection = await asyncpg.connect(self._dsn)
        try:
            await connection.add_listener(CHANNEL, self._notified)
        except BaseException:
            await connection.close()
            raise
        connection.add_termination_listener(self._lost)
        self.forget()  # whatever changed while nobody listened
        self._connection = connection

    def _notified(self, *_: Any) -> None:
        self.forget()

    def _lost(self, connection: Any) -> None:
        if connection is not self._connection:
            return
        self._connection = None
        self.forget()
        if self._dsn is not None and self._reconnecting is None:
            log.warning("actor cache off: the listening connection was lost; reconnecting")
            self._reconnecting = asyncio.get_running_loop().create_task(self._reconnect())

    async def _reconnect(self) -> None:
        try:
            while self._dsn is not None and not self.listening:
                await asyncio.sleep(RECONNECT_SECONDS)
                with contextlib.suppress(Exception):
                    await self._listen()
            if self.listening:
                log.warning("actor cache on again: listening for changes")
        finally:
            self._reconnecting = None


ACTORS = ActorCache()
"""The process's cache (one server process, one event loop)."""
