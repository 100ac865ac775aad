"""Zoom's attendees report (one row per join) and absentees, normalised for the contract."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from providers.base import Absentee, Join


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


def join(row: dict) -> Join:
    """One report row, only the fields [S20] allows. Besides registrant id and email, a
    person is recognised by their Zoom user id (``id``, set when signed in to Zoom); a
    row with none of the three by its display name, and last by the per-join ``user_id``."""
    first, last = split_name(row.get("name", ""))
    email, rid = str(row.get("user_email") or "").strip(), str(row.get("registrant_id") or "")
    if row.get("id"):
        keys = ("u:" + str(row["id"]),)
    elif not email and not rid and row.get("name"):
        keys = ("n:" + str(row["name"]).strip().lower(),)
    elif not email and not rid:
        keys = ("j:" + str(row.get("user_id") or len(row)),)
    else:
        keys = ()
    joined, left = parse_time(row.get("join_time")), parse_time(row.get("leave_time"))
    if joined and not left and row.get("duration"):
        # No leave time: fall back to duration, read as seconds (what Zoom returns
        # in practice; the spec's example reads as minutes, so it is only a fallback).
        left = joined + timedelta(seconds=int(row["duration"]))
    if not joined or not left or left < joined:
        joined = left = None
    return Join(email=email, first_name=first, last_name=last, registrant_id=rid,
                joined=joined, left=left, keys=keys)


def absentee(row: dict) -> Absentee:
    """Only the fields [S20] allows."""
    return Absentee(email=str(row.get("email") or ""), first_name=row.get("first_name") or "",
                    last_name=row.get("last_name") or "", company=row.get("org") or "",
                    phone=row.get("phone") or "", registrant_id=str(row.get("id") or ""))
