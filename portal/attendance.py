"""Attendance sync: after the webinar, attendees become leads and every registrant
ends Attended or No Show [S1][S8][S9][S20].

Flow-level functions that take ids. The provider is reached only through
``connections.call(service, "attendance", ...)``, which reads the webinar's actual
past instance [S8]. Writes are in bulk, one chunk of attendees or one page of
absentees at a time: the number of SQL statements grows with chunks, never with
people, and only one chunk is held on our side at a time. Re-running is safe:
statuses only move forward, attendance sessions are replaced, people and members
are found before they are created.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, insert, select, update

from portal import connections
from portal.channels import ATTENDED, NO_SHOW, NOT_IN_PROGRAM, REGISTERED
from portal.extensions import db
from portal.models import AttendanceSession, Binding, Member, Person, Program, StatusChange, SyncRun
from portal.models.activity import DONE, FAILED, NEVER_STARTED, QUEUED, RUNNING, WAITING
from portal.models.programs import ATTENDED_ANY, ATTENDED_MINUTES, ATTENDED_PERCENT
from portal.models.types import utcnow
from providers.base import Absentee, Attendee, NotStarted, ProviderError, RateLimited, Unavailable

#: attendees written per chunk; absentees are written a provider page at a time
CHUNK = 500
#: registrants swept to No Show per statement pair
SWEEP_CHUNK = 1000


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


# --- writing ---------------------------------------------------------------------------

def _merge(into: Attendee, other: Attendee) -> None:
    """Two attendees matched to one member: one person, every session once."""
    sessions = sorted(set(into.sessions) | set(other.sessions))
    into.sessions = sessions
    total, end = 0.0, None
    for start, stop in sessions:
        if end is None or start >= end:
            total += (stop - start).total_seconds()
            end = stop
        elif stop > end:
            total += (stop - end).total_seconds()
            end = stop
    into.minutes = round(total / 60)
    joins = [t for t in (into.first_join, other.first_join) if t]
    leaves = [t for t in (into.last_leave, other.last_leave) if t]
    into.first_join = min(joins) if joins else None
    into.last_leave = max(leaves) if leaves else None


class Writer:
    """Writes one run's attendees, absentees and absent registrants in bulk."""

    def __init__(self, program: Program, binding: Binding, run: SyncRun):
        self.program_id = program.id
        self.channel = program.channel_def
        self.source = f"webinar attendee: {program.name}"[:200]
        self.rule = Rule.of(program, binding)
        self.run = run
        #: member id -> the attendee written for it in this run (ids and references only)
        self.seen: dict[int, Attendee] = {}
        self.sessions_cleared = False
        self.counts = {"attendees": 0, "absentees": 0, "anonymous": 0, "new_leads": 0,
                       "no_shows": 0, "attended": 0}

    # -- shared lookups (one statement each, per chunk)

    def _members_by_registrant(self, ids) -> dict[str, tuple]:
        if not ids:
            return {}
        rows = db.session.execute(select(Member.registrant_id, Member.id, Member.person_id, Member.status)
                                  .where(Member.program_id == self.program_id,
                                         Member.registrant_id.in_(list(ids))))
        return {r[0]: tuple(r[1:]) for r in rows}

    def _people_by_key(self, keys) -> dict[str, tuple]:
        if not keys:
            return {}
        rows = db.session.execute(select(Person.email_key, Person.id, Person.first_name, Person.last_name)
                                  .where(Person.email_key.in_(list(keys))))
        return {r[0]: tuple(r[1:]) for r in rows}

    def _members_by_person(self, person_ids) -> dict[int, tuple]:
        if not person_ids:
            return {}
        rows = db.session.execute(select(Member.person_id, Member.id, Member.person_id, Member.status)
                                  .where(Member.program_id == self.program_id,
                                         Member.person_id.in_(list(person_ids))))
        return {r[0]: tuple(r[1:]) for r in rows}

    def _commit(self) -> None:
        for name, value in self.counts.items():
            setattr(self.run, name, value)
        db.session.commit()

    # -- attendees

    def write_attendees(self, attendees: list[Attendee]) -> None:
        if not self.sessions_cleared:
            # Sessions are replaced on every run, never added twice.
            db.session.execute(delete(AttendanceSession).where(AttendanceSession.member_id.in_(
                select(Member.id).where(Member.program_id == self.program_id))))
            self.sessions_cleared = True
        for start in range(0, len(attendees), CHUNK):
            self._attendee_chunk(attendees[start:start + CHUNK])
            self._commit()
        self._commit()

    def _attendee_chunk(self, chunk: list[Attendee]) -> None:
        from portal.models import email_key

        self.counts["attendees"] += len(chunk)
        by_rid = self._members_by_registrant({a.registrant_id for a in chunk if a.registrant_id})
        keys = {email_key(a.email) for a in chunk if a.email}
        people = self._people_by_key(keys)
        by_person = self._members_by_person({p[0] for p in people.values()})
        now = utcnow()

        matched: dict[int, tuple[tuple, Attendee]] = {}    # member id -> (member row, attendee)
        newcomers: dict[str, Attendee] = {}                 # email key -> attendee, no member yet
        fill: list[dict] = []
        for a in chunk:
            key = email_key(a.email) if a.email else ""
            person = people.get(key)
            member = by_rid.get(a.registrant_id) or (by_person.get(person[0]) if person else None)
            if member:
                if member[0] in matched:
                    _merge(matched[member[0]][1], a)
                else:
                    matched[member[0]] = (member, a)
            elif key:
                newcomers[key] = a
            else:
                self.counts["anonymous"] += 1   # no email: counted, never a lead
                continue
            if person and (not person[1] or not person[2]) and (a.first_name or a.last_name):
                # blanks are filled, known names never overwritten
                fill.append({"id": person[0], "first_name": person[1] or a.first_name[:100],
                             "last_name": person[2] or a.last_name[:100], "updated_at": now})

        # new people (leads) and their members, in bulk
        new_keys = [k for k in newcomers if k not in people]
        if new_keys:
            rows = [{"email": newcomers[k].email.strip()[:254], "email_key": k,
                     "first_name": newcomers[k].first_name[:100], "last_name": newcomers[k].last_name[:100],
                     "source": self.source, "created_at": now, "updated_at": now} for k in new_keys]
            for pid, key in db.session.execute(insert(Person).returning(Person.id, Person.email_key), rows):
                people[key] = (pid, "", "")
            self.counts["new_leads"] += len(new_keys)
        if fill:
            db.session.execute(update(Person), fill)

        history, sessions, updates = [], [], []
        if newcomers:
            rows, verdicts = [], {}
            for key, a in newcomers.items():
                status, reason = self.rule.verdict(a)
                pid = people[key][0]
                verdicts[pid] = (status, reason, a)
                rows.append(self._attendance_fields(a) | {
                    "program_id": self.program_id, "person_id": pid, "status": status,
                    "created_at": now, "updated_at": now})
            for member_id, pid in db.session.execute(insert(Member).returning(Member.id, Member.person_id), rows):
                status, reason, a = verdicts[pid]
                history.append(self._change(member_id, NOT_IN_PROGRAM, status,
                                            f"{reason} (not registered on the portal)", now))
                self._count(status)
                self.seen[member_id] = a
                sessions += self._sessions(member_id, a)

        for member_id, (member, a) in matched.items():
            if member_id in self.seen:     # matched again in a later chunk: one person
                _merge(self.seen[member_id], a)
                a = self.seen[member_id]
                db.session.execute(delete(AttendanceSession).where(AttendanceSession.member_id == member_id))
            self.seen[member_id] = a
            status, reason = self.rule.verdict(a)
            current = member[2]
            fields = self._attendance_fields(a) | {"id": member_id, "updated_at": now, "status": current}
            if self.channel.moves_forward(current, status):
                fields["status"] = status
                history.append(self._change(member_id, current, status, reason, now))
                self._count(status)
            elif current == status == ATTENDED:
                self.counts["attended"] += 1
            updates.append(fields)
            sessions += self._sessions(member_id, a)
        if updates:
            db.session.execute(update(Member), updates)
        if history:
            db.session.execute(insert(StatusChange), history)
        if sessions:
            db.session.execute(insert(AttendanceSession), sessions)

    @staticmethod
    def _attendance_fields(a: Attendee) -> dict:
        return {"attended_minutes": a.minutes, "first_join": a.first_join, "last_leave": a.last_leave,
                "sessions": len(a.sessions)}

    @staticmethod
    def _sessions(member_id: int, a: Attendee) -> list[dict]:
        return [{"member_id": member_id, "join_time": start, "leave_time": stop,
                 "minutes": round((stop - start).total_seconds() / 60)} for start, stop in a.sessions]

    @staticmethod
    def _change(member_id, from_status, to_status, reason, at) -> dict:
        return {"member_id": member_id, "from_status": from_status, "to_status": to_status,
                "reason": reason[:500], "at": at, "by_user_id": None}

    def _count(self, status: str) -> None:
        self.counts["attended" if status == ATTENDED else "no_shows"] += 1

    # -- absentees (streamed) and registrants who did not come

    def write_absentees(self, absentees) -> None:
        page: list[Absentee] = []
        for absentee in absentees:
            page.append(absentee)
            if len(page) >= 300:
                self._absentee_chunk(page)
                self._commit()
                page = []
        if page:
            self._absentee_chunk(page)
        self._commit()

    def _absentee_chunk(self, chunk: list[Absentee]) -> None:
        """Absentees the portal registered become No Show. Others registered on the
        provider's own page and are not tracked [S14]."""
        from portal.models import email_key

        self.counts["absentees"] += len(chunk)
        by_rid = self._members_by_registrant({a.registrant_id for a in chunk if a.registrant_id})
        people = self._people_by_key({email_key(a.email) for a in chunk if a.email})
        by_person = self._members_by_person({p[0] for p in people.values()})
        members = {}
        for a in chunk:
            person = people.get(email_key(a.email)) if a.email else None
            member = by_rid.get(a.registrant_id) or (by_person.get(person[0]) if person else None)
            if member and member[0] not in self.seen:
                members[member[0]] = member
        self._no_show([(mid, m[2]) for mid, m in members.items()],
                      "registered, reported absent by the provider")

    def _no_show(self, members: list[tuple[int, str]], reason: str) -> None:
        now = utcnow()
        moving = [(mid, status) for mid, status in members if self.channel.moves_forward(status, NO_SHOW)]
        if not moving:
            return
        db.session.execute(update(Member), [{"id": mid, "status": NO_SHOW, "updated_at": now}
                                            for mid, _ in moving])
        db.session.execute(insert(StatusChange), [self._change(mid, status, NO_SHOW, reason, now)
                                                  for mid, status in moving])
        self.counts["no_shows"] += len(moving)

    def sweep(self) -> None:
        """Registrants still Registered did not attend: No Show, a chunk at a time."""
        after = 0
        while True:
            ids = db.session.scalars(select(Member.id).where(
                Member.program_id == self.program_id, Member.status == REGISTERED, Member.id > after)
                .order_by(Member.id).limit(SWEEP_CHUNK)).all()
            if not ids:
                break
            self._no_show([(mid, REGISTERED) for mid in ids], "registered, did not attend")
            self._commit()
            after = ids[-1]
        self._commit()

    def summary(self) -> str:
        c = self.counts
        return (f"{c['attendees']} attendees ({c['anonymous']} without email), {c['new_leads']} new leads, "
                f"{c['attended']} attended, {c['no_shows']} no-shows")

