"""A signed-in user's own preferences: the portal's language and the time zone every
time is shown in (proposed from the browser at first sign-in, see templates/base.html)."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import HiddenField, SelectField, SubmitField, ValidationError

from portal.extensions import db
from portal.forms import Form
from portal.i18n import LANGUAGE_CHOICES, browser_language
from portal.templating import valid_zone, zone_names

bp = Blueprint("account", __name__)


def zone_choices():
    return [("", _l("Not chosen (UTC)"))] + [(z, z) for z in zone_names()]


class PreferencesForm(Form):
    locale = SelectField(_l("Language of the portal"), choices=LANGUAGE_CHOICES)
    # Not posted (a form of the language alone): the zone stays as it is.
    timezone = SelectField(_l("Time zone"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Save preferences"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = zone_choices()

    def validate_timezone(self, field):
        if field.data and not valid_zone(field.data):
            raise ValidationError(_l("That time zone is unknown: choose yours in your preferences."))


class ZoneForm(Form):
    """The first sign-in banner's one click: the browser's zone."""
    timezone = SelectField(choices=[])
    next = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = [(z, z) for z in zone_names()]


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("account.preferences")


@bp.route("/account", methods=["GET", "POST"])
def preferences():
    form = PreferencesForm()
    if form.validate_on_submit():
        current_user.locale = form.locale.data
        if form.timezone.data is not None:
            current_user.timezone = form.timezone.data
        db.session.commit()
        flash(_("Preferences saved."), "success")
        return redirect(url_for("account.preferences"))
    if not form.is_submitted():
        # Until the user chooses, the browser's language is the proposal.
        form.locale.data = current_user.locale or browser_language()
        form.timezone.data = current_user.timezone
    return render_template("account/preferences.html", form=form, chosen=bool(current_user.locale)), \
        400 if form.errors else 200


@bp.route("/account/timezone", methods=["POST"])
def timezone():
    form = ZoneForm()
    if form.validate_on_submit():
        current_user.timezone = form.timezone.data
        db.session.commit()
        flash(_("Times are now shown in %(zone)s.", zone=current_user.timezone), "success")
    else:
        flash(_("That time zone is unknown: choose yours in your preferences."), "error")
    return redirect(_safe_next(form.next.data))
