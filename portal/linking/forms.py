from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from portal.forms import Form


class LinkForm(Form):
    """Event Settings' save: a login (service) and an event (webinar) [S15]."""
    service_id = IntegerField(_l("Login"), validators=[DataRequired(message=_l("Choose a login."))])
    webinar_id = StringField(_l("Event"), validators=[DataRequired(message=_l("Choose a webinar.")),
                                                      Length(max=100)])
    submit = SubmitField(_l("Save"))


class UnlinkForm(Form):
    confirm = BooleanField(_l("I understand what happens to the people who signed up: unlink anyway"))
    submit = SubmitField(_l("Unlink"))
