"""Forms shared by every feature."""
from flask_wtf import FlaskForm
from wtforms import SubmitField


class ConfirmForm(FlaskForm):
    """A form with only its CSRF token, for POST buttons."""
    submit = SubmitField("Confirm")
