"""Who is acting, and what they may do: the one place the authorization rules live.

Every write path (API, import, admin panel, CLI) says who is acting by entering
``acting_as(actor)``; the services ask ``require(...)`` and ``require_workshop(...)`` and
scope their lists by ``workshop_scope()``. So a rule is written once and no door skips it.

The matrix (README "Who may do what"):

- operator: reads and writes workers, low-income status, placements and pay of *their*
  workshops only (other workshops' rows are neither listed nor readable); imports into
  their workshops; creates workers. No master data, no figures, no journal.
- auditor: reads everything, computes figures, records claims, reconciles, signs off and
  reopens months, records adjustments, reads the journal, may reveal one ID number at a
  time. Never edits pay, hires or people.
- admin: keeps master data, users and tokens; may write every business table (subject to
  locks); reads the journal; may reveal an ID number. Does not sign off months.

Outside any request (tests of the services, the demo loader, migrations) the actor is
``SYSTEM``: journaled as ``system``, allowed everything but still bound by locks.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace

from ledger.core.enums import Role, WritePath
from ledger.core.problems import Problem
from ledger.errors import Forbidden

ROLE_ZH = {Role.operator: "工坊运营方", Role.auditor: "审核员", Role.admin: "管理员", Role.system: "系统"}


@dataclass(frozen=True)
class Actor:
    username: str
    role: Role
    path: WritePath
    user_id: int | None = None
    workshops: frozenset[int] = field(default_factory=frozenset)

    def via(self, path: WritePath) -> Actor:
        return replace(self, path=path)

    @property
    def sees_everything(self) -> bool:
        return self.role is not Role.operator


SYSTEM = Actor(username="system", role=Role.system, path=WritePath.system)

_current: ContextVar[Actor] = ContextVar("ledger_actor", default=SYSTEM)


def current() -> Actor:
    return _current.get()


@contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def _names(roles: tuple[Role, ...]) -> tuple[str, str]:
    return "、".join(ROLE_ZH[r] for r in roles), " or ".join(r.value for r in roles)


def require(*roles: Role, doing_zh: str = "此操作", doing_en: str = "this") -> Actor:
    """The acting user must hold one of ``roles`` (the system always may)."""
    actor = current()
    if actor.role is Role.system or actor.role in roles:
        return actor
    zh, en = _names(roles)
    raise Forbidden([Problem("role", "forbidden", f"{doing_zh}仅限{zh}（当前为{ROLE_ZH[actor.role]}）",
                             f"only {en} may do {doing_en} (you are {actor.role.value})")])


def workshop_scope() -> frozenset[int] | None:
    """The workshops the actor may see, or None for all of them."""
    actor = current()
    return None if actor.sees_everything else actor.workshops


def owns_workshop(workshop_id: int | None) -> bool:
    scope = workshop_scope()
    return scope is None or workshop_id in scope


def require_workshop(workshop_id: int | None, field: str = "workshop") -> None:
    """An operator may act only on their own workshops."""
    if not owns_workshop(workshop_id):
        raise Forbidden([Problem(field, "other_workshop", "不能操作其他工坊的数据（仅限本人负责的工坊）",
                                 "you may act only on the workshops you are assigned to")])


def require_workshops(workshop_ids: set[int], field: str = "workshop") -> None:
    scope = workshop_scope()
    if scope is not None and not workshop_ids <= scope:
        require_workshop(next(iter(workshop_ids - scope)), field)
