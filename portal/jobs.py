"""Every RQ job of Lectern, and how they are enqueued and run.

Jobs take ids and strings, never ORM objects. They run inside the app context of
the worker that picked them up (portal/workers.py), so the worker's config applies.
Durable outcomes go to our database; Redis results are short-lived.
"""
from __future__ import annotations

import logging
import math
import uuid
from datetime import datetime, timezone

from flask import current_app
from rq import Retry

from portal import pulls
from portal.extensions import db
from portal.models import Member, Task, User
from portal.models.activity import DONE, FAILED, RUNNING
from portal.models.programs import SYNC_PENDING, SYNC_SYNCED
from portal.models.types import utcnow
from portal.workers import queue, redis_conn

log = logging.getLogger(__name__)


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


# --- registration with the provider and emails [S16] [S17] [S19] -------------------

def registration_job_id(attempt_id: str, attempt: int) -> str:
    """The RQ job in charge of a member's registration: ``attempt`` is the member's
    committed ``sync_attempts``, so the sweep can tell which job should exist."""
    return f"register-{attempt_id}-{attempt}"


def enqueue_registration(member_id: int, attempt_id: str, email_ids: list[int], at: datetime | None = None,
                         attempt: int = 0):
    """Enqueue one attempt of a member's registration, at once or at ``at``.
    Retry covers crashes of the job itself and of its worker; provider failures are
    rescheduled by the job."""
    job_id = registration_job_id(attempt_id, attempt)
    intervals = current_app.config["REGISTRATION_JOB_RETRY_INTERVALS"]
    options = {"job_id": job_id, "retry": Retry(max=len(intervals), interval=[int(i) for i in intervals]),
               "job_timeout": current_app.config["REGISTRATION_JOB_TIMEOUT"]}
    if at is not None:
        return queue().enqueue_at(at, register_member, member_id, attempt_id, email_ids, **options)
    return queue().enqueue(register_member, member_id, attempt_id, email_ids, **options)


def email_job_id(key: str) -> str:
    """The RQ job sending the outbox message with this key (RQ ids allow no colon)."""
    return "email-" + key.replace(":", "-")


def enqueue_email(member_id: int, email_id: int, key: str):
    intervals = current_app.config["MAIL_RETRY_INTERVALS"]
    return queue().enqueue(send_email, member_id, email_id, key, job_id=email_job_id(key),
                           retry=Retry(max=len(intervals), interval=intervals) if intervals else None)


def register_member(member_id: int, attempt_id: str, email_ids: list[int]):
    """Register a member with the program's provider, store the join link, then send
    the flow's emails. Idempotent: the provider's register is idempotent on email, and a
    superseded or finished attempt does nothing more."""
    from portal import connections, flows
    from providers.base import AuthExpired, ProviderError, Registrant

    member = db.session.get(Member, member_id)
    if member is None or member.sync_job_id != attempt_id:
        return "superseded"
    if member.sync_state == SYNC_SYNCED:
        # A rerun after success: the emails' outbox rows were committed with the
        # registration; their jobs, or the workers' sweep, send them.
        return "already registered"
    if member.sync_state != SYNC_PENDING:
        return member.sync_state
    program = member.program
    if not flows.provider_ready(program):
        flows.registration_failed(member, "The program is not linked to a usable webinar service.")
        db.session.commit()
        return "failed"
    binding, person = program.binding, member.person
    member.sync_attempts += 1
    try:
        registration = connections.call(
            binding.service, "register", binding.webinar_id,
            Registrant(email=person.email, first_name=person.first_name, last_name=person.last_name,
                       company=person.company, phone=person.phone),
            program_id=program.id, webinar_id=binding.webinar_id)
    except ProviderError as error:
        # An expired authorization waits for an admin to re-authorize, like an outage.
        if error.transient or isinstance(error, AuthExpired):
            now = utcnow()
            delay = flows.registration_delay(member, error, now)
            if delay is None:
                flows.registration_failed(member, f"Gave up after retrying for 24 hours: {error.message}")
                db.session.commit()
                return "failed"
            # Rounded up to the whole second the scheduler works in: Retry-After is a floor.
            at = datetime.fromtimestamp(math.ceil(now.timestamp() + delay), timezone.utc)
            member.next_retry_at = at
            member.sync_error = f"{error.message} (attempt {member.sync_attempts}; retrying)"
            db.session.commit()
            enqueue_registration(member_id, attempt_id, email_ids, at=at, attempt=member.sync_attempts)
            return "rescheduled"
        flows.registration_failed(member, error.message)
        db.session.commit()
        return "failed"
    plugin_label = connections.plugin_for(binding.service).label
    flows.registration_succeeded(member, registration.registrant_id, registration.join_url, plugin_label)
    _outbox_rows(member, attempt_id, email_ids)
    db.session.commit()
    _emails_after_registration(member, attempt_id, email_ids)
    return "registered"


def _outbox_rows(member: Member, attempt_id: str, email_ids: list[int]) -> None:
    """The flow's emails as queued outbox rows, committed with the registration: if
    their jobs are lost (Redis restarted), the workers' sweep finds them there."""
    from portal.mail import QUEUED
    from portal.models import Email, OutboxMessage

    keys = {f"{attempt_id}:{email_id}": email_id for email_id in email_ids}
    known = set(db.session.scalars(db.select(OutboxMessage.key).where(OutboxMessage.key.in_(list(keys)))))
    for key, email_id in keys.items():
        email = db.session.get(Email, email_id)
        if key not in known and email is not None:
            db.session.add(OutboxMessage(key=key, program_id=member.program_id, member_id=member.id,
                                         email_id=email_id, to_address=member.person.email, subject="",
                                         body="", operational=email.operational, state=QUEUED))


def _emails_after_registration(member: Member, attempt_id: str, email_ids: list[int]) -> None:
    for email_id in email_ids:
        enqueue_email(member.id, email_id, f"{attempt_id}:{email_id}")


def send_email(member_id: int, email_id: int, key: str):
    """Write one program email for one member to the outbox and deliver it. The key
    makes a rerun harmless; SMTP failures raise, so RQ retries the job."""
    from portal import mail
    from portal.models import Email, OutboxMessage

    row = db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.key == key))
    if row is not None and row.state in (mail.SENT, mail.KEPT, mail.SKIPPED):
        return row.state
    member = db.session.get(Member, member_id)
    email = db.session.get(Email, email_id)
    if member is None or email is None:
        return "gone"
    person = member.person
    subject, body = mail.compose(email, member)
    if row is None:
        row = OutboxMessage(key=key, program_id=member.program_id, member_id=member.id, email_id=email.id,
                            to_address=person.email, operational=email.operational)
        db.session.add(row)
    row.subject, row.body = subject[:300], body
    if not email.operational and person.unsubscribed:
        row.state, row.error = mail.SKIPPED, "Not sent: the person unsubscribed and this is a marketing email."
    elif mail.needs_join_link(email.subject, email.body) and not member.webinar_url:
        # Never send an empty join link.
        row.state, row.error = mail.SKIPPED, "Not sent: the member has no join link."
    else:
        db.session.commit()          # in the outbox before any delivery attempt
        mail.deliver(row, "" if email.operational else mail.unsubscribe_url(person))
        member.last_email_at = utcnow()
    db.session.commit()
    return row.state
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


def warm_webinar_details(service_id: int, webinar_ids: list[str]) -> int:
    """Read, for the picker, whether registration is required on webinars the picker
    did not read itself; returns how many it learned."""
    from portal import connections, picker
    from portal.models import Service
    from providers.base import ProviderError, RateLimited

    service = db.session.get(Service, service_id)
    learned = 0
    for webinar_id in webinar_ids:
        if service is None or not service.usable:
            break
        try:
            webinar = connections.call(service, "webinar", webinar_id)
        except RateLimited:
            break               # the next picker load asks again
        except ProviderError:
            continue
        picker.remember_registration(service.provider, webinar_id, webinar.registration_required)
        learned += 1
    return learned


def webinar_updated(provider_key: str, webinar_id: str):
    """A ``webinar.updated`` webhook: re-read the webinar rather than trust the
    event's partial fields, so duplicates and late deliveries change nothing."""
    from portal import linking

    binding = linking.find_binding(provider_key, webinar_id)
    if binding is not None:
        linking.refresh_binding(binding.id)
        pulls.schedule_attendance_pulls(binding.program_id)  # the end may have moved


def webinar_deleted(provider_key: str, webinar_id: str):
    from portal import linking

    binding = linking.find_binding(provider_key, webinar_id)
    if binding is not None:
        linking.mark_deleted(binding)


def deauthorize_account(provider: str, account_id: str) -> int:
    """The provider removed Lectern from an account: disconnect its services."""
    from portal import service_flows
    return service_flows.deauthorized(provider, account_id)


# --- attendance ------------------------------------------------------------------------

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
            pulls.note_next_pull(program_id)
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
                           job_id=pulls.pull_job_id("retry", program_id))
    pulls.note_next_pull(program_id)
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
    pulls.schedule_attendance_pulls(program_id, ended_at=end or utcnow())
    start_attendance_sync(program_id, "webhook")
    return f"sync of program {program_id} enqueued"
