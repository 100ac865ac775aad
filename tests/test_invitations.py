"""Emails that follow the webinar: topic, start (in the reader's zone when the landing
form learnt it, labelled) and duration tokens, a calendar invitation (.ics) attached to
the confirmation, and "Add to calendar" on the thank-you page."""
from datetime import timedelta

import pytest
from icalendar import Calendar

from portal.extensions import db
from portal.i18n import in_zone
from portal.mail.compose import TOKENS
from portal.models import OutboxMessage
from tests.services_helpers import connect_service, linked_program
from tests.smtp_fixtures import smtp_server_fixture  # noqa: F401  (the smtp_server fixture)
from tests.test_registration import FORM, WEBINAR, member_of, submit


@pytest.fixture
def config(config):
    config.update(PORTAL_URL="https://portal.example.com")
    return config


@pytest.fixture
def program(admin, sandbox):
    return linked_program(connect_service(admin), "Spring webinar", WEBINAR)


def only_event(ics: bytes):
    [event] = Calendar.from_ical(ics).walk("VEVENT")
    return event


def test_tokens_are_listed_in_marketo_syntax():
    assert {"event.topic", "event.start", "event.duration"} <= set(TOKENS)


def test_confirmation_speaks_the_readers_zone_and_carries_the_invitation(client, program, run_jobs,
                                                                         smtp_server):
    submit(client, program, timezone="America/New_York")
    run_jobs()
    member, binding = member_of(), program.binding
    [mail] = smtp_server.to("grace@example.com")
    assert mail["subject"] == f"Your link to join {binding.topic}"
    start = in_zone(binding.start_at, "America/New_York")
    assert f"Thank you for registering for {binding.topic}." in mail["body"]
    assert f"It starts {start} (America/New_York) and lasts {binding.duration} min." in mail["body"]

    [part] = [p for p in mail["message"].iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_filename() == "invite.ics"
    event = only_event(part.get_content().encode())
    assert str(event["uid"]) == f"webinar-zoom-{WEBINAR}@portal.example.com"
    assert event.decoded("dtstart") == binding.start_at
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=binding.duration)
    assert str(event["summary"]) == binding.topic
    assert str(event["url"]) == member.webinar_url and member.webinar_url in str(event["description"])

    outbox = db.session.scalar(db.select(OutboxMessage))
    page = client.get(f"/outbox/{outbox.id}")
    assert f'href="/outbox/{outbox.id}/invite.ics"' in page.text
    kept = client.get(f"/outbox/{outbox.id}/invite.ics")
    assert kept.mimetype == "text/calendar" and str(only_event(kept.data)["uid"]) == str(event["uid"])


def test_without_a_known_zone_the_webinars_zone_is_named(client, program, run_jobs, smtp_server):
    submit(client, program, timezone="Not/AZone")
    run_jobs()
    binding = program.binding
    [mail] = smtp_server.to("grace@example.com")
    assert f"It starts {in_zone(binding.start_at, binding.timezone)} ({binding.timezone})" in mail["body"]


def test_thanks_page_offers_the_webinar_for_the_calendar(client, program):
    thanks = submit(client, program)
    slug = program.landing_page.slug
    assert f'href="/lp/{slug}/calendar.ics"' in thanks.text and "Add to calendar" in thanks.text
    answer = client.get(f"/lp/{slug}/calendar.ics")
    assert answer.mimetype == "text/calendar"
    event = only_event(answer.data)
    binding = program.binding
    assert str(event["uid"]) == f"webinar-zoom-{WEBINAR}@portal.example.com"
    assert (event.decoded("dtstart"), event.decoded("dtend")) == (binding.start_at, binding.end_at)
    assert str(event["url"]) == f"https://portal.example.com/lp/{slug}" and "location" not in event
    assert FORM["email"] not in answer.get_data(as_text=True)


def test_a_french_programs_invitations_speak_french(client, admin, sandbox, run_jobs, smtp_server):
    program = linked_program(connect_service(admin), "Webinaire de printemps", WEBINAR, language="fr")
    submit(client, program)
    slug = program.landing_page.slug
    from_page = only_event(client.get(f"/lp/{slug}/calendar.ics").data)
    assert str(from_page["description"]).endswith(
        f"Votre lien personnel arrive par e-mail. Page de l’événement : https://portal.example.com/lp/{slug}")

    run_jobs()
    [mail] = smtp_server.to("grace@example.com")
    [part] = [p for p in mail["message"].iter_attachments() if p.get_content_type() == "text/calendar"]
    description = str(only_event(part.get_content().encode())["description"])
    assert description.endswith(f"Rejoignez le webinaire avec votre lien personnel : {member_of().webinar_url}")
    assert "Join with" not in description
