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
from rq import Queue, SimpleWorker

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


def deauthorize_account(provider: str, account_id: str) -> int:
    """The provider removed Lectern from an account: disconnect its services."""
    from portal import service_flows
    return service_flows.deauthorized(provider, account_id)


# --- attendance ------------------------------------------------------------------------
# Scheduled pulls use fixed job ids per program, so scheduling again moves a pull
# instead of adding one; the Binding shows the next one.

PULL_KINDS = ("fallback", "final", "retry")


def _pull_job_id(kind: str, program_id: int) -> str:
    return f"attendance-{kind}-{program_id}"


def _scheduled_at(job_id: str):
    from rq.exceptions import NoSuchJobError
    from rq.registry import ScheduledJobRegistry

    try:
        return ScheduledJobRegistry(queue=queue()).get_scheduled_time(job_id)
    except NoSuchJobError:
        return None


def _note_next_pull(program_id: int) -> None:
    """Binding.next_pull_at: the earliest pull of this program still scheduled."""
    from portal.models import Program

    times = [t for t in (_scheduled_at(_pull_job_id(k, program_id)) for k in PULL_KINDS) if t]
    program = db.session.get(Program, program_id)
    if program is not None and program.binding is not None:
        program.binding.next_pull_at = min(times) if times else None
        db.session.commit()


def schedule_attendance_pulls(program_id: int, ended_at=None) -> None:
    """Schedule the fallback pull (scheduled end + grace, in case the webhook never
    comes) and the final pass (end + 24 h, for late report data). Call it when a
    program is linked, when its webinar moves, and when the webinar ends."""
    from datetime import timezone

    from portal import attendance
    from portal.models import Program

    program = db.session.get(Program, program_id)
    binding = program.binding if program else None
    end = ended_at or (attendance.scheduled_end(binding) if binding else None)
    if end is None:
        return
    end = end.astimezone(timezone.utc)
    now = utcnow()
    q = queue()
    if ended_at is None and end + attendance.grace() > now - attendance.final_pass_delay():
        q.enqueue_at(end + attendance.grace(), sync_attendance, program_id, "fallback",
                     job_id=_pull_job_id("fallback", program_id))
    final = end + attendance.final_pass_delay()
    if final > now:
        q.enqueue_at(final, sync_attendance, program_id, "final pass",
                     job_id=_pull_job_id("final", program_id))
    _note_next_pull(program_id)


def start_attendance_sync(program_id: int, trigger: str = "manual"):
    """A SyncRun row committed, then its job enqueued (the program page shows it queued)."""
    from portal import attendance

    run = attendance.new_run(program_id, trigger)
    queue().enqueue(sync_attendance, program_id, trigger, run.id, job_id=f"attendance-run-{run.id}")
    return run


def sync_attendance(program_id: int, trigger: str = "manual", run_id: int | None = None):
    """Read the webinar's attendance and write it. Retries itself, bounded, while the
    report is not ready or the provider asks to wait; one sync per program at a time."""
    from datetime import timedelta

    from portal import attendance
    from portal.models import Program

    program = db.session.get(Program, program_id)
    if program is None or program.binding is None:
        return "not linked"
    binding = program.binding
    if trigger == "fallback" and binding.attendance_pulled_at is not None:
        end = attendance.scheduled_end(binding)
        if end is not None and binding.attendance_pulled_at >= end:
            _note_next_pull(program_id)
            return "already pulled after the end"      # the webhook did its job
    lock = redis_conn().lock(f"lectern:attendance:{program_id}", timeout=3600)
    if not lock.acquire(blocking=False):
        # another sync of this program is writing: this one waits its turn
        queue().enqueue_in(timedelta(seconds=30), sync_attendance, program_id, trigger, run_id)
        return "busy"
    try:
        if run_id is None:
            run_id = attendance.new_run(program_id, trigger).id
        try:
            retry_at = attendance.sync(run_id)
        except Exception as exc:
            # The page must not show a run "running" forever; RQ still sees the failure.
            db.session.rollback()
            attendance.mark_failed(run_id, f"unexpected error ({type(exc).__name__}); see the worker log")
            raise
    finally:
        lock.release()
    if retry_at is not None:
        queue().enqueue_at(retry_at, sync_attendance, program_id, trigger, run_id,
                           job_id=_pull_job_id("retry", program_id))
    _note_next_pull(program_id)
    return retry_at and f"retry at {retry_at.isoformat()}"


def webinar_ended(provider: str, webinar_id: str, ended_at: str = "") -> str:
    """The provider says a webinar ended: sync its program now, final pass a day later."""
    from datetime import datetime

    from portal.models import Binding

    binding = db.session.scalar(db.select(Binding).where(
        Binding.provider == provider, Binding.webinar_id == str(webinar_id),
        Binding.deleted_at.is_(None)))
    if binding is None:
        return "no program is linked to this webinar"
    end = None
    if ended_at:
        try:
            end = datetime.fromisoformat(ended_at.replace("Z", "+00:00"))
        except ValueError:
            end = None
    program_id = binding.program_id
    schedule_attendance_pulls(program_id, ended_at=end or utcnow())
    start_attendance_sync(program_id, "webhook")
    return f"sync of program {program_id} enqueued"
