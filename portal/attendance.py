"""Attendance sync: after the webinar, attendees become leads and every registrant
ends Attended or No Show [S1][S8][S9][S20].

Flow-level functions that take ids. The provider is reached only through
``connections.call(service, "attendance", ...)``, which reads the webinar's actual
past instance [S8]. Writes are in bulk, a chunk at a time
(``portal/attendance_writer.py``). Re-running is safe:
statuses only move forward, attendance sessions are replaced, people and members
are found before they are created.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from portal import connections
from portal.attendance_writer import Writer
from portal.channels import ATTENDED, NO_SHOW
from portal.extensions import db
from portal.models import Binding, Program, SyncRun
from portal.models.activity import DONE, FAILED, NEVER_STARTED, QUEUED, RUNNING, WAITING
from portal.models.programs import ATTENDED_ANY, ATTENDED_MINUTES, ATTENDED_PERCENT
from portal.models.types import utcnow
from providers.base import Attendee, NotStarted, ProviderError, RateLimited, Unavailable


def setting(name: str, default):
    return current_app.config.get(name, default)


# --- when ------------------------------------------------------------------------------

def scheduled_end(binding: Binding) -> datetime | None:
    if binding.start_at is None:
        return None
    return binding.start_at + timedelta(minutes=binding.duration or 0)


def grace() -> timedelta:
    """How long after the scheduled end the fallback pull runs (the webhook may never
    come), and after which a webinar with no past instance never started [S9]."""
    return timedelta(minutes=float(setting("ATTENDANCE_GRACE_MINUTES", 30)))


def final_pass_delay() -> timedelta:
    """The last pull picks up report data that arrived late."""
    return timedelta(hours=float(setting("ATTENDANCE_FINAL_PASS_HOURS", 24)))


# --- the attended rule ---------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    kind: str
    threshold: int
    duration: int        # the webinar's scheduled minutes

    @classmethod
    def of(cls, program: Program, binding: Binding | None) -> "Rule":
        return cls(program.attended_rule, program.attended_threshold or 0,
                   binding.duration if binding else 0)

    @property
    def minimum(self) -> int:
        """Minutes needed to count as attended (0: any attendance)."""
        if self.kind == ATTENDED_MINUTES:
            return self.threshold
        if self.kind == ATTENDED_PERCENT and self.duration:
            return -(-self.threshold * self.duration // 100)      # rounded up
        return 0

    @property
    def words(self) -> str:
        if self.kind == ATTENDED_MINUTES:
            return f"at least {self.threshold} minutes"
        if self.kind == ATTENDED_PERCENT:
            if not self.duration:
                return f"at least {self.threshold} % of the scheduled duration (unknown: any attendance)"
            return (f"at least {self.threshold} % of the scheduled {self.duration} minutes "
                    f"({self.minimum} minutes)")
        return "any attendance"

    def verdict(self, attendee: Attendee) -> tuple[str, str]:
        """(status, reason) for one attendee."""
        spent = f"attended {attendee.minutes} min in {len(attendee.sessions)} session" \
                f"{'' if len(attendee.sessions) == 1 else 's'}"
        if attendee.minutes >= self.minimum:
            return ATTENDED, f"{spent}; rule: {self.words}"
        return NO_SHOW, f"{spent}, below the rule: {self.words}"


def rule_words(program_id: int) -> str:
    program = db.session.get(Program, program_id)
    return Rule.of(program, program.binding).words


def set_attended_rule(program_id: int, kind: str, threshold: int) -> Program:
    """What counts as attended from the next sync on (statuses never move back)."""
    if kind not in (ATTENDED_ANY, ATTENDED_MINUTES, ATTENDED_PERCENT):
        raise ValueError(f"unknown attended rule {kind!r}")
    program = db.session.get(Program, program_id)
    program.attended_rule = kind
    program.attended_threshold = 0 if kind == ATTENDED_ANY else int(threshold)
    db.session.commit()
    return program


# --- runs ----------------------------------------------------------------------------

def new_run(program_id: int, trigger: str) -> SyncRun:
    run = SyncRun(program_id=program_id, trigger=trigger, state=QUEUED)
    db.session.add(run)
    db.session.commit()
    return run


def sync(run_id: int) -> datetime | None:
    """Run one attendance sync. Returns when to try again (report not ready yet,
    provider asked to slow down or unreachable), or None when the run is over."""
    run = db.session.get(SyncRun, run_id)
    program = db.session.get(Program, run.program_id)
    binding = program.binding if program else None
    if binding is None or binding.deleted_at is not None:
        return _finish(run, FAILED, error="the program is not linked to a webinar")
    service = binding.service
    run.state, run.attempts = RUNNING, run.attempts + 1
    run.started_at = run.started_at or utcnow()
    run.retry_at = None
    run.rule = Rule.of(program, binding).words
    run.pages_read = 0
    db.session.commit()

    def on_page(pages: int) -> None:
        # Between chunks nothing else is pending: committing shows progress live.
        run.pages_read = pages
        db.session.commit()

    called = False
    try:
        report = connections.call(service, "attendance", binding.webinar_id, on_page=on_page,
                                  program_id=program.id, webinar_id=binding.webinar_id)
        called = True
        writer = Writer(program, binding, run)
        writer.write_attendees(report.attendees)
        del report.attendees[:]            # the merged attendees are no longer needed
        writer.write_absentees(report.absentees)
        writer.sweep()
    except ProviderError as error:
        db.session.rollback()
        if called:   # raised while streaming absentees, after call() returned
            connections.record_error(service.id, "attendance", error, program.id, binding.webinar_id)
        return _provider_failed(db.session.get(SyncRun, run_id), error)
    binding = db.session.get(Binding, binding.id)
    binding.never_started = False
    binding.attendance_pulled_at = utcnow()
    run.message = writer.summary()
    return _finish(run, DONE)


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


def _provider_failed(run: SyncRun, error: ProviderError) -> datetime | None:
    binding = db.session.get(Program, run.program_id).binding
    now = utcnow()
    retries = int(setting("ATTENDANCE_REPORT_RETRIES", 6))
    if isinstance(error, NotStarted):
        end = scheduled_end(binding)
        if run.trigger != "webhook" and end is not None and now < end:
            return _finish(run, FAILED, error="the webinar has not ended yet: attendance is "
                                              "pulled after it ends")
        if run.trigger == "webhook" or end is None or now < end + grace():
            # It ended (or just should have): the provider's report lags behind.
            if run.attempts < retries:
                delay = timedelta(seconds=float(setting("ATTENDANCE_REPORT_RETRY_SECONDS", 300))
                                  * run.attempts)
                return _finish(run, WAITING, retry_at=now + delay,
                               message=f"the report is not ready yet (try {run.attempts} of "
                                       f"{retries}); trying again")
            return _finish(run, FAILED, error=f"the report was still not ready after {retries} "
                                              "tries; the final pass will try again")
        # [S9] no instance long after the scheduled end: it never started. Nobody
        # becomes No Show; the error is already in the service's log.
        binding.never_started = True
        return _finish(run, NEVER_STARTED, message=error.message)
    if isinstance(error, (RateLimited, Unavailable)) and run.attempts < retries:
        wait = error.retry_after if isinstance(error, RateLimited) and error.retry_after else \
            float(setting("ATTENDANCE_REPORT_RETRY_SECONDS", 300)) * run.attempts
        return _finish(run, WAITING, retry_at=now + timedelta(seconds=wait),
                       message=f"{error.message}; the whole report is read again then")
    return _finish(run, FAILED, error=error.message)
