"""Who may do what. Every command is checked here before it is built and run.

| role | may record |
| --- | --- |
| admin | everything (and manages tokens) |
| secretariat | anything about plans, activities and meetings, and corrections |
| unit | status, progress, outcome, milestones, risks and measurements of activities its unit is responsible for |
| committee | meetings, resolutions, action items and minutes |
| reader | nothing (queries and subscriptions only) |

The roles each command allows are in its catalogue entry (catalogue.py); `ALLOWED` is read off
it. The check has two steps because the second needs the command itself: `check_role` decides
from the command's class alone (so a caller who may not run a command is told so, not which of
its fields is wrong), `check_scope` keeps a unit to its own activities.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from uuid import UUID

from domain import commands as c
from domain.activity import Activity
from domain.errors import Forbidden, NotFound
from domain.keyresult import KeyResult
from service.application.catalogue import ENTRIES
from service.application.handlers import Loader
from service.application.roles import Role


@dataclass(frozen=True)
class Principal:
    """Who is asking: a token's owner (the actor its events name), its role and, for the unit
    role, its unit."""

    name: str
    #: None only for NOBODY: who a connection is before it has shown a token
    role: Role | None
    unit: str | None = None


#: who a connection is before it has shown a token (a WebSocket before `connection_init`): no
#: role, so whatever it asks is refused until a real principal replaces it
NOBODY = Principal(name="nobody", role=None)


ALLOWED: dict[Role, frozenset[type[c.Command]]] = {
    role: frozenset(entry.command for entry in ENTRIES if role in entry.roles) for role in Role
}

#: the units responsible for an activity (None when there is no such activity)
UnitsOf = Callable[[UUID], Awaitable[tuple[str, ...] | None]]
#: the activity a key result measures (None when there is no such key result, "" when it is on a strategy)
ActivityOf = Callable[[UUID], Awaitable[str | None]]


def _name(command_type: type[c.Command]) -> str:
    name = command_type.__name__
    return name[0].lower() + name[1:]


def check_role(principal: Principal, command_type: type[c.Command]) -> None:
    """Raises Forbidden (with what the caller may do instead) unless the principal's role may run
    commands of this class."""
    if principal.role is None:
        raise Forbidden(f"no token shown: {_name(command_type)} needs a signed-in role (send a valid token first)")
    if command_type not in ALLOWED.get(principal.role, frozenset()):
        raise Forbidden(f"the {principal.role} role may not {_name(command_type)}; ask someone with a role that may")


async def check_scope(
    principal: Principal, command: c.Command, units_of: UnitsOf, activity_of: ActivityOf | None = None
) -> None:
    """Raises Forbidden when a unit's command is about an activity (or its key result) that the
    unit is not responsible for. Other roles' commands are not scoped."""
    if principal.role != Role.UNIT:
        return
    if isinstance(command, c.KeyResultCommand):
        found = None if activity_of is None else await activity_of(command.key_result_id)
        if found is None:
            return  # no such key result: the ledger answers not found
        if not found:
            raise Forbidden(
                f"key result {command.key_result_id} measures a strategy, not an activity of a unit; "
                "the secretariat records its measurements"
            )
        activity_id = UUID(found)
    else:
        assert isinstance(command, c.ActivityCommand)
        activity_id = command.activity_id
    units = await units_of(activity_id)
    if units is None:
        return  # no such activity: the ledger answers not found
    if principal.unit not in units:
        raise Forbidden(
            f"the unit {principal.unit!r} is not responsible for activity {activity_id} "
            f"(its units: {', '.join(units) or 'none'})"
        )


async def check(
    principal: Principal, command: c.Command, units_of: UnitsOf, activity_of: ActivityOf | None = None
) -> None:
    """Both steps, for a command already built."""
    check_role(principal, type(command))
    await check_scope(principal, command, units_of, activity_of)


def readers(loader: Loader) -> tuple[UnitsOf, ActivityOf]:
    """The scope check's reads, from the ledger (in a worker thread: loading may query the store)."""

    async def units_of(activity_id: UUID) -> tuple[str, ...] | None:
        try:
            activity = await asyncio.to_thread(lambda: loader.load(Activity, activity_id, read_only=True))
        except NotFound:
            return None
        return tuple(activity.state.responsible_units)

    async def activity_of(key_result_id: UUID) -> str | None:
        try:
            key_result = await asyncio.to_thread(lambda: loader.load(KeyResult, key_result_id, read_only=True))
        except NotFound:
            return None
        return key_result.state.activity_id or ""

    return units_of, activity_of
