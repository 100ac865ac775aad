"""RQ plumbing: the Redis connection, the queue, the app-aware worker that runs
every job in its own app context, and what the admins are told when no worker runs.
It imports no business code: the factory hands it the periodic sweeps
(``app.extensions["worker_sweeps"]``)."""
from __future__ import annotations

import logging
import signal
import time
from contextlib import suppress

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import Queue, SimpleWorker, Worker
from rq.defaults import DEFAULT_WORKER_TTL
from rq.exceptions import StopRequested
from rq.utils import now
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db

log = logging.getLogger(__name__)


def init_app(app):
    app.extensions["redis"] = Redis.from_url(app.config["REDIS_URL"])
    app.jinja_env.globals["background_warning"] = background_warning


def redis_conn() -> Redis:
    return current_app.extensions["redis"]


def queue() -> Queue:
    """The app's queue, one object per app: it remembers the Redis server's version, which
    RQ would otherwise ask for (a round trip) at every enqueue."""
    cached = current_app.extensions.get("rq_queue")
    if cached is None or cached.connection is not redis_conn():
        cached = current_app.extensions["rq_queue"] = Queue(current_app.config["RQ_QUEUE"],
                                                            connection=redis_conn())
    return cached


def background_warning() -> str:
    """For the admins, on every page: what waits because no worker runs or Redis does not
    answer; "" when the background work runs. The marketers see its effects (members
    pending, emails queued) but could not start a worker."""
    q = queue()
    try:
        # Worker.all drops the workers whose key expired (a worker killed outright).
        if Worker.all(queue=q):
            return ""
        waiting = q.count
    except RedisError as error:
        log.warning("background check: Redis unavailable (%s)", type(error).__name__)
        return _("Lectern cannot reach Redis: registrations are stored and sent to the webinar "
                 "provider once it answers again; emails and attendance pulls wait for it too.")
    said = _("No background worker is running: registrations, emails and attendance pulls "
             "wait until one starts (flask worker).")
    if waiting:
        said += " " + ngettext("%(num)d job is waiting.", "%(num)d jobs are waiting.", waiting)
    return said


class AppWorker(SimpleWorker):
    """Runs each job in a fresh app context (its own database session) of ``app``.

    A SimpleWorker, not a forking one: RQ spawns its forking workers' horses as new
    interpreters, which would lose the app and its config.

    Its maintenance (at start, then every WORKER_MAINTENANCE_INTERVAL seconds) is RQ's
    own, which retries the jobs of workers that died mid-job, plus the sweeps the app was
    handed (registrations and emails whose job was lost: portal/registration/recovery.py).
    """

    def __init__(self, *args, app, **kwargs):
        interval = app.config["WORKER_MAINTENANCE_INTERVAL"]
        kwargs.setdefault("maintenance_interval", interval)
        # An idle worker blocks on Redis for worker_ttl - 15 seconds between maintenance
        # checks: make that the maintenance interval.
        kwargs.setdefault("worker_ttl", int(interval) + 15)
        super().__init__(*args, **kwargs)
        self.app = app

    def execute_job(self, job, queue):
        with self.app.app_context():
            try:
                return super().execute_job(job, queue)
            finally:
                db.session.remove()

    def get_heartbeat_ttl(self, job, working_time: float = 0.0) -> int:
        """How long a started job stays in RQ's StartedJobRegistry before RQ takes it as
        abandoned (its worker died) and retries it: a SimpleWorker sends no heartbeat
        while it works, so this must outlast the job's timeout."""
        if job.timeout == -1:
            return DEFAULT_WORKER_TTL
        return int(job.timeout or DEFAULT_WORKER_TTL) + self.app.config["WORKER_ABANDON_GRACE"]

    def bootstrap(self, *args, **kwargs):
        # RQ installs its signal handlers only after this, once the worker is registered in
        # Redis and its scheduler started: a SIGTERM in between killed the worker and left it
        # registered until its key expired (the admins' warning counted a worker that was
        # gone). Until then a stop is noted, and the first maintenance honours it.
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._note_stop)
        super().bootstrap(*args, **kwargs)

    def _note_stop(self, signum, frame):
        self._stop_requested = True
        self._shutdown_requested_date = now()

    def request_stop(self, signum, frame):
        # RQ stops an idle worker by raising StopRequested from this signal handler, wherever
        # the worker is; code that swallows it there (logging does, mid-emit) would lose the
        # stop. Noted here too, maintenance honours it once it is done.
        self._stop_requested = True
        super().request_stop(signum, frame)

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        for sweep in self.app.extensions.get("worker_sweeps", ()):
            if self._stop_requested:
                break
            with self.app.app_context():
                try:
                    sweep()
                except RedisError:
                    raise                 # RQ's loop waits for Redis to come back
                except StopRequested:
                    # SIGTERM mid-sweep: RQ's handler raises this wherever the sweep was, often
                    # in a query whose connection is still busy with it (no rollback possible:
                    # drop the connection). Swallowed, the stop would be lost, the worker killed.
                    with suppress(SQLAlchemyError):      # the database may be what is down
                        db.session.connection().invalidate()
                    raise
                except Exception:
                    # A sweep that fails (the database is down) must not stop the worker;
                    # the next maintenance tick sweeps again.
                    log.exception("the sweep %s failed", getattr(sweep, "__name__", sweep))
                finally:
                    db.session.remove()
        if self._stop_requested:
            raise StopRequested()     # RQ's loop stops; blocking on Redis next would not


def worker(app, burst=False) -> bool:
    """Run a worker on the app's queue (with RQ's scheduler); True if it did work.

    Not in burst mode, a worker that RQ stopped on a Redis error (Redis restarted
    while a job ran) starts again, so a Redis restart needs no one to restart workers."""
    with app.app_context():
        q = queue()
    while True:
        w = None
        try:
            w = AppWorker([q], connection=q.connection, app=app)
            worked = w.work(burst=burst, with_scheduler=True, logging_level="WARNING" if burst else "INFO")
        except StopRequested:          # a second signal while RQ was shutting down
            return False
        except (RedisConnectionError, RedisTimeoutError) as error:
            if burst or _stop_asked(w):
                raise
            log.warning("worker lost Redis (%s); starting again in 1 s", type(error).__name__)
        else:
            if burst or _stop_asked(w):
                return worked
            log.warning("worker %s stopped without being asked to (Redis unreachable?); starting again",
                        w.name)
        try:
            time.sleep(1)
        except StopRequested:          # RQ's signal handlers are still installed
            return False


def _stop_asked(w: AppWorker | None) -> bool:
    """RQ notes the time of a SIGTERM or SIGINT: a stop asked for, not a Redis failure."""
    return w is not None and w._shutdown_requested_date is not None
