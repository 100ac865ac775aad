from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.channels import channel_choices


class ProgramForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    channel = SelectField("Channel", choices=channel_choices(), default="webinar")
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    submit = SubmitField("Create program")


class StatusForm(FlaskForm):
    status = SelectField("New status", choices=[])
    reason = StringField("Why", validators=[Optional(), Length(max=300)])
    submit = SubmitField("Change status")


class BulkStatusForm(FlaskForm):
    from_status = SelectField("Members with status", choices=[])
    to_status = SelectField("Move to", choices=[])
    submit = SubmitField("Move them")


class LinkForm(FlaskForm):
    """Event Settings' save: a login (service) and an event (webinar) [S15]."""
    service_id = IntegerField("Login", validators=[DataRequired(message="Choose a login.")])
    webinar_id = StringField("Event", validators=[DataRequired(message="Choose a webinar."), Length(max=100)])
    submit = SubmitField("Save")


class UnlinkForm(FlaskForm):
    confirm = BooleanField("I understand what happens to the people who signed up: unlink anyway")
    submit = SubmitField("Unlink")
