"""Calendar invitations (.ics, RFC 5545) for a program's webinar: one UID per webinar,
so the invitation attached to the confirmation (with the person's own join link)
replaces the one taken from the thank-you page."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event

from portal.mail.compose import needs_join_link
from portal.models import Binding, Email, Member
from portal.models.types import utcnow

PRODID = "-//Lectern//Webinar invitations//EN"


def event_uid(binding: Binding) -> str:
    host = urlsplit(current_app.config["PORTAL_URL"]).hostname or "lectern.local"
    return f"webinar-{binding.provider}-{binding.webinar_id}@{host}"


def webinar_ics(binding: Binding, join_url: str = "", page_url: str = "") -> bytes:
    """The webinar as an event: start and end in UTC, the join link (or, before the
    person has one, the event page) as its address; its words in the current language."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", event_uid(binding))
    event.add("dtstamp", utcnow())
    event.add("dtstart", binding.start_at)
    event.add("dtend", binding.end_at)
    event.add("summary", binding.topic)
    # A later copy (with the join link) wins over an earlier one with the same UID.
    event.add("sequence", 1 if join_url else 0)
    lines = [binding.agenda] if binding.agenda else []
    if join_url:
        lines.append(_("Join with your own link: %(url)s", url=join_url))
        event.add("location", join_url)
        event.add("url", join_url)
    elif page_url:
        lines.append(_("Your own join link arrives by email. Event page: %(url)s", url=page_url))
        event.add("url", page_url)
    event.add("description", "\n\n".join(lines))
    calendar.add_component(event)
    return calendar.to_ical()


def has_event(binding: Binding | None) -> bool:
    return bool(binding and binding.start_at and binding.deleted_at is None)


def member_invitation(member: Member, email: Email | None) -> bytes:
    """The .ics for an email that carries the member's join link, else nothing."""
    binding = member.program.binding
    if (email is not None and member.webinar_url and has_event(binding)
            and needs_join_link(email.subject, email.body)):
        with force_locale(member.program.language or "en"):
            return webinar_ics(binding, join_url=member.webinar_url)
    return b""
