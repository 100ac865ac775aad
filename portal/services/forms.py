from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from portal import partners
from portal.forms import Form
from portal.partners import plugin


class ServiceForm(Form):
    name = StringField(_l("Service name"), validators=[DataRequired(), Length(max=200)])
    provider = SelectField(_l("Provider"), choices=[])
    kind = SelectField(_l("Connection"), choices=[("oauth", _l("Log into the provider (OAuth)")),
                                                  ("s2s", _l("Server-to-Server app of this portal"))],
                       default="oauth")
    submit = SubmitField(_l("Log in and authorize"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.provider.choices = partners.choices()

    def validate_kind(self, field):
        if field.data == "s2s" and self.provider.data in partners.keys() \
                and not plugin(self.provider.data).capabilities.server_to_server:
            raise ValidationError(_("%(provider)s has no Server-to-Server connection: log into the provider "
                                    "instead.", provider=plugin(self.provider.data).label))


class HostsForm(Form):
    emails = TextAreaField(_l("Host emails, one per line"),
                           validators=[DataRequired(), Length(max=20 * 260)])
    submit = SubmitField(_l("Authorize hosts"))
