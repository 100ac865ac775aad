from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from portal import partners
from portal.forms import Form
from portal.partners import plugin


class ServiceForm(Form):
    name = StringField("Service name", validators=[DataRequired(), Length(max=200)])
    provider = SelectField("Provider", choices=[])
    kind = SelectField("Connection", choices=[("oauth", "Log into the provider (OAuth)"),
                                              ("s2s", "Server-to-Server app of this portal")],
                       default="oauth")
    submit = SubmitField("Log in and authorize")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.provider.choices = partners.choices()

    def validate_kind(self, field):
        if field.data == "s2s" and self.provider.data in partners.keys() \
                and not plugin(self.provider.data).capabilities.server_to_server:
            raise ValidationError(f"{plugin(self.provider.data).label} has no Server-to-Server connection: "
                                  "log into the provider instead.")


class HostsForm(Form):
    emails = TextAreaField("Host emails, one per line",
                           validators=[DataRequired(), Length(max=20 * 260)])
    submit = SubmitField("Authorize hosts")
