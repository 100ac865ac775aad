"""Writing one attendance sync in bulk, as the report streams in (used by
``portal/attendance/sync.py``).

The report comes as pages of joins, not merged per person: one person's joins may be on
any page. About ``CHUNK`` joins at a time (whole pages gathered) are written as they come: members
found by registrant id, then by email key for the joins their registrant id did not place
(one or two lookups), people and members created for the newcomers (new leads, Not in
Program until settled), every join stored as an attendance session, the chunk's progress
in the same transaction, one commit. Once the report is read, ``settle`` (``settle.py``)
gives every member who attended their minutes (overlaps counted once), first join, last
leave and sessions from the stored sessions, and moves statuses forward
(``Channel.moves_forward``, the rule of ``programs.lifecycle.change_status``), in a few
set-based statements. Absentees follow a chunk at a time; registrants who never
came are swept in two set-based statements. Each step is a few Core statements
(``portal/bulk.py``): SQL statements grow with pages, never with people.

Memory holds a chunk, never the attendees: the people met so far are in the database,
found again by registrant id or email key. Only what the database cannot tell is kept:
guests (joins with neither email nor a member's registrant id) by the plugin's other keys,
so a later join with an email under one of those keys takes their joins along; an email a
member's join gave that is not the member's own; time given without join and leave times.
A key first seen on a join that had an email (an account id, or a registrant id the portal
does not know) and later alone makes a guest of its own: counted, never a lead.
Re-running is safe: sessions are replaced, people and members found before created.
"""
from __future__ import annotations

from itertools import groupby
from typing import Iterable

import sqlalchemy as sa

from portal.attendance.pulls import SUMMARY
from portal.attendance.rule import DID_NOT_ATTEND, REPORTED_ABSENT, WALKED_IN, Rule
from portal.attendance.settle import settle
from portal.bulk import among, insert_rows, update_rows
from portal.channels import ATTENDED, NO_SHOW, NOT_IN_PROGRAM, REGISTERED
from portal.extensions import db
from portal.models import Binding, Program, SyncRun, email_key
from portal.models.programs import VIA_WALK_IN
from portal.models.types import utcnow
from providers.base import Absentee, Join, covered_minutes

#: joins written per chunk (whole pages gathered), absentees likewise
CHUNK = 1000

PEOPLE = db.metadata.tables["people"]
MEMBERS = db.metadata.tables["members"]
CHANGES = db.metadata.tables["status_changes"]
SESSIONS = db.metadata.tables["attendance_sessions"]


class Guest:
    """Joins of someone without email or a member's registrant id, until a join with one
    of their keys names them (then ``member``: a member id, or within the chunk that
    creates it the newcomer's email key)."""
    __slots__ = ("first_name", "last_name", "joins", "member")

    def __init__(self, join: Join):
        self.first_name, self.last_name = join.first_name, join.last_name
        self.joins: list[Join] = []
        self.member: int | None = None


class Writer:
    """Writes one run's joins, settles its attendees, then its absentees and absent registrants."""

    def __init__(self, program: Program, binding: Binding, run: SyncRun):
        self.program_id = program.id
        self.channel = program.channel_def
        self.source = f"webinar attendee: {program.name}"[:200]
        self.rule = Rule.of(program, binding)
        self.run_id = run.id
        self.guests: dict[str, Guest] = {}          # the plugin's keys of guests -> guest
        self.keyless = 0                            # guests without any key: one per join
        self.emails: dict[str, int] = {}            # email key -> member, when not the member's own
        self.untimed: dict[int, int] = {}           # member -> seconds given without times
        self.counts = {"attendees": 0, "absentees": 0, "anonymous": 0, "new_leads": 0,
                       "no_shows": 0, "attended": 0}

    @staticmethod
    def _conn():
        return db.session.connection()

    # -- lookups (two statements per chunk)

    def _members(self, rids, keys) -> tuple[dict, dict]:
        """(registrant id -> member, email key -> (person, member or None)); a member is
        (id, person id, status), a person (id, first name, last name). Emails are looked
        up only when the registrant ids did not already find their person."""
        by_rid, people = {}, {}
        conn = self._conn()
        if rids:
            for rid, mid, pid, status, key, first, last in conn.execute(
                    sa.select(MEMBERS.c.registrant_id, MEMBERS.c.id, MEMBERS.c.person_id, MEMBERS.c.status,
                              PEOPLE.c.email_key, PEOPLE.c.first_name, PEOPLE.c.last_name)
                    .join(PEOPLE, PEOPLE.c.id == MEMBERS.c.person_id)
                    # "+ 0": the registrant ids are the selective term; SQLite, which keeps no
                    # statistics here, would otherwise scan the program's members for each chunk
                    .where(MEMBERS.c.program_id + 0 == self.program_id,
                           among(conn, MEMBERS.c.registrant_id, rids))).all():
                by_rid[rid] = (mid, pid, status)
                people[key] = ((pid, first, last), by_rid[rid])
        keys = [k for k in keys if k not in people]
        if keys:
            joined = PEOPLE.outerjoin(MEMBERS, sa.and_(MEMBERS.c.person_id == PEOPLE.c.id,
                                                       MEMBERS.c.program_id == self.program_id))
            for key, pid, first, last, mid, status in conn.execute(
                    sa.select(PEOPLE.c.email_key, PEOPLE.c.id, PEOPLE.c.first_name, PEOPLE.c.last_name,
                              MEMBERS.c.id, MEMBERS.c.status).select_from(joined)
                    .where(among(conn, PEOPLE.c.email_key, keys))).all():
                people[key] = ((pid, first, last), (mid, pid, status) if mid is not None else None)
        return by_rid, people

    def _commit(self) -> None:
        """The chunk's progress in its own transaction, then commit: one commit a chunk."""
        db.session.execute(sa.update(SyncRun).where(SyncRun.id == self.run_id).values(**self.counts))
        db.session.commit()

    # -- joins, a chunk at a time as the pages come

    def write_joins(self, pages: Iterable[list[Join]]) -> None:
        # Sessions are replaced on every run, never added twice.
        self._conn().execute(sa.delete(SESSIONS).where(SESSIONS.c.member_id.in_(
            sa.select(MEMBERS.c.id).where(MEMBERS.c.program_id == self.program_id))))
        chunk: list[Join] = []
        for page in pages:
            chunk += page
            if len(chunk) >= CHUNK:
                self._join_chunk(chunk)
                self._commit()
                chunk = []
        self._join_chunk(chunk)
        self._commit()

    def _guest(self, join: Join) -> Guest | None:
        guest = self.guests.get("registrant:" + join.registrant_id) if join.registrant_id else None
        return guest or next((self.guests[k] for k in join.keys if k in self.guests), None)

    @staticmethod
    def _keys(join: Join) -> tuple[str, ...]:
        """What a guest is known by: a registrant id (not a member's), the plugin's keys."""
        return (("registrant:" + join.registrant_id,) if join.registrant_id else ()) + join.keys

    def _join_chunk(self, chunk: list[Join]) -> None:
        conn = self._conn()
        by_rid, people = self._members({j.registrant_id for j in chunk if j.registrant_id},
                                       {email_key(j.email) for j in chunk if j.email})
        now = utcnow()
        placed: list[tuple] = []        # (member id or a newcomer's email key, join)
        promoted: list[Guest] = []      # guests this chunk found out about
        newcomers: dict[str, tuple[str, str, str]] = {}     # email key -> (email, first, last)
        fill: dict[int, dict] = {}
        guests, emails = self.guests, self.emails
        for join in chunk:
            key = email_key(join.email) if join.email else ""
            guest = self._guest(join) if guests else None
            found = people.get(key) if key else None             # (person, member or None)
            member = by_rid.get(join.registrant_id)
            if member is not None:
                target = member[0]
                if key and (found is None or found[1] is None or found[1][0] != target):
                    emails.setdefault(key, target)              # rare: a join that gave another email
            elif key in emails:
                target = emails[key]
            elif found is not None and found[1] is not None:
                target = found[1][0]
            elif key:
                target = key
                if key not in newcomers:
                    first, last = (guest.first_name, guest.last_name) if guest else (join.first_name,
                                                                                     join.last_name)
                    newcomers[key] = (join.email.strip()[:254], first[:100], last[:100])
            elif guest is not None and guest.member is not None:
                target = guest.member
            else:
                keys = self._keys(join)
                if guest is None:
                    guest = Guest(join)
                    self.keyless += not keys
                for k in keys:
                    guests.setdefault(k, guest)
                guest.joins.append(join)
                continue
            placed.append((target, join))
            if guest is not None and guest.member is None:
                # the guest was this person all along: their joins come along
                placed += [(target, j) for j in guest.joins]
                promoted.append(guest)
                guest.joins, guest.member = [], target
            person = found[0] if found is not None else None
            if person is not None and (not person[1] or not person[2]) and person[0] not in fill:
                first, last = (guest.first_name, guest.last_name) if guest else (join.first_name, join.last_name)
                if first or last:
                    # blanks are filled, known names never overwritten
                    fill[person[0]] = {"id": person[0], "first_name": person[1] or first[:100],
                                       "last_name": person[2] or last[:100], "updated_at": now}

        # new people (leads), then a member for every newcomer, in bulk; settled later
        new_keys = [k for k in newcomers if k not in people]
        if new_keys:
            for pid, key in insert_rows(conn, PEOPLE, [
                    {"email": newcomers[k][0], "email_key": k, "first_name": newcomers[k][1],
                     "last_name": newcomers[k][2], "source": self.source, "source_program_id": self.program_id,
                     "created_at": now, "updated_at": now} for k in new_keys], returning=("id", "email_key")):
                people[key] = ((pid, "", ""), None)
            self.counts["new_leads"] += len(new_keys)
        update_rows(conn, PEOPLE, list(fill.values()))
        created: dict[str, int] = {}
        if newcomers:
            keys = {people[k][0][0]: k for k in newcomers}
            for member_id, pid in insert_rows(conn, MEMBERS, [
                    {"program_id": self.program_id, "person_id": pid, "status": NOT_IN_PROGRAM,
                     "joined_via": VIA_WALK_IN, "created_at": now, "updated_at": now} for pid in keys],
                    returning=("id", "person_id")):
                created[keys[pid]] = member_id

        for guest in promoted:
            if isinstance(guest.member, str):
                guest.member = created[guest.member]
        sessions = []
        for target, j in placed:
            member_id = created[target] if isinstance(target, str) else target
            if j.joined is None:
                self.untimed[member_id] = self.untimed.get(member_id, 0) + j.seconds
            else:
                sessions.append({"member_id": member_id, "join_time": j.joined, "leave_time": j.left,
                                 "minutes": round((j.left - j.joined).total_seconds() / 60)})
        insert_rows(conn, SESSIONS, sessions)

    # -- each attendee's figures and status, from the stored sessions

    def settle(self) -> None:
        """Minutes (overlaps counted once), first join, last leave and sessions of every
        member who attended, and their status: set-based (``settle.py``), except the rare
        members given time without join and leave times, settled here."""
        conn = self._conn()
        untimed = list(self.untimed)
        for name, count in settle(conn, self.program_id, self.channel, self.rule, utcnow(), untimed).items():
            self.counts[name] += count
        for start in range(0, len(untimed), CHUNK):
            part = untimed[start:start + CHUNK]
            members = conn.execute(sa.select(MEMBERS.c.id, MEMBERS.c.status, MEMBERS.c.joined_via)
                                   .where(among(conn, MEMBERS.c.id, part))).all()
            spans = conn.execute(sa.select(SESSIONS.c.member_id, SESSIONS.c.join_time, SESSIONS.c.leave_time)
                                 .where(among(conn, SESSIONS.c.member_id, part)).order_by(SESSIONS.c.member_id))
            self._settle_chunk(members, {mid: sorted((a, b) for _, a, b in rows)
                                         for mid, rows in groupby(spans, key=lambda r: r[0])})
        # guests without email: counted once per person, never leads
        self.counts["anonymous"] = self.keyless + len({id(g) for g in self.guests.values() if g.member is None})
        self.counts["attendees"] += self.counts["anonymous"]
        self._commit()

    def _settle_chunk(self, members, spans: dict[int, list]) -> None:
        now = utcnow()
        updates, history = [], []
        for member_id, current, via in members:
            sessions = spans.get(member_id, [])
            minutes = covered_minutes(sessions) + round(self.untimed.pop(member_id, 0) / 60)
            status, reason = self.rule.verdict(minutes, len(sessions))
            if current == NOT_IN_PROGRAM and via == VIA_WALK_IN:
                reason = WALKED_IN(reason=reason)
            fields = {"id": member_id, "attended_minutes": minutes,
                      "first_join": sessions[0][0] if sessions else None,
                      "last_leave": max(s[1] for s in sessions) if sessions else None,
                      "sessions": len(sessions), "status": current, "updated_at": now}
            if self.channel.moves_forward(current, status):
                fields["status"] = status
                history.append(self._change(member_id, current, status, reason, now))
                self._count(status)
            elif current == status == ATTENDED:
                self.counts["attended"] += 1
            updates.append(fields)
        self.counts["attendees"] += len(members)
        conn = self._conn()
        update_rows(conn, MEMBERS, updates)
        insert_rows(conn, CHANGES, history)

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
            if len(page) >= CHUNK:
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
            if member:
                # who attended is settled by now: never moves back to No Show
                members[member[0]] = member
        now = utcnow()
        moving = [(mid, m[2]) for mid, m in members.items() if self.channel.moves_forward(m[2], NO_SHOW)]
        conn = self._conn()
        update_rows(conn, MEMBERS, [{"id": mid, "status": NO_SHOW, "updated_at": now} for mid, _ in moving])
        insert_rows(conn, CHANGES, [self._change(mid, status, NO_SHOW, REPORTED_ABSENT, now)
                                    for mid, status in moving])
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
                      sa.literal(DID_NOT_ATTEND), at).where(still)))
        conn.execute(sa.update(MEMBERS).where(still).values(
            status=NO_SHOW, updated_at=sa.bindparam("now", now, type_=MEMBERS.c.updated_at.type)))
        # Like Attended (every attendee who ends Attended), No-shows counts every registrant
        # who ends No Show, not only those this run moved: a rerun reports the same figures.
        self.counts["no_shows"] = conn.execute(sa.select(sa.func.count()).select_from(MEMBERS).where(
            MEMBERS.c.program_id == self.program_id, MEMBERS.c.status == NO_SHOW)).scalar()
        self._commit()

    def summary(self) -> str:
        c = self.counts
        return SUMMARY(**{name: c[name] for name in ("attendees", "anonymous", "new_leads", "attended",
                                                      "no_shows")})
