"""Forms shared by every feature, and the base every form of the portal derives from."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField

from portal.validators import MULTI, SINGLE


class Form(FlaskForm):
    """The portal's form base: every text field refuses control characters (text areas
    keep tabs and line breaks)."""

    def validate(self, extra_validators=None):
        extra = {name: list(validators) for name, validators in (extra_validators or {}).items()}
        for name, field in self._fields.items():
            if isinstance(field, TextAreaField):
                extra.setdefault(name, []).append(MULTI)
            elif isinstance(field, StringField):
                extra.setdefault(name, []).append(SINGLE)
        return super().validate(extra_validators=extra)


class ConfirmForm(Form):
    """A form with only its CSRF token, for POST buttons."""
    submit = SubmitField(_l("Confirm"))
