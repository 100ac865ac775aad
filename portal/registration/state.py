"""The registration state machine: the landing form runs the program's Flow, the member
is stored as Registered with sync *pending*, and one attempt at a time registers them with
the provider; its outcome (synced, retried with backoff, or Registration Error).
Jobs are enqueued by dotted name, after the commit they read."""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from redis.exceptions import RedisError
from rq import Retry

from portal.attendance.pulls import final_pass_delay
from portal.channels import NOT_IN_PROGRAM, REGISTERED, REGISTRATION_ERROR
from portal.errors import NotAllowed
from portal.extensions import db
from portal.i18n import N_
from portal.mail.outbox import enqueue_email
from portal.models import Member, Program
from portal.models.programs import SYNC_FAILED, SYNC_NONE, SYNC_PENDING, SYNC_SYNCED
from portal.models.types import utcnow
from portal.programs.flow import CHANGE_STATUS, SEND_EMAIL, flow_email_ids
from portal.programs.lifecycle import change_status
from portal.sentences import Sentence
from portal.workers import queue, redis_conn

log = logging.getLogger(__name__)

REGISTER_JOB = "portal.registration.jobs.register_member"

# What a registration stores in English (history, sync error), worded when shown.
REGISTERED_WITH = Sentence(N_("registered with %(provider)s"))
NOT_LINKED = N_("The program is not linked to a usable webinar service.")
RETRYING = Sentence(N_("%(error)s (attempt %(num)d; retrying)"), nested=("error",))
GAVE_UP = Sentence(N_("Gave up after retrying for 24 hours: %(error)s"), nested=("error",))
JOB_LOST = Sentence(N_("the registration job was lost (%(state)s)."), nested=("state",))


@dataclass
class Plan:
    """What a flow run hands to jobs once its changes are committed."""
    register: bool = False
    attempt_id: str = ""
    email_ids: list[int] = field(default_factory=list)


def provider_ready(program: Program) -> bool:
    binding = program.binding
    return bool(binding and binding.deleted_at is None and binding.service and binding.service.usable)


def webinar_over(program: Program, now=None) -> bool:
    """Whether the program's webinar has ended: its attendance report was read (it ran),
    or its scheduled end is a final pass (24 hours) behind us. A webinar that merely
    passed its scheduled time may still be running late, or not have started yet."""
    binding = program.binding
    if binding is None or binding.end_at is None:
        return False
    if binding.attendance_pulled_at is not None:
        return True
    return binding.end_at + final_pass_delay() <= (now or utcnow())


def landing_open(program: Program) -> bool:
    """Whether the landing form may take registrations: a webinar program must be
    linked to a webinar of a usable service that requires registration [S13] and has not
    ended; other channels need nothing."""
    if not program.channel_def.partner_events:
        return True
    return provider_ready(program) and program.binding.registration_required and not webinar_over(program)


def registration_off(program: Program) -> bool:
    """Linked, but the webinar no longer requires registration [S13]."""
    binding = program.binding
    return bool(program.channel_def.partner_events and binding is not None
                and not binding.registration_required)


def _start_attempt(member, plan: Plan, now=None) -> None:
    """A new registration attempt (``member``: a Member or a Standing)."""
    plan.register = True
    plan.attempt_id = uuid.uuid4().hex
    member.sync_state = SYNC_PENDING
    member.sync_job_id = plan.attempt_id
    member.sync_since = now or utcnow()
    member.sync_attempts = 0
    member.sync_error = ""
    member.next_retry_at = None


@dataclass
class Standing:
    """A member's fields the flow reads and writes (a row, not an ORM object)."""
    status: str = NOT_IN_PROGRAM
    sync_state: str = SYNC_NONE
    sync_job_id: str = ""
    sync_since: datetime | None = None
    sync_attempts: int = 0
    sync_error: str = ""
    next_retry_at: datetime | None = None
    last_email_at: datetime | None = None


STANDING = [f.name for f in fields(Standing)]


def run_flow(program: Program, member: Standing, now: datetime) -> tuple[Plan, list[tuple[str, str]]]:
    """Run the program's flow for a member who filled out the form; returns the plan and
    the status moves (from, to). Only the step Change Program Status to Registered, on a
    linked program, pushes the person to the provider [S19]. Emails of a run that
    registers wait for the join link. Statuses move as ``lifecycle.change_status`` moves
    them: forward only."""
    channel = program.channel_def
    plan, moves, emails = Plan(), [], []
    for step in program.flow:
        if step.action == CHANGE_STATUS and step.status:
            if member.status != step.status and \
                    channel.status(step.status).step >= channel.status(member.status).step:
                moves.append((member.status, step.status))
                member.status = step.status
            if (step.status == REGISTERED and member.status == REGISTERED and provider_ready(program)
                    and member.sync_state not in (SYNC_PENDING, SYNC_SYNCED) and not plan.register):
                _start_attempt(member, plan, now)
        elif step.action == SEND_EMAIL and step.email_id:
            emails.append(step.email_id)
    if plan.register:
        plan.email_ids = emails          # sent by the registration job once the link is known
    elif member.sync_state == SYNC_PENDING:
        pass                             # a registration in flight will send them
    elif emails:
        interval = timedelta(seconds=current_app.config["REGISTRATION_RESEND_INTERVAL"])
        if member.last_email_at is None or now - member.last_email_at >= interval:
            plan.email_ids = emails
            member.last_email_at = now
    return plan, moves


def dispatch(member_id: int, plan: Plan) -> None:
    """Hand a committed plan to the jobs (never before the commit). With Redis down
    the member stays stored as pending and a worker's sweep enqueues the registration
    once Redis is back (portal/registration/recovery.py): the person who filled out the form still
    gets the thank-you page."""
    if not plan.register and not plan.email_ids:
        return
    try:
        pipe = redis_conn().pipeline()          # every job in one round trip
        if plan.register:
            enqueue_registration(member_id, plan.attempt_id, plan.email_ids, pipeline=pipe)
        else:
            for email_id in plan.email_ids:
                enqueue_email(member_id, email_id, uuid.uuid4().hex, pipeline=pipe)
        pipe.execute()
    except RedisError as error:
        log.warning("could not enqueue the jobs of member %s (%s: %s); %s", member_id,
                    type(error).__name__, error,
                    "the registration sweep will" if plan.register else "its emails are not sent")


def retry_registration(member: Member) -> None:
    """The marketer's Retry now: a new attempt, at once, with the flow's emails."""
    if not provider_ready(member.program):
        raise NotAllowed(_(NOT_LINKED))
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
    change_status(member, REGISTERED, reason=REGISTERED_WITH(provider=label))


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
                         attempt: int = 0, pipeline=None):
    """Enqueue one attempt of a member's registration, at once or at ``at``.
    Retry covers crashes of the job itself and of its worker; provider failures are
    rescheduled by the job."""
    job_id = registration_job_id(attempt_id, attempt)
    intervals = current_app.config["REGISTRATION_JOB_RETRY_INTERVALS"]
    options = {"job_id": job_id, "retry": Retry(max=len(intervals), interval=[int(i) for i in intervals]),
               "job_timeout": current_app.config["REGISTRATION_JOB_TIMEOUT"], "pipeline": pipeline}
    if at is not None:
        return queue().enqueue_at(at, REGISTER_JOB, member_id, attempt_id, email_ids, **options)
    return queue().enqueue(REGISTER_JOB, member_id, attempt_id, email_ids, **options)
