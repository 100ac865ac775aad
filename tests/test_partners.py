"""The portal's journeys, once per registered provider, against its sandbox over HTTP:
connect (and a refusal), link (and a recurring webinar refused), register with a
duplicate, each person's own join link in the email, attendance with rejoins, absentees
and a walk-in, a webinar that never started, the reschedule warning, and a clone.
The tests speak only to the portal's pages and workers; the kit (tests/kit.py) runs
the webinar on the provider's side."""
import html
from datetime import datetime, timedelta, timezone

import pytest
from flask import g

from portal.channels import ATTENDED, NO_SHOW, REGISTERED
from portal.extensions import db
from portal.models import Binding, Member, OutboxMessage, Person, Program, Service, ServiceError, SyncRun
from portal.models.programs import SYNC_SYNCED
from portal.programs import lifecycle
from tests.conftest import Auth
from tests.kit import Visit

PEOPLE = [("ada@example.com", "Ada", "Lovelace"), ("alan@example.com", "Alan", "Turing"),
          ("grace@example.com", "Grace", "Hopper")]


@pytest.fixture
def config(config, provider):
    config.update(provider.config)
    config.update(REGISTRATION_RETRY_BASE=1, MAIL_RETRY_INTERVALS=[1])
    return config


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def connect(app, provider, user=None):
    """An admin connects the provider's account through the portal's pages; the
    callback's answer (the confirm page's redirect, or the refusal)."""
    g.pop("_login_user", None)          # the admin's requests share the test's app context
    admin = app.test_client()
    Auth(admin).login("admin@example.com")
    started = admin.post("/admin/services/new", data={"name": f"{provider.label} marketing",
                                                      "provider": provider.key, "kind": "oauth"})
    assert started.status_code == 302, started.text
    consent = provider.consent(started.headers["Location"], user or provider.admin_user)
    query = consent.location.split("?", 1)[1]
    answer = admin.get(f"/admin/services/callback?{query}", follow_redirects=False)
    if answer.status_code == 302 and "/confirm" in answer.headers["Location"]:
        admin.post(answer.headers["Location"], data={"action": "save"})
    g.pop("_login_user", None)
    return admin, answer


def service_of(app, provider) -> Service:
    connect(app, provider)
    service = db.session.scalar(db.select(Service).where(Service.provider == provider.key))
    assert service is not None and service.state == "active"
    return service


def linked(marketer, service, webinar_id, name="Partner webinar") -> Program:
    """A program linked through Event Settings, its landing page published."""
    created = marketer.post("/programs/", data={"name": name, "channel": "webinar", "description": ""})
    assert created.status_code == 302, created.text
    program = db.session.scalar(db.select(Program).where(Program.name == name))
    answer = marketer.post(f"/programs/{program.id}/event/link",
                           data={"service_id": service.id, "webinar_id": webinar_id})
    assert answer.status_code == 302
    db.session.expire_all()
    assert program.binding is not None, text(marketer.get(f"/programs/{program.id}/event"))
    program.landing_page.published = True
    db.session.commit()
    return program


def register(client, program, email, first, last):
    return client.post(f"/lp/{program.landing_page.slug}",
                       data={"email": email, "first_name": first, "last_name": last})


def statuses(program) -> dict[str, str]:
    db.session.expire_all()
    return dict(db.session.execute(db.select(Person.email, Member.status).join(Member.person)
                                   .where(Member.program_id == program.id)).all())


def test_connect_refuses_who_may_not_and_saves_an_admin(app, users, provider):
    admin, refused = connect(app, provider, provider.refused_user)
    assert refused.status_code == 302 and "/confirm" not in refused.headers["Location"]
    page = text(admin.get(refused.headers["Location"]))
    assert all(words in page for words in provider.refusal_words), page
    assert db.session.scalar(db.select(db.func.count()).select_from(Service)) == 0

    service = service_of(app, provider)
    assert service.account_id == provider.account_id
    assert provider.admin_email in text(admin.get("/admin/services"))


def test_link_lists_the_webinars_and_refuses_a_recurring_one(app, users, marketer, provider):
    service = service_of(app, provider)
    Auth(marketer).login("marketer@example.com")
    marketer.post("/programs/", data={"name": "Pick one", "channel": "webinar", "description": ""})
    program = db.session.scalar(db.select(Program).where(Program.name == "Pick one"))
    picker = text(marketer.get(f"/programs/{program.id}/event?partner={provider.key}&service={service.id}"))
    assert provider.single_webinar in picker
    assert all(w in picker for w in provider.recurring_webinars)
    assert "not supported" in picker.lower() or "recurring" in picker.lower()

    for recurring in provider.recurring_webinars:
        refused = marketer.post(f"/programs/{program.id}/event/link", follow_redirects=True,
                                data={"service_id": service.id, "webinar_id": recurring})
        assert "only single-occurrence webinars can be linked" in text(refused)
        db.session.expire_all()
        assert program.binding is None

    program = linked(marketer, service, provider.single_webinar, "Linked one")
    page = text(marketer.get(f"/programs/{program.id}"))
    assert program.binding.topic in page and provider.single_webinar in page


def test_registrations_with_a_duplicate_get_their_own_join_links(app, users, marketer, client, provider,
                                                                  run_jobs):
    service = service_of(app, provider)
    Auth(marketer).login("marketer@example.com")
    program = linked(marketer, service, provider.single_webinar)
    marketer.post("/logout")
    for email, first, last in PEOPLE[:2]:
        assert register(client, program, email, first, last).status_code == 302
    assert register(client, program, "ADA@example.com", "Ada", "Lovelace").status_code == 302  # twice
    run_jobs()

    at_provider = {r["email"].lower(): r["join_url"] for r in provider.registrants(provider.single_webinar)}
    assert sorted(at_provider) == ["ada@example.com", "alan@example.com"]
    members = db.session.scalars(db.select(Member).where(Member.program_id == program.id)).all()
    assert len(members) == 2 and {m.sync_state for m in members} == {SYNC_SYNCED}
    for member in members:
        own = at_provider[member.person.email.lower()]
        assert member.webinar_url == own
        emails = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.member_id == member.id)).all()
        assert len(emails) == 1 and own in emails[0].body
        others = [url for email, url in at_provider.items() if email != member.person.email.lower()]
        assert not any(url in emails[0].body for url in others)


def test_attendance_merges_rejoins_marks_absentees_and_finds_walk_ins(app, users, marketer, client, provider,
                                                                       run_jobs):
    service = service_of(app, provider)
    began = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=90)
    webinar = provider.new_webinar(began, duration=60, topic="Ran today")
    Auth(marketer).login("marketer@example.com")
    program = linked(marketer, service, webinar)
    for email, first, last in PEOPLE:
        register(client, program, email, first, last)
    run_jobs()
    provider.run_webinar(webinar, began, [
        Visit("ada@example.com", "Ada Lovelace", 0, 20),
        Visit("ada@example.com", "Ada Lovelace", 30, 50),          # rejoined
        Visit("alan@example.com", "Alan Turing", 5, 60),
        Visit("wes@example.com", "Wes Walkin", 10, 40),            # never registered
    ], ended_after=60)

    Auth(marketer).login("marketer@example.com")
    assert marketer.post(f"/programs/{program.id}/attendance/sync").status_code == 302
    run_jobs()

    assert statuses(program) == {"ada@example.com": ATTENDED, "alan@example.com": ATTENDED,
                                 "grace@example.com": NO_SHOW, "wes@example.com": ATTENDED}
    ada = db.session.scalar(db.select(Member).join(Member.person).where(Person.email == "ada@example.com"))
    assert ada.attended_minutes == 40 and ada.sessions == 2
    wes = db.session.scalar(db.select(Person).where(Person.email == "wes@example.com"))
    assert wes.source.startswith("webinar attendee")
    run = db.session.scalar(db.select(SyncRun).where(SyncRun.program_id == program.id, SyncRun.trigger == "manual"))
    assert run.state == "done" and run.new_leads == 1


def test_a_webinar_that_never_started_marks_nobody_no_show(app, users, marketer, provider, run_jobs):
    service = service_of(app, provider)
    Auth(marketer).login("marketer@example.com")
    program = linked(marketer, service, provider.never_started_webinar, "Ghost")
    person, _ = lifecycle.find_or_create_person("early@example.com", first_name="Early")
    member = Member(program=program, person=person, sync_state=SYNC_SYNCED)
    db.session.add(member)
    lifecycle.change_status(member, REGISTERED, reason="filled out the form")
    db.session.commit()

    marketer.post(f"/programs/{program.id}/attendance/sync")
    run_jobs()

    assert statuses(program) == {"early@example.com": REGISTERED}
    run = db.session.scalar(db.select(SyncRun).where(SyncRun.program_id == program.id))
    assert run.state == "never started"
    logged = db.session.scalars(db.select(ServiceError.message)).all()
    assert f"webinar {provider.never_started_webinar} never started" in logged


def test_a_reschedule_after_sign_ups_is_flagged_on_the_program(app, users, marketer, client, provider,
                                                               run_jobs):
    service = service_of(app, provider)
    start = datetime.now(timezone.utc).replace(microsecond=0, second=0) + timedelta(days=10)
    webinar = provider.new_webinar(start, topic="Will move")
    Auth(marketer).login("marketer@example.com")
    program = linked(marketer, service, webinar)
    register(client, program, "ada@example.com", "Ada", "Lovelace")
    run_jobs()

    provider.reschedule(webinar, start + timedelta(days=2))
    Auth(marketer).login("marketer@example.com")
    marketer.post(f"/programs/{program.id}/event/refresh")
    run_jobs()

    page = text(marketer.get(f"/programs/{program.id}"))
    assert 'data-flag="rescheduled"' in page and "1 people signed up for the old time" in page


def test_a_clone_never_carries_the_binding(app, users, marketer, provider):
    service = service_of(app, provider)
    Auth(marketer).login("marketer@example.com")
    program = linked(marketer, service, provider.single_webinar, "Original")
    answer = marketer.post(f"/programs/{program.id}/clone")
    clone = db.session.scalar(db.select(Program).where(Program.cloned_from_id == program.id))
    assert answer.headers["Location"].endswith(f"/programs/{clone.id}")
    assert clone.binding is None
    assert db.session.scalar(db.select(db.func.count()).select_from(Binding)) == 1
    assert "Not linked to a webinar yet." in text(marketer.get(f"/programs/{clone.id}"))
