"""One rule for time: each user has a zone (proposed from the browser at first sign-in,
kept in their preferences); every time the portal shows is in it and labelled with it."""
from datetime import datetime, timezone

from portal.extensions import db
from portal.i18n import in_zone
from portal.models import StatusChange, User
from portal.programs import lifecycle as flows
from tests.test_members_page import add_member


def test_first_sign_in_proposes_a_zone_until_one_is_chosen(marketer):
    page = marketer.get("/programs/").text
    assert "data-zone-proposal" in page and "(marketer, UTC)" in page
    refused = marketer.post("/account/timezone", data={"timezone": "Mars/Olympus_Mons", "next": "/programs/"},
                            follow_redirects=True)
    assert "That time zone is unknown" in refused.text
    saved = marketer.post("/account/timezone", data={"timezone": "America/New_York", "next": "/programs/"})
    assert saved.headers["Location"] == "/programs/"
    page = marketer.get("/programs/").text
    assert "Times are now shown in America/New_York." in page
    assert "data-zone-proposal" not in page and "(marketer, America/New_York)" in page
    assert db.session.scalar(db.select(User.timezone).where(User.email == "marketer@example.com")) == \
        "America/New_York"
    assert 'selected value="America/New_York"' in marketer.get("/account").text
    # The preferences page changes it too, with the language.
    marketer.post("/account", data={"locale": "en", "timezone": "Europe/Paris"})
    assert db.session.scalar(db.select(User.timezone).where(User.email == "marketer@example.com")) == \
        "Europe/Paris"


def test_times_are_shown_in_the_users_zone_with_its_label(marketer):
    marketer.post("/account/timezone", data={"timezone": "Asia/Tokyo"})
    program = flows.create_program("Zoned", "webinar", "", None)
    member = add_member(program, "zoned@example.com")
    at = datetime(2030, 1, 2, 23, 30, tzinfo=timezone.utc)
    db.session.add(StatusChange(member=member, from_status="Not in Program", to_status="Registered",
                                at=at, reason="test"))
    db.session.commit()
    page = marketer.get(f"/programs/{program.id}/members/{member.id}").text
    shown = in_zone(at, "Asia/Tokyo", "datetime", locale="en")
    assert "Jan 3, 2030" in shown and "8:30" in shown                # 23:30 UTC is 08:30 in Tokyo
    assert f"<td>{shown}</td>" in page
    people = marketer.get("/people/").text
    assert "Times in Asia/Tokyo." in people
