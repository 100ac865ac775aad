"""Template globals and filters. One rule for time: times are stored in UTC and shown
in the signed-in user's zone, labelled; the webinar's own zone is shown beside it where
it matters (event details, landing page). Babel writes them for the page's language
(portal/i18n.py)."""
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask_login import current_user

from portal import i18n
from portal.partners import help_text, plugin

_ZONES: list[str] = []


def zone_info(zone: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def zone_names() -> list[str]:
    if not _ZONES:
        _ZONES.extend(sorted(z for z in available_timezones() if "/" in z or z == "UTC"))
    return _ZONES


def valid_zone(zone: str) -> bool:
    return bool(zone) and zone in zone_names()


def user_zone() -> str:
    """The signed-in user's zone; UTC until they chose one (and on public pages)."""
    zone = getattr(current_user, "timezone", "") if current_user and current_user.is_authenticated else ""
    return zone if valid_zone(zone) else "UTC"


def local(value: datetime | None, style: str = "datetime") -> str:
    """A time in the user's zone, labelled with it (styles of ``i18n.in_zone``)."""
    return i18n.in_zone(value, user_zone(), style)


def init_app(app):
    i18n.init_app(app)
    app.add_template_filter(local, "local")
    app.jinja_env.globals["user_zone"] = user_zone
    # A provider's label and help texts, for pages about something bound to it.
    app.jinja_env.globals["partner"] = plugin
    app.jinja_env.globals["help_text"] = help_text
    # Navigation links only for the areas this build has.
    app.jinja_env.globals["has_endpoint"] = lambda endpoint: endpoint in app.view_functions
