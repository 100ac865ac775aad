from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.cli import create_user
from portal.extensions import db
from portal.forms import ConfirmForm
from portal.models import User
from portal.security import admin_required
from portal.users.forms import UserForm

bp = Blueprint("users", __name__)


def role_name(role: str) -> str:
    return _("admin") if role == "admin" else _("marketer")


@bp.route("/users", methods=["GET", "POST"])
@admin_required
def users():
    form = UserForm()
    if form.validate_on_submit():
        user = create_user(form.email.data, form.password.data, form.role.data == "admin")
        flash(_("%(email)s can now sign in as %(role)s.", email=user.email, role=role_name(user.role)), "success")
        return redirect(url_for("users.users"))
    all_users = db.session.scalars(db.select(User).order_by(User.email)).all()
    return render_template("admin/users.html", form=form, users=all_users, toggle=ConfirmForm())


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@admin_required
def toggle_active(user_id):
    user = db.session.get(User, user_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if user.id == current_user.id:
        flash(_("You cannot deactivate yourself."), "error")
    else:
        user.active = not user.active
        db.session.commit()
        flash(_("%(email)s is now active.", email=user.email) if user.active
              else _("%(email)s is now deactivated.", email=user.email), "success")
    return redirect(url_for("users.users"))
