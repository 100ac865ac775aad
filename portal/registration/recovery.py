"""Registrations whose job was lost, found and enqueued again.

The form stores a member as Registered with sync *pending* before it enqueues the
registration job, and the job reschedules itself after a provider failure. A pending
member therefore always has one RQ job in charge, named from its attempt and its
committed attempt count (``registrations.registration_job_id``). That job can be lost:
- Redis restarted without its data, or was down when the form enqueued it;
- its worker died mid-job: RQ retries such an *abandoned* job when a worker cleans
  its registries, but the retry needs RQ's scheduler, which may have died with it;
- it crashed more often than its retries allow.

Every worker sweeps at start and every WORKER_MAINTENANCE_INTERVAL seconds (see
``workers.AppWorker``). A member whose job is missing, finished, failed, stopped or
overdue in the schedule is enqueued again. The register job is idempotent (it stands
down once the member is synced; the provider's register is idempotent on email;
emails carry keys), so a sweep racing a slow job costs nothing but a no-op job.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry, ScheduledJobRegistry

from portal.extensions import db
from portal.i18n import N_
from portal.mail.outbox import email_job_id, enqueue_email
from portal.models import Member, OutboxMessage
from portal.models.activity import QUEUED
from portal.models.programs import SYNC_PENDING
from portal.models.types import utcnow
from portal.programs.flow import flow_email_ids
from portal.registration import state as registrations
from portal.workers import queue, redis_conn

log = logging.getLogger(__name__)

BATCH = 500
#: a job in one of these states is still going to run the registration
ALIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED}
#: the states of a lost job, as a registration's error names them (registrations.JOB_LOST)
LOST_STATES = (N_("missing"), N_("finished"), N_("failed"), N_("stopped"), N_("canceled"), N_("scheduled"))


def sweep_registrations() -> int:
    """Enqueue again every pending registration, and every queued email of a
    registration, whose job was lost; how many."""

    conn = redis_conn()
    # One sweeper at a time across workers; a crashed one frees the lock after 5 minutes.
    lock = conn.lock("lectern:registration-sweep", timeout=300)
    if not lock.acquire(blocking=False):
        return 0
    try:
        now = utcnow()
        cutoff = now - timedelta(seconds=current_app.config["REGISTRATION_SWEEP_GRACE"])
        return _sweep_members(conn, now, cutoff) + _sweep_emails(conn, cutoff)
    finally:
        lock.release()


def _lost(conn, job_ids: list[str], cutoff) -> list:
    """For each job id: None while its job will still run, else (job or None, state).
    A job is judged by the registries of the queue it was enqueued on, whichever queue
    this worker serves: a job waiting in another queue's schedule is not lost."""
    answer = []
    for job in Job.fetch_many(job_ids, connection=conn):
        state = job.get_status(refresh=False) if job is not None else None
        if state in ALIVE or (state == JobStatus.SCHEDULED and not _overdue(conn, job, cutoff)):
            answer.append(None)
        else:
            answer.append((job, state.value if state else "missing"))
    return answer


def _sweep_members(conn, now, cutoff) -> int:
    due = db.or_(Member.next_retry_at <= cutoff,
                 db.and_(Member.next_retry_at.is_(None), Member.sync_since <= cutoff))
    swept, last_id = 0, 0
    while True:
        rows = db.session.execute(
            db.select(Member.id, Member.sync_job_id, Member.sync_attempts)
            .where(Member.sync_state == SYNC_PENDING, Member.id > last_id, due)
            .order_by(Member.id).limit(BATCH)).all()
        if not rows:
            return swept
        last_id = rows[-1].id
        ids = [registrations.registration_job_id(r.sync_job_id, r.sync_attempts) for r in rows]
        lost = {row.id: (row, *found) for row, found in zip(rows, _lost(conn, ids, cutoff), strict=True)
                if found is not None}
        swept += _enqueue_again(lost, now)


def _sweep_emails(conn, cutoff) -> int:
    """Outbox rows still queued well after the registration that wrote them."""
    rows = db.session.execute(
        db.select(OutboxMessage.id, OutboxMessage.key, OutboxMessage.member_id, OutboxMessage.email_id)
        .where(OutboxMessage.state == QUEUED, OutboxMessage.created_at <= cutoff,
               OutboxMessage.key.is_not(None), OutboxMessage.member_id.is_not(None),
               OutboxMessage.email_id.is_not(None))
        .order_by(OutboxMessage.id).limit(5 * BATCH)).all()
    ids = [email_job_id(r.key) for r in rows]
    count = 0
    for row, found in zip(rows, _lost(conn, ids, cutoff), strict=True):
        if found is None:
            continue
        job, state = found
        db.session.commit()           # a fresh read: the job may have sent it meanwhile
        if db.session.scalar(db.select(OutboxMessage.state).where(OutboxMessage.id == row.id)) != QUEUED:
            continue
        _forget(job)
        enqueue_email(row.member_id, row.email_id, row.key)
        log.warning("email %s enqueued again: its job was %s", row.key, state)
        count += 1
    return count


def _overdue(conn, job: Job, cutoff) -> bool:
    """A scheduled job still waiting well after its time: no scheduler is running."""
    try:
        return ScheduledJobRegistry(job.origin, connection=conn).get_scheduled_time(job.id) <= cutoff
    except NoSuchJobError:
        return True


def _forget(job: Job | None) -> None:
    """Take a lost job out of the scheduled and failed registries, so that a scheduler
    coming back does not run it too; enqueueing again under its id replaces the rest.
    (Not ``job.delete()``: in RQ 3.0 it raises for a job whose execution record expired,
    which is what an abandoned job's is.)"""
    if job is None:
        return
    for name in {job.origin, queue().name} - {None, ""}:
        ScheduledJobRegistry(name, connection=job.connection).remove(job.id)
        FailedJobRegistry(name, connection=job.connection).remove(job.id)


def _enqueue_again(lost: dict, now) -> int:
    if not lost:
        return 0
    # A job commits the member before RQ records it finished: re-read the members in a
    # new transaction, and leave alone those that moved on since the first read.
    db.session.commit()
    members = db.session.scalars(db.select(Member).where(Member.id.in_(list(lost)))
                                 .execution_options(populate_existing=True)).all()
    window = timedelta(seconds=current_app.config["REGISTRATION_RETRY_WINDOW"])
    count = 0
    for member in members:
        row, job, state = lost[member.id]
        if (member.sync_state, member.sync_job_id, member.sync_attempts) != (
                SYNC_PENDING, row.sync_job_id, row.sync_attempts):
            continue
        if member.sync_since and now > member.sync_since + window:
            registrations.registration_failed(member, registrations.GAVE_UP(
                error=registrations.JOB_LOST(state=state)))
            db.session.commit()
            continue
        _forget(job)
        registrations.enqueue_registration(member.id, member.sync_job_id, flow_email_ids(member.program),
                                  attempt=member.sync_attempts)
        log.warning("registration of member %s enqueued again: its job was %s", member.id, state)
        count += 1
    return count
