from wtforms import BooleanField, IntegerField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from portal.forms import Form


class LinkForm(Form):
    """Event Settings' save: a login (service) and an event (webinar) [S15]."""
    service_id = IntegerField("Login", validators=[DataRequired(message="Choose a login.")])
    webinar_id = StringField("Event", validators=[DataRequired(message="Choose a webinar."), Length(max=100)])
    submit = SubmitField("Save")


class UnlinkForm(Form):
    confirm = BooleanField("I understand what happens to the people who signed up: unlink anyway")
    submit = SubmitField("Unlink")
