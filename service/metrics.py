"""Prometheus metrics at /metrics: requests, errors, events, the projector, subscriptions, the pool.

Each server process keeps its own registry (with `--workers N`, each worker answers for itself;
the `pid` in `planledger_process_info` tells them apart). Gauges that live in the database (log
and projected positions, lag) are read when scraped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import asyncpg
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.metrics_core import CounterMetricFamily, GaugeHistogramMetricFamily, GaugeMetricFamily

from projections.projector import log_position, read_position
from projections.schema import POSITION_TABLE, PREFIX


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self.requests = Histogram(
            "planledger_request_duration_seconds",
            "GraphQL requests by operation type and name",
            ["operation_type", "operation_name", "status"],
            registry=registry,
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.errors = Counter(
            "planledger_errors_total",
            "Errors by kind: typed command errors (NotFoundError…), request errors, internal",
            ["kind"],
            registry=registry,
        )
        self.commands = Counter(
            "planledger_commands_total", "Commands recorded by this process", ["mutation"], registry=registry
        )
        self.events = Counter(
            "planledger_events_projected_total",
            "Events appended to the log (by anyone), counted as this process sees them projected, by type",
            ["type"],
            registry=registry,
        )
        self.log_position = Gauge("planledger_log_position", "Newest position in the event log", registry=registry)
        self.projected_position = Gauge(
            "planledger_projector_position", "Position the read models include", registry=registry
        )
        self.lag_events = Gauge(
            "planledger_projector_lag_events", "Events recorded but not yet projected", registry=registry
        )
        self.lag_seconds = Gauge(
            "planledger_projector_lag_seconds",
            "How long events have waited for the projector (since it last moved; 0 when caught up)",
            registry=registry,
        )
        self.projector_active = Gauge(
            "planledger_projector_active", "1 when this process runs the active projector", registry=registry
        )
        self.subscriptions = Gauge("planledger_subscriptions_open", "Open subscriptions", registry=registry)
        self.subscription_lag = Gauge(
            "planledger_subscription_buffer_events", "Events held in the fan-out buffer", registry=registry
        )
        self.fanout = FanoutCollector()
        registry.register(self.fanout)
        self.pool_size = Gauge("planledger_db_pool_connections", "Read pool connections", ["state"], registry=registry)
        self.database_up = Gauge(
            "planledger_database_up", "1 when the database answered the last scrape", registry=registry
        )
        info = Gauge("planledger_process_info", "This server process", ["pid"], registry=registry)
        info.labels(pid=str(os.getpid())).set(1)

    def saw_events(self, rows: Sequence[Any]) -> None:
        for row in rows:
            self.events.labels(type=row.type).inc()

    async def render(self, pool: asyncpg.Pool, broker: Any, projector: Any) -> bytes:
        """The text exposition, with the database-side gauges read now."""
        try:
            async with pool.acquire(timeout=2) as conn:
                position = await log_position(conn)
                projected = await read_position(conn)
                age = 0.0
                if position > (projected or 0):  # waiting since the projector last moved
                    moved = await conn.fetchval(f"SELECT updated_at FROM {POSITION_TABLE} WHERE name = $1", PREFIX)
                    age = (datetime.now(UTC) - moved).total_seconds() if moved is not None else 0.0
            self.log_position.set(position)
            self.projected_position.set(projected or 0)
            self.lag_events.set(max(0, position - (projected or 0)))
            self.lag_seconds.set(max(0.0, age))
            self.database_up.set(1)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
            self.database_up.set(0)
        self.projector_active.set(1 if getattr(projector, "active", False) else 0)
        self.subscriptions.set(getattr(broker, "subscribers", 0))
        self.subscription_lag.set(broker.buffered[0] if hasattr(broker, "buffered") else 0)
        self.fanout.read(broker)
        self.pool_size.labels(state="open").set(pool.get_size())
        self.pool_size.labels(state="idle").set(pool.get_idle_size())
        return generate_latest(self.registry)


#: upper bounds of the queue depth buckets (events a subscription is behind)
DEPTH_BUCKETS = (0, 1, 10, 100, 1_000, 10_000)


class FanoutCollector:
    """Subscriptions' queue depths and shared executions, read from the broker when scraped.

    - `planledger_subscription_queue_depth`: a gauge histogram (rendered as a histogram with
      `_gcount`/`_gsum`) of how many events each open subscription is behind right now (its
      queue: the broker keeps one buffer and each subscription a cursor into it);
    - `planledger_subscription_queue_depth_max`: the deepest one;
    - `planledger_subscription_executions_total` / `planledger_subscription_shared_results_total`:
      subscription events executed as GraphQL, and deliveries that reused another subscription's
      execution of the same event (same document, variables and access scope).
    """

    def __init__(self) -> None:
        self.depths: list[int] = []
        self.executed = 0
        self.shared = 0

    def read(self, broker: Any) -> None:
        self.depths = broker.queue_depths() if hasattr(broker, "queue_depths") else []
        from service.api.subscriptions import SharedResults

        shared = SharedResults.existing(broker)
        self.executed, self.shared = (shared.executed, shared.shared) if shared is not None else (0, 0)

    def collect(self) -> Iterator[Any]:
        depths = self.depths
        buckets = [(str(bound), float(sum(1 for d in depths if d <= bound))) for bound in DEPTH_BUCKETS]
        buckets.append(("+Inf", float(len(depths))))
        yield GaugeHistogramMetricFamily(
            "planledger_subscription_queue_depth",
            "Open subscriptions by how many events they are behind (now)",
            buckets=buckets,
            gsum_value=float(sum(depths)),
        )
        yield GaugeMetricFamily(
            "planledger_subscription_queue_depth_max",
            "Events the furthest-behind open subscription has still to read",
            value=float(max(depths, default=0)),
        )
        yield CounterMetricFamily(
            "planledger_subscription_executions",
            "Subscription events executed as GraphQL",
            value=float(self.executed),
        )
        yield CounterMetricFamily(
            "planledger_subscription_shared_results",
            "Subscription deliveries that reused the execution of an alike subscription",
            value=float(self.shared),
        )
