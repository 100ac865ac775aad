"""Public landing pages: a program's page, its registration form, the thank-you page,
and the unsubscribe link of marketing emails. No sign-in (see portal/security.py)."""
import logging
from functools import cache

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse
from limits.errors import StorageError
from redis.exceptions import RedisError
from sqlalchemy import bindparam
from sqlalchemy.orm import joinedload

from portal.extensions import db, limiter
from portal.i18n import browser_language, speak
from portal.mail import calendar
from portal.mail import compose as mail
from portal.models import Binding, LandingPage, Program
from portal.registration import state, submission
from portal.registration.forms import RegistrationForm
from portal.registration.pages import intro_html, published_program

bp = Blueprint("landing", __name__)
log = logging.getLogger(__name__)


@cache
def page_query():
    # Built once: putting the loader options together costs more than running the query.
    return db.select(LandingPage).where(LandingPage.slug == bindparam("slug")).options(
        joinedload(LandingPage.program).options(
            joinedload(Program.flow),
            joinedload(Program.binding).joinedload(Binding.service)))


def published_page_or_404(slug: str) -> LandingPage:
    """The page with its program, flow, binding and service: one query for all a
    submission reads."""
    page = db.session.scalar(page_query(), {"slug": slug})
    if page is None or not page.published:
        abort(404)
    speak(page.program.language)
    return page


def over_limit(slug: str) -> bool:
    """Whether this address has posted to this page LANDING_RATE_LIMIT times already.
    The hit goes to Flask-Limiter's own strategy and storage: its per-route decorator
    costs the portal's busiest request more than the hit itself. With the storage
    unreachable nobody is turned away (the registration is what counts)."""
    try:
        return not limiter.limiter.hit(parse_limit(current_app.config["LANDING_RATE_LIMIT"]),
                                       "landing", slug, get_remote_address())
    except (StorageError, RedisError) as error:
        log.warning("landing rate limit not applied (%s)", type(error).__name__)
        return False


@cache
def parse_limit(text: str) -> RateLimitItem:
    return parse(text)


@limiter.request_filter
def limited_by_the_view() -> bool:
    """Flask-Limiter has nothing to look for on these pages (over_limit() does it)."""
    return request.blueprint == "landing"


@bp.errorhandler(404)
def not_here(error):
    return render_template("landing/unavailable.html", title=_("This page is not available"),
                           message=_("There is no open registration page at this address. "
                                     "Check the link you were sent.")), 404


@bp.route("/lp/<slug>", methods=["GET", "POST"])
def page(slug):
    if request.method == "POST":
        if over_limit(slug):
            abort(429)
        submission.start()
        if (done := submitted(slug)) is not None:
            return done
    # The page, a form with its errors, or why it takes no registration: from the ORM.
    page = published_page_or_404(slug)
    program = page.program
    if program.channel_def.partner_events and state.webinar_over(program):
        binding = program.binding
        return render_template("landing/unavailable.html", title=page.title or program.name, ended=True,
                               binding=binding,
                               message=_("This webinar has ended: registration is closed. Thank you for "
                                         "your interest."))
    if state.registration_off(program):
        return render_template("landing/unavailable.html", title=page.title or program.name,
                               message=_("Registration on this page is closed: this event no longer "
                                         "takes registrations here. Contact the organiser for details."))
    if not state.landing_open(program):
        return render_template("landing/unavailable.html", title=page.title or program.name,
                               message=_("Registration for this event is not open yet. "
                                         "Please come back later."))
    form = RegistrationForm()
    if form.validate_on_submit():
        return register(slug, program, form)
    status = 400 if form.errors else 200
    return render_template("landing/page.html", page=page, program=program, binding=program.binding,
                           intro=intro_html(page.intro), form=form), status


def submitted(slug: str):
    """The common POST, a valid form on an open page, read as plain rows
    (registration/pages.py); None for any other, which the page answers."""
    program = published_program(slug)
    if program is None or state.registration_off(program) or not state.landing_open(program):
        return None
    speak(program.language)
    form = RegistrationForm()
    return register(slug, program, form) if form.validate_on_submit() else None


def register(slug: str, program, form: RegistrationForm):
    if form.website.data:
        log.info("honeypot filled on landing page %s; nothing stored", slug)
    else:
        submission.submit_registration(program, source=f"landing page /lp/{slug}", **form.clean())
    return redirect(url_for("landing.thanks", slug=slug))


@bp.route("/lp/<slug>/thanks")
def thanks(slug):
    page = published_page_or_404(slug)
    return render_template("landing/thanks.html", page=page, program=page.program,
                           binding=page.program.binding)


@bp.route("/lp/<slug>/calendar.ics")
def calendar_file(slug):
    """Add to calendar, from the thank-you page: the webinar without a join link yet
    (the confirmation's invitation, same UID, brings it)."""
    page = published_page_or_404(slug)
    binding = page.program.binding
    if not calendar.has_event(binding):
        abort(404)
    # The public address (PORTAL_URL), as in emails: behind a proxy the request's may differ.
    page_url = current_app.config["PORTAL_URL"].rstrip("/") + url_for("landing.page", slug=slug)
    ics = calendar.webinar_ics(binding, page_url=page_url)
    return Response(ics, mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="{slug}.ics"'})


@bp.route("/lp/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token):
    # The link carries the language of the email it came in.
    speak(request.args.get("lang") or browser_language())
    person = mail.person_for_unsubscribe(token)
    if person is None:
        abort(404)
    # GET only asks: mail scanners open links, and must not unsubscribe anyone.
    if request.method == "POST":
        person.unsubscribed = True
        db.session.commit()
        return render_template("landing/unsubscribed.html", done=True, email=person.email)
    return render_template("landing/unsubscribed.html", done=False, email=person.email)
