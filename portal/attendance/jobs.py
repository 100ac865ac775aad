"""Attendance jobs (entry points: enqueued by dotted name, never imported)."""
from __future__ import annotations

from datetime import datetime, timedelta

from portal.attendance import pulls, sync
from portal.extensions import db
from portal.linking import binding as linking
from portal.models import Binding, Program
from portal.models.types import utcnow
from portal.workers import queue, redis_conn
from providers.base import ProviderError


def sync_attendance(program_id: int, trigger: str = "manual", run_id: int | None = None):
    """Read the webinar's attendance and write it. Retries itself, bounded, while the
    report is not ready or the provider asks to wait; one sync per program at a time."""
    program = db.session.get(Program, program_id)
    if program is None or program.binding is None:
        return "not linked"
    binding = program.binding
    if trigger in ("fallback", "final pass") and _start_moved_later(binding, trigger):
        return "the webinar moved: its pulls are planned again"
    if trigger == "fallback" and binding.attendance_pulled_at is not None:
        end = pulls.scheduled_end(binding)
        if end is not None and binding.attendance_pulled_at >= end:
            pulls.note_next_pull(program_id)
            return "already pulled after the end"      # the announced end did its job
    lock = redis_conn().lock(f"lectern:attendance:{program_id}", timeout=3600)
    if not lock.acquire(blocking=False):
        # another sync of this program is writing: this one waits its turn
        queue().enqueue_in(timedelta(seconds=30), pulls.SYNC_JOB, program_id, trigger, run_id)
        return "busy"
    try:
        if run_id is None:
            run_id = pulls.new_run(program_id, trigger).id
        try:
            retry_at = sync.sync(run_id)
        except Exception as exc:
            # The page must not show a run "running" forever; RQ still sees the failure.
            db.session.rollback()
            sync.mark_failed(run_id, f"unexpected error ({type(exc).__name__}); see the worker log")
            raise
    finally:
        lock.release()
    if retry_at is not None:
        queue().enqueue_at(retry_at, pulls.SYNC_JOB, program_id, trigger, run_id,
                           job_id=pulls.pull_job_id("retry", program_id))
    pulls.note_next_pull(program_id)
    return retry_at and f"retry at {retry_at.isoformat()}"


def _start_moved_later(binding: Binding, trigger: str) -> bool:
    """[S9] Before a scheduled pull, read the webinar's details again: when its start
    moved (and no webhook said so) the pull is too early, so every pull is planned
    again from the new time instead of calling the webinar never started."""
    try:
        binding = linking.refresh_binding(binding.id)
    except ProviderError:
        return False                     # in the error log; pull with what we know
    if binding is None or binding.deleted_at is not None:
        return False
    end = pulls.scheduled_end(binding)
    due = end + (pulls.grace() if trigger == "fallback" else pulls.final_pass_delay()) if end else None
    if due is None or due <= utcnow():
        return False
    pulls.schedule_attendance_pulls(binding.program_id)
    return True


def webinar_ended(provider: str, webinar_id: str, ended_at: str = "") -> str:
    """The provider says a webinar ended (``ended_at`` in ISO 8601, or empty): sync its
    program now, final pass a day later."""
    binding = db.session.scalar(db.select(Binding).where(
        Binding.provider == provider, Binding.webinar_id == str(webinar_id),
        Binding.deleted_at.is_(None)))
    if binding is None:
        return "no program is linked to this webinar"
    end = None
    if ended_at:
        try:
            end = datetime.fromisoformat(ended_at.replace("Z", "+00:00"))
        except ValueError:
            end = None
    program_id = binding.program_id
    pulls.schedule_attendance_pulls(program_id, ended_at=end or utcnow())
    pulls.start_attendance_sync(program_id, "webhook")
    return f"sync of program {program_id} enqueued"
