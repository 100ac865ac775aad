"""Merging Zoom's attendees report (one row per join) into one Attendee per person."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from providers.base import Absentee, Attendee, covered_minutes


def parse_time(value) -> datetime | None:
    """Zoom times are UTC, ``2026-12-01T16:00:00Z``, sometimes with milliseconds."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)      # Python 3.11 reads the "Z" itself
    except (TypeError, ValueError):
        try:
            when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def split_name(name: str) -> tuple[str, str]:
    """The report only has a display name: first word -> first name, the rest -> last."""
    parts = (name or "").strip().split(None, 1)
    return (parts[0], parts[1]) if len(parts) == 2 else ((parts[0], "") if parts else ("", ""))


class AttendeeMerger:
    """Feed report rows page by page; keeps one Attendee per person, never the rows.

    A person is recognised by, in order: registrant id, lower-cased email, Zoom user
    id (``id``, set when signed in to Zoom), display name, and last the per-join
    ``user_id``. Every key a row carries points at the same person, so a row with
    only an email still meets that person's registrant-id rows.
    """

    def __init__(self):
        self._by_key: dict[str, Attendee] = {}
        self._people: list[Attendee] = []

    @staticmethod
    def _keys(row: dict) -> list[str]:
        keys = []
        if row.get("registrant_id"):
            keys.append("r:" + str(row["registrant_id"]))
        if row.get("user_email"):
            keys.append("e:" + str(row["user_email"]).strip().lower())
        if row.get("id"):
            keys.append("u:" + str(row["id"]))
        if not keys and row.get("name"):
            keys.append("n:" + str(row["name"]).strip().lower())
        if not keys:
            keys.append("j:" + str(row.get("user_id") or len(row)))
        return keys

    def add(self, row: dict) -> None:
        keys = self._keys(row)
        person = next((self._by_key[k] for k in keys if k in self._by_key), None)
        if person is None:
            first, last = split_name(row.get("name", ""))
            person = Attendee(first_name=first, last_name=last)
            self._people.append(person)
        for key in keys:
            self._by_key.setdefault(key, person)
        if not person.email and row.get("user_email"):
            person.email = str(row["user_email"]).strip()
        if not person.registrant_id and row.get("registrant_id"):
            person.registrant_id = str(row["registrant_id"])
        joined, left = parse_time(row.get("join_time")), parse_time(row.get("leave_time"))
        if joined and not left and row.get("duration"):
            # No leave time: fall back to duration, read as seconds (what Zoom returns
            # in practice; the spec's example reads as minutes, so it is only a fallback).
            left = joined + timedelta(seconds=int(row["duration"]))
        if not joined or not left or left < joined:
            return
        person.sessions.append((joined, left))
        if person.first_join is None or joined < person.first_join:
            person.first_join = joined
        if person.last_leave is None or left > person.last_leave:
            person.last_leave = left

    def attendees(self) -> list[Attendee]:
        for person in self._people:
            person.sessions.sort()
            person.minutes = covered_minutes(person.sessions)
        return self._people


def absentee(row: dict) -> Absentee:
    """Only the fields [S20] allows."""
    return Absentee(email=str(row.get("email") or ""), first_name=row.get("first_name") or "",
                    last_name=row.get("last_name") or "", company=row.get("org") or "",
                    phone=row.get("phone") or "", registrant_id=str(row.get("id") or ""))
