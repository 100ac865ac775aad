"""The email job (an entry point: enqueued by dotted name, never imported)."""
from __future__ import annotations

from flask import current_app

from portal.extensions import db
from portal.mail import calendar, compose, delivery, outbox
from portal.models import Email, Member, OutboxMessage
from portal.models.activity import FAILED, QUEUED, SKIPPED


def max_attempts() -> int:
    return current_app.config.get("MAIL_MAX_ATTEMPTS") or len(current_app.config["MAIL_RETRY_INTERVALS"]) + 1


def send_email(member_id: int, email_id: int, key: str):
    """Write one program email for one member to the outbox and deliver it. The key
    makes a rerun harmless: only a queued row is ever sent. A transient SMTP failure
    raises, so RQ retries the job; a permanent one, or the last allowed attempt, leaves
    the row failed with the reason, and nothing (RQ, the sweep) sends it again."""
    row = db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.key == key))
    if row is not None and row.state != QUEUED:
        return row.state
    member = db.session.get(Member, member_id)
    email = db.session.get(Email, email_id)
    if member is None or email is None:
        if row is not None:
            row.state, row.error = FAILED, outbox.NOT_SENT_GONE
            db.session.commit()
        return "gone"
    person = member.person
    if row is None:
        row = OutboxMessage(key=key, program_id=member.program_id, member_id=member.id, email_id=email.id,
                            to_address=person.email, operational=email.operational, subject="", body="")
        db.session.add(row)
    # Counted before anything can crash: a job that keeps failing (or that the sweep
    # keeps finding) stops at the cap.
    row.attempts = (row.attempts or 0) + 1
    if row.attempts > max_attempts():
        row.state = FAILED
        row.error = outbox.STOPPED_AFTER(num=max_attempts(), error=row.error) if row.error \
            else outbox.STOPPED(num=max_attempts())
        db.session.commit()
        return row.state
    db.session.commit()
    subject, body = compose.compose(email, member)
    row.subject, row.body = subject[:300], body
    if not email.operational and person.unsubscribed:
        row.state, row.error = SKIPPED, outbox.NOT_SENT_UNSUBSCRIBED
    elif compose.needs_join_link(email.subject, email.body) and not member.webinar_url:
        # Never send an empty join link.
        row.state, row.error = SKIPPED, outbox.NOT_SENT_NO_LINK
    else:
        db.session.commit()          # in the outbox before any delivery attempt
        try:
            delivery.deliver(row, "" if email.operational
                             else compose.unsubscribe_url(person, member.program.language),
                             calendar.member_invitation(member, email))
        except delivery.DeliveryFailed as failure:
            if failure.permanent:
                row.state, row.error = FAILED, failure.reason
            elif row.attempts >= max_attempts():
                row.state, row.error = FAILED, outbox.GAVE_UP(num=row.attempts, error=failure.reason)
            else:
                row.error = outbox.RETRYING(error=failure.reason, num=row.attempts, max=max_attempts())
                db.session.commit()
                raise
    db.session.commit()
    return row.state

