"""What marketers see, in a real browser over the whole stack (portal, worker, Zoom
sandbox): the zone proposed at first sign-in, labelled times, a member going from
pending to synced without a reload, statuses arriving in place after the webinar with
the flash still there, the dashboard matching the members, the People page and its
CSV, the .ics files, the landing page closed after the webinar, and axe-core on
every page a marketer or a visitor uses."""
import csv
import re
from datetime import datetime, timedelta, timezone

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from portal.extensions import db
from portal.i18n import in_zone
from portal.models import Member, Person
from tests.attendance_helpers import iso
from tests.browser import wait_for_rows
from tests.browser.accessibility import assert_accessible
from tests.conftest import PASSWORD
from tests.marketing_helpers import upcoming_program
from tests.services_helpers import connect_service


@pytest.fixture
def provider(zoom_kit):
    """Against Zoom's sandbox only: nothing here depends on the provider, and the whole
    journey (tests/browser/test_journey.py) already runs once per provider."""
    return zoom_kit


def only_event(data: bytes):
    [event] = Calendar.from_ical(data).walk("VEVENT")
    return event


def register(page, url, first, last, email):
    page.goto(url)
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", name="Thank you for registering")).to_be_visible()


def synced(email):
    return db.session.scalar(db.select(Member.sync_state).join(Person).where(Person.email_key == email)) == "synced"


def test_what_marketers_see(stack, app, client, users, sandbox, new_page, shots):
    # Set-up through the test client (the admin's journey has its own browser test): no
    # browser is on the portal yet, so its CSRF check may rest meanwhile.
    app.config["WTF_CSRF_ENABLED"] = False
    client.post("/login", data={"email": "admin@example.com", "password": PASSWORD})
    service = connect_service(client)
    app.config["WTF_CSRF_ENABLED"] = True
    program, wid = upcoming_program(sandbox, service, "Spring launch", "Spring launch webinar")
    binding, slug = program.binding, program.landing_page.slug
    landing = f"{stack}/lp/{slug}"

    # First sign-in: the browser's zone is proposed, and every time is then labelled with it.
    staff = new_page(timezone_id="America/New_York")
    staff.goto(stack + "/login")
    assert_accessible(staff, "sign-in")
    staff.get_by_label("Email").fill("marketer@example.com")
    staff.get_by_label("Password").fill(PASSWORD)
    staff.get_by_role("button", name="Sign in").click()
    proposal = staff.locator("[data-zone-proposal]")
    expect(proposal).to_contain_text("Your browser says America/New_York")
    shots(staff, "zone-proposed")
    proposal.get_by_role("button", name="Use this time zone").click()
    expect(staff.get_by_text("Times are now shown in America/New_York.")).to_be_visible()
    expect(proposal).to_have_count(0)
    staff.goto(stack + "/programs/")
    assert_accessible(staff, "programs")

    # A visitor in Tokyo: the webinar's own zone and their own time; Add to calendar.
    sandbox.control("faults", pattern=f"/v2/webinars/{wid}/registrants", for_method="POST", latency=3, count=1)
    visitor = new_page(timezone_id="Asia/Tokyo")
    visitor.goto(landing)
    expect(visitor.locator(".when")).to_contain_text("(Europe/Paris, 60 minutes)")
    expect(visitor.locator(".your-time")).to_contain_text("your time:")
    assert_accessible(visitor, "landing")
    shots(visitor, "landing-with-your-time")
    register(visitor, landing, "Ann", "Lee", "ann@example.com")
    assert_accessible(visitor, "thanks")
    shots(visitor, "thanks-add-to-calendar")
    with visitor.expect_download() as download:
        visitor.get_by_role("link", name="Add to calendar").click()
    event = only_event(open(download.value.path(), "rb").read())
    assert str(event["uid"]) == f"webinar-zoom-{wid}@127.0.0.1"
    assert (event.decoded("dtstart"), event.decoded("dtend")) == (binding.start_at, binding.end_at)
    assert str(event["summary"]) == "Spring launch webinar" and str(event["url"]) == landing

    # Pending, then synced, on the page as it stands: no reload.
    staff.goto(f"{stack}/programs/{program.id}")
    ann_row = staff.get_by_role("row").filter(has_text="ann@example.com")
    expect(ann_row).to_contain_text("pending")
    shots(staff, "member-pending")
    staff.evaluate("window.sameDocument = true")
    expect(ann_row).to_contain_text("synced", timeout=20000)
    assert staff.evaluate("window.sameDocument") is True
    expect(ann_row).to_contain_text("registered on the portal")
    start_local = in_zone(binding.start_at, "America/New_York", "event", locale="en")
    assert "Eastern Standard Time" in start_local
    expect(staff.locator(".start-local")).to_have_text(f"{start_local} (America/New_York)")
    expect(staff.locator(".start")).to_contain_text("Central European")

    for first, email in (("Bob", "bob@example.com"), ("Cat", "cat@example.com")):
        register(new_page(), landing, first, "Guest", email)
    wait_for_rows(lambda: synced("bob@example.com") and synced("cat@example.com"), "the registrations")
    ann = db.session.scalar(db.select(Member).join(Person).where(Person.email_key == "ann@example.com"))
    cat = db.session.scalar(db.select(Member).join(Person).where(Person.email_key == "cat@example.com"))

    # The webinar runs: Ann and Cat attend, Bob does not, Wes walks in.
    began = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=70)
    sandbox.control(f"webinars/{wid}/start", at=iso(began))
    for who, joined, left in (({"registrant_id": ann.registrant_id}, 0, 50),
                              ({"registrant_id": cat.registrant_id}, 5, 15),
                              ({"name": "Wes Walkin", "email": "wes@walkin.example.com"}, 10, 40)):
        sandbox.control(f"webinars/{wid}/join", offset_minutes=joined, **who)
        sandbox.control(f"webinars/{wid}/leave", offset_minutes=left, **who)
    sandbox.control(f"webinars/{wid}/end", offset_minutes=60)

    # Sync attendance: statuses and progress arrive in place, the flash stays.
    staff.reload()
    staff.get_by_role("button", name="Sync attendance").click()
    flash = staff.get_by_text("Attendance sync started")
    expect(flash).to_be_visible()
    staff.evaluate("window.sameDocument = true")
    expect(staff.locator('[data-status="Attended"]')).to_have_text("3", timeout=30000)
    expect(staff.locator('[data-status="No Show"]')).to_have_text("1")
    expect(flash).to_be_visible()
    assert staff.evaluate("window.sameDocument") is True

    # The dashboard's figures are the members'.
    def stage(key):
        return int(staff.locator(f'[data-stage="{key}"] .stage-count').inner_text())

    expect(staff.locator('[data-stage="attended"] .stage-count')).to_have_text("3")
    assert stage("no_show") == int(staff.locator('[data-status="No Show"]').inner_text()) == 1
    assert stage("registered") == staff.locator("td.via", has_text="registered on the portal").count() == 3
    assert stage("new_leads") == staff.locator("table.members tbody tr").count() == 4
    expect(staff.locator("#chart-minutes")).to_be_visible()
    assert staff.locator("#chart-minutes rect.bar").count() >= 5
    assert_accessible(staff, "program")
    shots(staff, "program-dashboard")
    staff.get_by_role("link", name="Members", exact=True).click()
    assert staff.url.endswith("#members")
    shots(staff, "program-members-section")

    # A member's page: times in the marketer's zone, labelled.
    staff.get_by_role("link", name="ann@example.com").click()
    expect(staff.locator("table", has_text="From").locator("tbody tr").first.locator("td").first).to_have_text(
        re.compile(r"^\w{3} \d+, \d{4}, \d+:\d\d\s[AP]M E[SD]T$"))
    assert_accessible(staff, "member")
    shots(staff, "member-times-labelled")

    # People: the program's new leads, how each came in, and the CSV.
    staff.get_by_role("link", name="People").click()
    staff.get_by_label("New leads from").select_option(label="Spring launch")
    staff.get_by_role("button", name="Apply").click()
    expect(staff.get_by_text("4 people shown by this filter.")).to_be_visible()
    expect(staff.locator('[data-person="wes@walkin.example.com"] .source')).to_contain_text(
        "walked into the webinar “Spring launch webinar”")
    expect(staff.locator('[data-person="ann@example.com"] .source')).to_contain_text(f"landing page /lp/{slug}")
    assert_accessible(staff, "people")
    shots(staff, "people-new-leads")
    with staff.expect_download() as download:
        staff.get_by_role("link", name="Export CSV").click()
    rows = {r["Email"]: r for r in csv.DictReader(open(download.value.path(), encoding="utf-8"))}
    assert set(rows) == {"ann@example.com", "bob@example.com", "cat@example.com", "wes@walkin.example.com"}
    assert rows["wes@walkin.example.com"]["Came in by"] == "walked into the webinar"
    assert rows["bob@example.com"]["Programs and statuses"] == "Spring launch: No Show"

    # The confirmation's invitation carries Ann's own join link.
    staff.get_by_role("link", name="Outbox").click()
    staff.get_by_role("row").filter(has_text="ann@example.com").get_by_role("link").first.click()
    with staff.expect_download() as download:
        staff.get_by_role("link", name="invite.ics").click()
    invitation = only_event(open(download.value.path(), "rb").read())
    assert str(invitation["uid"]) == str(event["uid"]) and str(invitation["url"]) == ann.webinar_url
    assert invitation.decoded("dtstart") == binding.start_at
    shots(staff, "outbox-invitation")

    # After the webinar the landing page says so and takes nobody.
    visitor.goto(landing)
    expect(visitor.get_by_text("This webinar has ended: registration is closed.")).to_be_visible()
    expect(visitor.get_by_role("button", name="Register")).to_have_count(0)
    shots(visitor, "landing-closed")
