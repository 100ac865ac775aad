"""The program dashboard: "how did this webinar do?" at a glance. Every figure is
counted from the members (and the people the program brought in), so it matches the
members list and the People page's "new leads from" filter."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from babel.dates import format_date
from flask_babel import gettext as _
from sqlalchemy import Integer, cast, func

from portal.channels import ATTENDED, ATTENDED_ON_DEMAND, NO_SHOW, REGISTRATION_ERROR
from portal.extensions import db
from portal.i18n import current_language
from portal.models import Member, Person, Program
from portal.models.programs import VIA_PORTAL, VIA_WALK_IN
from portal.programs.charts import bar_chart
from portal.templating import zone_info

MAX_DAYS = 60
MAX_BINS = 12


@dataclass
class Stage:
    key: str
    label: str
    count: int
    rate: float | None = None
    of: str = ""

    @property
    def percent(self) -> str:
        return "" if self.rate is None else f"{round(100 * self.rate)}%"


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def funnel(program: Program) -> list[Stage]:
    rows = db.session.execute(db.select(Member.joined_via, Member.status, func.count())
                              .where(Member.program_id == program.id)
                              .group_by(Member.joined_via, Member.status)).all()
    by = Counter()
    for via, status, count in rows:
        by[(via, status)] += count
    registered = sum(c for (via, _), c in by.items() if via == VIA_PORTAL)
    errors = sum(c for (_, s), c in by.items() if s == REGISTRATION_ERROR)
    joinable = registered - sum(c for (v, s), c in by.items() if v == VIA_PORTAL and s == REGISTRATION_ERROR)
    attended = sum(c for (_, s), c in by.items() if s in (ATTENDED, ATTENDED_ON_DEMAND))
    attended_registrants = sum(c for (v, s), c in by.items()
                               if v == VIA_PORTAL and s in (ATTENDED, ATTENDED_ON_DEMAND))
    walk_ins = sum(c for (v, _), c in by.items() if v == VIA_WALK_IN)
    no_show = sum(c for (_, s), c in by.items() if s == NO_SHOW)
    members = sum(by.values())
    new_leads = db.session.scalar(db.select(func.count()).select_from(Person)
                                  .where(Person.source_program_id == program.id))
    return [
        Stage("registered", _("Registered on the portal"), registered),
        Stage("errors", _("Registration errors"), errors, _rate(errors, registered), _("of registrations")),
        Stage("attended", _("Attended"), attended, _rate(attended_registrants, joinable),
              _("of registrants attended; %(num)d walked in", num=walk_ins)),
        Stage("no_show", _("No show"), no_show, _rate(no_show, joinable), _("of registrants")),
        Stage("new_leads", _("New leads"), new_leads, _rate(new_leads, members), _("of the people in the program")),
    ]


def _quarter_hour(column):
    """A UTC time column as the number of its quarter hour since the epoch. Every time
    zone is a whole number of quarter hours from UTC, so a quarter hour falls within one
    local day: the database counts per quarter hour, Python puts each in its day."""
    if db.engine.dialect.name == "postgresql":
        return func.floor(func.extract("epoch", column) / 900)
    return cast(func.strftime("%s", column), Integer) / 900


def registrations_per_day(program: Program, zone: str) -> tuple[list[str], list[int]]:
    """Sign-ups through the portal per day in ``zone``, days without any included."""
    tz = zone_info(zone)
    quarter = _quarter_hour(Member.created_at)
    days = Counter()
    for number, count in db.session.execute(
            db.select(quarter, func.count()).where(Member.program_id == program.id, Member.joined_via == VIA_PORTAL)
            .group_by(quarter)):
        days[datetime.fromtimestamp(int(number) * 900, timezone.utc).astimezone(tz).date()] += count
    if not days:
        return [], []
    first, last = min(days), max(days)
    first = max(first, last - timedelta(days=MAX_DAYS - 1))
    span = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return [format_date(d, "d MMM", locale=current_language()) for d in span], [days[d] for d in span]


def minutes_histogram(program: Program) -> tuple[list[str], list[int]]:
    """Attendees by minutes attended, in bins of 5, 10, 15... minutes."""
    minutes = dict(db.session.execute(
        db.select(Member.attended_minutes, func.count()).where(
            Member.program_id == program.id, Member.attended_minutes.is_not(None))
        .group_by(Member.attended_minutes)).all())
    if not minutes:
        return [], []
    top = max(minutes)
    width = next(w for w in (5, 10, 15, 20, 30, 60, 120, 240, 10_000) if (top // w) + 1 <= MAX_BINS)
    bins = Counter()
    for value, count in minutes.items():
        bins[value // width] += count
    count = top // width + 1
    labels = [f"{i * width}–{(i + 1) * width - 1}" for i in range(count)]
    return labels, [bins[i] for i in range(count)]


def dashboard(program: Program, zone: str) -> dict:
    day_labels, day_values = registrations_per_day(program, zone)
    bin_labels, bin_values = minutes_histogram(program)
    charts = {}
    if day_values:
        charts["registrations"] = bar_chart(
            "chart-registrations", _("Registrations per day"),
            _("%(num)d registrations on the portal from %(first)s to %(last)s (%(zone)s); most in one day: "
              "%(most)d.", num=sum(day_values), first=day_labels[0], last=day_labels[-1], zone=zone,
              most=max(day_values)),
            day_labels, day_values, _("day (%(zone)s)", zone=zone), _("registrations"))
    if bin_values:
        charts["minutes"] = bar_chart(
            "chart-minutes", _("Attendance minutes"),
            _("%(num)d attendees by minutes attended; the largest group (%(most)d) attended %(range)s minutes.",
              num=sum(bin_values), most=max(bin_values), range=bin_labels[bin_values.index(max(bin_values))]),
            bin_labels, bin_values, _("minutes attended"), _("attendees"))
    return {"funnel": funnel(program), "charts": charts, "days": list(zip(day_labels, day_values, strict=True)),
            "bins": list(zip(bin_labels, bin_values, strict=True))}
