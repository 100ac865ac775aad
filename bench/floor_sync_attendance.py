"""The floor of an attendance sync: what the same work costs with nothing in between.

The same sandbox pages fetched with plain ``requests`` (one session, the token in hand),
rows merged per person in a plain dict, then one bulk statement per table and change
(PostgreSQL: arrays ``unnest``-ed into INSERT ... SELECT / UPDATE ... FROM; SQLite:
``executemany``), on the raw DBAPI connection, one commit. Same outcome as Lectern's sync
for the benchmark's data (statuses, minutes, sessions, new leads; rule: any attendance),
without Lectern's safety (no lock, no run record, no progress, no error log, no pacing).
Used by ``bench/sync_attendance.py``.
"""
from __future__ import annotations

import time
from datetime import datetime, timezone

import requests

from providers.base import covered_minutes
from providers.zoom.client import encode_uuid


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc).replace(tzinfo=None)


def _pages(http: requests.Session, url: str, key: str, params: dict):
    query = dict(params, page_size=300)
    while True:
        body = http.get(url, params=query, timeout=60).json()
        yield body.get(key) or []
        if not body.get("next_page_token"):
            return
        query["next_page_token"] = body["next_page_token"]


def fetch(api: str, token: str, webinar_id: str) -> tuple[dict, list[dict]]:
    """(person key -> [registrant id, email, name, sessions]), absentee rows."""
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    instances = http.get(f"{api}/past_webinars/{webinar_id}/instances", timeout=60).json()["webinars"]
    uuid = encode_uuid(max(instances, key=lambda i: i["start_time"])["uuid"])
    people: dict[str, list] = {}
    for page in _pages(http, f"{api}/report/webinars/{uuid}/participants", "participants",
                       {"include_fields": "registrant_id"}):
        for row in page:
            key = row.get("registrant_id") or (row.get("user_email") or "").lower() or "n:" + row["name"]
            person = people.setdefault(key, [row.get("registrant_id") or "", row.get("user_email") or "",
                                             row["name"], []])
            person[3].append((_when(row["join_time"]), _when(row["leave_time"])))
    absentees = [row for page in _pages(http, f"{api}/past_webinars/{uuid}/absentees", "registrants", {})
                 for row in page]
    return people, absentees


def plan(members: list[tuple], people: dict, absentees: list[dict], source: str, now: datetime) -> dict:
    """What to write, from the program's members (id, registrant id, email key, status)."""
    by_rid = {m[1]: m for m in members if m[1]}
    by_key = {m[2]: m for m in members}
    attended, leads, sessions, changes, seen = [], [], [], [], set()
    for rid, email, name, spans in people.values():
        if not email:
            continue                                   # anonymous: counted, never a lead
        spans.sort()
        row = (covered_minutes(spans), spans[0][0], max(s[1] for s in spans), len(spans))
        member = by_rid.get(rid) or by_key.get(email.lower())
        if member is None:
            first, _, last = name.partition(" ")
            leads.append((email, email.lower(), first, last, row, spans))
            continue
        seen.add(member[0])
        attended.append((member[0],) + row)
        sessions += [(member[0], a, b, round((b - a).total_seconds() / 60)) for a, b in spans]
        if member[3] != "Attended":
            changes.append((member[0], member[3], "Attended", "attended", now))
    no_show = set()
    for row in absentees:
        member = by_rid.get(str(row.get("id") or "")) or by_key.get((row.get("email") or "").lower())
        if member and member[0] not in seen and member[3] == "Registered":
            no_show.add(member[0])
    no_show |= {m[0] for m in members if m[3] == "Registered" and m[0] not in seen}
    changes += [(mid, "Registered", "No Show", "did not attend", now) for mid in no_show]
    return {"attended": attended, "leads": leads, "sessions": sessions, "changes": changes,
            "no_show": sorted(no_show), "source": source}


def write_postgres(conn, program_id: int, p: dict, now: datetime) -> None:
    cur = conn.cursor()
    leads = p["leads"]
    if leads:
        cur.execute("INSERT INTO people (email, email_key, first_name, last_name, company, phone, source, "
                    "unsubscribed, created_at, updated_at) SELECT e, k, f, l, '', '', %s, false, %s, %s "
                    "FROM unnest(%s::varchar[], %s::varchar[], %s::varchar[], %s::varchar[]) AS t(e, k, f, l) "
                    "RETURNING id, email_key",
                    (p["source"], now, now, *[list(c) for c in zip(*[lead[:4] for lead in leads], strict=True)]))
        pid = dict((k, i) for i, k in cur.fetchall())
        cols = list(zip(*[(pid[lead[1]], *lead[4]) for lead in leads], strict=True))
        cur.execute("INSERT INTO members (program_id, person_id, status, webinar_url, registrant_id, "
                    "sync_state, sync_error, sync_attempts, sync_job_id, attended_minutes, first_join, "
                    "last_leave, sessions, created_at, updated_at) SELECT %s, p, 'Attended', '', '', 'none', "
                    "'', 0, '', m, f, l, s, %s, %s FROM unnest(%s::int[], %s::int[], %s::timestamp[], "
                    "%s::timestamp[], %s::int[]) AS t(p, m, f, l, s) RETURNING id, person_id",
                    (program_id, now, now, *[list(c) for c in cols]))
        mid = {person: member for member, person in cur.fetchall()}
        for lead in leads:
            member = mid[pid[lead[1]]]
            p["changes"].append((member, "Not in Program", "Attended", "attended (new lead)", now))
            p["sessions"] += [(member, a, b, round((b - a).total_seconds() / 60)) for a, b in lead[5]]
    if p["attended"]:
        cur.execute("UPDATE members AS m SET status = 'Attended', attended_minutes = t.mi, first_join = t.f, "
                    "last_leave = t.l, sessions = t.s, updated_at = %s FROM unnest(%s::int[], %s::int[], "
                    "%s::timestamp[], %s::timestamp[], %s::int[]) AS t(id, mi, f, l, s) WHERE m.id = t.id",
                    (now, *[list(c) for c in zip(*p["attended"], strict=True)]))
    if p["no_show"]:
        cur.execute("UPDATE members SET status = 'No Show', updated_at = %s WHERE id = ANY(%s::int[])",
                    (now, p["no_show"]))
    cur.execute("DELETE FROM attendance_sessions WHERE member_id IN (SELECT id FROM members "
                "WHERE program_id = %s)", (program_id,))
    if p["sessions"]:
        cur.execute("INSERT INTO attendance_sessions (member_id, join_time, leave_time, minutes) "
                    "SELECT * FROM unnest(%s::int[], %s::timestamp[], %s::timestamp[], %s::int[])",
                    [list(c) for c in zip(*p["sessions"], strict=True)])
    if p["changes"]:
        cur.execute("INSERT INTO status_changes (member_id, from_status, to_status, reason, at) "
                    "SELECT * FROM unnest(%s::int[], %s::varchar[], %s::varchar[], %s::varchar[], "
                    "%s::timestamp[])", [list(c) for c in zip(*p["changes"], strict=True)])


def write_sqlite(conn, program_id: int, p: dict, now: datetime) -> None:
    cur = conn.cursor()
    stamp = now.isoformat(" ")
    leads = p["leads"]
    if leads:
        cur.executemany("INSERT INTO people (email, email_key, first_name, last_name, company, phone, source, "
                        "unsubscribed, created_at, updated_at) VALUES (?, ?, ?, ?, '', '', ?, 0, ?, ?)",
                        [(*lead[:4], p["source"], stamp, stamp) for lead in leads])
        keys = [lead[1] for lead in leads]
        pid = {}
        for start in range(0, len(keys), 900):
            part = keys[start:start + 900]
            pid.update((k, i) for i, k in cur.execute(
                f"SELECT id, email_key FROM people WHERE email_key IN ({','.join('?' * len(part))})", part))
        cur.executemany("INSERT INTO members (program_id, person_id, status, webinar_url, registrant_id, "
                        "sync_state, sync_error, sync_attempts, sync_job_id, attended_minutes, first_join, "
                        "last_leave, sessions, created_at, updated_at) VALUES (?, ?, 'Attended', '', '', "
                        "'none', '', 0, '', ?, ?, ?, ?, ?, ?)",
                        [(program_id, pid[lead[1]], lead[4][0], lead[4][1].isoformat(" "),
                          lead[4][2].isoformat(" "), lead[4][3], stamp, stamp) for lead in leads])
        mid = dict((person, member) for member, person in cur.execute(
            "SELECT id, person_id FROM members WHERE program_id = ? AND created_at = ?", (program_id, stamp)))
        for lead in leads:
            member = mid[pid[lead[1]]]
            p["changes"].append((member, "Not in Program", "Attended", "attended (new lead)", now))
            p["sessions"] += [(member, a, b, round((b - a).total_seconds() / 60)) for a, b in lead[5]]
    cur.executemany("UPDATE members SET status = 'Attended', attended_minutes = ?, first_join = ?, "
                    "last_leave = ?, sessions = ?, updated_at = ? WHERE id = ?",
                    [(m, f.isoformat(" "), la.isoformat(" "), s, stamp, i) for i, m, f, la, s in p["attended"]])
    cur.executemany("UPDATE members SET status = 'No Show', updated_at = ? WHERE id = ?",
                    [(stamp, i) for i in p["no_show"]])
    cur.execute("DELETE FROM attendance_sessions WHERE member_id IN (SELECT id FROM members "
                "WHERE program_id = ?)", (program_id,))
    cur.executemany("INSERT INTO attendance_sessions (member_id, join_time, leave_time, minutes) "
                    "VALUES (?, ?, ?, ?)", [(m, a.isoformat(" "), b.isoformat(" "), n)
                                            for m, a, b, n in p["sessions"]])
    cur.executemany("INSERT INTO status_changes (member_id, from_status, to_status, reason, at) "
                    "VALUES (?, ?, ?, ?, ?)", [(m, f, t, r, a.isoformat(" ")) for m, f, t, r, a in p["changes"]])


def floor_sync(engine, api: str, token: str, webinar_id: str, program_id: int, source: str) -> float:
    """One floor sync; returns its wall time in seconds."""
    started = time.perf_counter()
    people, absentees = fetch(api, token, webinar_id)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("SELECT m.id, m.registrant_id, p.email_key, m.status FROM members m JOIN people p "
                    "ON p.id = m.person_id WHERE m.program_id = " + str(int(program_id)))
        members = [tuple(r) for r in cur.fetchall()]
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        p = plan(members, people, absentees, source, now)
        (write_postgres if engine.dialect.name == "postgresql" else write_sqlite)(raw, program_id, p, now)
        raw.commit()
    finally:
        raw.close()
    return time.perf_counter() - started
