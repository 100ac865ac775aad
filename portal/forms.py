"""Forms shared by every feature, and the base every form of the portal derives from."""
from functools import cache

from babel.support import Translations
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.i18n import messages_path

from portal.validators import MULTI, SINGLE

#: fields every form has: rendered without an id, so a page with several forms repeats none
ID_LESS = ("csrf_token", "submit")


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

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            # WTForms' own messages ("This field is required."), in the page's language:
            # Flask-WTF reads its catalogue from disk for every form; it never changes.
            return wtforms_messages(str(get_locale() or "en"))

        def render_field(self, field, render_kw):
            # csrf_token and submit, in every form, get no id: a page with several
            # forms would repeat them.
            if field.short_name in ID_LESS and "id" not in render_kw:
                render_kw = {**render_kw, "id": False}
            return super().render_field(field, render_kw)


@cache
def wtforms_messages(locale: str) -> Translations:
    return Translations.load(messages_path(), [locale], domain="wtforms")


class ConfirmForm(Form):
    """A form with only its CSRF token, for POST buttons."""
    submit = SubmitField(_l("Confirm"))
