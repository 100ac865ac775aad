"""Registration with the provider, end to end: the landing form, a real RQ worker,
the Zoom sandbox over HTTP and a real SMTP server on loopback [S16] [S17] [S19]."""
from datetime import timedelta

import pytest
import requests

from portal.channels import INVITED, REGISTERED, REGISTRATION_ERROR
from portal.extensions import db
from portal.models import FlowStep, Member, OutboxMessage, Person, utcnow
from providers.zoom.sandbox import seed
from tests.babel_helpers import babel_when
from tests.services_helpers import connect_service, linked_program
from tests.smtp_fixtures import smtp_server_fixture  # noqa: F401  (the smtp_server fixture)

FORM = {"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com",
        "company": "Navy", "phone": "+1 555 0100"}
WEBINAR = str(seed.W_SINGLE)


@pytest.fixture
def config(config):
    # Short waits keep the suite fast: the Zoom client sleeps at most 0.5 s inline,
    # and the registration job's backoff starts at 1 s.
    config.update(ZOOM_MAX_WAIT=0.5, REGISTRATION_RETRY_BASE=1, MAIL_RETRY_INTERVALS=[1])
    return config


@pytest.fixture
def program(admin, sandbox):
    """A webinar program linked to the sandbox's upcoming webinar, landing page published."""
    return linked_program(connect_service(admin), "Spring webinar", WEBINAR)


def submit(client, program, **change):
    return client.post(f"/lp/{program.landing_page.slug}", data={**FORM, **change}, follow_redirects=True)


def sandbox_registrants(sandbox, webinar=WEBINAR) -> list[dict]:
    """The webinar's registrants as Zoom's API lists them (GET /v2/webinars/{id}/registrants)."""
    from providers.zoom import ZoomEvent
    plugin = ZoomEvent(sandbox.config)
    token = sandbox.connect(plugin).load()["access_token"]
    plugin.session.close()
    answer = requests.get(f"{sandbox.api_url}/webinars/{webinar}/registrants",
                          headers={"Authorization": f"Bearer {token}"}, params={"page_size": 300}, timeout=5)
    answer.raise_for_status()
    return answer.json()["registrants"]


def member_of(email="grace@example.com") -> Member:
    db.session.expire_all()
    return db.session.scalar(db.select(Member).join(Person).where(Person.email_key == email))


def test_registration_end_to_end(client, program, sandbox, run_jobs, smtp_server):
    landing = client.get(f"/lp/{program.landing_page.slug}")
    binding = program.binding
    assert binding.topic in landing.text
    assert babel_when(binding.start_at, binding.timezone) in landing.text and binding.timezone in landing.text

    thanks = submit(client, program)
    assert "Thank you for registering" in thanks.text
    member = member_of()
    # Stored before the provider was called: Registered, sync pending, nothing at Zoom yet.
    assert (member.status, member.sync_state, member.webinar_url) == (REGISTERED, "pending", "")
    assert sandbox_registrants(sandbox) == []

    run_jobs()

    member = member_of()
    [registrant] = sandbox_registrants(sandbox)
    assert (registrant["email"], registrant["first_name"], registrant["last_name"], registrant["org"],
            registrant["phone"]) == ("grace@example.com", "Grace", "Hopper", "Navy", "+1 555 0100")
    assert (member.status, member.sync_state) == (REGISTERED, "synced")
    assert member.registrant_id == registrant["id"] and member.webinar_url == registrant["join_url"]
    [mail] = smtp_server.to("grace@example.com")
    assert mail["subject"] == f"Your link to join {binding.topic}"
    assert member.webinar_url in mail["body"] and mail["body"].startswith("Hello Grace,")
    assert "To stop receiving" not in mail["body"]  # the confirmation is operational
    outbox = db.session.scalar(db.select(OutboxMessage))
    assert (outbox.state, outbox.operational, outbox.to_address) == ("sent", True, "grace@example.com")
    page = client.get(f"/programs/{program.id}/members/{member.id}")
    assert member.webinar_url in page.text and "synced" in page.text


def test_duplicate_submission_one_member_one_registrant_same_link(client, program, sandbox, run_jobs,
                                                                   smtp_server):
    submit(client, program)
    submit(client, program, email="Grace@EXAMPLE.com", company="")   # before the job ran
    run_jobs()
    submit(client, program, email="GRACE@example.com")               # after: within 10 minutes
    run_jobs()
    assert len(sandbox_registrants(sandbox)) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(Member)) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(Person)) == 1
    assert len(smtp_server.messages) == 1
    member = member_of()
    first_link = member.webinar_url
    member.last_email_at = utcnow() - timedelta(minutes=11)
    db.session.commit()
    submit(client, program)
    run_jobs()
    assert len(sandbox_registrants(sandbox)) == 1
    assert [m["body"].count(first_link) for m in smtp_server.messages] == [1, 1]
    assert member_of().webinar_url == first_link
    assert member_of().person.company == "Navy"


def test_outage_then_recovery_registers_once(client, program, sandbox, run_jobs, smtp_server, run_due):
    sandbox.control("faults", pattern="/v2/webinars/*/registrants", for_method="POST", status=503, count=None)
    submit(client, program)
    run_jobs()
    member = member_of()
    assert (member.status, member.sync_state, member.sync_attempts) == (REGISTERED, "pending", 1)
    assert member.next_retry_at is not None and smtp_server.messages == []
    page = client.get(f"/programs/{program.id}")
    assert "pending" in page.text and "next retry" in page.text and "Retry now" in page.text

    sandbox.control("faults", method="DELETE")
    run_due((member.next_retry_at - utcnow()).total_seconds() + 1)
    member = member_of()
    assert (member.status, member.sync_state) == (REGISTERED, "synced")
    assert len(sandbox_registrants(sandbox)) == 1
    assert len(smtp_server.to("grace@example.com")) == 1


def test_rate_limit_honours_retry_after(client, program, sandbox, run_jobs, smtp_server, run_due):
    sandbox.control("faults", pattern="/v2/webinars/*/registrants", for_method="POST", status=429,
                    retry_after=2, count=1)
    submit(client, program)
    started = utcnow()
    run_jobs()
    member = member_of()
    assert member.sync_state == "pending"
    assert member.next_retry_at - started >= timedelta(seconds=2)
    run_jobs()                                           # not due yet: nothing happens
    assert member_of().sync_state == "pending" and sandbox_registrants(sandbox) == []
    run_due((member.next_retry_at - utcnow()).total_seconds() + 1)
    assert member_of().sync_state == "synced" and len(sandbox_registrants(sandbox)) == 1
    assert len(smtp_server.messages) == 1


def test_permanent_failure_shows_why_and_sends_nothing(client, program, sandbox, run_jobs, smtp_server):
    sandbox.control(f"webinars/{WEBINAR}", method="DELETE")
    submit(client, program)
    run_jobs()
    member = member_of()
    assert (member.status, member.sync_state) == (REGISTRATION_ERROR, "failed")
    assert "not found" in member.sync_error.lower()
    assert member.history[-1].to_status == REGISTRATION_ERROR and member.history[-1].reason == member.sync_error
    assert smtp_server.messages == [] and db.session.scalar(db.select(OutboxMessage)) is None
    members = client.get(f"/programs/{program.id}")
    assert "Registration Error" in members.text and member.sync_error in members.text
    assert "Retry now" in members.text


def test_retry_now_after_failure_moves_back_to_registered(client, program, sandbox, run_jobs, smtp_server):
    sandbox.control("faults", pattern="/v2/webinars/*/registrants", for_method="POST", status=400, count=1)
    submit(client, program)
    run_jobs()
    member = member_of()
    assert (member.status, member.sync_state) == (REGISTRATION_ERROR, "failed")
    answer = client.post(f"/programs/{program.id}/members/{member.id}/retry", follow_redirects=True)
    assert "retried now" in answer.text
    run_jobs()
    member = member_of()
    assert (member.status, member.sync_state, member.sync_error) == (REGISTERED, "synced", "")
    assert len(sandbox_registrants(sandbox)) == 1 and len(smtp_server.messages) == 1
    assert [c.to_status for c in member.history] == [REGISTERED, REGISTRATION_ERROR, REGISTERED]


def test_gives_up_after_the_retry_window(client, program, sandbox, run_jobs, app):
    app.config["REGISTRATION_RETRY_WINDOW"] = 0.5
    sandbox.control("faults", pattern="/v2/webinars/*/registrants", for_method="POST", status=503, count=None)
    submit(client, program)
    run_jobs()
    member = member_of()
    assert (member.status, member.sync_state) == (REGISTRATION_ERROR, "failed")
    assert member.sync_error.startswith("Gave up after retrying for 24 hours")


def test_only_registered_pushes_to_the_provider(client, program, sandbox, run_jobs, smtp_server):
    # A flow that only marks people Invited: no call to the provider.
    db.session.execute(db.delete(FlowStep).where(FlowStep.program_id == program.id))
    db.session.add(FlowStep(program=program, position=1, action="change_status", status=INVITED))
    db.session.commit()
    submit(client, program)
    run_jobs()
    member = member_of()
    assert (member.status, member.sync_state) == (INVITED, "none")
    # Moving them to Registered by hand or in bulk is not the flow step: still no call.
    client.post(f"/programs/{program.id}/members/{member.id}", data={"status": REGISTERED, "reason": "x"})
    run_jobs()
    assert member_of().status == REGISTERED and member_of().sync_state == "none"
    assert sandbox_registrants(sandbox) == []
    assert sandbox.requests_seen(method="POST", prefix="/v2/webinars") == []
