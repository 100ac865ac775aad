"""Input checks shared by every form (through portal.forms.Form) and view: no control characters in text,
query arguments that are plain numbers in range."""
import re

from flask import abort, request
from flask_babel import gettext as _
from wtforms.validators import ValidationError

# Every C0 and C1 control, DEL, and Unicode's line and paragraph separators: in a name
# or a subject they break email headers, CSV rows and logs; NUL breaks PostgreSQL.
SINGLE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Text areas keep tab and line breaks.
MULTI_LINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

# Past this, a page or id argument is a probe, not a request: 400 before any query.
MAX_PAGE = 1_000_000
MAX_ID = 2**31 - 1


class NoControlCharacters:
    def __init__(self, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, form, field):
        if not isinstance(field.data, str):
            return
        if self.multiline and MULTI_LINE.search(field.data):
            raise ValidationError(_("Remove the control characters (invisible characters other "
                                    "than tabs and line breaks) from this text."))
        if not self.multiline and SINGLE_LINE.search(field.data):
            raise ValidationError(_("Use one line of text, without line breaks or invisible "
                                    "control characters."))


SINGLE, MULTI = NoControlCharacters(), NoControlCharacters(multiline=True)


def refuse_nul_in_query():
    """before_request: a NUL byte in a query argument is never a real request."""
    if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        abort(400)


def int_arg(name: str, default: int | None = None, maximum: int = MAX_ID) -> int | None:
    """A whole-number query argument in 1..maximum; anything else is a 400."""
    raw = request.args.get(name, "")
    if raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= maximum:
        abort(400)
    return int(raw)


def page_arg() -> int:
    return int_arg("page", 1, MAX_PAGE)
