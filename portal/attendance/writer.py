"""Writing one attendance sync in bulk (used by ``portal/attendance/sync.py``).

One chunk of attendees or one page of absentees at a time, in a few Core statements
each (``portal/bulk.py``: arrays unnest-ed on PostgreSQL, one prepared statement on
SQLite), and one commit: SQL statements grow with chunks, never with people. Statuses
only move forward (``Channel.moves_forward``, the rule of ``programs.lifecycle.change_status``,
applied to many members at once); sessions are replaced; people and members are found
before they are created. Progress counts go to ``sync_runs`` in the chunk's transaction.
"""
from __future__ import annotations

import sqlalchemy as sa

from portal.attendance.rule import Rule
from portal.bulk import among, insert_rows, update_rows
from portal.channels import ATTENDED, NO_SHOW, NOT_IN_PROGRAM, REGISTERED
from portal.extensions import db
from portal.models import Binding, Program, SyncRun, email_key
from portal.models.programs import VIA_WALK_IN
from portal.models.types import utcnow
from providers.base import Absentee, Attendee, covered_minutes

#: attendees written per chunk; absentees are written a provider page at a time
CHUNK = 1000
ABSENTEE_PAGE = 300

PEOPLE = db.metadata.tables["people"]
MEMBERS = db.metadata.tables["members"]
CHANGES = db.metadata.tables["status_changes"]
SESSIONS = db.metadata.tables["attendance_sessions"]


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
        self.run_id = run.id
        #: member id -> the attendee written for it in this run (ids and references only)
        self.seen: dict[int, Attendee] = {}
        self.sessions_cleared = False
        self.counts = {"attendees": 0, "absentees": 0, "anonymous": 0, "new_leads": 0,
                       "no_shows": 0, "attended": 0}

    @staticmethod
    def _conn():
        return db.session.connection()

    # -- lookups (two statements per chunk)

    def _members(self, rids, keys) -> tuple[dict, dict]:
        """(registrant id -> member, email key -> (person, member or None)); a member is
        (id, person id, status), a person (id, first name, last name)."""
        by_rid, people = {}, {}
        conn = self._conn()
        if rids:
            for rid, mid, pid, status in conn.execute(
                    sa.select(MEMBERS.c.registrant_id, MEMBERS.c.id, MEMBERS.c.person_id, MEMBERS.c.status)
                    .where(MEMBERS.c.program_id == self.program_id, among(conn, MEMBERS.c.registrant_id, rids))):
                by_rid[rid] = (mid, pid, status)
        if keys:
            joined = PEOPLE.outerjoin(MEMBERS, sa.and_(MEMBERS.c.person_id == PEOPLE.c.id,
                                                       MEMBERS.c.program_id == self.program_id))
            for key, pid, first, last, mid, status in conn.execute(
                    sa.select(PEOPLE.c.email_key, PEOPLE.c.id, PEOPLE.c.first_name, PEOPLE.c.last_name,
                              MEMBERS.c.id, MEMBERS.c.status).select_from(joined)
                    .where(among(conn, PEOPLE.c.email_key, keys))):
                people[key] = ((pid, first, last), (mid, pid, status) if mid is not None else None)
        return by_rid, people

    def _commit(self) -> None:
        """The chunk's progress in its own transaction, then commit: one commit a chunk."""
        db.session.execute(sa.update(SyncRun).where(SyncRun.id == self.run_id).values(**self.counts))
        db.session.commit()

    # -- attendees

    def write_attendees(self, attendees: list[Attendee]) -> None:
        if not self.sessions_cleared:
            # Sessions are replaced on every run, never added twice.
            self._conn().execute(sa.delete(SESSIONS).where(SESSIONS.c.member_id.in_(
                sa.select(MEMBERS.c.id).where(MEMBERS.c.program_id == self.program_id))))
            self.sessions_cleared = True
        for start in range(0, len(attendees), CHUNK):
            self._attendee_chunk(attendees[start:start + CHUNK])
            self._commit()
        if not attendees:
            self._commit()

    def _attendee_chunk(self, chunk: list[Attendee]) -> None:
        conn = self._conn()
        self.counts["attendees"] += len(chunk)
        keyed = [(a, email_key(a.email) if a.email else "") for a in chunk]
        by_rid, people = self._members({a.registrant_id for a in chunk if a.registrant_id},
                                       {k for _, k in keyed if k})
        now = utcnow()

        matched: dict[int, tuple[tuple, Attendee]] = {}    # member id -> (member row, attendee)
        newcomers: dict[str, Attendee] = {}                 # email key -> attendee, no member yet
        fill: dict[int, dict] = {}
        for a, key in keyed:
            person, by_person = people.get(key, (None, None))
            member = by_rid.get(a.registrant_id) or by_person
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
                fill[person[0]] = {"id": person[0], "first_name": person[1] or a.first_name[:100],
                                   "last_name": person[2] or a.last_name[:100], "updated_at": now}

        # new people (leads) and their members, in bulk
        new_keys = [k for k in newcomers if k not in people]
        if new_keys:
            for pid, key in insert_rows(conn, PEOPLE, [
                    {"email": newcomers[k].email.strip()[:254], "email_key": k,
                     "first_name": newcomers[k].first_name[:100], "last_name": newcomers[k].last_name[:100],
                     "source": self.source, "source_program_id": self.program_id,
                     "created_at": now, "updated_at": now} for k in new_keys],
                    returning=("id", "email_key")):
                people[key] = ((pid, "", ""), None)
            self.counts["new_leads"] += len(new_keys)
        update_rows(conn, PEOPLE, list(fill.values()))

        history, sessions, updates, replaced = [], [], [], []
        if newcomers:
            rows, verdicts = [], {}
            for key, a in newcomers.items():
                status, reason = self.rule.verdict(a)
                pid = people[key][0][0]
                verdicts[pid] = (status, reason, a)
                rows.append(self._attendance_fields(a) | {
                    "program_id": self.program_id, "person_id": pid, "status": status,
                    "joined_via": VIA_WALK_IN, "created_at": now, "updated_at": now})
            for member_id, pid in insert_rows(conn, MEMBERS, rows,
                                              returning=("id", "person_id")):
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
                replaced.append(member_id)
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
        if replaced:
            conn.execute(sa.delete(SESSIONS).where(among(conn, SESSIONS.c.member_id, replaced)))
        update_rows(conn, MEMBERS, updates)
        insert_rows(conn, CHANGES, history)
        insert_rows(conn, SESSIONS, sessions)

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
            if len(page) >= ABSENTEE_PAGE:
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
        by_rid, people = self._members({a.registrant_id for a in chunk if a.registrant_id},
                                       {email_key(a.email) for a in chunk if a.email})
        members = {}
        for a in chunk:
            member = by_rid.get(a.registrant_id) or (
                people.get(email_key(a.email), (None, None))[1] if a.email else None)
            if member and member[0] not in self.seen:
                members[member[0]] = member
        now = utcnow()
        moving = [(mid, m[2]) for mid, m in members.items() if self.channel.moves_forward(m[2], NO_SHOW)]
        conn = self._conn()
        update_rows(conn, MEMBERS, [{"id": mid, "status": NO_SHOW, "updated_at": now} for mid, _ in moving])
        insert_rows(conn, CHANGES, [self._change(mid, status, NO_SHOW, "registered, reported absent by "
                                                 "the provider", now) for mid, status in moving])
        self.counts["no_shows"] += len(moving)

    def sweep(self) -> None:
        """Registrants still Registered did not attend: No Show, in two set-based statements."""
        if not self.channel.moves_forward(REGISTERED, NO_SHOW):
            return
        now = utcnow()
        at = sa.bindparam("at", now, type_=CHANGES.c.at.type)
        still = sa.and_(MEMBERS.c.program_id == self.program_id, MEMBERS.c.status == REGISTERED)
        conn = self._conn()
        conn.execute(sa.insert(CHANGES).from_select(
            ["member_id", "from_status", "to_status", "reason", "at"],
            sa.select(MEMBERS.c.id, sa.literal(REGISTERED), sa.literal(NO_SHOW),
                      sa.literal("registered, did not attend"), at).where(still)))
        moved = conn.execute(sa.update(MEMBERS).where(still).values(
            status=NO_SHOW, updated_at=sa.bindparam("now", now, type_=MEMBERS.c.updated_at.type)))
        self.counts["no_shows"] += moved.rowcount
        # Like Attended (every attendee who ends Attended), No-shows counts every registrant
        # who ends No Show, not only those this run moved: a rerun reports the same figures.
        self.counts["no_shows"] = conn.execute(sa.select(sa.func.count()).select_from(MEMBERS).where(
            MEMBERS.c.program_id == self.program_id, MEMBERS.c.status == NO_SHOW)).scalar()
        self._commit()

    def summary(self) -> str:
        c = self.counts
        return (f"{c['attendees']} attendees ({c['anonymous']} without email), {c['new_leads']} new leads, "
                f"{c['attended']} attended, {c['no_shows']} no-shows")
