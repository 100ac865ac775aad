"""The email job (an entry point: enqueued by dotted name, never imported)."""
from __future__ import annotations

from portal.extensions import db
from portal.mail import compose, delivery
from portal.models import Email, Member, OutboxMessage
from portal.models.activity import KEPT, SENT, SKIPPED
from portal.models.types import utcnow


def send_email(member_id: int, email_id: int, key: str):
    """Write one program email for one member to the outbox and deliver it. The key
    makes a rerun harmless; SMTP failures raise, so RQ retries the job."""
    row = db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.key == key))
    if row is not None and row.state in (SENT, KEPT, SKIPPED):
        return row.state
    member = db.session.get(Member, member_id)
    email = db.session.get(Email, email_id)
    if member is None or email is None:
        return "gone"
    person = member.person
    subject, body = compose.compose(email, member)
    if row is None:
        row = OutboxMessage(key=key, program_id=member.program_id, member_id=member.id, email_id=email.id,
                            to_address=person.email, operational=email.operational)
        db.session.add(row)
    row.subject, row.body = subject[:300], body
    if not email.operational and person.unsubscribed:
        row.state, row.error = SKIPPED, "Not sent: the person unsubscribed and this is a marketing email."
    elif compose.needs_join_link(email.subject, email.body) and not member.webinar_url:
        # Never send an empty join link.
        row.state, row.error = SKIPPED, "Not sent: the member has no join link."
    else:
        db.session.commit()          # in the outbox before any delivery attempt
        delivery.deliver(row, "" if email.operational else compose.unsubscribe_url(person))
        member.last_email_at = utcnow()
    db.session.commit()
    return row.state
