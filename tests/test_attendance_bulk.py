"""The bulk attendance writer at scale: what it writes, and SQL statements that grow with
report pages, never with people (counted with SQLAlchemy's event listeners, never timed)."""
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from portal.attendance.writer import CHUNK, Writer
from portal.channels import REGISTERED
from portal.extensions import db
from portal.models import AttendanceSession, Member, Person, StatusChange, SyncRun
from portal.programs import lifecycle as flows
from providers.base import Join, covered_minutes
from tests.attendance_helpers import bulk_members, link, minutes_ago, new_webinar, runs, snapshot
from tests.services_helpers import connect_service

ATTENDEES, ABSENTEES, WALK_INS = 1200, 300, 5


class Counter:
    """SQL statements and commits sent on the app's engine while counting."""

    def __init__(self, engine):
        self.statements = self.commits = 0
        self.engine = engine

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._statement)
        sa.event.listen(self.engine, "commit", self._commit)
        return self

    def __exit__(self, *_):
        sa.event.remove(self.engine, "before_cursor_execute", self._statement)
        sa.event.remove(self.engine, "commit", self._commit)

    def _statement(self, *_):
        self.statements += 1

    def _commit(self, *_):
        self.commits += 1


def test_a_big_report_is_written_in_a_few_statements_a_page(admin, sandbox, run_jobs):
    service = connect_service(admin)
    wid = new_webinar(sandbox, minutes_ago(180))
    program = link(service, wid)
    # every attendee joins 3 times (30 + 10 + 10 minutes): 3,605 report rows, 13 pages of
    # 300, then one page of absentees
    sandbox.control(f"webinars/{wid}/bulk", attendees=ATTENDEES, absentees=ABSENTEES,
                    walk_ins=WALK_INS, rejoin_every=1)
    bulk_members(sandbox, program, wid, share=0.9)        # the attendees and 150 absentees
    # every 10th attendee is a known person who never registered for this program
    registrants = sandbox.state()["webinars"][wid]["registrants"]
    unregistered = [r["id"] for r in registrants[:ATTENDEES:10]]
    db.session.execute(sa.delete(Member).where(Member.registrant_id.in_(unregistered)))
    # two registered on the portal, never came, never reported
    for email in ("ghost1@example.com", "ghost2@example.com"):
        person, _ = flows.find_or_create_person(email, first_name="Ghost", source="landing page")
        member = Member(program=program, person=person, registrant_id="r-" + email)
        db.session.add(member)
        db.session.flush()
        flows.change_status(member, REGISTERED, reason="filled out the form")
    db.session.commit()
    people_before = db.session.scalar(sa.select(sa.func.count()).select_from(Person))

    admin.post(f"/programs/{program.id}/attendance/sync")
    with Counter(db.engine) as counted:
        run_jobs()

    [run] = runs(program)
    assert (run.state, run.attendees, run.anonymous, run.absentees, run.new_leads) == (
        "done", ATTENDEES + WALK_INS, WALK_INS, ABSENTEES, 0)
    assert run.pages_read == 14
    counts = dict(db.session.execute(sa.select(Member.status, sa.func.count())
                                     .where(Member.program_id == program.id).group_by(Member.status)).all())
    assert counts == {"Attended": ATTENDEES, "No Show": 150 + 2}
    minutes = db.session.execute(sa.select(Member.attended_minutes, Member.sessions, sa.func.count()).where(
        Member.program_id == program.id, Member.status == "Attended")
        .group_by(Member.attended_minutes, Member.sessions)).all()
    assert minutes == [(50, 3, ATTENDEES)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AttendanceSession)) == 3 * ATTENDEES
    changes = dict(db.session.execute(sa.select(StatusChange.from_status, sa.func.count())
                                      .where(StatusChange.to_status == "Attended")
                                      .group_by(StatusChange.from_status)).all())
    assert changes == {"Registered": ATTENDEES - 120, "Not in Program": 120}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StatusChange).where(
        StatusChange.to_status == "No Show")) == 152
    # known people are found, not created again
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == people_before

    # a few statements per report page, one commit per page at most
    assert counted.statements <= 6 * run.pages_read + 30, counted.statements
    assert counted.commits <= run.pages_read + 8, counted.commits


def test_joins_pages_apart_are_one_attendee_and_reruns_write_the_same(admin, sandbox, run_jobs):
    """Rows in the order people joined: a rejoiner's three joins, and a guest's two, are
    more than a chunk apart. The streaming writer still gives each person one member with
    every session, minutes by the rule, new leads for unknown emails, guests counted once;
    a second run writes exactly the same."""
    service = connect_service(admin)
    wid = new_webinar(sandbox, minutes_ago(180))
    program = link(service, wid)
    # every 3rd attendee joins three times (30 + 10 + 10 minutes), the others once (45)
    made = sandbox.control(f"webinars/{wid}/bulk", attendees=ATTENDEES, absentees=ABSENTEES,
                           walk_ins=WALK_INS, rejoin_every=3, walk_ins_rejoin=True, by_join_time=True)
    rejoiners = ATTENDEES // 3
    assert made["participant_rows"] == ATTENDEES + 2 * rejoiners + 2 * WALK_INS
    bulk_members(sandbox, program, wid, share=0.9)        # the attendees and 150 absentees
    # every 10th attendee is unknown to the portal: a new lead
    registrants = sandbox.state()["webinars"][wid]["registrants"]
    unknown = [r["email"].lower() for r in registrants[:ATTENDEES:10]]
    person_ids = sa.select(Person.id).where(Person.email_key.in_(unknown))
    db.session.execute(sa.delete(Member).where(Member.person_id.in_(person_ids)))
    db.session.execute(sa.delete(Person).where(Person.email_key.in_(unknown)))
    db.session.commit()
    people_before = db.session.scalar(sa.select(sa.func.count()).select_from(Person))
    # 46 minutes or more: the rejoiners' 50 count, a single 45-minute visit does not
    admin.post(f"/programs/{program.id}/attendance/rule", data={"rule": "minutes", "threshold": "46"})

    admin.post(f"/programs/{program.id}/attendance/sync")
    with Counter(db.engine) as counted:
        run_jobs()

    [run] = runs(program)
    assert (run.state, run.attendees, run.anonymous, run.absentees, run.new_leads) == (
        "done", ATTENDEES + WALK_INS, WALK_INS, ABSENTEES, ATTENDEES // 10)
    counts = dict(db.session.execute(sa.select(Member.status, sa.func.count())
                                     .where(Member.program_id == program.id).group_by(Member.status)).all())
    assert counts == {"Attended": rejoiners, "No Show": ATTENDEES - rejoiners + 150}
    figures = db.session.execute(sa.select(Member.status, Member.attended_minutes, Member.sessions,
                                           sa.func.count()).where(Member.program_id == program.id,
                                                                  Member.sessions > 0)
                                 .group_by(Member.status, Member.attended_minutes, Member.sessions)
                                 .order_by(Member.sessions)).all()
    assert figures == [("No Show", 45, 1, ATTENDEES - rejoiners), ("Attended", 50, 3, rejoiners)]
    spans = db.session.execute(sa.select(Member.first_join, Member.last_leave).where(
        Member.program_id == program.id, Member.sessions == 3)).all()
    assert {last - first for first, last in spans} == {timedelta(minutes=60)}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AttendanceSession)) == ATTENDEES + 2 * rejoiners
    changes = {(f, t): n for f, t, n in db.session.execute(
        sa.select(StatusChange.from_status, StatusChange.to_status, sa.func.count())
        .group_by(StatusChange.from_status, StatusChange.to_status)
        .where(StatusChange.to_status.in_(["Attended", "No Show"])))}
    walk_ins_attended = len(range(0, ATTENDEES, 30))                       # unknown and rejoining
    assert changes == {("Registered", "Attended"): rejoiners - walk_ins_attended,
                       ("Not in Program", "Attended"): walk_ins_attended,
                       ("Registered", "No Show"): ATTENDEES - rejoiners - (ATTENDEES // 10 - walk_ins_attended)
                       + 150,
                       ("Not in Program", "No Show"): ATTENDEES // 10 - walk_ins_attended}
    reasons = set(db.session.scalars(sa.select(StatusChange.reason).where(
        StatusChange.from_status == "Not in Program")))
    assert reasons == {"attended 50 min in 3 sessions; rule: at least 46 minutes (not registered on the portal)",
                       "attended 45 min in 1 session, below the rule: at least 46 minutes (not registered on "
                       "the portal)"}
    leads = db.session.execute(sa.select(Person.email_key, Person.first_name, Person.source).where(
        Person.email_key.in_(unknown))).all()
    assert len(leads) == ATTENDEES // 10 and {(p.first_name, p.source) for p in leads} == {
        (f"Bulk{i}", "webinar attendee: Launch webinar") for i in range(0, ATTENDEES, 10)}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == people_before + ATTENDEES // 10
    assert counted.statements <= 6 * run.pages_read + 30, counted.statements
    assert counted.commits <= run.pages_read + 8, counted.commits

    first = snapshot(program)
    admin.post(f"/programs/{program.id}/attendance/sync")
    run_jobs()
    again = snapshot(program)
    assert [r.new_leads for r in runs(program)] == [ATTENDEES // 10, 0]
    assert again["history"] == first["history"] and again["people"] == first["people"]
    assert [m[:6] for m in again["members"]] == [m[:6] for m in first["members"]]
    assert [s[1:] for s in again["sessions"]] == [s[1:] for s in first["sessions"]]


def test_settled_figures_are_python_s_covered_minutes_on_both_databases(admin, sandbox):
    """The set-based settle against ``covered_minutes``, on joins no sandbox sends: overlaps
    (two devices), half minutes (rounded half to even, like Python), milliseconds, time
    without join and leave, and a guest whose email comes a chunk later."""
    program = link(connect_service(admin), new_webinar(sandbox, minutes_ago(180)))
    admin.post(f"/programs/{program.id}/attendance/rule", data={"rule": "minutes", "threshold": "2"})
    at = datetime(2026, 3, 2, 15, 0, tzinfo=timezone.utc)

    def span(rid, a, b, **more):            # a and b in seconds after the start
        return Join(registrant_id=rid, joined=at + timedelta(seconds=a), left=at + timedelta(seconds=b),
                    **more)

    cases = {"r-overlap": [(0, 1800), (600, 1200), (1500, 2400)], "r-half-up": [(0, 90)],
             "r-half-even": [(0, 150)], "r-ms": [(0.5, 90.5)], "r-short": [(0, 84)], "r-untimed": [],
             "r-both": [(0, 600)]}
    members = {}
    for rid in [*cases, "r-filler"]:
        person, _ = flows.find_or_create_person(f"{rid}@example.com", first_name="Known")
        members[rid] = Member(program=program, person=person, registrant_id=rid)
        db.session.add(members[rid])
        db.session.flush()
        flows.change_status(members[rid], REGISTERED, reason="filled out the form")
    run = SyncRun(program_id=program.id, trigger="test")
    db.session.add(run)
    db.session.commit()
    # a first page past the chunk size, so the second page is another chunk
    first = [span("r-filler", 60 * i, 60 * i + 60) for i in range(CHUNK)]
    first += [span(rid, a, b) for rid, spans in cases.items() for a, b in spans[:1]]
    first += [Join(registrant_id="r-untimed", seconds=125), Join(registrant_id="r-both", seconds=60),
              span("", 0, 300, first_name="Gus", keys=("u:gus",)), span("", 0, 60, keys=("n:viewer",))]
    second = [span(rid, a, b) for rid, spans in cases.items() for a, b in spans[1:]]
    second += [span("", 600, 900, email="Gus@Example.com", keys=("u:gus",)),
               span("", 120, 180, keys=("n:viewer",))]

    writer = Writer(program, program.binding, run)
    writer.write_joins([first, second])
    writer.settle()

    got = {m.registrant_id or m.person.email: (m.status, m.attended_minutes, m.sessions)
           for m in db.session.scalars(sa.select(Member).where(Member.program_id == program.id))}
    expected = {rid: covered_minutes((at + timedelta(seconds=a), at + timedelta(seconds=b)) for a, b in spans)
                for rid, spans in cases.items()}
    expected["r-untimed"] += round(125 / 60)
    expected["r-both"] += 1
    assert expected == {"r-overlap": 40, "r-half-up": 2, "r-half-even": 2, "r-ms": 2, "r-short": 1,
                        "r-untimed": 2, "r-both": 11}
    assert got == {**{rid: ("Attended" if n >= 2 else "No Show", n, len(cases[rid]))
                      for rid, n in expected.items()},
                   "r-filler": ("Attended", CHUNK, CHUNK), "Gus@Example.com": ("Attended", 10, 2)}
    assert (writer.counts["anonymous"], writer.counts["new_leads"], writer.counts["attendees"]) == (1, 1, 10)
    gus = db.session.scalar(sa.select(Person).where(Person.email_key == "gus@example.com"))
    assert (gus.first_name, gus.source) == ("Gus", "webinar attendee: Launch webinar")
    overlap = members["r-overlap"]
    db.session.refresh(overlap)
    assert (overlap.first_join, overlap.last_leave) == (at, at + timedelta(seconds=2400))
    assert overlap.history[-1].reason == "attended 40 min in 3 sessions; rule: at least 2 minutes"
