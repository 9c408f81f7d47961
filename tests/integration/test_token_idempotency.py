"""`createToken` with an idempotency key, on real PostgreSQL through the schema: the same key from
the same admin makes one token however often (and however concurrently) it is sent, its secret in
the first answer only; the same key asking another token is refused; another admin's key is its
own; without a key every call makes a token (as `planledger token create`); and a tokens table made
before the keys gets them."""

from __future__ import annotations

import asyncio
from typing import Any

from service.application import tokens as t
from service.application.access import Principal
from service.application.roles import Role
from tests.integration.graphql_support import Api

CREATE = """mutation($input: CreateTokenInput!) { r: createToken(input: $input) { __typename
  ... on TokenCreated { secret replayed token { id name role unit } }
  ... on UserError { code message } ... on IdempotencyKeyReusedError { key } } }"""
LIST = "query { tokens { id name role unit } }"


async def create(api: Api, **input: Any) -> dict[str, Any]:
    found: dict[str, Any] = (await api.run(CREATE, {"input": input}, project=False))["r"]
    return found


async def named(api: Api, name: str) -> list[dict[str, Any]]:
    return [token for token in (await api.run(LIST, project=False))["tokens"] if token["name"] == name]


async def test_a_double_submit_makes_one_token(api: Api) -> None:
    input = {"role": "unit", "unit": "กองทดสอบ", "name": "officer twice", "idempotencyKey": "form-1"}
    # two submissions at once (a double click that got past the form), then a retry later
    first, second = await asyncio.gather(create(api, **input), create(api, **input))
    third = await create(api, **input)
    answers = [first, second, third]
    assert {a["__typename"] for a in answers} == {"TokenCreated"}
    assert len({a["token"]["id"] for a in answers}) == 1
    made = [a for a in answers if not a["replayed"]]
    assert len(made) == 1 and made[0]["secret"].startswith(t.PREFIX)
    assert all(a["secret"] is None for a in answers if a["replayed"])
    assert len(await named(api, "officer twice")) == 1
    # the one secret signs in as the token asked for
    async with api.pool.acquire() as conn:
        token = await t.lookup(conn, made[0]["secret"])
    assert token is not None and (token.role, token.unit, token.name) == (Role.UNIT, "กองทดสอบ", "officer twice")


async def test_the_same_key_for_another_token_is_refused_and_makes_nothing(api: Api) -> None:
    assert (await create(api, role="reader", name="first reader", idempotencyKey="form-2"))["secret"]
    refused = await create(api, role="admin", name="first reader", idempotencyKey="form-2")
    assert (refused["__typename"], refused["code"], refused["key"]) == (
        "IdempotencyKeyReusedError",
        "IDEMPOTENCY_KEY_REUSED",
        "form-2",
    )
    assert [token["role"] for token in await named(api, "first reader")] == ["reader"]
    # a key that is no key (blank, or over the bound) is said, beside its field
    for key in ("  ", "k" * (t.MAX_KEY + 1)):
        bad = await create(api, role="reader", name="keyless", idempotencyKey=key)
        assert bad["code"] == "VALIDATION", bad
    assert await named(api, "keyless") == []


async def test_keys_are_each_admins_own_and_no_key_makes_a_token_each_time(api: Api) -> None:
    other = api.as_(Principal(name="another admin", role=Role.ADMIN))
    input = {"role": "committee", "name": "committee member", "idempotencyKey": "form-3"}
    assert not (await create(api, **input))["replayed"]
    assert not (await create(other, **input))["replayed"]  # the same key, another admin: its own token
    assert len(await named(api, "committee member")) == 2
    for _ in range(2):
        assert (await create(api, role="reader", name="unkeyed"))["secret"]
    assert len(await named(api, "unkeyed")) == 2


async def test_a_tokens_table_made_before_the_keys_gets_them(api: Api) -> None:
    async with api.pool.acquire() as conn:
        await conn.execute(f"DROP TABLE IF EXISTS {t.TABLE}")
        await conn.execute(t.DDL)  # as every earlier version made it, with a token in it
        secret = t.PREFIX + "made-before-the-keys"
        await conn.execute(
            f"INSERT INTO {t.TABLE} (id, name, role, hash) VALUES (gen_random_uuid(), 'from before', 'reader', $1)",
            t.hash_of(secret),
        )
        assert not await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", t.KEYS_INDEX)
        await t.ensure_table(conn)
        assert await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", t.KEYS_INDEX)
        old = await t.lookup(conn, secret)  # the tokens already made still sign in
        assert old is not None and old.name == "from before"
    made = await create(api, role="reader", name="after", idempotencyKey="form-4")
    again = await create(api, role="reader", name="after", idempotencyKey="form-4")
    assert made["secret"] and again["replayed"] and again["token"]["id"] == made["token"]["id"]
