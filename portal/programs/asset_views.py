"""The program's assets editors: landing page, emails (with token check and
preview) and the registration flow with its order warnings [S17] [S19]."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.errors import NotAllowed
from portal.extensions import db
from portal.linking import binding as linking
from portal.linking import health
from portal.mail import compose as mail
from portal.models import Email
from portal.models.types import utcnow
from portal.partners import help_text, plugin
from portal.programs import bp
from portal.programs import flow as flows
from portal.programs.asset_forms import EmailForm, EmailStepForm, LandingPageForm, StatusStepForm
from portal.programs.lookups import get_member_or_404, get_program_or_404
from portal.registration import state as registration
from portal.registration.pages import intro_html


@bp.app_template_global("flow_warnings")
def flow_warnings(program):
    return flows.flow_warnings(program)


def get_email_or_404(program, email_id) -> Email:
    email = db.session.get(Email, email_id)
    if email is None or email.program_id != program.id:
        abort(404)
    return email


def back_to_program(program, anchor="assets"):
    return redirect(url_for("programs.show", program_id=program.id, _anchor=anchor))


@bp.route("/<int:program_id>/landing", methods=["GET", "POST"])
def landing_page(program_id):
    program = get_program_or_404(program_id)
    page = program.landing_page
    form = LandingPageForm(obj=page, program_id=program.id, language=program.language)
    if form.validate_on_submit() and not _publishing_refused(program, page, form):
        publishing = not page.published and form.published.data
        if publishing:
            page.published_at = utcnow()
        for name in ("slug", "title", "intro", "published"):
            getattr(form, name).populate_obj(page, name)
        program.language = form.language.data
        db.session.commit()
        flash(_("Landing page saved and published.") if page.published
              else _("Landing page saved (not published)."), "success")
        if publishing and program.binding is not None:
            # Publishing ran the link health check (_publishing_refused): its findings show now.
            problems = health.problems(program.binding)
            for problem in problems:
                flash(_("Link health check: %(problem)s", problem=problem), "warning")
            if not problems:
                flash(_("Link health check passed: the portal can register people for this webinar."), "success")
        if publishing and registration.webinar_over(program):
            flash(_("The webinar has ended: the page says so and takes no registration."), "warning")
        return back_to_program(program)
    return render_template("programs/landing_edit.html", program=program, page=page, form=form,
                           intro=intro_html(form.intro.data), open=registration.landing_open(program),
                           registration_off=registration.registration_off(program)
                           ), 400 if form.published.errors else 200


def _publishing_refused(program, page, form) -> bool:
    """[S13] A linked webinar must require registration before its page is published:
    the webinar is read again first, and the marketer told what to change."""
    if page.published or not form.published.data or program.binding is None:
        return False
    linking.link_health(program)
    if program.binding.registration_required:
        return False
    partner = plugin(program.binding.provider)
    form.published.errors = [_(
        "Not published: the webinar does not require registration in %(provider)s, so nobody who signs up "
        "here could be registered. In %(provider)s, %(fix)s Then publish again.",
        provider=partner.label, fix=help_text(partner, "require_registration"))]
    return True


@bp.route("/<int:program_id>/emails/new", methods=["GET", "POST"])
@bp.route("/<int:program_id>/emails/<int:email_id>", methods=["GET", "POST"])
def email_edit(program_id, email_id=None):
    program = get_program_or_404(program_id)
    email = get_email_or_404(program, email_id) if email_id else None
    form = EmailForm(obj=email)
    if form.validate_on_submit():
        if email is None:
            email = Email(program=program)
            db.session.add(email)
        form.populate_obj(email)
        db.session.commit()
        flash(_("Email “%(name)s” saved.", name=email.name), "success")
        return redirect(url_for("programs.email_edit", program_id=program.id, email_id=email.id))
    return render_template("programs/email_edit.html", program=program, email=email, form=form,
                           tokens=mail.TOKENS)


@bp.route("/<int:program_id>/emails/<int:email_id>/preview")
def email_preview(program_id, email_id):
    program = get_program_or_404(program_id)
    email = get_email_or_404(program, email_id)
    subject, body, rendered_for = mail.preview(email, program)
    return render_template("programs/email_preview.html", program=program, email=email,
                           subject=subject, body=body, rendered_for=rendered_for)


@bp.route("/<int:program_id>/emails/<int:email_id>/delete", methods=["POST"])
def email_delete(program_id, email_id):
    program = get_program_or_404(program_id)
    email = get_email_or_404(program, email_id)
    db.session.delete(email)
    db.session.commit()
    flash(_("Email “%(name)s” deleted.", name=email.name), "success")
    return back_to_program(program)


def step_forms(program):
    status_form = StatusStepForm(prefix="st")
    status_form.status.choices = program.channel_def.status_names
    email_form = EmailStepForm(prefix="em")
    email_form.email_id.choices = [(e.id, e.name) for e in program.emails]
    return status_form, email_form


@bp.route("/<int:program_id>/flow", methods=["GET", "POST"])
def flow(program_id):
    program = get_program_or_404(program_id)
    status_form, email_form = step_forms(program)
    if request.method == "POST":
        if status_form.submit.data and status_form.validate():
            flows.add_step(program, flows.CHANGE_STATUS, status=status_form.status.data)
        elif email_form.submit.data and email_form.validate():
            flows.add_step(program, flows.SEND_EMAIL, email_id=email_form.email_id.data)
        else:
            flash(_("Choose a status or an email for the new step."), "error")
            return render_template("programs/flow_edit.html", program=program, status_form=status_form,
                                   email_form=email_form, warnings=flows.flow_warnings(program)), 400
        db.session.commit()
        flash(_("Step added."), "success")
        return redirect(url_for("programs.flow", program_id=program.id))
    return render_template("programs/flow_edit.html", program=program, status_form=status_form,
                           email_form=email_form, warnings=flows.flow_warnings(program))


@bp.route("/<int:program_id>/flow/<int:step_id>/<any(up, down, remove):action>", methods=["POST"])
def flow_step(program_id, step_id, action):
    program = get_program_or_404(program_id)
    try:
        if action == "remove":
            flows.remove_step(program, step_id)
        else:
            flows.move_step(program, step_id, -1 if action == "up" else 1)
    except NotAllowed as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
    return redirect(url_for("programs.flow", program_id=program.id))


@bp.route("/<int:program_id>/members/<int:member_id>/retry", methods=["POST"])
def retry_registration(program_id, member_id):
    program = get_program_or_404(program_id)
    member = get_member_or_404(program, member_id)
    try:
        registration.retry_registration(member)
    except NotAllowed as exc:
        flash(str(exc), "error")
    else:
        flash(_("Registration of %(email)s retried now.", email=member.person.email), "info")
    if request.form.get("back") == "members":
        return redirect(url_for("programs.show", program_id=program.id, _anchor="members"))
    return redirect(url_for("programs.member", program_id=program.id, member_id=member.id))
