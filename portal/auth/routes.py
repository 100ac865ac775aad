import hashlib
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.security import check_password_hash

from portal.auth import bp
from portal.auth.forms import ChangePasswordForm, LoginForm
from portal.extensions import db, limiter
from portal.models import User

# Checked when the email is unknown, so both answers take the same time.
_DUMMY_HASH = "scrypt:32768:8:1$dummysaltdummys$" + "0" * 128


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("main.index")


def _account_key() -> str:
    email = (request.form.get("email") or "").strip().lower()
    return "login-account:" + hashlib.sha256(email.encode()).hexdigest()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
# Only failures count, so a person signing in often is never throttled; once an account
# has too many, it waits whatever address the attempts come from.
@limiter.limit(lambda: current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"], key_func=_account_key,
               methods=["POST"], deduct_when=lambda response: response.status_code == 401)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(db.select(User).where(User.email == form.email.data.strip().lower()))
        if user is None:
            check_password_hash(_DUMMY_HASH, form.password.data)
        elif user.check_password(form.password.data):
            if not user.active:
                flash(_("This account is deactivated. Ask an administrator."), "error")
                return render_template("auth/login.html", form=form), 403
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        flash(_("Wrong email or password."), "error")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        current_user.end_sessions()
        db.session.commit()
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm(guessable=[user.email])
    if form.validate_on_submit():
        if not user.check_password(form.current_password.data):
            form.current_password.errors.append(_("This is not your current password."))
            return render_template("auth/change_password.html", form=form), 400
        user.set_password(form.new_password.data)
        user.end_sessions()
        db.session.commit()
        # Every other session ended with the old version; this one carries on.
        remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
        login_user(user, remember=remembered)
        flash(_("Your password is changed. Every other session is signed out."), "success")
        return redirect(url_for("main.index"))
    return render_template("auth/change_password.html", form=form), 400 if form.errors else 200
