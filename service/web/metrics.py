"""Prometheus metrics at /metrics: requests, errors, events, the projector, subscriptions, the pool,
rebuild progress.

With `serve --workers N` the workers share one set of metrics (prometheus-client's multiprocess
mode, in a folder `serve` makes for the run and removes after it): a scrape answered by any worker
reports the whole server. Counters and histograms add up over the workers; each worker's own
gauges (projector active, subscriptions, pool) add up over the live ones, refreshed every second;
gauges read from the database when scraped (positions, lag, rebuild progress) report the latest
reading. With one process, a plain registry. The `pid`s in `planledger_process_info` name the
processes, `role` what each is: "web" (answers requests) or "projector" (`serve`'s projector
process, service/cli/projector.py, which writes its gauge and its count of events projected into
the same folder).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.metrics_core import CounterMetricFamily, GaugeHistogramMetricFamily, GaugeMetricFamily

from projections.projector import log_position, read_position
from projections.schema import POSITION_TABLE, PREFIX
from service.store import rebuilding

#: set (by `serve --workers N`) before prometheus_client is imported: the workers' shared folder
SHARED_FOLDER = "PROMETHEUS_MULTIPROC_DIR"
#: how often each process writes its own gauges when they are shared
REFRESH_SECONDS = 1.0
#: distinct operation names a process labels request durations with; the operations of documents
#: that did not validate, names past this many and names longer than MAX_NAME count as OTHER (a
#: client sending ever new names grew /metrics, and the server's memory, without bound)
MAX_OPERATION_NAMES = 200
MAX_NAME = 100
#: labelled request histograms a process keeps at hand (Metrics.observe_request)
MAX_CHILDREN = 1000
OTHER = "other"


def shared_folder() -> str | None:
    return os.environ.get(SHARED_FOLDER) or os.environ.get(SHARED_FOLDER.lower()) or None


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self, role: str = "web") -> None:
        self.folder = shared_folder()
        if self.folder is not None:
            _forget_dead_processes(self.folder)
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
        self._operation_names: set[str] = set()
        self._children: dict[tuple[str, str, bool, int], Any] = {}
        self._counters: dict[Counter, dict[str, Any]] = {}
        self.lane = Counter(
            "planledger_mutation_lane_total",
            "Requests of a compiled mutation document: answered by the lane in front of the middleware, "
            "or handed to the whole stack (a token refused, variables the plan leaves to normal execution)",
            ["outcome"],
            registry=registry,
        )
        self.commands = Counter(
            "planledger_commands_total", "Commands recorded by this process", ["mutation"], registry=registry
        )
        self.events = Counter(
            "planledger_events_projected_total",
            "Events appended to the log (by anyone), by type, counted as the active projector projects them",
            ["type"],
            registry=registry,
        )
        #: the process's projector (set by the app): events are counted where it is the active one
        self.projector: Any = None
        latest: Any = {"registry": registry, "multiprocess_mode": "mostrecent"}  # read from the database
        live: Any = {"registry": registry, "multiprocess_mode": "livesum"}  # each live process's own, added up
        self.log_position = Gauge("planledger_log_position", "Newest position in the event log", **latest)
        self.projected_position = Gauge("planledger_projector_position", "Position the read models include", **latest)
        self.lag_events = Gauge("planledger_projector_lag_events", "Events recorded but not yet projected", **latest)
        self.lag_seconds = Gauge(
            "planledger_projector_lag_seconds",
            "How long events have waited for the projector (since it last moved; 0 when caught up)",
            **latest,
        )
        self.projector_active = Gauge(
            "planledger_projector_active", "Processes of this server running the active projector (0 or 1)", **live
        )
        self.subscriptions = Gauge("planledger_subscriptions_open", "Open subscriptions", **live)
        self.subscription_lag = Gauge(
            "planledger_subscription_buffer_events", "Events held in the fan-out buffers", **live
        )
        self.fanout = FanoutCollector()
        registry.register(self.fanout)
        self.pool_size = Gauge("planledger_db_pool_connections", "Read pool connections", ["state"], **live)
        self.database_up = Gauge("planledger_database_up", "1 when the database answered the last scrape", **latest)
        self.rebuild_running = Gauge(
            "planledger_rebuild_running",
            "1 while a rebuild of the read models (rebuild, import-log, migrate) is under way",
            **latest,
        )
        self.rebuild_done = Gauge(
            "planledger_rebuild_events_done", "Events the current (or last) rebuild has folded", **latest
        )
        self.rebuild_total = Gauge(
            "planledger_rebuild_events_total", "Events the current (or last) rebuild folds in all", **latest
        )
        self.rebuild_finished = Gauge(
            "planledger_rebuild_last_finished_timestamp_seconds",
            "When the last rebuild finished (Unix time; 0 if none has)",
            **latest,
        )
        described = "The server's processes: web workers and its projector process"
        if self.folder is None:
            info = Gauge("planledger_process_info", described, ["pid", "role"], registry=registry)
            info.labels(pid=str(os.getpid()), role=role).set(1)
        else:  # shared: the collector labels each live process's value with its pid itself
            shared = Gauge(
                "planledger_process_info", described, ["role"], registry=registry, multiprocess_mode="liveall"
            )
            shared.labels(role=role).set(1)

    def observe_request(self, kind: str, name: str, validated: bool, status: int, seconds: float) -> None:
        """A GraphQL request's duration, under its labels (`operation_label`). The labelled
        histograms are kept by what labels them (prometheus-client's `labels` checks and joins the
        values every time: ~2 % of a mutation's CPU under 16 writers), as many as MAX_CHILDREN."""
        key = (kind, name, validated, status)
        child = self._children.get(key)
        if child is None:
            child = self.requests.labels(kind, self.operation_label(name, validated), str(status))
            if len(self._children) < MAX_CHILDREN:
                self._children[key] = child
        child.observe(seconds)

    def count_command(self, mutation: str) -> None:
        self._inc(self.commands, mutation)

    def count_lane(self, outcome: str) -> None:
        """A request of a compiled mutation document `answered` by the lane, or `handed_on`."""
        self._inc(self.lane, outcome)

    def _inc(self, counter: Counter, label: str) -> None:
        """`counter.labels(label).inc()`, its child kept at hand (one per command kind or outcome)."""
        children = self._counters.setdefault(counter, {})
        child = children.get(label)
        if child is None:
            child = children[label] = counter.labels(label)
        child.inc()

    def operation_label(self, name: str, validated: bool) -> str:
        """The `operation_name` label for an operation: its name once the document validated,
        for the first MAX_OPERATION_NAMES names this process sees; otherwise OTHER."""
        if not validated or len(name) > MAX_NAME:
            return OTHER
        if name not in self._operation_names:
            if len(self._operation_names) >= MAX_OPERATION_NAMES:
                return OTHER
            self._operation_names.add(name)
        return name

    def saw_events(self, rows: Sequence[Any]) -> None:
        """Count projected events, once per server however many workers see them: only the
        process running the active projector counts (with several instances on one database,
        their counts add up to the log)."""
        if self.projector is not None and not getattr(self.projector, "active", False):
            return
        self.count_events([row.type for row in rows])

    def count_events(self, types: Sequence[str]) -> None:
        """Count a committed batch's events (in a projector process: the one active projector)."""
        for name in types:
            self.events.labels(type=name).inc()

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
                progress = await rebuilding.latest(conn)
            self.log_position.set(position)
            self.projected_position.set(projected or 0)
            self.lag_events.set(max(0, position - (projected or 0)))
            self.lag_seconds.set(max(0.0, age))
            self.rebuild_running.set(1 if progress is not None and progress.running else 0)
            self.rebuild_done.set(progress.done if progress is not None else 0)
            self.rebuild_total.set(progress.total if progress is not None else 0)
            finished = progress.finished_at if progress is not None else None
            self.rebuild_finished.set(finished.timestamp() if finished is not None else 0)
            self.database_up.set(1)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
            self.database_up.set(0)
        self.refresh(pool, broker, projector)
        if self.folder is None:
            return generate_latest(self.registry)
        whole = CollectorRegistry()
        multiprocess.MultiProcessCollector(whole, path=self.folder)
        whole.register(self.fanout)  # the answering worker's subscriptions (their queues live in it)
        return generate_latest(whole)

    def refresh(self, pool: asyncpg.Pool, broker: Any, projector: Any) -> None:
        """Set this process's own gauges from what it holds now."""
        self.projector_active.set(1 if getattr(projector, "active", False) else 0)
        self.subscriptions.set(getattr(broker, "subscribers", 0))
        self.subscription_lag.set(broker.buffered[0] if hasattr(broker, "buffered") else 0)
        self.fanout.read(broker)
        self.pool_size.labels(state="open").set(pool.get_size())
        self.pool_size.labels(state="idle").set(pool.get_idle_size())

    async def keep_fresh(self, pool: asyncpg.Pool, broker: Any, projector: Any, stop: asyncio.Event) -> None:
        """With shared metrics, a scrape is answered by one worker: the others' own gauges must
        already be current, so each process writes them every second until `stop`."""
        if self.folder is None:
            return
        while not stop.is_set():
            self.refresh(pool, broker, projector)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), REFRESH_SECONDS)

    def close(self) -> None:
        """This process is ending: its own gauges leave the server's sums."""
        if self.folder is not None:
            multiprocess.mark_process_dead(os.getpid(), self.folder)


def _forget_dead_processes(folder: str) -> None:
    """Drop the own gauges of workers that died without closing (e.g. SIGKILL; uvicorn starts
    another in its place), so they no longer count."""
    for path in Path(folder).glob("gauge_live*_*.db"):
        pid = path.stem.rpartition("_")[2]
        if pid.isdigit() and not _alive(int(pid)):
            multiprocess.mark_process_dead(int(pid), folder)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
        if broker is None:  # no broker in this process (e.g. a scrape from a tool): nothing open
            self.depths, self.executed, self.shared = [], 0, 0
            return
        self.depths = broker.queue_depths() if hasattr(broker, "queue_depths") else []
        from service.api.execution.shared import SharedResults

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
