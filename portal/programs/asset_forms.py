"""Forms of the program assets editors: landing page, emails, flow steps."""
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from portal.extensions import db
from portal.forms import Form
from portal.mail.compose import TOKENS, unknown_tokens
from portal.models import LandingPage


class LandingPageForm(Form):
    slug = StringField("Address /lp/…", validators=[
        DataRequired(), Length(max=120),
        Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$", message="Use lower-case letters, digits and single hyphens.")])
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    intro = TextAreaField("Introduction (Markdown)", validators=[Optional(), Length(max=20000)])
    published = BooleanField("Published")
    submit = SubmitField("Save landing page")

    def __init__(self, *args, program_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.program_id = program_id

    def validate_slug(self, field):
        other = db.session.scalar(db.select(LandingPage).where(
            LandingPage.slug == field.data, LandingPage.program_id != self.program_id))
        if other is not None:
            raise ValidationError("Another program already uses this address.")


def _known_tokens_only(form, field):
    unknown = unknown_tokens(field.data)
    if unknown:
        names = ", ".join("{{" + t + "}}" for t in unknown)
        raise ValidationError(f"Unknown token{'s' if len(unknown) > 1 else ''}: {names}. "
                              f"Known tokens: {', '.join('{{' + t + '}}' for t in TOKENS)}.")


class EmailForm(Form):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    subject = StringField("Subject", validators=[DataRequired(), Length(max=300), _known_tokens_only])
    body = TextAreaField("Body (plain text with tokens)", validators=[DataRequired(), Length(max=50000),
                                                                      _known_tokens_only])
    operational = BooleanField("Operational (reaches unsubscribed people; use for join links)")
    submit = SubmitField("Save email")


class StatusStepForm(Form):
    status = SelectField("Change Program Status to", choices=[])
    submit = SubmitField("Add step")


class EmailStepForm(Form):
    email_id = SelectField("Send Email", choices=[], coerce=int)
    submit = SubmitField("Add step")
