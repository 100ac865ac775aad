"""The outbox: every program email is a row before any delivery attempt, keyed so a
rerun never sends twice; its job is enqueued by dotted name."""
from __future__ import annotations

from flask import current_app
from rq import Retry

from portal.extensions import db
from portal.i18n import N_
from portal.models import Email, Member, OutboxMessage
from portal.models.activity import QUEUED
from portal.sentences import Nn_, Sentence
from portal.workers import queue

SEND_JOB = "portal.mail.jobs.send_email"

# Why a message was not sent, as its row stores it (English), worded when shown.
NOT_SENT_GONE = N_("Not sent: the member or the email was deleted.")
NOT_SENT_UNSUBSCRIBED = N_("Not sent: the person unsubscribed and this is a marketing email.")
NOT_SENT_NO_LINK = N_("Not sent: the member has no join link.")
NOT_BUILT = Sentence(N_("Not sent: the email cannot be built (%(error)s)"))
REFUSED_ADDRESS = Sentence(N_("The mail server refused the address: %(reply)s"))
SERVER_ANSWERED = Sentence(N_("The mail server answered %(code)s %(text)s"))
SMTP_FAILED = Sentence(N_("SMTP delivery failed: %(error)s"))
RETRYING = Sentence(N_("%(error)s (attempt %(num)d of %(max)d; retrying)"), nested=("error",))
GAVE_UP = Sentence(*Nn_("Gave up after %(num)d attempt: %(error)s", "Gave up after %(num)d attempts: %(error)s"),
                   nested=("error",))
STOPPED = Sentence(*Nn_("Gave up after %(num)d attempt.", "Gave up after %(num)d attempts."))
STOPPED_AFTER = Sentence(*Nn_("Gave up after %(num)d attempt. %(error)s", "Gave up after %(num)d attempts. %(error)s"),
                         nested=("error",))


def email_job_id(key: str) -> str:
    """The RQ job sending the outbox message with this key (RQ ids allow no colon)."""
    return "email-" + key.replace(":", "-")


def enqueue_email(member_id: int, email_id: int, key: str, pipeline=None):
    """``pipeline``: a Redis pipeline the caller executes (several jobs, one round trip)."""
    intervals = current_app.config["MAIL_RETRY_INTERVALS"]
    return queue().enqueue(SEND_JOB, member_id, email_id, key, job_id=email_job_id(key), pipeline=pipeline,
                           retry=Retry(max=len(intervals), interval=intervals) if intervals else None)


def outbox_rows(member: Member, attempt_id: str, email_ids: list[int]) -> None:
    """The flow's emails as queued outbox rows, committed with the registration: if
    their jobs are lost (Redis restarted), the workers' sweep finds them there."""
    if not email_ids:
        return
    keys = {f"{attempt_id}:{email_id}": email_id for email_id in email_ids}
    known = set(db.session.scalars(db.select(OutboxMessage.key).where(OutboxMessage.key.in_(list(keys)))))
    for key, email_id in keys.items():
        email = db.session.get(Email, email_id)
        if key not in known and email is not None:
            db.session.add(OutboxMessage(key=key, program_id=member.program_id, member_id=member.id,
                                         email_id=email_id, to_address=member.person.email, subject="",
                                         body="", operational=email.operational, state=QUEUED))


def enqueue_flow_emails(member: Member, attempt_id: str, email_ids: list[int]) -> None:
    for email_id in email_ids:
        enqueue_email(member.id, email_id, f"{attempt_id}:{email_id}")
