"""The registration job (an entry point: enqueued by dotted name, never imported).

Jobs take ids and strings, never ORM objects, and run in the app context of the worker
that picked them up (portal/workers.py). Durable outcomes go to our database."""
from __future__ import annotations

import math
from datetime import datetime, timezone

from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.mail.outbox import enqueue_flow_emails, outbox_rows
from portal.models import Binding, Member, Program
from portal.models.programs import SYNC_PENDING, SYNC_SYNCED
from portal.models.types import utcnow
from portal.registration import state
from portal.services.gateway import Gateway
from providers.base import AuthExpired, ProviderError, Registrant


def register_member(member_id: int, attempt_id: str, email_ids: list[int]):
    """Register a member with the program's provider, store the join link, then send
    the flow's emails. Idempotent: the provider's register is idempotent on email, and a
    superseded or finished attempt does nothing more."""
    # one query for all the job reads: member, person, program, binding, service
    member = db.session.get(Member, member_id, options=[
        joinedload(Member.person), joinedload(Member.program).joinedload(Program.binding)
        .joinedload(Binding.service)])
    if member is None or member.sync_job_id != attempt_id:
        return "superseded"
    if member.sync_state == SYNC_SYNCED:
        # A rerun after success: the emails' outbox rows were committed with the
        # registration; their jobs, or the workers' sweep, send them.
        return "already registered"
    if member.sync_state != SYNC_PENDING:
        return member.sync_state
    program = member.program
    if not state.provider_ready(program):
        state.registration_failed(member, state.NOT_LINKED)
        db.session.commit()
        return "failed"
    binding, person = program.binding, member.person
    member.sync_attempts += 1
    try:
        gateway = Gateway(binding.service, program_id=program.id)
        registration = gateway.register(binding.webinar_id, Registrant(
            email=person.email, first_name=person.first_name, last_name=person.last_name,
            company=person.company, phone=person.phone))
    except ProviderError as error:
        # An expired authorization waits for an admin to re-authorize, like an outage.
        if error.transient or isinstance(error, AuthExpired):
            now = utcnow()
            delay = state.registration_delay(member, error, now)
            if delay is None:
                state.registration_failed(member, state.GAVE_UP(error=error.message))
                db.session.commit()
                return "failed"
            # Rounded up to the whole second the scheduler works in: Retry-After is a floor.
            at = datetime.fromtimestamp(math.ceil(now.timestamp() + delay), timezone.utc)
            member.next_retry_at = at
            member.sync_error = state.RETRYING(error=error.message, num=member.sync_attempts)
            db.session.commit()
            state.enqueue_registration(member_id, attempt_id, email_ids, at=at, attempt=member.sync_attempts)
            return "rescheduled"
        state.registration_failed(member, error.message)
        db.session.commit()
        return "failed"
    state.registration_succeeded(member, registration.registrant_id, registration.join_url,
                                 gateway.plugin.label)
    outbox_rows(member, attempt_id, email_ids)
    if email_ids:
        # Claimed with the join link, not when delivered: a submission arriving
        # meanwhile finds them on their way and sends nothing more.
        member.last_email_at = utcnow()
    db.session.commit()
    enqueue_flow_emails(member, attempt_id, email_ids)
    return "registered"
