from wtforms import EmailField, PasswordField, SelectField, SubmitField
from wtforms.validators import DataRequired, Email, Length, ValidationError

from portal.extensions import db
from portal.forms import Form
from portal.models import ADMIN, MARKETER, User
from portal.passwords import StrongPassword


class UserForm(Form):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField("Role", choices=[(MARKETER, "Marketer"), (ADMIN, "Admin")])
    password = PasswordField("Initial password", validators=[DataRequired(), StrongPassword(inputs_from=("email",))])
    submit = SubmitField("Add user")

    def validate_email(self, field):
        if db.session.scalar(db.select(User).where(User.email == field.data.strip().lower())):
            raise ValidationError("A user with this email already exists.")
