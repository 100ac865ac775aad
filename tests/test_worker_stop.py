"""A worker asked to stop (SIGTERM, as by systemd or a deploy) while its sweep waits on the
database stops as asked, and says goodbye to Redis.

PostgreSQL only: it shows the sweep's query waiting on a lock (pg_stat_activity), so the
signal is sent at that moment and not by luck; SQLite has no such view."""
import os
import signal

import pytest
import sqlalchemy as sa
from rq import Worker

from portal.workers import queue
from tests.conftest import POSTGRES_URL
from tests.fault_helpers import Workers, wait_for


@pytest.fixture
def db_url():
    return POSTGRES_URL


def test_a_worker_stopped_mid_sweep_stops(app, config, tmp_path):
    locker = sa.create_engine(POSTGRES_URL)
    watcher = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    workers = Workers(config, tmp_path)
    try:
        with locker.connect() as lock, watcher.connect() as watch:
            lock.execute(sa.text("LOCK TABLE members IN ACCESS EXCLUSIVE MODE"))
            proc = workers.start()
            waiting = sa.text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                              "AND datname = current_database() AND pid <> pg_backend_pid()")
            wait_for(lambda: watch.scalar(waiting), 30, message=workers.output)   # the sweep waits
            assert Worker.all(queue=queue())
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(10)                       # before the lock is released
            lock.rollback()
    finally:
        workers.stop()
        locker.dispose()
        watcher.dispose()
    said = workers.output()
    assert "warm shut down requested" in said
    # a stop, not a failure: no sweep reported failed, no worker quitting on an error
    assert "the sweep" not in said and "unhandled exception" not in said, said[-3000:]
    assert not Worker.all(queue=queue())
