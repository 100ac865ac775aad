"""When attendance is pulled: the scheduled syncs of a program (the fallback in case
the provider never announces the end, the final pass a day after the end, a retry).
They have fixed job ids per program, so scheduling again moves a pull instead of
adding one; the Binding shows the next one."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import current_app
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.registry import ScheduledJobRegistry

from portal.extensions import db
from portal.i18n import N_
from portal.models import Binding, Program, SyncRun
from portal.models.activity import QUEUED
from portal.models.types import utcnow
from portal.sentences import Sentence
from portal.workers import queue, redis_conn

#: the job the pulls run, by name: jobs sit above every domain module
SYNC_JOB = "portal.attendance.jobs.sync_attendance"

PULL_KINDS = ("fallback", "final", "retry")

# What a pull says it did or why it did not (a sync run's message or error, stored in
# English), worded when shown.
NOT_LINKED = N_("the program is not linked to a webinar")
NOT_ENDED = N_("the webinar has not ended yet: attendance is pulled after it ends")
NOT_READY = Sentence(N_("the report is not ready yet (try %(num)d of %(max)d); trying again"))
STILL_NOT_READY = Sentence(N_("the report was still not ready after %(num)d tries; the final pass will try again"))
READ_AGAIN = Sentence(N_("%(error)s; the whole report is read again then"), nested=("error",))
SUMMARY = Sentence(N_("%(attendees)d attendees (%(anonymous)d without email), %(new_leads)d new leads, "
                      "%(attended)d attended, %(no_shows)d no-shows"))


def pull_job_id(kind: str, program_id: int) -> str:
    return f"attendance-{kind}-{program_id}"


def scheduled_end(binding: Binding) -> datetime | None:
    if binding.start_at is None:
        return None
    return binding.start_at + timedelta(minutes=binding.duration or 0)


def grace() -> timedelta:
    """How long after the scheduled end the fallback pull runs (the webhook may never
    come), and after which a webinar with no past instance never started [S9]."""
    return timedelta(minutes=current_app.config["ATTENDANCE_GRACE_MINUTES"])


def final_pass_delay() -> timedelta:
    """The last pull picks up report data that arrived late."""
    return timedelta(hours=current_app.config["ATTENDANCE_FINAL_PASS_HOURS"])




def new_run(program_id: int, trigger: str) -> SyncRun:
    run = SyncRun(program_id=program_id, trigger=trigger, state=QUEUED)
    db.session.add(run)
    db.session.commit()
    return run




def start_attendance_sync(program_id: int, trigger: str = "manual") -> SyncRun:
    """A SyncRun row committed, then its job enqueued (the program page shows it queued)."""
    run = new_run(program_id, trigger)
    queue().enqueue(SYNC_JOB, program_id, trigger, run.id, job_id=f"attendance-run-{run.id}")
    return run


def _scheduled_at(job_id: str):
    try:
        return ScheduledJobRegistry(queue=queue()).get_scheduled_time(job_id)
    except NoSuchJobError:
        return None


def note_next_pull(program_id: int) -> None:
    """Binding.next_pull_at: the earliest pull of this program still scheduled."""
    times = [t for t in (_scheduled_at(pull_job_id(k, program_id)) for k in PULL_KINDS) if t]
    program = db.session.get(Program, program_id)
    if program is not None and program.binding is not None:
        program.binding.next_pull_at = min(times) if times else None
        db.session.commit()


def schedule_attendance_pulls(program_id: int, ended_at=None) -> None:
    """Schedule the fallback pull (scheduled end + grace, in case the webhook never
    comes) and the final pass (end + 24 h, for late report data). Call it when a
    program is linked, when its webinar moves, and when the webinar ends."""
    program = db.session.get(Program, program_id)
    binding = program.binding if program else None
    end = ended_at or (scheduled_end(binding) if binding else None)
    if end is None:
        return
    end = end.astimezone(timezone.utc)
    now = utcnow()
    q = queue()
    if ended_at is None and end + grace() > now - final_pass_delay():
        q.enqueue_at(end + grace(), SYNC_JOB, program_id, "fallback",
                     job_id=pull_job_id("fallback", program_id))
    final = end + final_pass_delay()
    if final > now:
        q.enqueue_at(final, SYNC_JOB, program_id, "final pass",
                     job_id=pull_job_id("final", program_id))
    note_next_pull(program_id)


def plan_final_pass(program_id: int, end: datetime) -> None:
    """Move the final pass to ``end`` + the delay when that is later than planned: the
    instance that really ran may have ended after the scheduled end [S8]."""
    final = end.astimezone(timezone.utc) + final_pass_delay()
    planned = _scheduled_at(pull_job_id("final", program_id))
    if planned is not None and planned.replace(tzinfo=timezone.utc) >= final:
        return
    if final > utcnow():
        queue().enqueue_at(final, SYNC_JOB, program_id, "final pass",
                           job_id=pull_job_id("final", program_id))
        note_next_pull(program_id)


def cancel_attendance_pulls(program_id: int) -> None:
    """An unlinked program has no attendance left to pull."""
    for kind in PULL_KINDS:
        try:
            Job.fetch(pull_job_id(kind, program_id), connection=redis_conn()).delete()
        except NoSuchJobError:
            pass
