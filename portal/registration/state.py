"""The registration state machine: the landing form runs the program's Flow, the member
is stored as Registered with sync *pending*, and one attempt at a time registers them with
the provider; its outcome (synced, retried with backoff, or Registration Error).
Jobs are enqueued by dotted name, after the commit they read."""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from redis.exceptions import RedisError
from rq import Retry
from sqlalchemy.exc import IntegrityError

from portal.channels import REGISTERED, REGISTRATION_ERROR
from portal.errors import NotAllowed
from portal.extensions import db
from portal.mail.outbox import enqueue_email
from portal.models import Member, Program
from portal.models.programs import SYNC_FAILED, SYNC_PENDING, SYNC_SYNCED
from portal.models.types import utcnow
from portal.programs.flow import CHANGE_STATUS, SEND_EMAIL, flow_email_ids
from portal.programs.lifecycle import change_status, find_or_create_person
from portal.workers import queue

log = logging.getLogger(__name__)

REGISTER_JOB = "portal.registration.jobs.register_member"


@dataclass
class Plan:
    """What a flow run hands to jobs once its changes are committed."""
    register: bool = False
    attempt_id: str = ""
    email_ids: list[int] = field(default_factory=list)


def provider_ready(program: Program) -> bool:
    binding = program.binding
    return bool(binding and binding.deleted_at is None and binding.service and binding.service.usable)


def landing_open(program: Program) -> bool:
    """Whether the landing form may take registrations: a webinar program must be
    linked to a webinar of a usable service that requires registration [S13]; other
    channels need nothing."""
    if not program.channel_def.partner_events:
        return True
    return provider_ready(program) and program.binding.registration_required


def registration_off(program: Program) -> bool:
    """Linked, but the webinar no longer requires registration [S13]."""
    binding = program.binding
    return bool(program.channel_def.partner_events and binding is not None
                and not binding.registration_required)


def _claim_attempt(member: Member, plan: Plan) -> bool:
    """Start an attempt for a member no attempt is running for, atomically: of two
    submissions at the same moment, one wins the row (the other's UPDATE waits for its
    commit, then matches nothing) and only it registers and sends the flow's emails."""
    attempt_id = uuid.uuid4().hex
    claimed = db.session.execute(
        db.update(Member).where(Member.id == member.id, Member.sync_state.not_in([SYNC_PENDING, SYNC_SYNCED]))
        .values(sync_state=SYNC_PENDING, sync_job_id=attempt_id, sync_since=utcnow(), sync_attempts=0,
                sync_error="", next_retry_at=None)
        .execution_options(synchronize_session=False)).rowcount == 1
    db.session.expire(member, ["sync_state", "sync_job_id", "sync_since", "sync_attempts", "sync_error",
                               "next_retry_at"])
    if claimed:
        plan.register, plan.attempt_id = True, attempt_id
    return claimed


def _claim_resend(member: Member) -> bool:
    """Claim the flow's emails for a member already registered, atomically: at most one
    send per REGISTRATION_RESEND_INTERVAL, however many submissions arrive at once."""
    now = utcnow()
    interval = timedelta(seconds=current_app.config["REGISTRATION_RESEND_INTERVAL"])
    claimed = db.session.execute(
        db.update(Member).where(Member.id == member.id, Member.sync_state != SYNC_PENDING,
                                db.or_(Member.last_email_at.is_(None), Member.last_email_at <= now - interval))
        .values(last_email_at=now).execution_options(synchronize_session=False)).rowcount == 1
    db.session.expire(member, ["last_email_at"])
    return claimed


def _start_attempt(member: Member, plan: Plan) -> None:
    plan.register = True
    plan.attempt_id = uuid.uuid4().hex
    member.sync_state = SYNC_PENDING
    member.sync_job_id = plan.attempt_id
    member.sync_since = utcnow()
    member.sync_attempts = 0
    member.sync_error = ""
    member.next_retry_at = None


def run_flow(member: Member) -> Plan:
    """Run the program's flow for a member who filled out the form. Only the step
    Change Program Status to Registered, on a linked program, pushes the person to
    the provider [S19]. Emails of a run that registers wait for the join link."""
    program = member.program
    plan = Plan()
    emails = []
    for step in program.flow:
        if step.action == CHANGE_STATUS and step.status:
            change_status(member, step.status, reason="filled out the form")
            if (step.status == REGISTERED and member.status == REGISTERED and provider_ready(program)
                    and member.sync_state not in (SYNC_PENDING, SYNC_SYNCED) and not plan.register):
                _claim_attempt(member, plan)
        elif step.action == SEND_EMAIL and step.email_id:
            emails.append(step.email_id)
    if plan.register:
        plan.email_ids = emails          # sent by the registration job once the link is known
    elif member.sync_state == SYNC_PENDING:
        pass                             # a registration in flight will send them
    elif emails and _claim_resend(member):
        plan.email_ids = emails
    return plan


def dispatch(member_id: int, plan: Plan) -> None:
    """Hand a committed plan to the jobs (never before the commit). With Redis down
    the member stays stored as pending and a worker's sweep enqueues the registration
    once Redis is back (portal/registration/recovery.py): the person who filled out the form still
    gets the thank-you page."""
    try:
        if plan.register:
            enqueue_registration(member_id, plan.attempt_id, plan.email_ids)
        else:
            for email_id in plan.email_ids:
                enqueue_email(member_id, email_id, uuid.uuid4().hex)
    except RedisError as error:
        log.warning("could not enqueue the jobs of member %s (%s: %s); %s", member_id,
                    type(error).__name__, error,
                    "the registration sweep will" if plan.register else "its emails are not sent")


def submit_registration(program_id: int, email: str, first_name: str, last_name: str,
                        company: str = "", phone: str = "", source: str = "") -> Member:
    """The landing form was filled out: person, member, flow; commit, then enqueue."""
    for attempt in (1, 2):
        try:
            program = db.session.get(Program, program_id)
            person, _created = find_or_create_person(email, first_name=first_name, last_name=last_name,
                                              company=company, phone=phone, source=source)
            db.session.flush()
            member = db.session.scalar(db.select(Member).where(
                Member.program_id == program.id, Member.person_id == person.id))
            if member is None:
                member = Member(program=program, person=person)
                db.session.add(member)
                db.session.flush()
            plan = run_flow(member)
            db.session.commit()
            break
        except IntegrityError:
            # The same person submitted twice at the same moment: the other request
            # created the row; run again on it.
            db.session.rollback()
            if attempt == 2:
                raise
    dispatch(member.id, plan)
    return member


def retry_registration(member: Member) -> None:
    """The marketer's Retry now: a new attempt, at once, with the flow's emails."""
    if not provider_ready(member.program):
        raise NotAllowed(_("The program is not linked to a usable webinar service."))
    if member.sync_state not in (SYNC_PENDING, SYNC_FAILED):
        raise NotAllowed(_("This member has nothing to retry."))
    plan = Plan()
    _start_attempt(member, plan)
    plan.email_ids = flow_email_ids(member.program)
    db.session.commit()
    dispatch(member.id, plan)


def registration_succeeded(member: Member, registrant_id: str, join_url: str, label: str) -> None:
    member.registrant_id = registrant_id
    member.webinar_url = join_url
    member.sync_state = SYNC_SYNCED
    member.sync_error = ""
    member.next_retry_at = None
    # Back from Registration Error (same step) after a successful retry.
    change_status(member, REGISTERED, reason=f"registered with {label}")


def registration_failed(member: Member, reason: str) -> None:
    member.sync_state = SYNC_FAILED
    member.sync_error = reason
    member.next_retry_at = None
    change_status(member, REGISTRATION_ERROR, reason=reason[:500])


def registration_delay(member: Member, error, now) -> float | None:
    """Seconds until the next attempt after a transient error, honouring the
    provider's Retry-After; None once the retry window (24 hours) is spent."""
    config = current_app.config
    base = config["REGISTRATION_RETRY_BASE"]
    delay = min(base * 2 ** max(member.sync_attempts - 1, 0), config["REGISTRATION_RETRY_MAX"])
    resume_at = getattr(error, "resume_at", None)
    retry_after = getattr(error, "retry_after", None)
    if resume_at is not None:
        delay = max(delay, (resume_at - now).total_seconds())
    elif retry_after:
        delay = float(retry_after)
    since = member.sync_since or now
    if now + timedelta(seconds=delay) > since + timedelta(seconds=config["REGISTRATION_RETRY_WINDOW"]):
        return None
    return delay


def registration_job_id(attempt_id: str, attempt: int) -> str:
    """The RQ job in charge of a member's registration: ``attempt`` is the member's
    committed ``sync_attempts``, so the sweep can tell which job should exist."""
    return f"register-{attempt_id}-{attempt}"


def enqueue_registration(member_id: int, attempt_id: str, email_ids: list[int], at=None,
                         attempt: int = 0):
    """Enqueue one attempt of a member's registration, at once or at ``at``.
    Retry covers crashes of the job itself and of its worker; provider failures are
    rescheduled by the job."""
    job_id = registration_job_id(attempt_id, attempt)
    intervals = current_app.config["REGISTRATION_JOB_RETRY_INTERVALS"]
    options = {"job_id": job_id, "retry": Retry(max=len(intervals), interval=[int(i) for i in intervals]),
               "job_timeout": current_app.config["REGISTRATION_JOB_TIMEOUT"]}
    if at is not None:
        return queue().enqueue_at(at, REGISTER_JOB, member_id, attempt_id, email_ids, **options)
    return queue().enqueue(REGISTER_JOB, member_id, attempt_id, email_ids, **options)
