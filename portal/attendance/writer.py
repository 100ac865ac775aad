"""Writing one attendance sync in bulk (used by ``portal/attendance.py``).

One chunk of attendees or one page of absentees at a time: SQL statements grow with
chunks, never with people. Statuses only move forward (``Channel.moves_forward``, the
rule of ``programs.lifecycle.change_status``, applied to many members at once); sessions are
replaced; people and members are found before they are created.
"""
from __future__ import annotations

from sqlalchemy import delete, insert, select, update

from portal.attendance.rule import Rule
from portal.channels import ATTENDED, NO_SHOW, NOT_IN_PROGRAM, REGISTERED
from portal.extensions import db
from portal.models import (
    AttendanceSession,
    Binding,
    Member,
    Person,
    Program,
    StatusChange,
    SyncRun,
    email_key,
)
from portal.models.types import utcnow
from providers.base import Absentee, Attendee, covered_minutes

#: attendees written per chunk; absentees are written a provider page at a time
CHUNK = 500
#: registrants swept to No Show per statement pair
SWEEP_CHUNK = 1000


def _merge(into: Attendee, other: Attendee) -> None:
    """Two attendees matched to one member: one person, every session once."""
    into.sessions = sorted(set(into.sessions) | set(other.sessions))
    into.minutes = covered_minutes(into.sessions)
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

