"""GoTo attendance: attendees are read per session, each row normalised into joins
(the portal merges them per person). GoTo has no absentee call: absentees are approved
registrants who attended no session."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Iterable, Iterator

from providers.base import Absentee, Join


def parse_time(value) -> datetime | None:
    """GoTo times are UTC, ``2026-12-01T16:00:00Z``, sometimes with milliseconds."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


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


def joins(row: dict) -> list[Join]:
    """One session's attendee row as joins, only the fields [S20] allows: one per
    join..leave, or one carrying the time GoTo gives without them."""
    person = {"email": str(row.get("email") or "").strip(), "first_name": row.get("firstName") or "",
              "last_name": row.get("lastName") or "",
              "registrant_id": str(row.get("registrantKey") or "")}
    spans = _spans(row)
    if not spans:
        return [Join(**person, seconds=int(row.get("attendanceTimeInSeconds") or 0))]
    return [Join(**person, joined=joined, left=left) for joined, left in spans]


class Came:
    """Who attended, by registrant key and email, to tell absentees: GoTo answers each
    session's attendees and the registrants as whole lists, so this holds no more."""

    def __init__(self):
        self.keys: set[str] = set()
        self.emails: set[str] = set()

    def add(self, join: Join) -> None:
        if join.registrant_id:
            self.keys.add(join.registrant_id)
        if join.email:
            self.emails.add(join.email.lower())

    def absentees(self, registrants: Iterable[dict]) -> Iterator[Absentee]:
        for r in registrants:
            if (str(r.get("status") or "APPROVED").upper() == "APPROVED"
                    and str(r.get("registrantKey") or "") not in self.keys
                    and str(r.get("email") or "").lower() not in self.emails):
                yield Absentee(email=str(r.get("email") or ""), first_name=r.get("firstName") or "",
                               last_name=r.get("lastName") or "", company=r.get("organization") or "",
                               phone=r.get("phone") or "", registrant_id=str(r.get("registrantKey") or ""))
