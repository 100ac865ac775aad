"""An email that cannot be delivered: failed for good with the reason (outbox, member
page), never retried by RQ nor resurrected by the sweep; transient failures retried a
bounded number of times. A real SMTP server on loopback, real RQ workers."""
from datetime import timedelta

import pytest
from rq import Queue

from portal.extensions import db
from portal.mail.outbox import SEND_JOB, email_job_id
from portal.models import Member, OutboxMessage, Person, utcnow
from portal.registration.recovery import sweep_registrations
from tests.fault_helpers import free_port
from tests.smtp_fixtures import smtp_server_fixture  # noqa: F401  (the smtp_server fixture)
from tests.test_landing import FORM, only_email, published_program


@pytest.fixture
def config(config):
    # Retries at once, so one burst worker runs them all; the sweep looks at everything.
    config.update(MAIL_RETRY_INTERVALS=[0, 0], REGISTRATION_SWEEP_GRACE=0)
    return config


def register(client, **change):
    program = published_program()
    only_email(program, "Welcome", "See you there, {{lead.First Name}}.", operational=True)
    response = client.post(f"/lp/{program.landing_page.slug}", data={**FORM, **change})
    assert response.status_code == 302
    return program


def the_row() -> OutboxMessage:
    db.session.expire_all()
    [row] = db.session.scalars(db.select(OutboxMessage)).all()
    return row


def sweep_changes_nothing(run_jobs, row_before):
    assert sweep_registrations() == 0
    run_jobs()
    row = the_row()
    assert (row.state, row.attempts, row.error) == (row_before.state, row_before.attempts, row_before.error)


def test_refused_address_fails_once_with_the_reason_shown(marketer, client, run_jobs, smtp_server):
    smtp_server.refused.add("grace@example.com")
    program = register(client)
    run_jobs()
    row = the_row()
    assert row.state == "failed" and row.attempts == 1
    assert "refused the address: 550 5.1.1 No such mailbox here" in row.error
    assert smtp_server.messages == []
    assert "refused the address" in marketer.get("/outbox/").text
    member = db.session.scalar(db.select(Member))
    page = marketer.get(f"/programs/{program.id}/members/{member.id}").text
    assert "state-failed" in page and "refused the address" in page
    sweep_changes_nothing(run_jobs, row)


def test_a_name_that_breaks_the_subject_fails_once_instead_of_looping(client, app, run_jobs, smtp_server):
    program = published_program()
    only_email(program, "Welcome", "Hello.", operational=True)     # subject: Welcome for {{lead.First Name}}
    client.post(f"/lp/{program.landing_page.slug}", data=FORM)
    # A name stored before the form refused line breaks, or read from a provider's report.
    db.session.execute(db.update(Person).values(first_name="Grace\r\nBcc: everyone@example.com"))
    db.session.commit()
    run_jobs()
    row = the_row()
    assert row.state == "failed" and row.attempts == 1
    assert row.error.startswith("Not sent: the email cannot be built")
    assert smtp_server.messages == []
    sweep_changes_nothing(run_jobs, row)


def test_mail_server_down_is_retried_then_given_up_for_good(client, app, run_jobs):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())   # nobody listens
    register(client)
    run_jobs()
    row = the_row()
    assert row.state == "failed" and row.attempts == 3
    assert row.error.startswith("Gave up after 3 attempts: SMTP delivery failed")
    sweep_changes_nothing(run_jobs, row)


def test_the_sweep_cannot_retry_an_email_past_the_cap(client, app, run_jobs, smtp_server):
    register(client)
    assert db.session.scalar(db.select(OutboxMessage)) is None   # written by the job, not run yet
    app.extensions["redis"].flushdb()    # Redis lost the job...
    member = db.session.scalar(db.select(Member))
    email_id = member.program.emails[-1].id
    db.session.add(OutboxMessage(key=f"lost:{email_id}", program_id=member.program_id, member_id=member.id,
                                 email_id=email_id, to_address="grace@example.com", subject="", body="",
                                 operational=True, state="queued", attempts=3,
                                 error="SMTP delivery failed: timed out (attempt 3 of 3; retrying)"))
    db.session.commit()                  # ...after its third attempt had failed
    assert sweep_registrations() == 1
    run_jobs()
    row = the_row()
    assert row.state == "failed" and row.error.startswith("Gave up after 3 attempts.")
    assert smtp_server.messages == []
    sweep_changes_nothing(run_jobs, row)


def test_the_sweep_judges_a_job_by_the_queue_it_waits_in(client, app, run_jobs, smtp_server):
    """A retry scheduled on another of the portal's queues is not lost: the sweep leaves
    it there instead of sending the email a second time from its own queue."""
    register(client)
    app.extensions["redis"].flushdb()
    member = db.session.scalar(db.select(Member))
    email_id = member.program.emails[-1].id
    key = f"elsewhere:{email_id}"
    db.session.add(OutboxMessage(key=key, program_id=member.program_id, member_id=member.id, email_id=email_id,
                                 to_address="grace@example.com", subject="", body="", operational=True,
                                 state="queued", attempts=1))
    db.session.commit()
    other = Queue("lectern-other", connection=app.extensions["redis"])
    other.enqueue_at(utcnow() + timedelta(hours=1), SEND_JOB, member.id, email_id, key, job_id=email_job_id(key))
    assert sweep_registrations() == 0
    run_jobs()
    assert the_row().state == "queued" and smtp_server.messages == []
    assert email_job_id(key) in other.scheduled_job_registry.get_job_ids()
