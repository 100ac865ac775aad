"""Languages: the portal speaks each user's language (their preference, else the
browser's Accept-Language); a program's public pages and emails speak the program's
language. Times are formatted by Babel for that language, the time zone named."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_time
from flask import g, has_request_context, request
from flask_babel import get_locale, lazy_gettext, refresh
from flask_login import current_user

from portal.sentences import worded

DEFAULT_LANGUAGE = "en"
# Each language named in itself: a visitor who cannot read the current one still finds theirs.
LANGUAGES = {"en": "English", "fr": "Français"}
LANGUAGE_CHOICES = list(LANGUAGES.items())

# States the portal stores as words, shown in the reader's language (the stored word stays).
STATE_WORDS = {
    "pending": lazy_gettext("pending"), "synced": lazy_gettext("synced"), "failed": lazy_gettext("failed"),
    "active": lazy_gettext("active"), "needs re-authorization": lazy_gettext("needs re-authorization"),
    "replaced": lazy_gettext("replaced"), "disconnected": lazy_gettext("disconnected"),
    "queued": lazy_gettext("queued"), "running": lazy_gettext("running"), "done": lazy_gettext("done"),
    "sent": lazy_gettext("sent"), "kept": lazy_gettext("kept"), "skipped": lazy_gettext("skipped"),
    "waiting": lazy_gettext("waiting"), "never started": lazy_gettext("never started"),
}


def N_(message: str) -> str:
    """Marks a message for the catalogue, translated where it is shown (the gettext
    manual's idiom for messages kept in tables)."""
    return message


def state_word(state: str) -> str:
    return STATE_WORDS.get(state, state)


def select_locale() -> str | None:
    if not has_request_context():
        return None
    if g.get("page_language"):
        return g.page_language
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    return browser_language()


def current_language() -> str:
    return str(get_locale() or DEFAULT_LANGUAGE)


def browser_language() -> str:
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def speak(language: str | None) -> None:
    """The rest of this request speaks ``language`` (a program's public pages)."""
    g.page_language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    refresh()


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def in_zone(value: datetime | None, zone: str | None = None, style: str = "event",
            locale: str | Locale | None = None) -> str:
    """``value`` (UTC) in ``zone``, written for ``locale`` (default: the request's).
    Styles: "event" (full date, time, zone's long name), "datetime" and "seconds" (for
    tables, zone abbreviated), "date", "time", "time_zone" (time, zone's long name)."""
    if value is None:
        return ""
    loc = Locale.parse(locale or get_locale() or DEFAULT_LANGUAGE)
    tz = _zone(zone)
    local = value.astimezone(tz)
    if style == "date":
        return format_date(local, "medium", locale=loc)
    if style in ("time", "time_zone"):
        time = format_time(local, "short", tzinfo=tz, locale=loc)
        return time if style == "time" else f"{time} {format_time(local, 'zzzz', tzinfo=tz, locale=loc)}"
    date = format_date(local, "full" if style == "event" else "medium", locale=loc)
    time = format_time(local, "medium" if style == "seconds" else "short", tzinfo=tz, locale=loc)
    name = "zzzz" if style == "event" else "z"
    joined = loc.datetime_formats["medium"].replace("'", "").format(time, date)
    return f"{joined} {format_time(local, name, tzinfo=tz, locale=loc)}"


def language_name(code: str) -> str:
    return LANGUAGES.get(code, code)


def init_app(app):
    @app.before_request
    def choose_afresh():
        # The language is chosen per request; an app context shared by several requests
        # (the test client's) must not carry the last one's.
        g.pop("page_language", None)
        refresh()

    app.add_template_filter(in_zone, "in_zone")
    app.add_template_filter(language_name, "language_name")
    app.add_template_filter(state_word, "state_word")
    app.add_template_filter(worded, "worded")
    app.jinja_env.globals["html_lang"] = current_language
