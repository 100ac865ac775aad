"""Times as Babel writes them for a language: what the pages and emails must show."""
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time


def babel_when(value: datetime, zone: str, locale: str = "en") -> str:
    """A webinar's start: full date, time, the zone's long name."""
    local = value.astimezone(ZoneInfo(zone))
    return (f"{format_date(local, 'full', locale=locale)}, {format_time(local, 'short', locale=locale)} "
            f"{format_time(local, 'zzzz', locale=locale)}")


def babel_time(value: datetime, zone: str, locale: str = "en", with_zone: bool = False) -> str:
    local = value.astimezone(ZoneInfo(zone))
    time = format_time(local, "short", locale=locale)
    return f"{time} {format_time(local, 'zzzz', locale=locale)}" if with_zone else time
