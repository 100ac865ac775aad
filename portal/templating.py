"""Template filters: times are stored in UTC and shown in the webinar's own zone."""
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from portal.partners import plugin


def in_zone(value: datetime | None, zone: str | None = None, fmt: str = "%a %d %b %Y, %H:%M %Z") -> str:
    if value is None:
        return ""
    try:
        tz = ZoneInfo(zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo("UTC")
    return value.astimezone(tz).strftime(fmt)


def init_app(app):
    app.add_template_filter(in_zone, "in_zone")
    # Navigation links only for the areas this build has.
    # A provider's label and help texts, for pages about something bound to it.
    app.jinja_env.globals["partner"] = plugin
    app.jinja_env.globals["has_endpoint"] = lambda endpoint: endpoint in app.view_functions
