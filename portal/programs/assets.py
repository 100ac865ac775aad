"""A program's assets: the landing page, its emails and their defaults, and copying
them into a clone [S6] [S17]."""
from __future__ import annotations

import re

from flask_babel import force_locale, lazy_gettext
from sqlalchemy import delete

from portal.channels import REGISTERED
from portal.extensions import db
from portal.models import Email, FlowStep, LandingPage, Program
from portal.programs.flow import CHANGE_STATUS, SEND_EMAIL

# Written in the program's language when it is created (portal/i18n.py); the marketer
# edits them from there.
DEFAULT_EMAIL_NAME = lazy_gettext("Confirmation")
DEFAULT_EMAIL_SUBJECT = lazy_gettext("Your link to join {{event.topic}}")
DEFAULT_EMAIL_BODY = lazy_gettext("""Hello {{lead.First Name}},

Thank you for registering for {{event.topic}}.
It starts {{event.start}} and lasts {{event.duration}}.
The calendar invitation attached to this email holds your link too.

Join with your own link (it is yours alone, please do not share it):
{{member.webinar url}}
""")


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:100].strip("-")
    return slug or "event"


def unique_slug(text: str, exclude_program_id: int | None = None) -> str:
    base = slugify(text)
    query = db.select(LandingPage.slug).where(LandingPage.slug.like(f"{base}%"))
    if exclude_program_id:
        query = query.where(LandingPage.program_id != exclude_program_id)
    taken = set(db.session.scalars(query))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def add_default_assets(program: Program) -> None:
    """Every new program: an unpublished landing page, an operational confirmation
    email with the join link [S17], and the default flow [S19]."""
    slug = unique_slug(program.name)
    with force_locale(program.language or "en"):
        email = Email(program=program, name=str(DEFAULT_EMAIL_NAME), subject=str(DEFAULT_EMAIL_SUBJECT),
                      body=str(DEFAULT_EMAIL_BODY), operational=True)
    db.session.add_all([
        email,
        LandingPage(program=program, slug=slug, title=program.name),
        FlowStep(program=program, position=1, action=CHANGE_STATUS, status=REGISTERED),
        FlowStep(program=program, position=2, action=SEND_EMAIL, email=email),
    ])


def copy_assets(source: Program, target: Program) -> None:
    """Give ``target`` copies of ``source``'s landing page text, emails and flow,
    replacing its own. The copied page is unpublished and keeps the target's slug.
    Never touches bindings [S6]. The caller commits."""
    db.session.flush()
    db.session.execute(delete(FlowStep).where(FlowStep.program_id == target.id))
    db.session.execute(delete(Email).where(Email.program_id == target.id))
    db.session.expire(target, ["flow", "emails"])
    copies = {}
    for email in source.emails:
        copies[email.id] = Email(program=target, name=email.name, subject=email.subject,
                                 body=email.body, operational=email.operational)
        db.session.add(copies[email.id])
    for step in source.flow:
        db.session.add(FlowStep(program=target, position=step.position, action=step.action,
                                status=step.status, email=copies.get(step.email_id)))
    if source.landing_page is None:
        return
    page = target.landing_page
    if page is None:
        page = LandingPage(program=target, slug=unique_slug(source.landing_page.slug + "-copy"))
        db.session.add(page)
    page.title = source.landing_page.title
    page.intro = source.landing_page.intro
    page.published, page.published_at = False, None
