"""Programs: the list, one program's page, a member's page, bulk status changes,
cloning, and the task progress pages poll."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.extensions import db
from portal.forms import Form
from portal.models import Member, OutboxMessage, Program, ServiceError, SyncRun, Task
from portal.models.activity import QUEUED, RUNNING, WAITING
from portal.models.programs import SYNC_PENDING
from portal.programs import asset_views, bp, export  # noqa: F401  (their routes join the blueprint)
from portal.programs.cloning import clone_program
from portal.programs.dashboard import dashboard
from portal.programs.forms import BulkStatusForm, ProgramForm, StatusForm
from portal.programs.lifecycle import MANUAL_CHANGE, change_status, create_program
from portal.programs.lookups import get_member_or_404, get_program_or_404
from portal.programs.members import members_page, status_counts
from portal.sentences import worded
from portal.tasks import start_task
from portal.templating import user_zone
from portal.validators import page_arg

ACTIVE_RUNS = (QUEUED, RUNNING, WAITING)


@bp.route("/", methods=["GET", "POST"])
def index():
    form = ProgramForm()
    if form.validate_on_submit():
        program = create_program(form.name.data, form.channel.data, form.description.data, current_user,
                                 language=form.language.data)
        flash(_("Program “%(name)s” created.", name=program.name), "success")
        return redirect(url_for("programs.show", program_id=program.id))
    programs = db.session.scalars(db.select(Program).order_by(Program.created_at.desc(), Program.id.desc())).all()
    return render_template("programs/index.html", programs=programs, form=form)


@bp.route("/<int:program_id>")
def show(program_id):
    program = get_program_or_404(program_id)
    args = request.args
    page = page_arg()
    status = args.get("status", "")
    rows, total, pages = members_page(program.id, status=status, q=args.get("q", ""),
                                      sort=args.get("sort", "email"), desc=args.get("desc") == "1",
                                      page=page, per_page=current_app.config["MEMBERS_PER_PAGE"])
    bulk = BulkStatusForm()
    bulk.from_status.choices = bulk.to_status.choices = program.channel_def.status_names
    if not bulk.is_submitted():
        bulk.to_status.data = program.channel_def.status_names[1]   # never from == to by default
    tasks = db.session.scalars(db.select(Task).where(Task.program_id == program.id)
                               .order_by(Task.created_at.desc()).limit(5)).all()
    provider_errors = db.session.scalars(db.select(ServiceError).where(ServiceError.program_id == program.id)
                                         .order_by(ServiceError.id.desc()).limit(10)).all()
    return render_template("programs/show.html", live_active=live_active(program.id, tasks), program=program, rows=rows, total=total, pages=pages,
                           page=page, status=status, counts=status_counts(program.id), bulk=bulk,
                           tasks=tasks, provider_errors=provider_errors,
                           dash=dashboard(program, user_zone()))


def live_active(program_id: int, tasks) -> bool:
    """Whether something on the program page is still moving: the page refreshes its
    live regions quickly until nothing is (static/app.js)."""
    pending = db.session.scalar(db.select(Member.id).where(Member.program_id == program_id,
                                                           Member.sync_state == SYNC_PENDING).limit(1))
    running = db.session.scalar(db.select(SyncRun.id).where(SyncRun.program_id == program_id,
                                                            SyncRun.state.in_(ACTIVE_RUNS)).limit(1))
    return bool(pending or running or any(t.state in (QUEUED, RUNNING) for t in tasks))


@bp.route("/<int:program_id>/members/<int:member_id>", methods=["GET", "POST"])
def member(program_id, member_id):
    program = get_program_or_404(program_id)
    member = get_member_or_404(program, member_id)
    form = StatusForm()
    form.status.choices = program.channel_def.status_names
    if form.validate_on_submit():
        if change_status(member, form.status.data, reason=form.reason.data or MANUAL_CHANGE,
                         by_user=current_user, manual=True):
            db.session.commit()
            flash(_("%(email)s is now %(status)s.", email=member.person.email, status=member.status), "success")
        return redirect(url_for("programs.member", program_id=program.id, member_id=member.id))
    form.status.data = member.status
    emails = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.member_id == member.id)
                                .order_by(OutboxMessage.id.desc()).limit(50)).all()
    return render_template("programs/member.html", program=program, member=member, form=form, emails=emails)


@bp.route("/<int:program_id>/bulk-status", methods=["POST"])
def bulk_status(program_id):
    program = get_program_or_404(program_id)
    form = BulkStatusForm()
    form.from_status.choices = form.to_status.choices = program.channel_def.status_names
    if not form.validate_on_submit():
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        flash(_("Nothing moved: %(why)s", why=" ".join(errors) or _("Choose both statuses.")), "error")
    else:
        start_task("bulk_change_status", _("Move %(from_status)s members to %(to_status)s",
                                              from_status=form.from_status.data, to_status=form.to_status.data),
                   "portal.programs.jobs.bulk_change_status", program.id, form.from_status.data,
                   form.to_status.data, current_user.id, program_id=program.id, user_id=current_user.id)
        flash(_("The change runs in the background; its progress shows below."), "info")
    return redirect(url_for("programs.show", program_id=program.id))


@bp.route("/tasks/<task_id>")
def task(task_id):
    task = db.session.get(Task, task_id) or abort(404)
    return {"id": task.id, "state": task.state, "done": task.done, "total": task.total,
            "percent": task.percent, "message": worded(task.message)}


@bp.route("/<int:program_id>/clone", methods=["POST"])
def clone(program_id):
    """Clone a program [S6]: assets come along, never the webinar link or members."""
    program = get_program_or_404(program_id)
    if not Form().validate_on_submit():
        flash(_("The form expired; try again."), "error")
        return redirect(url_for("programs.show", program_id=program.id))
    copy = clone_program(program.id, current_user)
    flash(_("Cloned as “%(name)s”: it has the landing page, emails and flow, no members, and is not "
            "linked to any webinar.", name=copy.name), "success")
    return redirect(url_for("programs.show", program_id=copy.id))
