from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.channels import channel_choices
from portal.forms import Form


class ProgramForm(Form):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    channel = SelectField("Channel", choices=channel_choices(), default="webinar")
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    submit = SubmitField("Create program")


class StatusForm(Form):
    status = SelectField("New status", choices=[])
    reason = StringField("Why", validators=[Optional(), Length(max=300)])
    submit = SubmitField("Change status")


class BulkStatusForm(Form):
    from_status = SelectField("Members with status", choices=[])
    to_status = SelectField("Move to", choices=[])
    submit = SubmitField("Move them")
