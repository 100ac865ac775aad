"""Cloning [S6]: the clone keeps the assets and is never linked, whatever the
source was bound through."""
from datetime import datetime, timezone

import pytest

from portal.channels import ATTENDED, REGISTERED
from portal.extensions import db
from portal.models import Binding, Email, FlowStep, LandingPage, Member, Program, Service, StatusChange
from portal.models.services import ACTIVE, DISCONNECTED, REPLACED
from portal.programs import lifecycle as flows


def program_with_assets(name="Spring webinar"):
    program = flows.create_program(name, "webinar", "All about spring", None)
    # Replace the default assets every new program gets with known ones.
    for asset in [*program.flow, *program.emails]:
        db.session.delete(asset)
    db.session.flush()
    db.session.expire(program, ["flow", "emails"])
    page = program.landing_page
    page.slug, page.title, page.intro = "spring", "Join us", "Sign up below"
    page.published, page.published_at = True, datetime(2030, 1, 1, tzinfo=timezone.utc)
    confirm = Email(program=program, name="Confirmation", subject="You are in",
                    body="Join: {{member.webinar url}}", operational=True)
    reminder = Email(program=program, name="Reminder", subject="Tomorrow", body="See you")
    db.session.add_all([confirm, reminder])
    db.session.flush()
    db.session.add_all([FlowStep(program=program, position=1, action="change_status", status=REGISTERED),
                        FlowStep(program=program, position=2, action="send_email", email_id=confirm.id)])
    person, _ = flows.find_or_create_person("ann@example.com", first_name="Ann")
    member = Member(program=program, person=person, status=REGISTERED, webinar_url="https://zoom.example/j/1",
                    registrant_id="r1", sync_state="synced")
    db.session.add(member)
    flows.change_status(member, ATTENDED, reason="joined")
    db.session.commit()
    return program


def bind(program, provider="zoom", state=ACTIVE, webinar_id="81234567890"):
    service = Service(name=f"{provider} {state}", provider=provider, account_id="acct-1", state=state)
    db.session.add(Binding(program=program, service=service, provider=provider, webinar_id=webinar_id,
                           topic="Spring", start_at=datetime(2030, 5, 1, 15, tzinfo=timezone.utc)))
    db.session.commit()
    return service


@pytest.mark.parametrize("source_binding", [
    None,
    ("zoom", ACTIVE),          # bound through a working service
    ("zoom", REPLACED),        # bound through a service a newer one replaced [S11]
    ("zoom", DISCONNECTED),    # bound through a disconnected service
    ("webex", ACTIVE),         # bound to another provider (not even registered here)
])
def test_clone_copies_assets_and_never_the_binding(marketer, source_binding):
    source = program_with_assets()
    if source_binding:
        bind(source, *source_binding)
    bindings_before = db.session.scalar(db.select(db.func.count()).select_from(Binding))

    response = marketer.post(f"/programs/{source.id}/clone", follow_redirects=True)

    assert "Cloned as “Spring webinar (copy)”" in response.text
    clone = db.session.scalar(db.select(Program).where(Program.id != source.id))
    assert (clone.name, clone.channel, clone.description, clone.cloned_from_id) == (
        "Spring webinar (copy)", "webinar", "All about spring", source.id)
    assert clone.created_by.email == "marketer@example.com"
    # Never the binding, the members, their statuses or history.
    assert clone.binding is None
    assert db.session.scalar(db.select(db.func.count()).select_from(Binding)) == bindings_before
    assert db.session.scalar(db.select(db.func.count()).where(Member.program_id == clone.id)) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(StatusChange)) == 1
    # The assets: an unpublished landing page at its own address, the emails, the flow.
    page = clone.landing_page
    assert (page.slug, page.title, page.intro, page.published, page.published_at) == (
        "spring-copy", "Join us", "Sign up below", False, None)
    assert [(e.name, e.subject, e.body, e.operational) for e in clone.emails] == [
        ("Confirmation", "You are in", "Join: {{member.webinar url}}", True), ("Reminder", "Tomorrow", "See you", False)]
    steps = [(s.position, s.action, s.status, s.email.name if s.email else None) for s in clone.flow]
    assert steps == [(1, "change_status", REGISTERED, None), (2, "send_email", "", "Confirmation")]
    assert clone.flow[1].email.program_id == clone.id      # the clone's own email, not the source's
    # What the marketer sees: a clean, unlinked program with no members.
    assert "Not linked to a webinar yet." in response.text
    assert 'data-status="Registered">0<' in response.text and "ann@example.com" not in response.text
    # The source is untouched.
    db.session.refresh(source)
    assert (source.binding is not None) == bool(source_binding)
    assert source.landing_page.slug == "spring" and len(source.emails) == 2


def test_cloning_twice_gives_each_clone_its_own_landing_page_address(marketer):
    source = program_with_assets()
    marketer.post(f"/programs/{source.id}/clone")
    marketer.post(f"/programs/{source.id}/clone")
    slugs = db.session.scalars(db.select(LandingPage.slug).order_by(LandingPage.slug)).all()
    assert slugs == ["spring", "spring-copy", "spring-copy-2"]


def test_clone_of_an_in_person_program(marketer):
    source = flows.create_program("Meetup", "in_person", "", None)
    marketer.post(f"/programs/{source.id}/clone")
    clone = db.session.scalar(db.select(Program).where(Program.id != source.id))
    assert (clone.name, clone.channel, clone.binding) == ("Meetup (copy)", "in_person", None)
    assert clone.landing_page.slug != source.landing_page.slug
    assert [e.subject for e in clone.emails] == [e.subject for e in source.emails]
    assert [(s.action, s.status) for s in clone.flow] == [(s.action, s.status) for s in source.flow]


def test_clone_of_a_missing_program_is_404(marketer):
    assert marketer.post("/programs/999/clone").status_code == 404
