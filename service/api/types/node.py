"""Relay's Global Object Identification: the `Node` interface of the objects with a globally unique
ID (plans, activities, meetings and key results: the UUIDs of their streams), which `node(id:)`
finds again (service/api/queries.py)."""

from __future__ import annotations

import strawberry


@strawberry.interface(
    description="An object with a globally unique ID (Relay's Global Object Identification): `node(id:)` finds "
    "it again, whatever its type."
)
class Node:
    id: strawberry.ID = strawberry.field(description="Globally unique: the UUID of the object's stream in the ledger.")
