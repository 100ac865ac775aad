"""Attendance sync: after the webinar, attendees become leads and every registrant
ends Attended or No Show [S1][S8][S9][S20].

Functions take ids. The provider is reached only through the services' gateway, whose
``attendance`` reads the webinar's actual past instance [S8] and streams it: the report's
joins page by page, then the absentees. Each chunk of joins is written as it comes, in
bulk (``writer.py``), so memory holds a chunk, never every attendee; once the report is
read, every attendee is settled from the stored sessions (minutes, status), then the
absentees are written and the registrants who never came swept. Re-running is safe:
statuses only move forward, attendance sessions are replaced, people and members are
found before they are created; a run that fails while reading keeps the chunks it wrote
(sessions replaced, walk-ins Not in Program) until the retry, which reads it all again.
"""
from __future__ import annotations

import time
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import update

from portal.attendance import pulls
from portal.attendance.pulls import grace, plan_final_pass, scheduled_end
from portal.attendance.rule import Rule
from portal.attendance.writer import Writer
from portal.extensions import db
from portal.models import Binding, Program, SyncRun
from portal.models.activity import DONE, FAILED, NEVER_STARTED, RUNNING, WAITING
from portal.models.types import utcnow
from portal.services.gateway import Gateway, record_error
from providers.base import NotStarted, ProviderError, RateLimited, Unavailable
from providers.pacing import Deferred

#: how often the pages read so far are committed while reading a report
PROGRESS_SECONDS = 1.0


def sync(run_id: int) -> datetime | None:
    """Run one attendance sync. Returns when to try again (report not ready yet,
    provider asked to slow down or unreachable), or None when the run is over."""
    run = db.session.get(SyncRun, run_id)
    program = db.session.get(Program, run.program_id)
    binding = program.binding if program else None
    if binding is None or binding.deleted_at is not None:
        return _finish(run, FAILED, error=pulls.NOT_LINKED)
    service = binding.service
    run.state, run.attempts = RUNNING, run.attempts + 1
    run.started_at = run.started_at or utcnow()
    run.retry_at = None
    run.rule = Rule.of(program, binding).english
    run.pages_read = 0
    db.session.commit()

    shown = [0.0]

    def on_page(pages: int) -> None:
        # Between pages: committing shows progress live, at most once a second (a commit
        # per page would cost more than the page); the writer commits its chunks itself.
        if time.monotonic() - shown[0] >= PROGRESS_SECONDS:
            db.session.execute(update(SyncRun).where(SyncRun.id == run_id).values(pages_read=pages))
            db.session.commit()
            shown[0] = time.monotonic()
        pages_read[0] = pages

    pages_read = [0]
    called = False
    try:
        report = Gateway(service, program_id=program.id).attendance(
            binding.webinar_id, on_page=on_page, unrecorded=(NotStarted,))
        called = True
        started_at = report.started_at
        writer = Writer(program, binding, run)
        writer.write_joins(report.joins)
        writer.settle()
        writer.write_absentees(report.absentees)
        writer.sweep()
    except ProviderError as error:
        db.session.rollback()
        if called and not isinstance(error, Deferred):   # raised by the report's later pages
            record_error(service.id, "attendance", error, program.id, binding.webinar_id)
        return _provider_failed(db.session.get(SyncRun, run_id), error)
    db.session.execute(update(SyncRun).where(SyncRun.id == run_id).values(pages_read=pages_read[0]))
    binding = db.session.get(Binding, binding.id)
    binding.never_started = False
    binding.attendance_pulled_at = utcnow()
    run.message = writer.summary()
    program_id, duration = program.id, binding.duration or 0
    done = _finish(run, DONE)
    if started_at is not None and run.trigger != "final pass":
        # [S8] the final pass follows the instance that really ran, not the schedule
        plan_final_pass(program_id, started_at + timedelta(minutes=duration))
    return done


def mark_failed(run_id: int, error: str) -> None:
    _finish(db.session.get(SyncRun, run_id), FAILED, error=error)


def _finish(run: SyncRun, state: str, error: str = "", message: str = "",
            retry_at: datetime | None = None) -> datetime | None:
    run.state = state
    run.error = error
    if message:
        run.message = message
    run.retry_at = retry_at
    if retry_at is None:
        run.finished_at = utcnow()
    db.session.commit()
    return retry_at


def _record(run: SyncRun, binding: Binding, error: ProviderError) -> None:
    record_error(binding.service_id, "attendance", error, run.program_id, binding.webinar_id)


def _provider_failed(run: SyncRun, error: ProviderError) -> datetime | None:
    binding = db.session.get(Program, run.program_id).binding
    now = utcnow()
    retries = int(current_app.config["ATTENDANCE_REPORT_RETRIES"])
    if isinstance(error, NotStarted):
        end = scheduled_end(binding)
        if run.trigger != "webhook" and end is not None and now < end:
            return _finish(run, FAILED, error=pulls.NOT_ENDED)
        if run.trigger == "webhook" or end is None or now < end + grace():
            # It ended (or just should have): the provider's report lags behind.
            if run.attempts < retries:
                delay = timedelta(seconds=float(current_app.config["ATTENDANCE_REPORT_RETRY_SECONDS"])
                                  * run.attempts)
                return _finish(run, WAITING, retry_at=now + delay,
                               message=pulls.NOT_READY(num=run.attempts, max=retries))
            _record(run, binding, error)
            return _finish(run, FAILED, error=pulls.STILL_NOT_READY(num=retries))
        # [S9] no instance long after the scheduled end: it never started. Nobody
        # becomes No Show; now, and only now, it goes into the service's error log.
        binding.never_started = True
        _record(run, binding, error)
        return _finish(run, NEVER_STARTED, message=error.message)
    if isinstance(error, (RateLimited, Unavailable)) and run.attempts < retries:
        wait = error.retry_after if isinstance(error, RateLimited) and error.retry_after else \
            float(current_app.config["ATTENDANCE_REPORT_RETRY_SECONDS"]) * run.attempts
        return _finish(run, WAITING, retry_at=now + timedelta(seconds=wait),
                       message=pulls.READ_AGAIN(error=error.message))
    return _finish(run, FAILED, error=error.message)
