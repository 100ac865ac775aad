"""Attendance sync, started with the Sync attendance button and run by a real worker
against the Zoom sandbox over HTTP [S1][S8][S20]."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.models import Person, ServiceError
from tests.attendance_helpers import (
    link,
    member_of,
    minutes_ago,
    new_webinar,
    register,
    run_webinar,
    runs,
    snapshot,
    statuses,
)
from tests.services_helpers import connect_service


@pytest.fixture
def service(admin, sandbox):
    return connect_service(admin)


@pytest.fixture
def ran(admin, service, sandbox):
    """A webinar that ran two hours ago: Ann joined three times (by registrant id, by
    email, by id again), Dora registered with another address than her portal one,
    Carl stayed 10 minutes, Bob never came, Pat walked in with an email, and a
    viewer without email watched."""
    began = minutes_ago(120)
    wid = new_webinar(sandbox, began)
    program = link(service, wid, "Spring launch")
    ann = register(sandbox, program, wid, "ann@example.test", "Ann", "Lee")
    dora = register(sandbox, program, wid, "dora@work.test", "Dora", "Diaz", person_email="dora@home.test")
    register(sandbox, program, wid, "carl@example.test", "Carl", "Short")
    register(sandbox, program, wid, "bob@example.test", "Bob", "Away")
    run_webinar(sandbox, wid, [
        ({"registrant_id": ann.registrant_id}, 0, 10),
        ({"email": "ann@example.test"}, 15, 30),
        ({"registrant_id": ann.registrant_id}, 40, 55),
        ({"registrant_id": dora.registrant_id}, 0, 45),
        ({"email": "carl@example.test"}, 20, 30),
        ({"name": "Pat Walker", "email": "Pat@Partner.test"}, 5, 50),
        ({"name": "Anonymous Viewer"}, 5, 25),
    ], began)
    return program


def press_sync(admin, program):
    return admin.post(f"/programs/{program.id}/attendance/sync", follow_redirects=True)


def test_button_syncs_attendance_into_statuses_and_leads(admin, ran, run_jobs):
    page = press_sync(admin, ran)
    assert "Attendance sync started" in page.text
    assert runs(ran)[0].state == "queued" and "data-sync-url" in page.text
    run_jobs()

    assert statuses(ran) == {"ann@example.test": "Attended", "dora@home.test": "Attended",
                             "carl@example.test": "Attended", "bob@example.test": "No Show",
                             "pat@partner.test": "Attended"}
    ann = member_of(ran, "ann@example.test")
    assert (ann.attended_minutes, ann.sessions) == (40, 3)          # three joins, one member
    assert ann.last_leave - ann.first_join == timedelta(minutes=55)
    # Matched by registrant id first: Dora is not a new lead under her work address.
    assert db.session.scalar(sa.select(Person).where(Person.email_key == "dora@work.test")) is None
    pat = db.session.scalar(sa.select(Person).where(Person.email_key == "pat@partner.test"))
    assert (pat.email, pat.first_name, pat.last_name, pat.source) == (
        "Pat@Partner.test", "Pat", "Walker", "webinar attendee: Spring launch")
    # The viewer without email is counted, not a lead.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 5
    [run] = runs(ran)
    assert (run.state, run.attendees, run.anonymous, run.new_leads, run.attended, run.no_shows,
            run.absentees) == ("done", 5, 1, 1, 4, 1, 1)

    page = admin.get(f"/programs/{ran.id}")
    assert "Attendees without email" in page.text and "1 (counted, not leads)" in page.text
    assert "never" not in page.text.split("Last pulled")[1].split("</dd>")[0]
    assert "data-sync-url" not in page.text                  # nothing running any more
    assert "5 attendees (1 without email), 1 new leads, 4 attended, 1 no-shows" in page.text


def test_member_page_shows_sessions_and_the_rule_that_decided(admin, ran, run_jobs):
    press_sync(admin, ran)
    run_jobs()
    ann = member_of(ran, "ann@example.test")
    page = admin.get(f"/programs/{ran.id}/members/{ann.id}")
    assert "40 min in 3 sessions" in page.text
    assert page.text.count("<td>10</td>") == 1 and page.text.count("<td>15</td>") == 2
    assert "Attended: attended 40 min in 3 sessions; rule: any attendance" in page.text
    bob = member_of(ran, "bob@example.test")
    page = admin.get(f"/programs/{ran.id}/members/{bob.id}")
    assert "No Show: registered, reported absent by the provider" in page.text



def test_french_marketer_reads_what_the_sync_did_in_french(admin, ran, run_jobs):
    """The sync stores its reasons and summary in English (a job has no reader); the
    pages word them in the reader's language."""
    admin.post("/account", data={"locale": "fr"})
    press_sync(admin, ran)
    run_jobs()
    page = admin.get(f"/programs/{ran.id}").text
    assert "participants : 5 (dont 1 sans e-mail), nouveaux leads : 1, présents : 4, absents : 1" in page
    ann = admin.get(f"/programs/{ran.id}/members/{member_of(ran, 'ann@example.test').id}").text
    assert "Attended: a assisté 40 min en 3 sessions ; règle : toute participation" in ann
    assert "a rempli le formulaire" in ann and "filled out the form" not in ann
    bob = admin.get(f"/programs/{ran.id}/members/{member_of(ran, 'bob@example.test').id}").text
    assert "No Show: inscrit, déclaré absent par le fournisseur" in bob
    pat = admin.get(f"/programs/{ran.id}/members/{member_of(ran, 'pat@partner.test').id}").text
    assert "a assisté 45 min en 1 session ; règle : toute participation (non inscrit sur le portail)" in pat

def test_rerun_changes_nothing(admin, ran, run_jobs):
    press_sync(admin, ran)
    run_jobs()
    before = snapshot(ran)
    press_sync(admin, ran)
    run_jobs()
    assert snapshot(ran) == before
    first, second = runs(ran)
    # Both columns count who ends with the status, so a rerun reports the same figures.
    assert (second.state, second.new_leads, second.no_shows, second.attended) == ("done", 0, 1, 4)


def test_attended_rule_in_minutes_makes_short_visits_no_shows(admin, ran, run_jobs):
    answer = admin.post(f"/programs/{ran.id}/attendance/rule", data={"rule": "minutes", "threshold": "30"},
                        follow_redirects=True)
    assert "Attended now means at least 30 minutes" in answer.text
    press_sync(admin, ran)
    run_jobs()
    assert statuses(ran)["carl@example.test"] == "No Show"
    assert statuses(ran)["ann@example.test"] == "Attended"
    carl = member_of(ran, "carl@example.test")
    assert carl.attended_minutes == 10
    assert carl.history[-1].reason == "attended 10 min in 1 session, below the rule: at least 30 minutes"
    # A looser rule later moves Carl forward; a stricter one never moves anyone back.
    admin.post(f"/programs/{ran.id}/attendance/rule", data={"rule": "percent", "threshold": "10"})
    press_sync(admin, ran)
    run_jobs()
    assert statuses(ran)["carl@example.test"] == "Attended"
    admin.post(f"/programs/{ran.id}/attendance/rule", data={"rule": "minutes", "threshold": "50"})
    press_sync(admin, ran)
    run_jobs()
    assert statuses(ran)["carl@example.test"] == "Attended"
    assert "rule: at least 50 minutes" in admin.get(f"/programs/{ran.id}").text


@pytest.mark.parametrize("data, error", [
    ({"rule": "percent", "threshold": "150"}, "Give a number of percent from 1 to 100."),
    ({"rule": "minutes", "threshold": ""}, "Give a number of minutes from 1 to 1440."),
])
def test_bad_attended_rule_is_refused_and_keeps_the_old_one(admin, ran, data, error):
    answer = admin.post(f"/programs/{ran.id}/attendance/rule", data=data, follow_redirects=True)
    assert "The attended rule was not changed" in answer.text and error in answer.text
    db.session.refresh(ran)
    assert (ran.attended_rule, ran.attended_threshold) == ("any", 0)


def test_rescheduled_webinar_uses_the_instance_that_really_ran(admin, service, sandbox, run_jobs):
    """[S8] Registered for yesterday's time, moved, and run two hours ago."""
    wid = new_webinar(sandbox, minutes_ago(24 * 60))
    program = link(service, wid, "Moved webinar")
    eve = register(sandbox, program, wid, "eve@example.test", "Eve")
    register(sandbox, program, wid, "fay@example.test", "Fay")
    actual = minutes_ago(120)
    sandbox.control(f"webinars/{wid}/reschedule", start_time=actual.isoformat())
    run_webinar(sandbox, wid, [({"registrant_id": eve.registrant_id}, 0, 25)], actual)
    press_sync(admin, program)
    run_jobs()
    assert statuses(program) == {"eve@example.test": "Attended", "fay@example.test": "No Show"}
    eve = member_of(program, "eve@example.test")
    assert (eve.first_join, eve.attended_minutes) == (actual, 25)


def test_button_without_a_linked_webinar_says_so(admin, run_jobs):
    from portal.programs import lifecycle as flows
    program = flows.create_program("Unlinked", "webinar", "", None)
    page = press_sync(admin, program)
    assert "Link this program to a webinar before syncing attendance." in page.text
    assert runs(program) == []


def test_provider_errors_land_in_the_error_log(admin, service, sandbox, run_jobs):
    wid = new_webinar(sandbox, minutes_ago(120))
    program = link(service, wid, "Access revoked")
    register(sandbox, program, wid, "gus@example.test", "Gus")
    sandbox.control("deauthorize")          # the Zoom account removed Lectern
    press_sync(admin, program)
    run_jobs()
    [run] = runs(program)
    assert run.state == "failed" and "reconnect the Zoom service" in run.error
    assert "reconnect the Zoom service" in admin.get(f"/programs/{program.id}").text
    assert statuses(program) == {"gus@example.test": "Registered"}
    assert db.session.scalar(sa.select(ServiceError.operation)) == "read attendance"
