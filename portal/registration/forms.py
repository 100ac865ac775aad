from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, StringField, SubmitField, TelField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from portal.forms import Form
from portal.templating import valid_zone


class RegistrationForm(Form):
    """The landing form [S18]: first name, last name and email required; company and
    phone optional. ``website`` is a honeypot: hidden from people, filled by bots."""
    # 64: the most the providers take (longer names are refused there), so a name the form accepts
    # never ends in Registration Error.
    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=64)])
    last_name = StringField(_l("Last name"), validators=[DataRequired(), Length(max=64)])
    # email-validator checks the syntax; no DNS look-up (check_deliverability is off).
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254),
                                            Email(message=_l("Enter a valid email address."))])
    company = StringField(_l("Company (optional)"), validators=[Optional(), Length(max=200)])
    phone = TelField(_l("Phone (optional)"), validators=[
        Optional(), Length(max=50),
        Regexp(r"^[0-9+().\-\s/]*$", message=_l("Use digits, spaces and + ( ) - . / only."))])
    website = StringField(_l("Leave this field empty"), validators=[Optional()])
    # The visitor's zone, filled in by static/app.js: emails then give times in it.
    timezone = HiddenField(validators=[Optional(), Length(max=64)])
    submit = SubmitField(_l("Register"))

    class Meta:
        # The app's CSRFProtect checks every POST before any view runs; the form need not
        # sign a token of its own on each submission (the page's template renders one).
        csrf = False

    def clean(self) -> dict:
        fields = {name: (getattr(self, name).data or "").strip()
                  for name in ("email", "first_name", "last_name", "company", "phone")}
        zone = (self.timezone.data or "").strip()
        fields["timezone"] = zone if valid_zone(zone) else ""
        return fields
