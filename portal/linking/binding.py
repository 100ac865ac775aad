"""Linking an event program to a provider's webinar and keeping the link in step:
the picker, the link health check, the webinar snapshot, reschedules [S8],
deletions, unlinking. Functions take ids or models and never touch the request; the
provider is reached only through the services' gateway, and what to fix on the provider's
side is worded by its plugin."""
from __future__ import annotations

import logging

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from portal.attendance.pulls import cancel_attendance_pulls, schedule_attendance_pulls
from portal.channels import REGISTERED, REGISTRATION_ERROR, get_channel
from portal.errors import NotAllowed
from portal.extensions import db
from portal.i18n import N_, state_word
from portal.linking import health
from portal.linking.health import finding
from portal.linking.picker import service_hosts
from portal.models import Binding, Member, Program, Service, User
from portal.models.types import utcnow
from portal.partners import plugin
from portal.sentences import Sentence
from portal.services.gateway import Gateway
from providers.base import AuthExpired, NotFound, ProviderError, Webinar

log = logging.getLogger(__name__)

# What *Refresh details* stores as its outcome (a task's message), worded when shown.
NO_LONGER_LINKED = N_("This program is no longer linked to a webinar.")
WEBINAR_GONE = Sentence(N_("Webinar %(webinar)s no longer exists."))
REREAD = Sentence(N_("Details of “%(topic)s” re-read."))


class NeedsConfirmation(NotAllowed):
    """The change is allowed, but only once the user has confirmed it."""


# --- linking [S5] [S15] ----------------------------------------------------------------

def partner_refusal(program: Program) -> str:
    """Why this program cannot pick a partner, or '' when it can [S5]."""
    if not program.channel_def.partner_events:
        return _("Only programs of the Webinar channel can be linked to a partner event; "
                 "this program's channel is %(channel)s.", channel=program.channel_def.label)
    return ""


def registered_count(program_id: int) -> int:
    """Members who were registered (sign-ups the provider holds or should hold)."""
    return db.session.scalar(db.select(func.count()).select_from(Member).where(
        Member.program_id == program_id, Member.status == REGISTERED)) or 0


def people_signed_up(program_id: int) -> int:
    """Members at Registered or further (attended, no show...): people who signed up."""
    program = db.session.get(Program, program_id)
    channel = get_channel(program.channel)
    step = channel.status(REGISTERED).step
    names = [s.name for s in channel.statuses if s.step >= step and s.name != REGISTRATION_ERROR]
    return db.session.scalar(db.select(func.count()).select_from(Member).where(
        Member.program_id == program_id, Member.status.in_(names))) or 0


def link_program(program_id: int, service_id: int, webinar_id: str, user: User | None = None) -> Binding:
    """Bind the program to the webinar, with a snapshot and a first health check.
    Everything the picker shows as disabled is refused here too, whatever was posted."""
    program = db.session.get(Program, program_id)
    if program is None:
        raise NotAllowed(_("This program does not exist."))
    refusal = partner_refusal(program)
    if refusal:
        raise NotAllowed(refusal)
    webinar_id = str(webinar_id or "").strip()
    if not webinar_id:
        raise NotAllowed(_("Choose a webinar."))
    if program.binding is not None:
        if program.binding.webinar_id == webinar_id and program.binding.service_id == service_id:
            return program.binding
        raise NotAllowed(_("This program is already linked to webinar %(webinar)s. Unlink it first: a "
                           "linked program never switches webinars silently.",
                           webinar=program.binding.webinar_id))
    service = db.session.get(Service, service_id)
    if service is None:
        raise NotAllowed(_("Choose a login (service)."))
    if not service.usable:
        raise NotAllowed(_("The service “%(name)s” is %(state)s: an admin must fix it before it can be used.",
                           name=service.name, state=state_word(service.state)))
    _refuse_if_bound(service.provider, webinar_id)
    try:
        webinar = Gateway(service, program_id=program.id).webinar(webinar_id)
    except ProviderError as error:
        raise NotAllowed(_("Webinar %(webinar)s could not be read: %(error)s", webinar=webinar_id,
                           error=error.message)) from None
    # The id the provider answers with, not the one posted: "081000000001" and
    # "81000000001" are one webinar, and the one-program-per-webinar rule holds on it.
    webinar_id = str(webinar.id or webinar_id)
    _refuse_if_bound(service.provider, webinar_id)
    if webinar.recurring:
        raise NotAllowed(_("“%(topic)s” is a recurring webinar: only single-occurrence webinars "
                           "can be linked.", topic=webinar.topic))
    visible = {host_id for host_id, _email in service_hosts(service)}
    if webinar.host_id and webinar.host_id not in visible:
        raise NotAllowed(_("“%(topic)s” is hosted by someone whose webinars this service may not "
                           "see; an admin can add that host to the service.", topic=webinar.topic))
    binding = Binding(program=program, service=service, provider=service.provider, webinar_id=webinar_id)
    _snapshot(binding, webinar)
    health.record(binding, health.webinar_problems(service.provider, webinar))
    db.session.add(binding)
    try:
        db.session.commit()
    except IntegrityError:
        # Two people linking the same webinar at once: the unique constraint decides.
        db.session.rollback()
        _refuse_if_bound(service.provider, webinar_id)
        raise NotAllowed(_("This program was linked meanwhile; reload the page.")) from None
    log.info("program %s linked to %s webinar %s", program.id, service.provider, webinar_id)
    schedule_attendance_pulls(program.id)  # in case the end is never announced
    return binding


def _refuse_if_bound(provider: str, webinar_id: str) -> None:
    other = db.session.scalar(db.select(Binding).where(Binding.provider == provider,
                                                       Binding.webinar_id == webinar_id))
    if other is not None:
        raise NotAllowed(_("Webinar %(webinar)s is already linked to the program “%(name)s”.",
                           webinar=webinar_id, name=other.program.name))


def _snapshot(binding: Binding, webinar: Webinar) -> None:
    """Copy only the webinar details [S20] allows."""
    binding.topic = webinar.topic[:300]
    binding.agenda = webinar.agenda or ""
    binding.start_at = webinar.start
    binding.duration = webinar.duration or 0
    binding.timezone = webinar.timezone or "UTC"
    binding.registration_required = bool(webinar.registration_required)
    binding.refreshed_at = utcnow()
    binding.deleted_at = None


# --- the link health check -------------------------------------------------------------

def link_health(program: Program) -> list[str]:
    """Check the program's link now: the service token works, the webinar still
    exists and can take registrations. Re-reads the webinar (refreshing the
    snapshot), stores the findings on the binding, commits, and returns them in
    plain words (an empty list: healthy). Called when a webinar is chosen and
    before a landing page is published."""
    binding = program.binding
    if binding is None:
        return [health.worded(finding("not_linked"))]
    service = binding.service
    problems: list[dict] = []
    if not service.usable:
        problems.append(finding("service_unusable", service=service.name, state=service.state))
    else:
        try:
            webinar = Gateway(service, program_id=program.id).webinar(binding.webinar_id)
        except AuthExpired:
            problems.append(finding("authorization_lost", service=service.name, provider=service.provider))
        except NotFound:
            binding.deleted_at = binding.deleted_at or utcnow()
            problems.append(finding("webinar_gone", webinar=binding.webinar_id, provider=service.provider))
        except ProviderError as error:
            problems.append(finding("provider_unreachable", provider=service.provider, error=error.message))
        else:
            apply_webinar(binding, webinar)
            problems += health.webinar_problems(service.provider, webinar)
    health.record(binding, problems)
    db.session.commit()
    return [health.worded(problem) for problem in problems]


# --- keeping the snapshot in step [S8] [S13] --------------------------------------------

def apply_webinar(binding: Binding, webinar: Webinar) -> None:
    """Update the snapshot; a start moved after people signed up is a reschedule
    to warn about, keeping the time they signed up for [S8]."""
    old_start, new_start = binding.start_at, webinar.start
    if old_start and new_start and old_start != new_start and people_signed_up(binding.program_id):
        if binding.previous_start_at is None:
            binding.previous_start_at = old_start
        binding.rescheduled_at = utcnow()
        if binding.previous_start_at == new_start:
            # Moved back to the time people signed up for: nothing to warn about any more.
            binding.previous_start_at = binding.rescheduled_at = None
    _snapshot(binding, webinar)


def refresh_binding(binding_id: int) -> Binding | None:
    """Re-read the bound webinar. A webinar the provider no longer has is
    flagged deleted; other failures are raised for the job to retry."""
    binding = db.session.get(Binding, binding_id)
    if binding is None:
        return None
    try:
        webinar = Gateway(binding.service, program_id=binding.program_id).webinar(binding.webinar_id)
    except NotFound:
        mark_deleted(binding)
        return binding
    apply_webinar(binding, webinar)
    health.record(binding, health.webinar_problems(binding.provider, webinar))
    db.session.commit()
    return binding


def mark_deleted(binding: Binding) -> None:
    if binding.deleted_at is None:
        binding.deleted_at = utcnow()
    health.record(binding, [finding("webinar_deleted", webinar=binding.webinar_id, provider=binding.provider)])
    db.session.commit()


def find_binding(provider: str, webinar_id: str) -> Binding | None:
    return db.session.scalar(db.select(Binding).where(Binding.provider == provider,
                                                      Binding.webinar_id == str(webinar_id)))


# --- unlinking ---------------------------------------------------------------------------

def unlink_consequences(program: Program) -> str:
    """What unlinking does to the members, in words for the confirmation."""
    count = people_signed_up(program.id)
    if not count:
        return ""
    label = plugin(program.binding.provider).label if program.binding else _("the provider")
    return ngettext(
        "%(num)d person has signed up for this webinar. They keep their status, history and join links, "
        "and stay registered in %(provider)s; the portal will no longer send registrations or read "
        "attendance for this webinar. Linking another webinar afterwards does not register them for it.",
        "%(num)d people have signed up for this webinar. They keep their status, history and join links, "
        "and stay registered in %(provider)s; the portal will no longer send registrations or read "
        "attendance for this webinar. Linking another webinar afterwards does not register them for it.",
        count, provider=label)


def unlink_program(program_id: int, confirmed: bool = False) -> Binding | None:
    """Remove the program's binding. With people signed up, only once confirmed."""
    program = db.session.get(Program, program_id)
    binding = program.binding if program else None
    if binding is None:
        return None
    consequences = unlink_consequences(program)
    if consequences and not confirmed:
        raise NeedsConfirmation(consequences)
    db.session.delete(binding)
    db.session.commit()
    cancel_attendance_pulls(program.id)
    log.info("program %s unlinked from %s webinar %s", program.id, binding.provider, binding.webinar_id)
    return binding
