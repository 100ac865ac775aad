"""Composing program emails: Marketo-style tokens, rendering for one member, previews,
and the unsubscribe link of marketing emails [S17]."""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale, gettext
from itsdangerous import BadSignature, URLSafeSerializer

from portal.extensions import db
from portal.i18n import in_zone
from portal.models import Member, Person, Program
from portal.templating import valid_zone

TOKEN_RE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
WEBINAR_URL = "member.webinar url"
TOKENS = (WEBINAR_URL, "lead.First Name", "lead.Last Name", "lead.Email Address",
          "program.name", "event.topic", "event.start", "event.duration", "event.timezone")

def tokens_in(text: str) -> list[str]:
    return [m.group(1) for m in TOKEN_RE.finditer(text or "")]


def unknown_tokens(text: str) -> list[str]:
    """Tokens the renderer does not know, each once, in order of appearance."""
    seen = []
    for token in tokens_in(text):
        if token not in TOKENS and token not in seen:
            seen.append(token)
    return seen


def needs_join_link(*texts: str) -> bool:
    return any(WEBINAR_URL in tokens_in(t) for t in texts)


@dataclass
class Sample:
    """What a preview renders for when the program has no member yet."""
    first_name: str = "Ada"
    last_name: str = "Lovelace"
    email: str = "ada.lovelace@example.com"
    webinar_url: str = "https://example.com/w/sample-join-link"
    timezone: str = ""


def event_start(start, reader_zone: str, webinar_zone: str, language: str = "en") -> str:
    """The start in the reader's zone when known, else the webinar's, labelled with it."""
    zone = reader_zone if valid_zone(reader_zone) else webinar_zone
    return f"{in_zone(start, zone, locale=language)} ({zone})"


def token_values(program: Program, person, webinar_url: str) -> dict[str, str]:
    binding = program.binding
    zone = binding.timezone if binding else "UTC"
    start = binding.start_at if binding else None
    duration = binding.duration if binding else 0
    return {
        WEBINAR_URL: webinar_url or "",
        "lead.First Name": person.first_name or "",
        "lead.Last Name": person.last_name or "",
        "lead.Email Address": person.email,
        "program.name": program.name,
        "event.topic": (binding.topic if binding else "") or program.name,
        "event.start": event_start(start, getattr(person, "timezone", ""), zone,
                                   program.language or "en") if start else "",
        # "min" reads the same in English and French
        "event.duration": f"{duration} min" if duration else "",
        "event.timezone": zone if binding else "",
    }


def render(text: str, values: dict[str, str]) -> str:
    # Unknown tokens are left as written: the editor flags them before saving.
    return TOKEN_RE.sub(lambda m: values.get(m.group(1), m.group(0)), text or "")


def unsubscribe_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="lectern-unsubscribe")


def unsubscribe_token(person: Person) -> str:
    return unsubscribe_serializer().dumps(person.id)


def person_for_unsubscribe(token: str) -> Person | None:
    try:
        person_id = unsubscribe_serializer().loads(token)
    except BadSignature:
        return None
    return db.session.get(Person, person_id)


def unsubscribe_url(person: Person, language: str = "en") -> str:
    # Built from PORTAL_URL: jobs render emails outside any request. The page answers in
    # the language of the email that carried the link.
    return (f"{current_app.config['PORTAL_URL'].rstrip('/')}/lp/unsubscribe/{unsubscribe_token(person)}"
            f"?lang={language}")


def footer(link: str, language: str) -> str:
    with force_locale(language or "en"):
        return "\n\n--\n" + gettext("To stop receiving these emails: %(link)s", link=link) + "\n"


def compose(email, member: Member) -> tuple[str, str]:
    """Subject and body of a program email for one member."""
    values = token_values(member.program, member.person, member.webinar_url)
    subject = render(email.subject, values)
    body = render(email.body, values)
    if not email.operational:
        language = member.program.language
        body += footer(unsubscribe_url(member.person, language), language)
    return subject, body


def preview(email, program: Program) -> tuple[str, str, str]:
    """Subject, body and who it was rendered for: a member of the program (one with a
    join link first), or a sample person when the program has none."""
    member = db.session.scalar(db.select(Member).where(Member.program_id == program.id)
                               .order_by((Member.webinar_url == "").asc(), Member.id).limit(1))
    if member is not None:
        subject, body = compose(email, member)
        return subject, body, member.person.email
    sample = Sample()
    values = token_values(program, sample, sample.webinar_url)
    body = render(email.body, values)
    if not email.operational:
        with force_locale(program.language or "en"):
            link = gettext("(the person's own unsubscribe link)")
        body += footer(link, program.language)
    return render(email.subject, values), body, gettext("a sample person (%(email)s)", email=sample.email)
