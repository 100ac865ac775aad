"""What starts an attendance sync (webhook, scheduled pulls) and how it survives the
provider: reports that lag, a webinar that never started [S9], many pages, 429s."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.attendance import pulls
from portal.extensions import db
from portal.models import AttendanceSession, Member, ServiceError, StatusChange
from portal.programs import lifecycle as flows
from providers.zoom.sandbox import seed
from tests.attendance_fixtures import admin_service, attendance_config  # noqa: F401  (fixtures)
from tests.attendance_helpers import (
    bulk_members,
    link,
    minutes_ago,
    new_webinar,
    register,
    run_webinar,
    runs,
    send_webinar_ended,
    statuses,
)


def test_webinar_ended_webhook_syncs_and_plans_the_final_pass(admin, service, sandbox, live_portal, run_jobs):
    began = minutes_ago(70)
    wid = new_webinar(sandbox, began)
    program = link(service, wid)
    ann = register(sandbox, program, wid, "ann@example.test", "Ann")
    register(sandbox, program, wid, "bob@example.test", "Bob")
    sandbox.control("webhook-url", url=live_portal + "/webhooks/zoom")
    run_webinar(sandbox, wid, [({"registrant_id": ann.registrant_id}, 0, 50)], began, sync=True)
    # webinar.started goes out in the background: only the end was delivered before answering
    assert ("webinar.ended", 200) in [(d["event"], d["outcome"]) for d in sandbox.state()["webhook_deliveries"]]
    run_jobs()
    assert statuses(program) == {"ann@example.test": "Attended", "bob@example.test": "No Show"}
    [run] = runs(program)
    assert (run.trigger, run.state) == ("webhook", "done")
    db.session.refresh(program.binding)
    # The final pass is planned a day after the actual end.
    assert program.binding.next_pull_at == began + timedelta(minutes=60, hours=24)
    assert program.binding.attendance_pulled_at is not None
    page = admin.get(f"/programs/{program.id}")
    assert "none scheduled" not in page.text and "never started" not in page.text


def test_report_not_ready_after_the_end_is_retried_until_it_is(admin, client, service, sandbox, run_jobs, run_due):
    began = minutes_ago(65)
    wid = new_webinar(sandbox, began)
    program = link(service, wid)
    ann = register(sandbox, program, wid, "ann@example.test", "Ann")
    register(sandbox, program, wid, "bob@example.test", "Bob")
    # Zoom says it ended, but its report is not there yet.
    assert send_webinar_ended(client, wid, minutes_ago(5)).status_code == 200
    run_jobs()
    [run] = runs(program)
    assert (run.state, run.attempts) == ("waiting", 1) and "not ready yet" in run.message
    assert statuses(program) == {"ann@example.test": "Registered", "bob@example.test": "Registered"}
    db.session.refresh(program.binding)
    assert abs(program.binding.next_pull_at - run.retry_at) < timedelta(seconds=1)
    assert not program.binding.never_started
    assert "waiting" in admin.get(f"/programs/{program.id}").text
    run_webinar(sandbox, wid, [({"registrant_id": ann.registrant_id}, 0, 50)], began)
    run_due(0.6)
    db.session.refresh(run)
    assert (run.state, run.attempts) == ("done", 2)
    assert statuses(program) == {"ann@example.test": "Attended", "bob@example.test": "No Show"}


def test_report_retries_are_bounded_and_mark_nobody(client, service, sandbox, run_jobs, run_due):
    wid = new_webinar(sandbox, minutes_ago(65))
    program = link(service, wid)
    register(sandbox, program, wid, "bob@example.test", "Bob")
    send_webinar_ended(client, wid, minutes_ago(5))
    run_jobs()
    run_due(0.6)
    run_due(1.1)
    [run] = runs(program)
    assert (run.state, run.attempts) == ("failed", 3)
    assert run.error == "the report was still not ready after 3 tries; the final pass will try again"
    assert statuses(program) == {"bob@example.test": "Registered"}
    run_due(1.6)
    assert runs(program)[0].attempts == 3          # no further try


def test_scheduled_fallback_pulls_when_no_webhook_comes(admin, service, sandbox, run_jobs, app):
    app.config["ATTENDANCE_GRACE_MINUTES"] = 0          # the fallback is due at once
    began = minutes_ago(61)
    wid = new_webinar(sandbox, began)
    program = link(service, wid)
    ann = register(sandbox, program, wid, "ann@example.test", "Ann")
    run_webinar(sandbox, wid, [({"registrant_id": ann.registrant_id}, 0, 30)], began)  # no webhook URL
    pulls.schedule_attendance_pulls(program.id)
    end = began + timedelta(minutes=60)
    assert program.binding.next_pull_at == end                 # the fallback is due
    assert "Next pull" in admin.get(f"/programs/{program.id}").text
    run_jobs()
    [run] = runs(program)
    assert (run.trigger, run.state) == ("fallback", "done")
    assert statuses(program) == {"ann@example.test": "Attended"}
    db.session.refresh(program.binding)
    assert program.binding.next_pull_at == end + timedelta(hours=24)   # the final pass is next


def test_final_pass_runs_after_the_end_and_changes_nothing_more(app, service, sandbox, run_jobs, client, run_due):
    app.config["ATTENDANCE_FINAL_PASS_HOURS"] = 1.5 / 3600          # 1.5 seconds, for the test
    began = minutes_ago(65)
    wid = new_webinar(sandbox, began)
    program = link(service, wid)
    ann = register(sandbox, program, wid, "ann@example.test", "Ann")
    run_webinar(sandbox, wid, [({"registrant_id": ann.registrant_id}, 0, 30)], began)
    send_webinar_ended(client, wid, minutes_ago(0))
    run_jobs()
    history = db.session.scalar(sa.select(sa.func.count()).select_from(StatusChange))
    run_due(1.6)
    assert [(r.trigger, r.state) for r in runs(program)] == [("webhook", "done"), ("final pass", "done")]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StatusChange)) == history
    db.session.refresh(program.binding)
    assert program.binding.next_pull_at is None


def test_never_started_webinar_marks_nobody_and_says_so(admin, service, sandbox, run_jobs):
    """[S9] scheduled three days ago, never started."""
    wid = str(seed.W_NEVER_STARTED)
    program = link(service, wid, "Never started")
    register(sandbox, program, wid, "bob@example.test", "Bob")
    admin.post(f"/programs/{program.id}/attendance/sync")
    run_jobs()
    [run] = runs(program)
    assert run.state == "never started"
    assert statuses(program) == {"bob@example.test": "Registered"}
    assert db.session.scalar(sa.select(ServiceError.message)) == f"webinar {wid} never started"
    page = admin.get(f"/programs/{program.id}")
    assert f"Webinar {wid} never started" in page.text and "nobody was marked No Show" in page.text
    errors = admin.get(f"/admin/services/{service.id}")
    assert f"webinar {wid} never started" in errors.text


def test_sync_spanning_many_report_pages_shows_live_progress(admin, service, sandbox, run_jobs):
    wid = new_webinar(sandbox, minutes_ago(180))
    program = link(service, wid)
    # 350 attendees each joining 3 times: 1,050 report rows, 4 pages of 300; 40 absentees
    sandbox.control(f"webinars/{wid}/bulk", attendees=350, absentees=40, walk_ins=3, rejoin_every=1)
    assert bulk_members(sandbox, program, wid) == 390
    admin.post(f"/programs/{program.id}/attendance/sync")
    [run] = runs(program)
    queued = admin.get(f"/programs/{program.id}/attendance/runs/{run.id}").get_json()
    assert (queued["state"], queued["active"]) == ("queued", True)
    run_jobs()
    done = admin.get(f"/programs/{program.id}/attendance/runs/{run.id}").get_json()
    assert (done["state"], done["pages_read"], done["attendees"], done["anonymous"], done["absentees"]) == (
        "done", 5, 353, 3, 40)
    counts = dict(db.session.execute(sa.select(Member.status, sa.func.count())
                                     .where(Member.program_id == program.id).group_by(Member.status)).all())
    assert counts == {"Attended": 350, "No Show": 40}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AttendanceSession)) == 1050
    report_calls = sandbox.requests_seen("GET", "/v2/report/webinars/")
    assert len(report_calls) == 4


@pytest.mark.parametrize("wait", ["inline", "rescheduled"])
def test_429_in_the_middle_of_paging_loses_and_duplicates_nothing(app, admin, service, sandbox, run_jobs, wait, run_due):
    if wait == "rescheduled":
        app.config["ZOOM_MAX_WAIT"] = 0.2      # a Retry-After longer than that ends the job: retry later
        app.extensions.pop("providers", None)
    wid = new_webinar(sandbox, minutes_ago(180))
    program = link(service, wid)
    sandbox.control(f"webinars/{wid}/bulk", attendees=350, absentees=10, rejoin_every=1)
    bulk_members(sandbox, program, wid)
    pattern = "/v2/report/webinars/*/participants"
    sandbox.control("faults", pattern=pattern, status=0, count=2)          # pages 1 and 2 pass
    sandbox.control("faults", pattern=pattern, status=429, retry_after=1, count=1)   # page 3: 429
    admin.post(f"/programs/{program.id}/attendance/sync")
    run_jobs()
    [run] = runs(program)
    if wait == "rescheduled":
        assert run.state == "waiting" and "slow down" in run.message
        run_due(1.1)
        db.session.refresh(run)
    assert run.state == "done"
    counts = dict(db.session.execute(sa.select(Member.status, sa.func.count())
                                     .where(Member.program_id == program.id).group_by(Member.status)).all())
    assert counts == {"Attended": 350, "No Show": 10}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AttendanceSession)) == 1050
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StatusChange).where(
        StatusChange.to_status == "Attended")) == 350
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StatusChange).where(
        StatusChange.to_status == "No Show")) == 10


def test_linking_schedules_the_pulls_and_unlinking_cancels_them(marketer, app, sandbox, redis_conn):
    from rq.registry import ScheduledJobRegistry

    from portal.linking import binding as linking
    from portal.models import Program
    from portal.workers import queue
    from tests.fixtures_services import connected_service

    service = connected_service(app)
    program = flows.create_program("Tour", "webinar", "", None)
    linking.link_program(program.id, service.id, str(seed.W_SINGLE))
    registry = ScheduledJobRegistry(queue=queue())
    assert sorted(registry.get_job_ids()) == [f"attendance-fallback-{program.id}",
                                              f"attendance-final-{program.id}"]
    db.session.expire_all()
    binding = db.session.get(Program, program.id).binding
    assert binding.next_pull_at == binding.start_at + timedelta(minutes=binding.duration + 30)
    page = marketer.get(f"/programs/{program.id}")
    assert "Next pull" in page.text or "next pull" in page.text
    linking.unlink_program(program.id)
    assert registry.get_job_ids() == []
