from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, ValidationError

from portal.extensions import db
from portal.models import ADMIN, MARKETER, User


class UserForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField("Role", choices=[(MARKETER, "Marketer"), (ADMIN, "Admin")])
    password = PasswordField("Initial password", validators=[DataRequired(), Length(min=8, max=200, message="Use at least 8 characters.")])
    submit = SubmitField("Add user")

    def validate_email(self, field):
        if db.session.scalar(db.select(User).where(User.email == field.data.strip().lower())):
            raise ValidationError("A user with this email already exists.")


class ConfirmForm(FlaskForm):
    """A form with only its CSRF token, for POST buttons."""
    submit = SubmitField("Confirm")


class ServiceForm(FlaskForm):
    name = StringField("Service name", validators=[DataRequired(), Length(max=200)])
    provider = SelectField("Provider", choices=[])
    kind = SelectField("Connection", choices=[("oauth", "Log into the provider (OAuth)"),
                                              ("s2s", "Server-to-Server app of this portal")],
                       default="oauth")
    submit = SubmitField("Log in and authorize")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        import providers
        self.provider.choices = providers.choices()


class HostsForm(FlaskForm):
    emails = TextAreaField("Host emails, one per line",
                           validators=[DataRequired(), Length(max=20 * 260)])
    submit = SubmitField("Authorize hosts")
