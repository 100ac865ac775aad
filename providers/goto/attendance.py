"""GoTo attendance: attendees are read per session; one Attendee per person is
merged over every session and every rejoin. GoTo has no absentee call: absentees
are approved registrants who attended no session."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Iterable

from providers.base import Absentee, Attendee, covered_minutes


def parse_time(value) -> datetime | None:
    """GoTo times are UTC, ``2026-12-01T16:00:00Z``, sometimes with milliseconds."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _key(row: dict) -> str:
    if row.get("registrantKey") not in (None, ""):
        return "r:" + str(row["registrantKey"])
    return "e:" + str(row.get("email") or "").strip().lower()


def _spans(row: dict) -> list[tuple[datetime, datetime]]:
    """Join/leave pairs: GoTo's ``attendance`` list, or a flat joinTime/leaveTime;
    a missing leave time is read from ``attendanceTimeInSeconds``."""
    pairs = row.get("attendance") or [{"joinTime": row.get("joinTime"),
                                       "leaveTime": row.get("leaveTime")}]
    spans = []
    for pair in pairs:
        joined, left = parse_time(pair.get("joinTime")), parse_time(pair.get("leaveTime"))
        if joined and not left and len(pairs) == 1 and row.get("attendanceTimeInSeconds"):
            left = joined + timedelta(seconds=int(row["attendanceTimeInSeconds"]))
        if joined and left and left >= joined:
            spans.append((joined, left))
    return spans


class AttendeeMerger:
    """Feed each session's attendee rows; keeps one Attendee per registrant."""

    def __init__(self):
        self._by_key: dict[str, Attendee] = {}
        self._seconds: dict[str, int] = {}

    def add(self, row: dict) -> None:
        key = _key(row)
        person = self._by_key.get(key)
        if person is None:
            person = self._by_key[key] = Attendee(
                email=str(row.get("email") or "").strip(), first_name=row.get("firstName") or "",
                last_name=row.get("lastName") or "",
                registrant_id=str(row.get("registrantKey") or ""))
        spans = _spans(row)
        if not spans:
            self._seconds[key] = self._seconds.get(key, 0) + int(row.get("attendanceTimeInSeconds") or 0)
        for joined, left in spans:
            person.sessions.append((joined, left))
            if person.first_join is None or joined < person.first_join:
                person.first_join = joined
            if person.last_leave is None or left > person.last_leave:
                person.last_leave = left

    def attendees(self) -> list[Attendee]:
        people = []
        for key, person in self._by_key.items():
            person.sessions.sort()
            person.minutes = covered_minutes(person.sessions) + round(self._seconds.get(key, 0) / 60)
            people.append(person)
        return people


def absentees(registrants: Iterable[dict], attendees: list[Attendee]) -> list[Absentee]:
    came_keys = {a.registrant_id for a in attendees if a.registrant_id}
    came_emails = {a.email.lower() for a in attendees if a.email}
    return [Absentee(email=str(r.get("email") or ""), first_name=r.get("firstName") or "",
                     last_name=r.get("lastName") or "",
                     company=r.get("organization") or "", phone=r.get("phone") or "",
                     registrant_id=str(r.get("registrantKey") or ""))
            for r in registrants
            if str(r.get("status") or "APPROVED").upper() == "APPROVED"
            and str(r.get("registrantKey") or "") not in came_keys
            and str(r.get("email") or "").lower() not in came_emails]
