"""The program dashboard: the funnel with rates, registrations per day and attendance
minutes as server-drawn SVG, every figure matching the members list."""
import re
from datetime import datetime, timezone

import pytest

from portal.channels import REGISTERED
from portal.extensions import db
from portal.models import Member
from portal.programs import lifecycle as flows
from portal.programs.charts import bar_chart
from tests.marketing_helpers import webinar_with_leads
from tests.services_helpers import connect_service


def stage(text, key):
    block = text.split(f'data-stage="{key}"')[1].split("</li>")[0]
    count = int(re.search(r'class="stage-count">(\d+)<', block).group(1))
    rate = re.search(r'class="stage-rate[^"]*">([^<]*)<', block)
    return count, " ".join(rate.group(1).split()) if rate else ""


def bars(text, chart_id):
    svg = text.split(f'id="{chart_id}"')[1].split("</svg>")[0]
    return {label: int(value) for label, value in re.findall(r'data-label="([^"]+)" data-value="(\d+)"', svg)}


def test_funnel_and_charts_match_the_members(admin, sandbox, run_jobs):
    program = webinar_with_leads(admin, sandbox, connect_service(admin), run_jobs)
    page = admin.get(f"/programs/{program.id}").text
    assert stage(page, "registered") == (3, "")
    assert stage(page, "errors") == (0, "0% of registrations")
    assert stage(page, "attended") == (3, "67% of registrants attended; 1 walked in")
    assert stage(page, "no_show") == (1, "33% of registrants")
    assert stage(page, "new_leads") == (4, "100% of the people in the program")
    # The same figures as the members list's counts and the People filter.
    assert 'data-status="Attended">3<' in page and 'data-status="No Show">1<' in page
    people = admin.get("/people/", query_string={"program": program.id}).text
    assert "4 people shown by this filter." in people

    assert sum(bars(page, "chart-registrations").values()) == 3
    assert {k: v for k, v in bars(page, "chart-minutes").items() if v} == {"10–14": 1, "30–34": 1, "40–44": 1}
    assert 'role="img" aria-labelledby="chart-minutes-title chart-minutes-desc"' in page
    assert '<title id="chart-minutes-title">Attendance minutes</title>' in page
    # Sections reachable from the page's own navigation.
    for anchor in ("overview", "event", "registration", "attendance", "members"):
        assert f'href="#{anchor}"' in page and f'id="{anchor}"' in page


def test_empty_program_dashboard_says_so(marketer):
    program = flows.create_program("Nothing yet", "webinar", "", None)
    page = marketer.get(f"/programs/{program.id}").text
    assert stage(page, "registered") == (0, "")
    assert "No registration on the portal yet." in page and "No attendance yet." in page
    assert "<svg" not in page


def test_chart_is_accessible_and_escapes_labels():
    svg = bar_chart("c", "Per <day>", "a & b", ["<x>", "y"], [3, 0], "day", "count")
    assert svg.startswith('<svg class="chart" id="c"') and 'role="img"' in svg
    assert "<title id=\"c-title\">Per &lt;day&gt;</title>" in svg and "<desc id=\"c-desc\">a &amp; b</desc>" in svg
    assert '<title>&lt;x&gt;: 3</title>' in svg and "<script" not in svg and "style=" not in svg


@pytest.mark.parametrize("zone, days", [
    ("Asia/Kathmandu", {"4 Mar": 1, "5 Mar": 2}),     # UTC+5:45: midnight falls at 18:15 UTC
    ("America/New_York", {"4 Mar": 3}),
])
def test_registrations_per_day_are_the_readers_days(marketer, users, zone, days):
    users["marketer"].timezone = zone
    program = flows.create_program("Days", "webinar", "", None)
    for n, at in enumerate(("2031-03-04 18:10", "2031-03-04 18:20", "2031-03-04 23:59")):
        person, _ = flows.find_or_create_person(f"p{n}@example.com")
        db.session.add(Member(program=program, person=person, status=REGISTERED,
                              created_at=datetime.fromisoformat(at).replace(tzinfo=timezone.utc)))
    db.session.commit()
    page = marketer.get(f"/programs/{program.id}").text
    assert bars(page, "chart-registrations") == days
