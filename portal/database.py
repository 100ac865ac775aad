"""How the portal's engine treats its connections: SQLite's pragmas, and a pooled
server connection checked only after it sat idle."""
from __future__ import annotations

import time

from sqlalchemy import event, exc

#: seconds a pooled connection may sit idle before it is checked on its next use: a
#: database server restarted meanwhile leaves dead connections in the pool. A busy portal
#: reuses connections within milliseconds, and a check on every use (SQLAlchemy's
#: pool_pre_ping) would cost every request a round trip.
PING_AFTER_IDLE = 10.0


def init_engine(engine) -> None:
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        return

    @event.listens_for(engine, "checkin")
    def idle_from(_dbapi_connection, record) -> None:
        record.info["idle_from"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection, record, _proxy) -> None:
        idle_from = record.info.get("idle_from")
        if idle_from is None or time.monotonic() - idle_from < PING_AFTER_IDLE:
            return                      # new, or back in the pool a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            # the pool discards this connection and hands out a fresh one
            raise exc.DisconnectionError(str(error)) from error


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite in WAL mode: readers never wait for the writer, and a commit appends to the
    log instead of syncing the database file twice (synchronous=NORMAL: durable when the
    portal crashes; the last commits may be lost if the machine loses power)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
