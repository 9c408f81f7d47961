"""Figures reported about a plan (by its meetings' minutes): figures_of, as of a point, in the order
they were reported. Read as they were recorded, beside what plans.py computes, never from it. And
the proposals for a year's action plan (proposals_of), with the units listed for their strategy.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

import asyncpg

from projections.queries.rows import Point, _family_rows, _group


async def figures_of(
    conn: asyncpg.Connection, plan_ids: Iterable[UUID], point: Point
) -> dict[UUID, list[dict[str, Any]]]:
    """Each plan's reported figures at `point` (about the plan, its kinds, strategies, activities)."""
    order = "stream_id, reported_on, figure_id"
    rows = await _family_rows(conn, "figure", "stream_id", plan_ids, point, order, "plan_id")
    return _group(rows, "plan_id")


async def proposals_of(
    conn: asyncpg.Connection, plan_id: UUID, fiscal_year: int | None, point: Point
) -> list[dict[str, Any]]:
    """A plan's proposals at `point` (of one fiscal year, or all), by year, strategy, then as recorded."""
    rows = await _family_rows(
        conn,
        "proposal",
        "stream_id",
        [plan_id],
        point,
        "stream_id, fiscal_year, strategy_number, proposal_id",
        "plan_id",
    )
    return [r for r in rows if fiscal_year is None or r["fiscal_year"] == fiscal_year]
