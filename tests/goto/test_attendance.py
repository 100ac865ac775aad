"""Attendance through the GoTo plugin: sessions read one by one, each person merged
over sessions and rejoins, absentees are registrants who attended no session."""
from datetime import datetime, timedelta, timezone

import pytest

from providers.base import NotStarted, Registrant
from providers.goto.sandbox import seed


@pytest.fixture
def store(goto_plugin, goto_sandbox):
    return goto_sandbox.connect(goto_plugin, seed.ADMIN_KEY)


def test_yesterdays_two_sessions_merged_per_person(goto_plugin, store):
    pages = []
    report = goto_plugin.attendance(store, str(seed.W_PAST), on_page=pages.append)
    people = {a.email: a for a in report.attendees}
    assert set(people) == {"alice@customer.test", "bruno@customer.test", "dora@customer.test"}
    alice, bruno, dora = (people[f"{n}@customer.test"] for n in ("alice", "bruno", "dora"))
    assert (alice.minutes, len(alice.sessions)) == (55, 2)          # 35 + 20, two sessions
    assert (bruno.minutes, len(bruno.sessions)) == (30, 2)          # rejoined once
    assert dora.minutes == 20
    assert alice.registrant_id == str(seed.PAST_REGISTRANTS[0][0])
    assert (alice.first_name, alice.last_name) == ("Alice", "Attender")
    assert alice.last_leave - alice.first_join == timedelta(minutes=65)
    assert [a.email for a in report.absentees] == ["chloe@customer.test"]
    absent = list(report.absentees)[0]
    assert (absent.company, absent.registrant_id) == ("", str(seed.PAST_REGISTRANTS[2][0]))
    assert report.instance_uuid == str(seed.PAST_SESSION_KEYS[0])
    assert report.started_at == alice.first_join
    assert pages == [1, 2, 3]          # two sessions, then the registrants


def test_a_webinar_that_never_ran(goto_plugin, store):
    with pytest.raises(NotStarted) as never:
        goto_plugin.attendance(store, str(seed.W_NEVER_STARTED))
    assert never.value.message == f"webinar {seed.W_NEVER_STARTED} never started"


def test_a_run_driven_through_the_controls(goto_plugin, goto_sandbox, store):
    tomorrow = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=1)
    wk = goto_sandbox.control("webinars", subject="Run", organizerKey=str(seed.MANAGER_KEY),
                              startTime=tomorrow.strftime("%Y-%m-%dT%H:%M:%SZ"))["webinarKey"]
    for name in ("ann", "ben", "cat"):
        goto_plugin.register(store, wk, Registrant(email=f"{name}@example.test",
                                                   first_name=name.title(), last_name="Test"))
    goto_sandbox.control(f"webinars/{wk}/start", at="2030-01-10T16:00:00Z")
    goto_sandbox.control(f"webinars/{wk}/join", email="ann@example.test", offset_minutes=0)
    goto_sandbox.control(f"webinars/{wk}/leave", email="ann@example.test", offset_minutes=10)
    goto_sandbox.control(f"webinars/{wk}/join", email="ann@example.test", offset_minutes=15)
    goto_sandbox.control(f"webinars/{wk}/join", email="ben@example.test", offset_minutes=5)
    goto_sandbox.control(f"webinars/{wk}/end", offset_minutes=30)      # Ann and Ben still in
    goto_sandbox.control(f"webinars/{wk}/start", at="2030-01-10T17:00:00Z")
    goto_sandbox.control(f"webinars/{wk}/join", email="ben@example.test", offset_minutes=0)
    goto_sandbox.control(f"webinars/{wk}/end", offset_minutes=10)

    report = goto_plugin.attendance(store, wk)
    minutes = {a.email: a.minutes for a in report.attendees}
    assert minutes == {"ann@example.test": 25, "ben@example.test": 35}
    assert [a.email for a in report.absentees] == ["cat@example.test"]


def test_a_large_session_with_rejoins(goto_plugin, goto_sandbox, store):
    goto_sandbox.control(f"webinars/{seed.W_SINGLE}/bulk", attendees=3000, absentees=200,
                         rejoin_every=5)
    report = goto_plugin.attendance(store, str(seed.W_SINGLE))
    assert len(report.attendees) == 3000
    assert len(list(report.absentees)) == 200
    rejoiners = [a for a in report.attendees if len(a.sessions) == 3]
    assert len(rejoiners) == 600 and {a.minutes for a in rejoiners} == {50}


def test_attendance_survives_a_passing_outage(goto_plugin, goto_sandbox, store):
    goto_sandbox.control("faults", pattern="/G2W/*/attendees", status=503, count=2)
    report = goto_plugin.attendance(store, str(seed.W_PAST))
    assert len(report.attendees) == 3
