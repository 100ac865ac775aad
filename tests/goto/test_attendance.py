"""Attendance through the GoTo plugin: sessions read one by one, a page of joins each
(every rejoin a join of its own; the portal merges them per person), absentees are
registrants who attended no session."""
from datetime import datetime, timedelta, timezone

import pytest

from providers.base import NotStarted, Registrant, covered_minutes
from providers.goto.sandbox import seed


def by_email(report) -> dict[str, list]:
    people = {}
    for page in report.joins:
        for j in page:
            people.setdefault(j.email, []).append(j)
    return people


def minutes(joins) -> int:
    return covered_minutes((j.joined, j.left) for j in joins) + round(sum(j.seconds for j in joins) / 60)


@pytest.fixture
def store(goto_plugin, goto_sandbox):
    return goto_sandbox.connect(goto_plugin, seed.ADMIN_KEY)


def test_yesterdays_two_sessions_a_page_of_joins_each(goto_plugin, store):
    pages = []
    report = goto_plugin.attendance(store, str(seed.W_PAST), on_page=pages.append)
    people = by_email(report)
    assert set(people) == {"alice@customer.test", "bruno@customer.test", "dora@customer.test"}
    alice, bruno, dora = (people[f"{n}@customer.test"] for n in ("alice", "bruno", "dora"))
    assert (minutes(alice), len(alice)) == (55, 2)          # 35 + 20, two sessions
    assert (minutes(bruno), len(bruno)) == (30, 2)          # rejoined once
    assert minutes(dora) == 20
    assert {(j.registrant_id, j.first_name, j.last_name) for j in alice} == {
        (str(seed.PAST_REGISTRANTS[0][0]), "Alice", "Attender")}
    first_join = min(j.joined for j in alice)
    assert max(j.left for j in alice) - first_join == timedelta(minutes=65)
    [absent] = report.absentees          # read once the joins have been
    assert absent.email == "chloe@customer.test"
    assert (absent.company, absent.registrant_id) == ("", str(seed.PAST_REGISTRANTS[2][0]))
    assert report.instance_uuid == str(seed.PAST_SESSION_KEYS[0])
    assert report.started_at == first_join
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
    assert {email: minutes(joins) for email, joins in by_email(report).items()} == {
        "ann@example.test": 25, "ben@example.test": 35}
    assert [a.email for a in report.absentees] == ["cat@example.test"]


def test_a_large_session_with_rejoins(goto_plugin, goto_sandbox, store):
    goto_sandbox.control(f"webinars/{seed.W_SINGLE}/bulk", attendees=3000, absentees=200,
                         rejoin_every=5)
    report = goto_plugin.attendance(store, str(seed.W_SINGLE))
    people = by_email(report)
    assert len(people) == 3000
    assert len(list(report.absentees)) == 200
    rejoiners = [joins for joins in people.values() if len(joins) == 3]
    assert len(rejoiners) == 600 and {minutes(joins) for joins in rejoiners} == {50}


def test_attendance_survives_a_passing_outage(goto_plugin, goto_sandbox, store):
    goto_sandbox.control("faults", pattern="/G2W/*/attendees", status=503, count=2)
    report = goto_plugin.attendance(store, str(seed.W_PAST))
    assert len(by_email(report)) == 3
