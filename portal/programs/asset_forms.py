"""Forms of the program assets editors: landing page, emails, flow steps."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from portal.extensions import db
from portal.forms import Form
from portal.i18n import LANGUAGE_CHOICES
from portal.mail.compose import TOKENS, unknown_tokens
from portal.models import LandingPage


class LandingPageForm(Form):
    slug = StringField(_l("Address /lp/…"), validators=[
        DataRequired(), Length(max=120),
        Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$", message=_l("Use lower-case letters, digits and single hyphens."))])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    intro = TextAreaField(_l("Introduction (Markdown)"), validators=[Optional(), Length(max=20000)])
    language = SelectField(_l("Language of the page, its form and the default emails"), choices=LANGUAGE_CHOICES)
    published = BooleanField(_l("Published"))
    submit = SubmitField(_l("Save landing page"))

    def __init__(self, *args, program_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.program_id = program_id

    def validate_slug(self, field):
        other = db.session.scalar(db.select(LandingPage).where(
            LandingPage.slug == field.data, LandingPage.program_id != self.program_id))
        if other is not None:
            raise ValidationError(_("Another program already uses this address."))


def _known_tokens_only(form, field):
    unknown = unknown_tokens(field.data)
    if unknown:
        names = ", ".join("{{" + t + "}}" for t in unknown)
        known = ", ".join("{{" + t + "}}" for t in TOKENS)
        raise ValidationError(ngettext("Unknown token: %(names)s. Known tokens: %(known)s.",
                                       "Unknown tokens: %(names)s. Known tokens: %(known)s.",
                                       len(unknown), names=names, known=known))


class EmailForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=300), _known_tokens_only])
    body = TextAreaField(_l("Body (plain text with tokens)"), validators=[DataRequired(), Length(max=50000),
                                                                      _known_tokens_only])
    operational = BooleanField(_l("Operational (reaches unsubscribed people; use for join links)"))
    submit = SubmitField(_l("Save email"))


class StatusStepForm(Form):
    status = SelectField(_l("Change Program Status to"), choices=[])
    submit = SubmitField(_l("Add step"))


class EmailStepForm(Form):
    email_id = SelectField(_l("Send Email"), choices=[], coerce=int)
    submit = SubmitField(_l("Add step"))
