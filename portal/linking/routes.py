"""Event Settings [S5] [S15]: partner -> login (service) -> event (webinar) -> save;
then refresh, check and unlink. Views parse input, call one flow or enqueue one
job, flash, redirect."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import partners
from portal.errors import NotAllowed
from portal.extensions import db
from portal.linking import binding as linking
from portal.linking import health
from portal.linking import picker as webinar_picker
from portal.linking.forms import LinkForm, UnlinkForm
from portal.models import Service
from portal.models.services import ACTIVE
from portal.programs.lookups import get_program_or_404
from portal.tasks import start_task
from portal.validators import int_arg

bp = Blueprint("linking", __name__)
# The findings of a binding's last health check, worded for the reader (programs/_event.html).
bp.add_app_template_filter(health.problems, "health_problems")


@bp.app_template_global()
def people_signed_up(program_id: int) -> int:
    return linking.people_signed_up(program_id)


def _active_services(partner: str) -> list[Service]:
    return db.session.scalars(db.select(Service).where(Service.provider == partner, Service.state == ACTIVE)
                              .order_by(Service.name)).all()


def _partner(partners: list[tuple[str, str]], asked: str, service_id: int | None) -> str:
    """The partner asked for; else the chosen login's; else the first with an active login."""
    keys = [key for key, _label in partners]
    if asked in keys:
        return asked
    service = db.session.get(Service, service_id) if service_id else None
    if service is not None and service.provider in keys:
        return service.provider
    active = set(db.session.scalars(db.select(Service.provider).where(Service.state == ACTIVE)))
    return next((key for key in keys if key in active), keys[0] if keys else "")


@bp.route("/<int:program_id>/event")
def event_settings(program_id):
    program = get_program_or_404(program_id)
    refusal = linking.partner_refusal(program)
    context = dict(program=program, refusal=refusal, link_form=LinkForm(), unlink_form=UnlinkForm(),
                   consequences="", partners=partners.choices(), partner="", services=[],
                   service=None, picker=None)
    if refusal:
        return render_template("programs/event_settings.html", **context)
    if program.binding is not None:
        context["consequences"] = linking.unlink_consequences(program)
        return render_template("programs/event_settings.html", **context)
    chosen = int_arg("service")
    partner = _partner(context["partners"], request.args.get("partner", ""), chosen)
    services = _active_services(partner) if partner else []
    service = next((s for s in services if s.id == chosen), None)
    if service is None and len(services) == 1:
        service = services[0]
    picker = webinar_picker.upcoming_webinars(service, refresh=request.args.get("refresh") == "1") if service else None
    context.update(partner=partner, services=services, service=service, picker=picker)
    return render_template("programs/event_settings.html", **context)


@bp.route("/<int:program_id>/event/link", methods=["POST"])
def link(program_id):
    program = get_program_or_404(program_id)
    form = LinkForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("linking.event_settings", program_id=program.id,
                                service=request.form.get("service_id", "")))
    try:
        binding = linking.link_program(program.id, form.service_id.data, form.webinar_id.data, current_user)
    except NotAllowed as error:
        flash(str(error), "error")
        return redirect(url_for("linking.event_settings", program_id=program.id, service=form.service_id.data))
    flash(_("Linked to “%(topic)s”.", topic=binding.topic), "success")
    for problem in health.problems(binding):
        flash(problem, "warning")
    return redirect(url_for("programs.show", program_id=program.id))


@bp.route("/<int:program_id>/event/check", methods=["POST"])
def check(program_id):
    program = get_program_or_404(program_id)
    problems = linking.link_health(program)
    if problems:
        for problem in problems:
            flash(problem, "warning")
    else:
        flash(_("The link is healthy: the portal can register people for this webinar."), "success")
    return redirect(url_for("programs.show", program_id=program.id))


@bp.route("/<int:program_id>/event/refresh", methods=["POST"])
def refresh(program_id):
    program = get_program_or_404(program_id)
    if program.binding is None:
        flash(_("This program is not linked to a webinar."), "error")
    else:
        start_task("refresh_webinar", _("Refresh webinar details"), "portal.linking.jobs.refresh_webinar",
                   program.id, program_id=program.id, user_id=current_user.id)
        flash(_("The webinar's details are being re-read; the progress shows below."), "info")
    return redirect(url_for("programs.show", program_id=program.id))


@bp.route("/<int:program_id>/event/unlink", methods=["POST"])
def unlink(program_id):
    program = get_program_or_404(program_id)
    form = UnlinkForm()
    if not form.validate_on_submit():
        flash(_("The form expired; try again."), "error")
        return redirect(url_for("linking.event_settings", program_id=program.id))
    try:
        binding = linking.unlink_program(program.id, confirmed=form.confirm.data)
    except linking.NeedsConfirmation as needed:
        flash(_("Not unlinked. %(why)s Tick the confirmation to unlink anyway.", why=needed), "error")
        return redirect(url_for("linking.event_settings", program_id=program.id))
    if binding is not None:
        flash(_("Unlinked from webinar %(webinar)s. You may link another webinar.", webinar=binding.webinar_id),
              "success")
    return redirect(url_for("linking.event_settings", program_id=program.id))
