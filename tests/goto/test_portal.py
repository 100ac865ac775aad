"""The portal with a GoTo Webinar account, over its own pages, a real worker and the
GoTo sandbox over HTTP: connect (and refusal), link (and refusal of sequence and
series webinars), register with a duplicate, each person's own join link by email,
attendance merged over sessions and rejoins, a webinar that never ran, the
reschedule warning from webinar.changed, and a clone that never carries the binding."""
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.models import Binding, Member, Person, Program, Service, ServiceError
from portal.programs import lifecycle as flows
from providers.goto.sandbox import seed
from tests.goto.portal_helpers import (
    connect_goto,
    connected_goto,
    finish_connect,
    link,
    start_connect,
    text,
)
from tests.smtp_fixtures import smtp_server_fixture  # noqa: F401  (the smtp_server fixture)

FORM = {"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com",
        "company": "Navy", "phone": "+1 555 0100"}


@pytest.fixture
def config(config, goto_server):
    config.update(goto_server.config)
    config.update(GOTO_MAX_WAIT=0.5, REGISTRATION_RETRY_BASE=1, MAIL_RETRY_INTERVALS=[1])
    return config


@pytest.fixture
def service(app, users, goto_sandbox):
    return connected_goto(app)


def member_of(email):
    db.session.expire_all()
    return db.session.scalar(db.select(Member).join(Person).where(Person.email_key == email))


def published(marketer, service, webinar_key, name="GoTo launch") -> Program:
    program = flows.create_program(name, "webinar", "", None)
    link(marketer, program, service, webinar_key)
    program = db.session.get(Program, program.id)
    program.landing_page.published = True
    db.session.commit()
    return program


def submit(client, program, **change):
    return client.post(f"/lp/{program.landing_page.slug}", data={**FORM, **change},
                       follow_redirects=True)


def future_webinar(goto_sandbox, subject="GoTo run") -> str:
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=2)
    return goto_sandbox.control("webinars", subject=subject, organizerKey=str(seed.ADMIN_KEY),
                                timeZone="Europe/Paris",
                                startTime=start.strftime("%Y-%m-%dT%H:%M:%SZ"))["webinarKey"]


def test_connecting_a_goto_account_and_a_refusal_in_plain_words(admin, goto_sandbox):
    service = connect_goto(admin)
    assert (service.provider, service.state, service.connected_email) == (
        "goto", "active", seed.ADMIN_EMAIL)
    assert service.account_id == str(seed.ACCOUNT_KEY)
    refused = finish_connect(admin, start_connect(admin, "Plain"), seed.PLAIN_KEY)
    page = text(admin.get(refused.headers["Location"]))
    assert (f"{seed.PLAIN_EMAIL} is not an admin of this GoTo Webinar account and lacks: "
            "manage users, run reports") in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Service)) == 1


def test_linking_a_single_session_webinar_and_not_a_sequence_or_series(marketer, service):
    program = flows.create_program("Pick", "webinar", "", None)
    picker = text(marketer.get(f"/programs/{program.id}/event?partner=goto&service={service.id}"))
    assert "Lectern on GoTo: product tour" in picker and "Onboarding course (sequence)" in picker
    for key in (seed.W_SEQUENCE, seed.W_SERIES):
        page = text(link(marketer, program, service, key))
        assert "recurring webinar" in page or "single-session" in page
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Binding)) == 0
    page = text(link(marketer, program, service, seed.W_SINGLE))
    binding = db.session.scalar(sa.select(Binding))
    assert (binding.provider, binding.webinar_id, binding.timezone) == (
        "goto", str(seed.W_SINGLE), "Europe/Paris")
    assert "Lectern on GoTo: product tour" in page


def test_registration_with_a_duplicate_and_each_persons_join_link(client, marketer, service,
                                                                  goto_sandbox, run_jobs, smtp_server):
    program = published(marketer, service, seed.W_SINGLE)
    assert "Thank you for registering" in submit(client, program).text
    submit(client, program, email="ada@example.com", first_name="Ada", last_name="Lovelace")
    run_jobs()
    registrants = goto_sandbox.state()["webinars"][str(seed.W_SINGLE)]["registrants"]
    by_email = {r["email"]: r for r in registrants}
    assert set(by_email) == {"grace@example.com", "ada@example.com"}
    grace, ada = member_of("grace@example.com"), member_of("ada@example.com")
    assert (grace.sync_state, grace.registrant_id, grace.webinar_url) == (
        "synced", by_email["grace@example.com"]["registrantKey"], by_email["grace@example.com"]["joinUrl"])
    assert ada.webinar_url == by_email["ada@example.com"]["joinUrl"] != grace.webinar_url
    [mail] = smtp_server.to("grace@example.com")
    assert grace.webinar_url in mail["body"]
    assert ada.webinar_url in smtp_server.to("ada@example.com")[0]["body"]

    submit(client, program)                      # the same person again
    run_jobs()
    assert len(goto_sandbox.state()["webinars"][str(seed.W_SINGLE)]["registrants"]) == 2
    assert member_of("grace@example.com").webinar_url == grace.webinar_url


def test_attendance_merged_over_sessions_and_rejoins(client, admin, marketer, service,
                                                     goto_sandbox, run_jobs):
    wk = future_webinar(goto_sandbox)
    program = published(marketer, service, wk)
    for first in ("Ann", "Ben", "Cat"):
        submit(client, program, email=f"{first.lower()}@example.com", first_name=first)
    run_jobs()
    goto_sandbox.control(f"webinars/{wk}/start", at="2030-01-10T16:00:00Z")
    for email, joined, left in (("ann@example.com", 0, 10), ("ann@example.com", 15, 30),
                                ("ben@example.com", 5, 20)):
        goto_sandbox.control(f"webinars/{wk}/join", email=email, offset_minutes=joined)
        goto_sandbox.control(f"webinars/{wk}/leave", email=email, offset_minutes=left)
    goto_sandbox.control(f"webinars/{wk}/end", offset_minutes=40)
    goto_sandbox.control(f"webinars/{wk}/start", at="2030-01-10T17:00:00Z")
    goto_sandbox.control(f"webinars/{wk}/join", email="ann@example.com", offset_minutes=0)
    goto_sandbox.control(f"webinars/{wk}/end", offset_minutes=10)

    admin.post(f"/programs/{program.id}/attendance/sync")
    run_jobs()
    statuses = {m.person.email: m.status for m in
                db.session.scalars(sa.select(Member).where(Member.program_id == program.id))}
    assert statuses == {"ann@example.com": "Attended", "ben@example.com": "Attended",
                        "cat@example.com": "No Show"}
    ann = member_of("ann@example.com")
    assert (ann.attended_minutes, ann.sessions) == (35, 3)


def test_a_webinar_that_never_ran_marks_nobody(admin, marketer, service, run_jobs):
    program = published(marketer, service, seed.W_NEVER_STARTED, "Never ran")
    admin.post(f"/programs/{program.id}/attendance/sync")
    run_jobs()
    assert db.session.scalar(sa.select(ServiceError.message)) == (
        f"webinar {seed.W_NEVER_STARTED} never started")
    page = text(admin.get(f"/programs/{program.id}"))
    assert f"Webinar {seed.W_NEVER_STARTED} never started" in page


def test_webinar_changed_warns_about_the_reschedule(client, marketer, service, goto_sandbox,
                                                    live_portal, run_jobs):
    program = published(marketer, service, seed.W_SINGLE)
    submit(client, program)
    run_jobs()
    goto_sandbox.control("webhook-url", url=f"{live_portal}/webhooks/goto")
    goto_sandbox.control(f"webinars/{seed.W_SINGLE}/reschedule", sync=True,
                         startTime="2031-02-03T09:00:00Z", endTime="2031-02-03T10:00:00Z")
    assert goto_sandbox.state()["webhook_deliveries"][-1]["outcome"] == 200
    run_jobs()
    page = text(marketer.get(f"/programs/{program.id}"))
    assert '<dd class="start">Monday, February 3, 2031, 10:00 AM Central European Standard Time</dd>' in page
    assert "The webinar was rescheduled after people registered" in page


def test_a_clone_never_carries_the_goto_binding(marketer, service):
    program = published(marketer, service, seed.W_SINGLE)
    response = marketer.post(f"/programs/{program.id}/clone", follow_redirects=True)
    assert "Not linked to a webinar yet." in response.text
    clone = db.session.scalar(sa.select(Program).where(Program.id != program.id))
    assert clone.binding is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Binding)) == 1
