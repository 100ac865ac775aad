"""Clone a program [S6]: assets come along, never the webinar link or members."""
from flask import flash, redirect, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from portal.cloning import clone_program
from portal.programs import bp
from portal.programs.routes import get_program_or_404


@bp.route("/<int:program_id>/clone", methods=["POST"])
def clone(program_id):
    program = get_program_or_404(program_id)
    if not FlaskForm().validate_on_submit():
        flash("The form expired; try again.", "error")
        return redirect(url_for("programs.show", program_id=program.id))
    copy = clone_program(program.id, current_user)
    flash(f"Cloned as “{copy.name}”: it has the landing page, emails and flow, no members, and is not "
          "linked to any webinar.", "success")
    return redirect(url_for("programs.show", program_id=copy.id))
