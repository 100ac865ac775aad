"""Event Settings without the provider: [S5] refusals and unlinking with confirmation."""
import html
from datetime import datetime, timezone

from portal.channels import INVITED, REGISTERED
from portal.extensions import db
from portal.models import Binding, Member, Service
from portal.programs import lifecycle as flows


def bound_program(members=()):
    program = flows.create_program("Linked", "webinar", "", None)
    service = Service(name="Zoom main", provider="zoom", account_id="acct-1")
    db.session.add(Binding(program=program, service=service, provider="zoom", webinar_id="81234567890",
                           topic="Quarterly update", timezone="Europe/Paris",
                           start_at=datetime(2030, 5, 1, 15, tzinfo=timezone.utc), duration=60))
    for i, status in enumerate(members):
        person, _ = flows.find_or_create_person(f"m{i}@example.com")
        db.session.add(Member(program=program, person=person, status=status,
                              webinar_url=f"https://zoom.example/j/{i}"))
    db.session.commit()
    return program


def test_non_webinar_program_cannot_pick_a_partner(marketer):
    program = flows.create_program("Meetup", "in_person", "", None)
    page = marketer.get(f"/programs/{program.id}/event")
    assert ("Only programs of the Webinar channel can be linked to a partner event; this program's channel "
            "is In person event.") in html.unescape(page.text)
    assert 'name="partner"' not in page.text and 'name="webinar_id"' not in page.text
    shown = marketer.get(f"/programs/{program.id}")
    assert "In person event programs are not linked to a partner event" in shown.text
    # Posting by hand is refused too, before any provider call.
    service = Service(name="Zoom main", provider="zoom", account_id="acct-1")
    db.session.add(service)
    db.session.commit()
    response = marketer.post(f"/programs/{program.id}/event/link",
                             data={"service_id": service.id, "webinar_id": "81234567890"}, follow_redirects=True)
    assert "Only programs of the Webinar channel can be linked" in response.text
    assert db.session.scalar(db.select(Binding)) is None


def test_program_page_shows_the_webinar_in_its_own_zone_with_the_s14_note(marketer):
    program = bound_program()
    page = marketer.get(f"/programs/{program.id}").text
    assert '<dd class="topic">Quarterly update</dd>' in page
    # 15:00 UTC in Paris, as Babel writes it in English (a narrow no-break space before PM)
    assert '<dd class="start">Wednesday, May 1, 2030, 5:00\u202fPM Central European Summer Time</dd>' in page
    assert "60 minutes, 5:00\u202fPM to 6:00\u202fPM Central European Summer Time" in page
    assert '<dd class="zone">Europe/Paris</dd>' in page
    assert "people who register on Zoom's own page are not synced" in html.unescape(page)
    assert 'data-flag="rescheduled"' not in page and 'data-flag="deleted"' not in page


def test_unlink_without_registered_members_needs_no_confirmation(marketer):
    program = bound_program(members=[INVITED])
    response = marketer.post(f"/programs/{program.id}/event/unlink", follow_redirects=True)
    assert "Unlinked from webinar 81234567890" in response.text
    assert db.session.scalar(db.select(Binding)) is None


def test_unlink_with_registered_members_asks_and_says_what_happens_to_them(marketer):
    program = bound_program(members=[REGISTERED, REGISTERED, INVITED])
    settings = marketer.get(f"/programs/{program.id}/event").text
    consequence = ("2 people have signed up for this webinar. They keep their status, history and join links, "
                   "and stay registered in Zoom")
    assert consequence in settings and 'name="confirm"' in settings
    refused = marketer.post(f"/programs/{program.id}/event/unlink", follow_redirects=True)
    assert "Not unlinked. " + consequence in refused.text
    assert db.session.scalar(db.select(Binding)) is not None

    done = marketer.post(f"/programs/{program.id}/event/unlink", data={"confirm": "y"}, follow_redirects=True)
    assert "Unlinked from webinar 81234567890" in done.text
    assert db.session.scalar(db.select(Binding)) is None
    members = db.session.scalars(db.select(Member).order_by(Member.id)).all()
    assert [(m.status, m.webinar_url) for m in members] == [
        (REGISTERED, "https://zoom.example/j/0"), (REGISTERED, "https://zoom.example/j/1"),
        (INVITED, "https://zoom.example/j/2")]


def test_a_linked_program_never_switches_webinars_silently(marketer):
    program = bound_program()
    service = db.session.scalar(db.select(Service))
    response = marketer.post(f"/programs/{program.id}/event/link",
                             data={"service_id": service.id, "webinar_id": "89999999999"}, follow_redirects=True)
    assert ("This program is already linked to webinar 81234567890. Unlink it first: a linked program never "
            "switches webinars silently.") in response.text
    assert db.session.scalar(db.select(Binding.webinar_id)) == "81234567890"
