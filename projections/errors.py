"""What a database that went away looks like to asyncpg, written once for every reader of it.

`DATABASE_AWAY`: the server cannot be reached, was lost mid-statement, or is shutting down; a
request meeting one answers 503 (try again), not 500. `DATABASE_ERRORS` adds every error the server
itself reports: what a long-running follower of the log (the live fan-out, readiness) survives by
retrying rather than dying.
"""

from __future__ import annotations

import asyncpg

DATABASE_AWAY: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.OperatorInterventionError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
)
DATABASE_ERRORS: tuple[type[BaseException], ...] = (*DATABASE_AWAY, asyncpg.PostgresError)
