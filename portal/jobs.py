"""Every RQ job of Lectern, and how they are enqueued and run.

Jobs take ids and strings, never ORM objects. They run inside the app context of
the worker that picked them up (see AppWorker), so the worker's config applies.
Durable outcomes go to our database; Redis results are short-lived.
"""
from __future__ import annotations

import logging
import uuid

from flask import current_app
from redis import Redis
from rq import Queue, Retry, SimpleWorker

from portal.extensions import db
from portal.models import Member, Task, User
from portal.models.activity import DONE, FAILED, RUNNING
from portal.models.types import utcnow

log = logging.getLogger(__name__)


def init_app(app):
    app.extensions["redis"] = Redis.from_url(app.config["REDIS_URL"])


def redis_conn() -> Redis:
    return current_app.extensions["redis"]


def queue() -> Queue:
    return Queue(current_app.config["RQ_QUEUE"], connection=redis_conn())


class AppWorker(SimpleWorker):
    """Runs each job in a fresh app context (its own database session) of ``app``.

    A SimpleWorker, not a forking one: RQ spawns its forking workers' horses as new
    interpreters, which would lose the app and its config.
    """

    def __init__(self, *args, app, **kwargs):
        super().__init__(*args, **kwargs)
        self.app = app

    def execute_job(self, job, queue):
        with self.app.app_context():
            try:
                return super().execute_job(job, queue)
            finally:
                db.session.remove()


def worker(app, burst=False) -> bool:
    """Run a worker on the app's queue (with RQ's scheduler); True if it did work."""
    with app.app_context():
        q = queue()
        w = AppWorker([q], connection=q.connection, app=app)
        return w.work(burst=burst, with_scheduler=True, logging_level="WARNING" if burst else "INFO")


def start_task(name: str, description: str, func, *args, program_id=None, user_id=None, **kwargs) -> Task:
    """Record a task row, commit it, then enqueue the job that updates it."""
    task = Task(id=uuid.uuid4().hex, name=name, description=description,
                program_id=program_id, user_id=user_id)
    db.session.add(task)
    db.session.commit()
    queue().enqueue(func, task.id, *args, job_id=task.id, **kwargs)
    return task


def _progress(task: Task, done: int, total: int | None = None) -> None:
    task.done = done
    if total is not None:
        task.total = total
    db.session.commit()


# --- jobs ------------------------------------------------------------------------

def bulk_change_status(task_id: str, program_id: int, from_status: str, to_status: str, user_id: int):
    """Move every member of a program with ``from_status`` to ``to_status``."""
    from portal import flows

    task = db.session.get(Task, task_id)
    task.state = RUNNING
    ids = db.session.scalars(db.select(Member.id).where(
        Member.program_id == program_id, Member.status == from_status).order_by(Member.id)).all()
    _progress(task, 0, len(ids))
    user = db.session.get(User, user_id)
    try:
        for start in range(0, len(ids), 500):
            batch = ids[start:start + 500]
            members = db.session.scalars(db.select(Member).where(Member.id.in_(batch))).all()
            for member in members:
                flows.change_status(member, to_status, reason="bulk change", by_user=user, manual=True)
            _progress(task, start + len(batch))
        task.state = DONE
        task.message = f"{len(ids)} members moved from {from_status} to {to_status}."
    except Exception as exc:
        db.session.rollback()
        task = db.session.get(Task, task_id)
        task.state = FAILED
        task.message = str(exc)
        raise
    finally:
        task.finished_at = utcnow()
        db.session.commit()


# --- webinar details (event programs) ------------------------------------------------

#: webhook-driven refreshes retry provider outages and rate limits with backoff
WEBINAR_RETRY = Retry(max=4, interval=[10, 60, 300, 900])


def refresh_webinar(task_id: str, program_id: int):
    """*Refresh details*: re-read the program's webinar into its snapshot."""
    from portal import linking
    from portal.models import Program

    task = db.session.get(Task, task_id)
    task.state = RUNNING
    db.session.commit()
    program = db.session.get(Program, program_id)
    binding_id = program.binding.id if program and program.binding else None
    try:
        binding = linking.refresh_binding(binding_id) if binding_id else None
    except Exception as exc:
        db.session.rollback()
        task = db.session.get(Task, task_id)
        task.state, task.message = FAILED, getattr(exc, "message", str(exc))
        task.finished_at = utcnow()
        db.session.commit()
        raise
    task = db.session.get(Task, task_id)
    task.state, task.done, task.total = DONE, 1, 1
    if binding is None:
        task.message = "This program is no longer linked to a webinar."
    elif binding.deleted_at:
        task.message = f"Webinar {binding.webinar_id} no longer exists."
    else:
        task.message = f"Details of “{binding.topic}” re-read."
    task.finished_at = utcnow()
    db.session.commit()


def webinar_updated(provider_key: str, webinar_id: str):
    """A ``webinar.updated`` webhook: re-read the webinar rather than trust the
    event's partial fields, so duplicates and late deliveries change nothing."""
    from portal import linking

    binding = linking.find_binding(provider_key, webinar_id)
    if binding is not None:
        linking.refresh_binding(binding.id)


def webinar_deleted(provider_key: str, webinar_id: str):
    from portal import linking

    binding = linking.find_binding(provider_key, webinar_id)
    if binding is not None:
        linking.mark_deleted(binding)


def deauthorize_account(provider: str, account_id: str) -> int:
    """The provider removed Lectern from an account: disconnect its services."""
    from portal import service_flows
    return service_flows.deauthorized(provider, account_id)
