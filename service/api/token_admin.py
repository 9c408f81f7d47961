"""Tokens from the API, for an admin: list them, create one (its secret shown once), revoke one.

The same functions as `planledger token create|list|revoke` (service/application/tokens.py), so a
token made in the browser is the CLI's token. Any other role is refused: a typed ForbiddenError
from the mutations, a FORBIDDEN GraphQL error from the `tokens` query; nothing is read or written.
A token's secret never leaves the server again after `createToken` answers. `createToken` takes
an idempotency key, as every command does: the same key from the same admin makes one token (a
double click, a retry after a lost answer), and the answers after the first have no secret.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Union

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from domain import errors as de
from service.api.context import Context
from service.api.mutations import ForbiddenError, IdempotencyKeyReusedError, ValidationFailed, user_error
from service.application import tokens as t
from service.application.roles import Role


@strawberry.type(name="ApiToken", description="An API token as `planledger token list` shows it (never its secret).")
class ApiToken:
    id: strawberry.ID = strawberry.field(description="The token's id (revokeToken takes it).")
    name: str = strawberry.field(description="Its owner: the actor its events name.")
    role: str = strawberry.field(description="admin, secretariat, unit, committee or reader.")
    unit: str | None = strawberry.field(description="For a unit token: its unit.")
    created_at: datetime = strawberry.field(description="When it was made.")
    revoked_at: datetime | None = strawberry.field(description="When it was revoked; null while it works.")

    @classmethod
    def of(cls, token: t.Token) -> ApiToken:
        return cls(
            id=strawberry.ID(str(token.id)),
            name=token.name,
            role=str(token.role),
            unit=token.unit,
            created_at=token.created_at,
            revoked_at=token.revoked_at,
        )


@strawberry.type(description="A token was made; its secret is shown this once.")
class TokenCreated:
    token: ApiToken = strawberry.field(description="The new token.")
    secret: str | None = strawberry.field(
        description="The secret to sign in with: shown once, stored only as a hash. Null when this answer replays "
        "an earlier createToken with the same idempotencyKey: the secret went to that answer only (if it was lost, "
        "revoke the token and make another)."
    )
    replayed: bool = strawberry.field(
        description="True when the idempotencyKey was used before by this admin: no second token was made."
    )


@strawberry.type(description="A token was revoked (or already was): it no longer signs in.")
class TokenRevoked:
    token: ApiToken = strawberry.field(description="The revoked token.")


@strawberry.input(description="What `createToken` takes.")
class CreateTokenInput:
    role: str = strawberry.field(description="admin, secretariat, unit, committee or reader.")
    unit: str | None = strawberry.field(default=None, description="The unit, for (and only for) a unit token.")
    name: str | None = strawberry.field(default=None, description="Its owner (default: the role, and the unit).")
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="A key the client makes once per token it means to make (the dashboard's form: when it "
        "opens): the same key from the same admin makes one token, however often it is sent.",
    )


Answer = Union[TokenCreated, ValidationFailed, ForbiddenError, IdempotencyKeyReusedError]  # noqa: UP007
Revoked = Union[TokenRevoked, ValidationFailed, ForbiddenError]  # noqa: UP007


def _refused(context: Context, what: str) -> ForbiddenError | None:
    if context.principal.role == Role.ADMIN:
        return None
    return ForbiddenError(
        message=f"the {context.principal.role or 'anonymous'} role may not {what}; an admin manages tokens",
        code="FORBIDDEN",
    )


async def list_tokens(info: Info[Context, None]) -> list[ApiToken]:
    refused = _refused(info.context, "list tokens")
    if refused is not None:
        raise GraphQLError(refused.message, extensions={"code": "FORBIDDEN"})
    async with info.context.pool.acquire() as conn:
        return [ApiToken.of(token) for token in await t.all_tokens(conn)]


async def create_token(
    info: Info[Context, None], input: Annotated[CreateTokenInput, strawberry.argument(description="The new token.")]
) -> Annotated[Answer, strawberry.union("CreateTokenResult", description="TokenCreated, else a typed error.")]:
    refused = _refused(info.context, "createToken")
    if refused is not None:
        return refused
    principal = info.context.principal
    secret: str | None
    try:
        async with info.context.pool.acquire() as conn:
            if input.idempotency_key is None:
                token, secret = await t.create(conn, input.role, input.unit, input.name)
            else:
                token, secret = await t.create_once(
                    conn, input.role, input.unit, input.name, input.idempotency_key, principal.name
                )
    except de.DomainError as error:
        found: Any = user_error(error)
        return found
    return TokenCreated(token=ApiToken.of(token), secret=secret, replayed=secret is None)


async def revoke_token(
    info: Info[Context, None],
    id: Annotated[strawberry.ID, strawberry.argument(description="The token's id (or its first 6+ characters).")],
) -> Annotated[Revoked, strawberry.union("RevokeTokenResult", description="TokenRevoked, else a typed error.")]:
    refused = _refused(info.context, "revokeToken")
    if refused is not None:
        return refused
    try:
        async with info.context.pool.acquire() as conn:
            token = await t.revoke(conn, str(id))
    except de.DomainError as error:
        found: Any = user_error(error)
        return found
    return TokenRevoked(token=ApiToken.of(token))


FIELDS: dict[str, Any] = {
    "create_token": strawberry.mutation(
        resolver=create_token, description="Make an API token (admin); its secret is shown once."
    ),
    "revoke_token": strawberry.mutation(resolver=revoke_token, description="Revoke an API token (admin)."),
}
