"""What happens to programs, people and members. Flows take ids or models and
return models; they never touch the request, and speak to providers only through
the PartnerEvent contract."""
from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from portal.channels import REGISTERED, REGISTRATION_ERROR, get_channel
from portal.extensions import db
from portal.models import (
    Email,
    FlowStep,
    LandingPage,
    Member,
    Person,
    Program,
    StatusChange,
    User,
    email_key,
)
from portal.models.programs import SYNC_FAILED, SYNC_PENDING, SYNC_SYNCED
from portal.models.types import utcnow

log = logging.getLogger(__name__)


class FlowError(ValueError):
    """A change that the rules do not allow, in words for the user."""


def create_program(name: str, channel: str, description: str, user: User | None) -> Program:
    get_channel(channel)
    program = Program(name=name.strip(), channel=channel, description=description or "",
                      created_by=user)
    db.session.add(program)
    add_default_assets(program)
    db.session.commit()
    return program


def change_status(member: Member, to_status: str, reason: str = "", by_user: User | None = None,
                  manual: bool = False) -> bool:
    """Move a member to ``to_status`` and record it. Forward only, unless manual
    (a manual move back says so in the history). Returns whether it changed."""
    channel = member.program.channel_def
    target = channel.status(to_status)
    if member.status == to_status:
        return False
    current = channel.status(member.status)
    if target.step < current.step:
        if not manual:
            return False
        reason = f"{reason} (manual move back)".strip()
    # Added through the session, not member.history.append: appending would load the
    # whole history first, one query per member in a bulk change.
    db.session.add(StatusChange(member=member, from_status=member.status, to_status=to_status,
                                reason=reason, by_user=by_user))
    member.status = to_status
    return True


def find_or_create_person(email: str, **fields) -> tuple[Person, bool]:
    """The person with this email (compared case-insensitively), created if new.
    Blank values never overwrite known ones."""
    key = email_key(email)
    person = db.session.scalar(db.select(Person).where(Person.email_key == key))
    created = person is None
    if created:
        person = Person(email=email.strip(), email_key=key)
        db.session.add(person)
    for name, value in fields.items():
        if value and (created or name != "source"):
            setattr(person, name, value.strip() if isinstance(value, str) else value)
    return person, created


# --- program assets: landing page, emails, flow [S17] [S19] -------------------------

CHANGE_STATUS, SEND_EMAIL = "change_status", "send_email"
ACTIONS = {CHANGE_STATUS: "Change Program Status", SEND_EMAIL: "Send Email"}

DEFAULT_EMAIL_NAME = "Confirmation"
DEFAULT_EMAIL_SUBJECT = "Your link to join {{program.name}}"
DEFAULT_EMAIL_BODY = """Hello {{lead.First Name}},

Thank you for registering for {{program.name}}.
It starts {{event.start}} (time zone {{event.timezone}}).

Join with your own link (it is yours alone, please do not share it):
{{member.webinar url}}
"""


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
    email = Email(program=program, name=DEFAULT_EMAIL_NAME, subject=DEFAULT_EMAIL_SUBJECT,
                  body=DEFAULT_EMAIL_BODY, operational=True)
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


def add_step(program: Program, action: str, status: str = "", email_id: int | None = None) -> FlowStep:
    if action == CHANGE_STATUS:
        program.channel_def.status(status)          # KeyError for a status of another channel
        email_id = None
    elif action == SEND_EMAIL:
        if not any(e.id == email_id for e in program.emails):
            raise FlowError("Choose one of this program's emails.")
        status = ""
    else:
        raise FlowError("Unknown step.")
    position = max((s.position for s in program.flow), default=0) + 1
    step = FlowStep(program=program, position=position, action=action, status=status, email_id=email_id)
    db.session.add(step)
    db.session.flush()
    db.session.expire(program, ["flow"])
    return step


def _renumber(steps) -> None:
    for position, step in enumerate(steps, start=1):
        step.position = position


def remove_step(program: Program, step_id: int) -> None:
    steps = list(program.flow)
    step = next((s for s in steps if s.id == step_id), None)
    if step is None:
        raise FlowError("That step is not in this flow.")
    steps.remove(step)
    db.session.delete(step)
    _renumber(steps)


def move_step(program: Program, step_id: int, offset: int) -> None:
    steps = list(program.flow)
    index = next((i for i, s in enumerate(steps) if s.id == step_id), None)
    if index is None:
        raise FlowError("That step is not in this flow.")
    target = min(max(index + offset, 0), len(steps) - 1)
    steps.insert(target, steps.pop(index))
    _renumber(steps)


def flow_warnings(program: Program) -> list[str]:
    """What the flow editor warns about [S19] [S17]."""
    from portal.mail import needs_join_link

    steps = list(program.flow)
    warnings = []
    registers = [i for i, s in enumerate(steps) if s.action == CHANGE_STATUS and s.status == REGISTERED]
    sends = [i for i, s in enumerate(steps) if s.action == SEND_EMAIL]
    if not registers:
        warnings.append("No step changes the program status to Registered: people who fill out "
                        "the form are not registered for the webinar.")
    elif registers[0] != 0:
        warnings.append(f"Change Program Status to Registered is step {registers[0] + 1}; it must be "
                        "step 1, so people are registered for the webinar first.")
    if not sends:
        warnings.append("No step sends an email: registrants do not receive their join link.")
    elif sends[0] != 1:
        warnings.append(f"Send Email is step {sends[0] + 1}; it must be step 2, right after the "
                        "registration, so the email carries the person's join link.")
    for i in sends:
        email = steps[i].email
        if email is None:
            warnings.append(f"Step {i + 1} sends an email that was deleted.")
        elif needs_join_link(email.subject, email.body) and not email.operational:
            warnings.append(f"“{email.name}” carries the join link but is not operational: "
                            "unsubscribed people would not receive it.")
        elif needs_join_link(email.subject, email.body) and not program.channel_def.partner_events:
            warnings.append(f"“{email.name}” uses {{{{member.webinar url}}}}, but a "
                            f"{program.channel_def.label} program has no webinar: it will not be sent.")
    return warnings


# --- registration: the landing form, the provider, the emails [S16] [S19] ------------

@dataclass
class Plan:
    """What a flow run hands to jobs once its changes are committed."""
    register: bool = False
    attempt_id: str = ""
    email_ids: list[int] = field(default_factory=list)


def provider_ready(program: Program) -> bool:
    binding = program.binding
    return bool(binding and binding.deleted_at is None and binding.service and binding.service.usable)


def landing_open(program: Program) -> bool:
    """Whether the landing form may take registrations: a webinar program must be
    linked to a webinar of a usable service; other channels need nothing."""
    return provider_ready(program) if program.channel_def.partner_events else True


def _start_attempt(member: Member, plan: Plan) -> None:
    plan.register = True
    plan.attempt_id = uuid.uuid4().hex
    member.sync_state = SYNC_PENDING
    member.sync_job_id = plan.attempt_id
    member.sync_since = utcnow()
    member.sync_attempts = 0
    member.sync_error = ""
    member.next_retry_at = None


def run_flow(member: Member) -> Plan:
    """Run the program's flow for a member who filled out the form. Only the step
    Change Program Status to Registered, on a linked program, pushes the person to
    the provider [S19]. Emails of a run that registers wait for the join link."""
    program = member.program
    plan = Plan()
    emails = []
    for step in program.flow:
        if step.action == CHANGE_STATUS and step.status:
            change_status(member, step.status, reason="filled out the form")
            if (step.status == REGISTERED and member.status == REGISTERED and provider_ready(program)
                    and member.sync_state not in (SYNC_PENDING, SYNC_SYNCED) and not plan.register):
                _start_attempt(member, plan)
        elif step.action == SEND_EMAIL and step.email_id:
            emails.append(step.email_id)
    if plan.register:
        plan.email_ids = emails          # sent by the registration job once the link is known
    elif member.sync_state == SYNC_PENDING:
        pass                             # a registration in flight will send them
    elif emails:
        interval = timedelta(seconds=current_app.config["REGISTRATION_RESEND_INTERVAL"])
        if member.last_email_at is None or utcnow() - member.last_email_at >= interval:
            plan.email_ids = emails
            member.last_email_at = utcnow()
    return plan


def dispatch(member_id: int, plan: Plan) -> None:
    """Hand a committed plan to the jobs (never before the commit). With Redis down
    the member stays stored as pending and a worker's sweep enqueues the registration
    once Redis is back (portal/recovery.py): the person who filled out the form still
    gets the thank-you page."""
    from portal import jobs
    try:
        if plan.register:
            jobs.enqueue_registration(member_id, plan.attempt_id, plan.email_ids)
        else:
            for email_id in plan.email_ids:
                jobs.enqueue_email(member_id, email_id, uuid.uuid4().hex)
    except RedisError as error:
        log.warning("could not enqueue the jobs of member %s (%s: %s); %s", member_id,
                    type(error).__name__, error,
                    "the registration sweep will" if plan.register else "its emails are not sent")


def flow_email_ids(program: Program) -> list[int]:
    """The emails a registration sends once the join link is known [S19]."""
    return [s.email_id for s in program.flow if s.action == SEND_EMAIL and s.email_id]


def submit_registration(program_id: int, email: str, first_name: str, last_name: str,
                        company: str = "", phone: str = "", source: str = "") -> Member:
    """The landing form was filled out: person, member, flow; commit, then enqueue."""
    for attempt in (1, 2):
        try:
            program = db.session.get(Program, program_id)
            person, _ = find_or_create_person(email, first_name=first_name, last_name=last_name,
                                              company=company, phone=phone, source=source)
            db.session.flush()
            member = db.session.scalar(db.select(Member).where(
                Member.program_id == program.id, Member.person_id == person.id))
            if member is None:
                member = Member(program=program, person=person)
                db.session.add(member)
                db.session.flush()
            plan = run_flow(member)
            db.session.commit()
            break
        except IntegrityError:
            # The same person submitted twice at the same moment: the other request
            # created the row; run again on it.
            db.session.rollback()
            if attempt == 2:
                raise
    dispatch(member.id, plan)
    return member


def retry_registration(member: Member) -> None:
    """The marketer's Retry now: a new attempt, at once, with the flow's emails."""
    if not provider_ready(member.program):
        raise FlowError("The program is not linked to a usable webinar service.")
    if member.sync_state not in (SYNC_PENDING, SYNC_FAILED):
        raise FlowError("This member has nothing to retry.")
    plan = Plan()
    _start_attempt(member, plan)
    plan.email_ids = flow_email_ids(member.program)
    db.session.commit()
    dispatch(member.id, plan)


def registration_succeeded(member: Member, registrant_id: str, join_url: str, label: str) -> None:
    member.registrant_id = registrant_id
    member.webinar_url = join_url
    member.sync_state = SYNC_SYNCED
    member.sync_error = ""
    member.next_retry_at = None
    # Back from Registration Error (same step) after a successful retry.
    change_status(member, REGISTERED, reason=f"registered with {label}")


def registration_failed(member: Member, reason: str) -> None:
    member.sync_state = SYNC_FAILED
    member.sync_error = reason
    member.next_retry_at = None
    change_status(member, REGISTRATION_ERROR, reason=reason[:500])


def registration_delay(member: Member, error, now) -> float | None:
    """Seconds until the next attempt after a transient error, honouring the
    provider's Retry-After; None once the retry window (24 hours) is spent."""
    config = current_app.config
    base = config["REGISTRATION_RETRY_BASE"]
    delay = min(base * 2 ** max(member.sync_attempts - 1, 0), config["REGISTRATION_RETRY_MAX"])
    resume_at = getattr(error, "resume_at", None)
    retry_after = getattr(error, "retry_after", None)
    if resume_at is not None:
        delay = max(delay, (resume_at - now).total_seconds())
    elif retry_after:
        delay = float(retry_after)
    since = member.sync_since or now
    if now + timedelta(seconds=delay) > since + timedelta(seconds=config["REGISTRATION_RETRY_WINDOW"]):
        return None
    return delay

