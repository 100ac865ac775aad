"""A worker asked to stop (SIGTERM, as by systemd or a deploy) stops as asked, and says
goodbye to Redis: while its sweep waits on the database, and while it registers itself.

PostgreSQL only: it shows the sweep's query waiting on a lock (pg_stat_activity), so the
signal is sent at that moment and not by luck; SQLite has no such view. Likewise a private
Redis whose writes are paused holds the worker in its registration."""
import os
import signal

import pytest
import sqlalchemy as sa
from redis import Redis
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


def test_a_worker_stopped_while_it_registers_stops(app, config, own_redis, tmp_path):
    """RQ installs its signal handlers once the worker is registered: a SIGTERM before then
    used to kill it outright, and a worker killed just after registering stayed listed in
    Redis (the admins' warning believed it ran) until its key expired."""
    redis = Redis.from_url(own_redis.url)
    workers = Workers(config, tmp_path)
    try:
        redis.execute_command("CLIENT", "PAUSE", 30_000, "WRITE")    # reads still answer
        proc = workers.start()
        # the worker's registration waits on the pause (RQ names the connection after the worker)
        registering = wait_for(lambda: [c for c in redis.client_list() if "b" in c["flags"] and c["name"]],
                               30, message=workers.output)
        os.killpg(proc.pid, signal.SIGTERM)
        redis.execute_command("CLIENT", "UNPAUSE")
        assert proc.wait(20) == 0, workers.output()
    finally:
        redis.execute_command("CLIENT", "UNPAUSE")
        redis.close()
        workers.stop()
    said = workers.output()
    assert f"Worker {registering[0]['name']}: started" in said     # it did register, then left
    assert "unhandled exception" not in said, said[-3000:]
    assert not Worker.all(queue=queue())
