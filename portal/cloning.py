"""Cloning a program [S6]: its assets come along, its provider binding never does.

A clone is built field by field from an explicit list, so nothing the source
holds about its webinar, its members, their statuses or history can leak into it,
whatever service or provider the source was bound through.
"""
from __future__ import annotations

from portal.extensions import db
from portal.flows import FlowError
from portal.models import Email, FlowStep, LandingPage, Program, User

CLONE_SUFFIX = " (copy)"


def clone_program(source_id: int, user: User | None = None) -> Program:
    source = db.session.get(Program, source_id)
    if source is None:
        raise FlowError("This program does not exist.")
    name = source.name[:200 - len(CLONE_SUFFIX)] + CLONE_SUFFIX
    clone = Program(name=name, channel=source.channel, description=source.description,
                    attended_rule=source.attended_rule, attended_threshold=source.attended_threshold,
                    created_by=user, cloned_from=source)
    db.session.add(clone)
    db.session.flush()
    copy_assets(source, clone)
    db.session.commit()
    return clone


def copy_assets(source: Program, target: Program) -> None:
    """Landing page (unpublished, with its own address), emails and flow steps,
    the steps pointing at the copied emails."""
    page = source.landing_page
    if page is not None:
        db.session.add(LandingPage(program_id=target.id, slug=_free_slug(page.slug), title=page.title,
                                   intro=page.intro, published=False))
    copies = {}
    for email in source.emails:
        copy = Email(program_id=target.id, name=email.name, subject=email.subject, body=email.body,
                     operational=email.operational)
        db.session.add(copy)
        copies[email.id] = copy
    db.session.flush()
    for step in source.flow:
        email = copies.get(step.email_id)
        db.session.add(FlowStep(program_id=target.id, position=step.position, action=step.action,
                                status=step.status, email_id=email.id if email else None))


def _free_slug(slug: str) -> str:
    """``slug-copy``, then ``slug-copy-2``...: a landing page address is unique."""
    base = f"{slug[:110]}-copy"
    taken = set(db.session.scalars(db.select(LandingPage.slug).where(LandingPage.slug.like(f"{base}%"))))
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate
