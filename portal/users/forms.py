from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectField, SubmitField
from wtforms.validators import DataRequired, Email, Length, ValidationError

from portal.extensions import db
from portal.forms import Form
from portal.models import ADMIN, MARKETER, User
from portal.passwords import StrongPassword


class UserForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), choices=[(MARKETER, _l("Marketer")), (ADMIN, _l("Admin"))])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), StrongPassword(inputs_from=("email",))])
    submit = SubmitField(_l("Add user"))

    def validate_email(self, field):
        if db.session.scalar(db.select(User).where(User.email == field.data.strip().lower())):
            raise ValidationError(_("A user with this email already exists."))
