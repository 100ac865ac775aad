"""Sentences the portal stores in English and words in the reader's language when it
shows them: a status change's reason, a registration's or an email's error, what an
attendance sync did.

They are stored as text because the bulk writers build them in SQL and because a
marketer's own reason sits in the same column. Each feature declares the sentences it
stores as ``Sentence`` objects (catalogue messages with %(name)s / %(name)d fields, in a
module the web app imports), writes ``SENTENCE(**values)``, the English, and pages show
the text through the ``worded`` filter: it finds the declared sentence the text is,
translates it, and words the fields it names as ``nested`` the same way (an error inside
an error, the attended rule inside a reason); other fields (a status, a topic, a count)
are shown as written. Text that is no declared sentence is shown translated when it is a
catalogue message, else as written (a marketer's own words, a provider's message)."""
from __future__ import annotations

import re

from flask_babel import gettext, ngettext

_FIELD = re.compile(r"%\((\w+)\)([sd])|%%")
_DECLARED: list[Sentence] = []


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """Marks a sentence with a plural for the catalogue (extracted as ``Nn_:1,2``)."""
    return singular, plural


def _pattern(template: str) -> re.Pattern:
    parts, at = [], 0
    for field in _FIELD.finditer(template):
        parts.append(re.escape(template[at:field.start()]))
        name, kind = field.groups()
        parts.append("%" if name is None else rf"(?P<{name}>-?\d+)" if kind == "d" else rf"(?P<{name}>.+?)")
        at = field.end()
    parts.append(re.escape(template[at:]))
    return re.compile("".join(parts), re.DOTALL)


class Sentence:
    """A stored sentence: ``message``, or ``message`` and ``plural`` chosen by the
    ``num`` field (the catalogue's plural forms); ``nested``: its fields that hold stored
    text of their own."""

    def __init__(self, message: str, plural: str | None = None, nested: tuple[str, ...] = ()):
        self.message, self.plural, self.nested = message, plural, nested
        #: field name -> "s" or "d"
        self.fields = {name: kind for name, kind in _FIELD.findall(message) if name}
        self.patterns = [_pattern(message)] + ([_pattern(plural)] if plural else [])
        #: of two sentences a text could be, it is the one with more words of its own
        self.specificity = len(_FIELD.sub("", message))
        _DECLARED.append(self)
        _DECLARED.sort(key=lambda sentence: -sentence.specificity)

    def __call__(self, **values) -> str:
        """The English, to store."""
        english = self.plural if self.plural is not None and values["num"] != 1 else self.message
        return english % values

    def read(self, text: str) -> dict | None:
        for pattern in self.patterns:
            if (found := pattern.fullmatch(text)) is not None:
                return {name: int(value) if self.fields[name] == "d" else value
                        for name, value in found.groupdict().items()}
        return None

    def translated(self, **values) -> str:
        """In the reader's language (English in a job)."""
        if self.plural is not None:
            return ngettext(self.message, self.plural, values.pop("num"), **values)
        return gettext(self.message, **values)


def worded(text: str | None) -> str:
    """``text`` as stored, in the reader's language."""
    if not text:
        return text or ""
    for sentence in _DECLARED:
        values = sentence.read(text)
        if values is not None:
            return sentence.translated(**{name: worded(value) if name in sentence.nested else value
                                          for name, value in values.items()})
    return gettext(text)


def declared() -> list[Sentence]:
    return list(_DECLARED)
