from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, SubmitField
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
