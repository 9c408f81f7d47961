"""Who the signed-in token is, and which mutations it may run: the dashboard builds its forms from
this (a reader gets none), so a form never offers what the API would refuse. The list is read off
the command catalogue, the same table access.py checks, so the two cannot disagree."""

from __future__ import annotations

import strawberry

from service.application.access import Principal
from service.application.catalogue import ENTRIES
from service.application.roles import Role

#: what an admin may do besides the catalogue's commands (service/api/token_admin.py)
TOKEN_MUTATIONS = ("createToken", "revokeToken")


@strawberry.type(description="The signed-in token: its owner, role, unit, and what it may record.")
class Viewer:
    name: str = strawberry.field(description="The token's owner: the actor its events name.")
    role: str | None = strawberry.field(
        description="admin, secretariat, unit, committee or reader; null before a token is shown."
    )
    unit: str | None = strawberry.field(description="For the unit role: the unit it reports for; else null.")
    mutations: list[str] = strawberry.field(
        description="The mutations this token may run (a unit only on its own activities), in the schema's order."
    )
    manages_tokens: bool = strawberry.field(description="True when it may create, list and revoke tokens (admin).")

    @classmethod
    def of(cls, principal: Principal) -> Viewer:
        role = principal.role
        allowed = [entry.name for entry in ENTRIES if role is not None and role in entry.roles]
        admin = role == Role.ADMIN
        return cls(
            name=principal.name,
            role=None if role is None else str(role),
            unit=principal.unit,
            mutations=[*allowed, *(TOKEN_MUTATIONS if admin else ())],
            manages_tokens=admin,
        )
