"""When attendance is pulled: the scheduled syncs of a program (the fallback in case
the webinar.ended webhook never comes, the final pass a day after the end, a retry).
They have fixed job ids per program, so scheduling again moves a pull instead of
adding one; the Binding shows the next one."""
from __future__ import annotations

from portal.extensions import db
from portal.models.types import utcnow
from portal.workers import queue, redis_conn

#: the job the pulls run (named, so this module need not import portal.jobs)
SYNC_JOB = "portal.jobs.sync_attendance"

PULL_KINDS = ("fallback", "final", "retry")


def pull_job_id(kind: str, program_id: int) -> str:
    return f"attendance-{kind}-{program_id}"


def _scheduled_at(job_id: str):
    from rq.exceptions import NoSuchJobError
    from rq.registry import ScheduledJobRegistry

    try:
        return ScheduledJobRegistry(queue=queue()).get_scheduled_time(job_id)
    except NoSuchJobError:
        return None


def note_next_pull(program_id: int) -> None:
    """Binding.next_pull_at: the earliest pull of this program still scheduled."""
    from portal.models import Program

    times = [t for t in (_scheduled_at(pull_job_id(k, program_id)) for k in PULL_KINDS) if t]
    program = db.session.get(Program, program_id)
    if program is not None and program.binding is not None:
        program.binding.next_pull_at = min(times) if times else None
        db.session.commit()


def schedule_attendance_pulls(program_id: int, ended_at=None) -> None:
    """Schedule the fallback pull (scheduled end + grace, in case the webhook never
    comes) and the final pass (end + 24 h, for late report data). Call it when a
    program is linked, when its webinar moves, and when the webinar ends."""
    from datetime import timezone

    from portal import attendance
    from portal.models import Program

    program = db.session.get(Program, program_id)
    binding = program.binding if program else None
    end = ended_at or (attendance.scheduled_end(binding) if binding else None)
    if end is None:
        return
    end = end.astimezone(timezone.utc)
    now = utcnow()
    q = queue()
    if ended_at is None and end + attendance.grace() > now - attendance.final_pass_delay():
        q.enqueue_at(end + attendance.grace(), SYNC_JOB, program_id, "fallback",
                     job_id=pull_job_id("fallback", program_id))
    final = end + attendance.final_pass_delay()
    if final > now:
        q.enqueue_at(final, SYNC_JOB, program_id, "final pass",
                     job_id=pull_job_id("final", program_id))
    note_next_pull(program_id)


def cancel_attendance_pulls(program_id: int) -> None:
    """An unlinked program has no attendance left to pull."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    for kind in PULL_KINDS:
        try:
            Job.fetch(pull_job_id(kind, program_id), connection=redis_conn()).delete()
        except NoSuchJobError:
            pass
