from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from portal.forms import Form
from portal.passwords import MAX_LENGTH, StrongPassword


class LoginForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in"))
    submit = SubmitField(_l("Sign in"))


class ChangePasswordForm(Form):
    current_password = PasswordField(_l("Current password"),
                                     validators=[DataRequired(), Length(max=MAX_LENGTH)])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), StrongPassword()])
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("new_password", message=_l("The two new passwords differ."))])
    submit = SubmitField(_l("Change password"))

    def __init__(self, *args, guessable=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.guessable = list(guessable)
