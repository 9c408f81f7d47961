"""The event store's recorder: eventsourcing's PostgreSQL recorder, with commits in log order.

Readers follow the log by position (`notification_id > p ORDER BY notification_id`): the
projector, the broker, export. That is only safe when no transaction commits a position lower
than one already visible. eventsourcing's plain insert path ensures it with `LOCK TABLE … IN
EXCLUSIVE MODE`, but its one-round-trip database function (`POSTGRES_ENABLE_DB_FUNCTIONS`, which
the ledger uses for speed) takes no lock: measured here, 16 writers calling it while a reader
tailed the log made the reader pass over 123 of 20,519 events for good. This recorder puts the
lock into that function. The lock is held until the function's transaction commits, so positions
become visible in order, and readers (ACCESS SHARE) are never blocked by it.

The function is replaced on every start (`CREATE OR REPLACE`), as eventsourcing does, so a store
created by an older planledger gets the locking function the first time a new one connects.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg.sql import SQL, Identifier


class OrderedRecorder(PostgresApplicationRecorder):
    """`PostgresApplicationRecorder` whose insert function locks the events table first."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.sql_create_pg_function_insert_events = SQL(
            "CREATE OR REPLACE FUNCTION "
            "{schema}.{insert_events}(events {schema}.{event}[]) "
            "RETURNS SETOF bigint "
            "LANGUAGE plpgsql "
            "AS "
            "$BODY$"
            "BEGIN"
            "    SET LOCAL lock_timeout = '{lock_timeout}s';"
            "    LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE;"
            "    NOTIFY {channel};"
            "    RETURN QUERY"
            "    INSERT INTO {schema}.{table} AS t ("
            "    originator_id, originator_version, topic, state)"
            "    SELECT originator_id, originator_version, topic, state"
            "    FROM unnest(events)"
            "    RETURNING notification_id;"
            "END;"
            "$BODY$"
        ).format(
            insert_events=Identifier(self.pg_function_name_insert_events),
            lock_timeout=self.datastore.lock_timeout,
            channel=Identifier(self.channel_name),
            event=Identifier(self.stored_event_type_name),
            schema=Identifier(self.datastore.schema),
            table=Identifier(self.events_table_name),
        )
        self.sql_create_statements[self.create_insert_function_statement_index] = (
            self.sql_create_pg_function_insert_events
        )
        self.select_streams_statement = SQL(
            "SELECT * FROM {schema}.{table} WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version"
        ).format(schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name))

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)  # as `select_events` retries
    def select_streams(self, originator_ids: Sequence[UUID]) -> list[StoredEvent]:
        """The events of several streams in one round trip, each stream's in version order (for
        lookups that try more than one stream, such as an idempotency key's two: see
        `PlanLedger._earlier_result`)."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.select_streams_statement, [list(originator_ids)], prepare=True)
            return [
                StoredEvent(
                    originator_id=row["originator_id"],
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=bytes(row["state"]),
                )
                for row in curs.fetchall()
            ]
