"""The program page's attendance section: the Sync attendance button, the attended
rule, the progress of a running sync (polled by static/app.js), and what the
program and member partials show."""
from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import IntegerField, SelectField, SubmitField
from wtforms.validators import NumberRange, Optional

from portal.attendance.pulls import start_attendance_sync
from portal.attendance.rule import Rule, rule_words, set_attended_rule
from portal.channels import ATTENDED, NO_SHOW
from portal.extensions import db
from portal.forms import Form
from portal.models import AttendanceSession, Member, Program, StatusChange, SyncRun
from portal.models.programs import ATTENDED_ANY, ATTENDED_MINUTES, ATTENDED_PERCENT
from portal.programs.lookups import get_program_or_404
from portal.sentences import worded

bp = Blueprint("attendance", __name__)

RUNS_SHOWN = 10
LIMITS = {ATTENDED_MINUTES: (1, 1440, "minutes"), ATTENDED_PERCENT: (1, 100, "percent")}


def unit_range(unit: str, low: int, high: int) -> str:
    if unit == "minutes":
        return _("Give a number of minutes from %(low)d to %(high)d.", low=low, high=high)
    return _("Give a number of percent from %(low)d to %(high)d.", low=low, high=high)


class AttendedRuleForm(Form):
    rule = SelectField(_l("Counts as attended"), choices=[
        (ATTENDED_ANY, _l("Any attendance")),
        (ATTENDED_MINUTES, _l("At least N minutes")),
        (ATTENDED_PERCENT, _l("At least X percent of the scheduled duration"))])
    threshold = IntegerField(_l("N minutes or X %"), validators=[Optional(), NumberRange(min=0, max=1440)])
    submit = SubmitField(_l("Save rule"))

    def validate(self, extra_validators=None):
        # A form-level check: Optional() would stop a field validator on a blank.
        if not super().validate(extra_validators):
            return False
        if self.rule.data in LIMITS:
            low, high, unit = LIMITS[self.rule.data]
            if self.threshold.data is None or not low <= self.threshold.data <= high:
                self.threshold.errors = [unit_range(unit, low, high)]
                return False
        return True


@bp.route("/<int:program_id>/attendance/sync", methods=["POST"])
def sync_attendance(program_id):
    program = get_program_or_404(program_id)
    if program.binding is None or program.binding.deleted_at is not None:
        flash(_("Link this program to a webinar before syncing attendance."), "error")
    else:
        start_attendance_sync(program.id, "manual")
        flash(_("Attendance sync started; its progress shows in the Attendance section."), "info")
    return redirect(url_for("programs.show", program_id=program.id) + "#attendance")


@bp.route("/<int:program_id>/attendance/rule", methods=["POST"])
def attended_rule(program_id):
    program = get_program_or_404(program_id)
    form = AttendedRuleForm()
    if form.validate_on_submit():
        set_attended_rule(program.id, form.rule.data, form.threshold.data or 0)
        flash(_("Attended now means %(rule)s. It applies from the next sync; nobody moves back.",
                rule=rule_words(program.id)), "success")
    else:
        errors = [e for field_errors in form.errors.values() for e in field_errors]
        flash(_("The attended rule was not changed: %(errors)s", errors=" ".join(errors)), "error")
    return redirect(url_for("programs.show", program_id=program.id) + "#attendance")


@bp.route("/<int:program_id>/attendance/runs/<int:run_id>")
def sync_run(program_id, run_id):
    run = db.session.get(SyncRun, run_id)
    if run is None or run.program_id != program_id:
        abort(404)
    return {"id": run.id, "state": run.state, "active": run.active, "pages_read": run.pages_read,
            "attendees": run.attendees, "absentees": run.absentees, "new_leads": run.new_leads,
            "attended": run.attended, "no_shows": run.no_shows, "anonymous": run.anonymous,
            "message": worded(run.message), "error": worded(run.error)}


@bp.app_template_global()
def attendance_panel(program: Program) -> dict:
    """What the program page's attendance partial shows (a few small queries)."""
    runs = db.session.scalars(select(SyncRun).where(SyncRun.program_id == program.id)
                              .order_by(SyncRun.id.desc()).limit(RUNS_SHOWN)).all()
    last_done = next((r for r in runs if r.state == "done"), None)
    form = AttendedRuleForm(formdata=None, rule=program.attended_rule,
                            threshold=program.attended_threshold or None)
    return {"runs": runs, "last_done": last_done, "form": form,
            "rule": Rule.of(program, program.binding).words}


@bp.app_template_global()
def member_attendance(member: Member) -> dict:
    """The sessions behind a member's attendance, and the change that decided it."""
    sessions = db.session.scalars(select(AttendanceSession).where(AttendanceSession.member_id == member.id)
                                  .order_by(AttendanceSession.join_time)).all()
    decided = db.session.scalar(select(StatusChange).where(
        StatusChange.member_id == member.id, StatusChange.to_status.in_([ATTENDED, NO_SHOW]))
        .order_by(StatusChange.id.desc()).limit(1))
    return {"sessions": sessions, "decided": decided}
