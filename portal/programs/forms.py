from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from portal.channels import channel_choices
from portal.forms import Form
from portal.i18n import LANGUAGE_CHOICES, current_language
from portal.programs.lifecycle import name_taken


class ProgramForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    channel = SelectField(_l("Channel"), choices=channel_choices(), default="webinar")
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    # Proposed: the language the marketer reads the portal in.
    language = SelectField(_l("Language of its landing page and emails"), choices=LANGUAGE_CHOICES,
                           default=current_language)
    submit = SubmitField(_l("Create program"))

    def validate_name(self, field):
        if name_taken(field.data):
            raise ValidationError(_l("A program with this name exists already: choose another name."))


class StatusForm(Form):
    status = SelectField(_l("New status"), choices=[])
    reason = StringField(_l("Why"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("Change status"))


class BulkStatusForm(Form):
    from_status = SelectField(_l("Members with status"), choices=[])
    to_status = SelectField(_l("Move to"), choices=[])
    submit = SubmitField(_l("Move them"))

    def validate_to_status(self, field):
        if field.data == self.from_status.data:
            raise ValidationError(_l("Choose two different statuses: members cannot move to the status they have."))
