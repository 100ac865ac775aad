from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from portal.forms import Form
from portal.passwords import MAX_LENGTH, StrongPassword


class LoginForm(Form):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me signed in")
    submit = SubmitField("Sign in")


class ChangePasswordForm(Form):
    current_password = PasswordField("Current password", validators=[DataRequired(), Length(max=MAX_LENGTH)])
    new_password = PasswordField("New password", validators=[DataRequired(), StrongPassword()])
    confirm = PasswordField("New password again", validators=[
        DataRequired(), EqualTo("new_password", message="The two new passwords differ.")])
    submit = SubmitField("Change password")

    def __init__(self, *args, guessable=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.guessable = list(guessable)
