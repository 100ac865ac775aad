"""A signed-in user's own preferences: the portal's language for them."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField, SubmitField

from portal.extensions import db
from portal.forms import Form
from portal.i18n import LANGUAGE_CHOICES, browser_language

bp = Blueprint("account", __name__)


class PreferencesForm(Form):
    locale = SelectField(_l("Language of the portal"), choices=LANGUAGE_CHOICES)
    submit = SubmitField(_l("Save preferences"))


@bp.route("/account", methods=["GET", "POST"])
def preferences():
    form = PreferencesForm()
    if form.validate_on_submit():
        current_user.locale = form.locale.data
        db.session.commit()
        flash(_("Preferences saved."), "success")
        return redirect(url_for("account.preferences"))
    if not form.is_submitted():
        # Until the user chooses, the browser's language is the proposal.
        form.locale.data = current_user.locale or browser_language()
    return render_template("account/preferences.html", form=form, chosen=bool(current_user.locale))
