"""[S9] "Never started" at its edges, against the Zoom sandbox: a lagging report is no
error, a reschedule nobody announced moves the pulls instead of calling the webinar
never started, and the final pass follows the instance that really ran [S8]."""
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from rq.registry import ScheduledJobRegistry

from portal.attendance import pulls
from portal.extensions import db
from portal.models import ServiceError
from portal.workers import queue
from tests.attendance_fixtures import admin_service, attendance_config  # noqa: F401  (fixtures)
from tests.attendance_helpers import (
    iso,
    link,
    minutes_ago,
    new_webinar,
    register,
    run_webinar,
    runs,
    send_webinar_ended,
    statuses,
)


def _errors() -> list[str]:
    return db.session.scalars(sa.select(ServiceError.message).order_by(ServiceError.id)).all()


def _planned(kind: str, program) -> datetime | None:
    at = ScheduledJobRegistry(queue=queue()).get_scheduled_time(pulls.pull_job_id(kind, program.id))
    return at.replace(tzinfo=timezone.utc) if at else None


def test_a_lagging_report_is_retried_without_an_error_in_the_service_log(
        admin, client, service, sandbox, run_jobs, run_due):
    began = minutes_ago(65)
    wid = new_webinar(sandbox, began)
    program = link(service, wid)
    ann = register(sandbox, program, wid, "ann@example.test", "Ann")
    send_webinar_ended(client, wid, minutes_ago(5))
    run_jobs()
    run_due(0.6)
    assert [(r.state, r.attempts) for r in runs(program)] == [("waiting", 2)]
    assert _errors() == []
    assert "No error recorded." in admin.get(f"/admin/services/{service.id}").text
    run_webinar(sandbox, wid, [({"registrant_id": ann.registrant_id}, 0, 50)], began)
    run_due(1.1)
    assert [r.state for r in runs(program)] == ["done"] and _errors() == []
    assert statuses(program) == {"ann@example.test": "Attended"}


def test_never_started_is_logged_once_the_grace_has_passed(admin, service, sandbox, run_jobs):
    wid = new_webinar(sandbox, minutes_ago(200))
    program = link(service, wid)
    register(sandbox, program, wid, "ann@example.test", "Ann")
    pulls.start_attendance_sync(program.id)
    run_jobs()
    assert [r.state for r in runs(program)] == ["never started"]
    assert _errors() == [f"webinar {wid} never started"]


def test_a_reschedule_nobody_announced_moves_the_pulls(admin, service, sandbox, run_jobs, run_due):
    wid = new_webinar(sandbox, minutes_ago(100))     # its fallback (end + 30 min) is due now
    program = link(service, wid)
    register(sandbox, program, wid, "ann@example.test", "Ann")
    later = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(hours=2)
    # moved in Zoom; no webhook URL is set, so the portal is not told
    sandbox.control(f"webinars/{wid}/reschedule", start_time=iso(later))
    pulls.schedule_attendance_pulls(program.id)
    run_due(0)
    db.session.expire_all()
    binding = program.binding
    assert binding.start_at == later and not binding.never_started
    assert runs(program) == [] and _errors() == []
    assert statuses(program) == {"ann@example.test": "Registered"}
    end = later + timedelta(minutes=60)
    assert _planned("fallback", program) == end + timedelta(minutes=30)
    assert _planned("final", program) == end + timedelta(hours=24)


def test_the_final_pass_follows_the_instance_that_really_ran(admin, service, sandbox, run_jobs, run_due):
    scheduled = minutes_ago(90)                      # scheduled end: 30 minutes ago
    wid = new_webinar(sandbox, scheduled)
    program = link(service, wid)
    ann = register(sandbox, program, wid, "ann@example.test", "Ann")
    began = minutes_ago(25)                          # the host started late; no webhook
    run_webinar(sandbox, wid, [({"registrant_id": ann.registrant_id}, 0, 20)], began, end=25)
    pulls.schedule_attendance_pulls(program.id)
    assert _planned("final", program) == scheduled + timedelta(minutes=60, hours=24)
    run_due(0)
    assert [(r.trigger, r.state) for r in runs(program)] == [("fallback", "done")]
    assert statuses(program) == {"ann@example.test": "Attended"}
    assert _planned("final", program) == began + timedelta(minutes=60, hours=24)
