"""A webinar program as marketers see it: people registered on its landing page (the
real form, the real registration job against the sandbox), then the webinar ran and
its attendance was synced, with a walk-in among the attendees."""
from datetime import datetime, timedelta, timezone

from portal.attendance.pulls import cancel_attendance_pulls
from portal.extensions import db
from portal.linking import binding as linking
from portal.programs import lifecycle as flows
from providers.zoom.sandbox import seed
from tests.attendance_helpers import iso, member_of, minutes_ago, run_webinar


def form(first, last, email, company=""):
    return {"first_name": first, "last_name": last, "email": email, "company": company}


def upcoming_program(sandbox, service, name="Spring launch", topic="Spring launch webinar",
                     start=None, duration=60):
    """A webinar program linked to a new sandbox webinar, its landing page published."""
    start = start or datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=2)
    answer = sandbox.control("webinars", topic=topic, host_email=seed.OWNER_EMAIL, start_time=iso(start),
                             duration=duration, approval_type=0, timezone="Europe/Paris")
    program = flows.create_program(name, "webinar", "", None)
    linking.link_program(program.id, service.id, str(answer["id"]))
    cancel_attendance_pulls(program.id)
    program.landing_page.published = True
    db.session.commit()
    return program, str(answer["id"])


def webinar_with_leads(client, sandbox, service, run_jobs, name="Spring launch"):
    """Ann, Bob and Cat register on the landing page; Ann attends 40 minutes, Cat 10,
    Bob does not come, Wes walks in for 30 minutes. Returns the program."""
    program, wid = upcoming_program(sandbox, service, name)
    url = f"/lp/{program.landing_page.slug}"
    for who in (form("Ann", "Lee", "ann@example.com", "Acme"), form("Bob", "Away", "bob@example.com"),
                form("Cat", "Short", "cat@example.com")):
        answer = client.post(url, data=who)
        assert answer.status_code == 302, answer.text
    run_jobs()
    ann, cat = member_of(program, "ann@example.com"), member_of(program, "cat@example.com")
    began = minutes_ago(120)
    run_webinar(sandbox, wid, [({"registrant_id": ann.registrant_id}, 0, 40),
                               ({"registrant_id": cat.registrant_id}, 5, 15),
                               ({"name": "Wes Walkin", "email": "wes@walkin.example.com"}, 10, 40)], began)
    client.post(f"/programs/{program.id}/attendance/sync")
    run_jobs()
    return program
