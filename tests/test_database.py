"""How the engine treats its connections (portal/database.py): a PostgreSQL connection
that died while idle in the pool is replaced before anyone uses it; SQLite runs in WAL."""
import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from portal import database


def backend_pid(engine) -> int:
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()


def terminate(db_url: str, pid: int) -> None:
    """What a server restart does to a pooled connection."""
    dsn = make_url(db_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]


def test_a_connection_that_died_while_idle_is_replaced(db_url, monkeypatch):
    engine = sa.create_engine(db_url, pool_size=1, max_overflow=0)
    database.init_engine(engine)
    try:
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            return
        first = backend_pid(engine)
        assert backend_pid(engine) == first            # a busy pool reuses its connection
        # Killed and used at once (back in the pool a moment ago): not checked, it fails.
        terminate(db_url, first)
        with pytest.raises(sa.exc.OperationalError):
            backend_pid(engine)
        second = backend_pid(engine)                   # the pool has replaced it since
        # Killed while idle past the limit: checked on checkout and replaced, no error.
        terminate(db_url, second)
        monkeypatch.setattr(database, "PING_AFTER_IDLE", 0.0)
        assert backend_pid(engine) not in (first, second)
    finally:
        engine.dispose()
