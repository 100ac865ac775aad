"""The password policy: at least 12 characters and not guessable.

Guessability is zxcvbn's estimate (Dropbox's algorithm, the Python port on PyPI): it
ships its own lists of the most common passwords, words, names and keyboard patterns,
needs no network, and says why a password is weak, which the form shows in the
reader's language."""
from flask_babel import gettext as _
from wtforms.validators import ValidationError
from zxcvbn import zxcvbn

from portal.i18n import N_

MIN_LENGTH = 12
MAX_LENGTH = 200
# zxcvbn scores 0..4; 3 is "safely unguessable" (about 10^10 guesses).
MIN_SCORE = 3
# zxcvbn refuses longer input and its run time grows with length; a longer password
# is judged on its first 72 characters, already far past any common one.
_ZXCVBN_MAX = 72
# zxcvbn says why in English only; its warnings, word for word, are in our catalogue.
_WARNINGS = {
    N_("Straight rows of keys are easy to guess."),
    N_("Short keyboard patterns are easy to guess."),
    N_('Repeats like "aaa" are easy to guess.'),
    N_('Repeats like "abcabcabc" are only slightly harder to guess than "abc".'),
    N_('Sequences like "abc" or "6543" are easy to guess.'),
    N_("Recent years are easy to guess."),
    N_("Dates are often easy to guess."),
    N_("This is a top-10 common password."),
    N_("This is a top-100 common password."),
    N_("This is a very common password."),
    N_("This is similar to a commonly used password."),
    N_("A word by itself is easy to guess."),
    N_("Names and surnames by themselves are easy to guess."),
    N_("Common names and surnames are easy to guess."),
}


def password_problem(password: str, user_inputs: list[str] | tuple = ()) -> str | None:
    """Why ``password`` is refused, or None. ``user_inputs`` (email...) count as guessable."""
    if len(password) < MIN_LENGTH:
        return _("Use at least %(num)d characters.", num=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Use at most %(num)d characters.", num=MAX_LENGTH)
    result = zxcvbn(password[:_ZXCVBN_MAX], user_inputs=[u for u in user_inputs if u])
    if result["score"] >= MIN_SCORE:
        return None
    warning = result["feedback"]["warning"]
    # a warning a later zxcvbn adds is shown as it comes, in English
    warning = (_(warning) if warning in _WARNINGS else warning) or _("This password is too easy to guess.")
    return _("%(warning)s Try a few unrelated words, or a longer passphrase.", warning=warning)


class StrongPassword:
    """WTForms validator; ``inputs_from`` names form fields whose values count as guessable."""

    def __init__(self, inputs_from: tuple[str, ...] = ()):
        self.inputs_from = inputs_from

    def __call__(self, form, field):
        inputs = [str(form[name].data or "") for name in self.inputs_from]
        problem = password_problem(field.data or "", inputs + list(getattr(form, "guessable", [])))
        if problem:
            raise ValidationError(problem)
