"""What happens to webinars: create, register, start, join/leave, end, reschedule,
delete, bulk runs. Each operation runs under ``state.lock`` and returns the webhook
envelopes Zoom would send; the caller hands them to the sender.
"""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from providers.sandbox.state import iso, parse_iso
from providers.zoom.sandbox import seed
from providers.zoom.sandbox.state import SandboxState, ZoomFault, new_id, new_uuid


def envelope(state: SandboxState, event: str, obj: dict, old: dict | None = None) -> dict:
    payload = {"account_id": state.account_id, "object": obj}
    if old is not None:
        payload.update(old_object=old, time_stamp=int(time.time() * 1000))
    return {"event": event, "event_ts": int(time.time() * 1000), "payload": payload}


def _webinar_object(w: dict, *, id_as_string: bool) -> dict:
    # Zoom sends object.id as a string in some events and a number in others; the
    # sandbox does both (string for started/ended/updated, number for the rest).
    return {"id": str(w["id"]) if id_as_string else w["id"], "uuid": w["uuid"],
            "host_id": w["host_id"], "topic": w["topic"], "type": w["type"],
            "start_time": iso(w["start_time"]), "timezone": w["timezone"],
            "duration": w["duration"]}


def _when(live_or_webinar_start: datetime, body: dict) -> datetime:
    """A moment for join/leave/end: ``at`` (ISO), ``offset_minutes`` after the start,
    or now."""
    if body.get("at"):
        return parse_iso(body["at"])
    if body.get("offset_minutes") is not None:
        return live_or_webinar_start + timedelta(minutes=float(body["offset_minutes"]))
    return datetime.now(timezone.utc)


def create_webinar(state: SandboxState, data: dict, base_url: str = "") -> dict:
    host = state.user(str(data.get("host_id") or data.get("host_email") or seed.OWNER_ID))
    if host is None:
        raise ZoomFault(404, 1001, f"User {data.get('host_id') or data.get('host_email')} "
                                   "does not exist or does not belong to this account.")
    wid = int(data.get("id") or max(list(state.webinars) + [81000000100]) + 1)
    start = data.get("start_time")
    start = parse_iso(start) if isinstance(start, str) else (
        start or datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=7))
    kind = int(data.get("type", 5))
    webinar = {
        "id": wid, "uuid": data.get("uuid") or new_uuid(), "host_id": host["id"],
        "host_email": host["email"], "topic": data.get("topic") or f"Sandbox webinar {wid}",
        "agenda": data.get("agenda", ""), "type": kind, "start_time": start,
        "duration": int(data.get("duration", 60)),
        "timezone": data.get("timezone", "UTC"),
        "created_at": datetime.now(timezone.utc), "status": "waiting",
        "join_url": f"{base_url.rstrip('/')}/w/{wid}",
        "settings": {"approval_type": int(data.get("approval_type", 0)),
                     "registration_type": 1},
        "questions": list(data.get("questions") or []),
        "custom_questions": list(data.get("custom_questions") or []),
    }
    if kind == 9:
        webinar["recurrence"] = {"type": 2, "repeat_interval": 1, "weekly_days": "2",
                                 "end_times": 6}
        webinar["occurrences"] = [
            {"occurrence_id": str(int((start + timedelta(weeks=n)).timestamp() * 1000)),
             "start_time": iso(start + timedelta(weeks=n)), "duration": webinar["duration"],
             "status": "available"} for n in range(6)]
    state.webinars[wid] = webinar
    state.registrants.setdefault(wid, {})
    return webinar


#: the string fields of Zoom's "add a webinar registrant" body kept with the registrant
#: (besides email and custom_questions); ``language`` is checked, then only picks the
#: language of Zoom's emails, so it is not kept
REGISTRANT_FIELDS = ("first_name", "last_name", "address", "city", "state", "zip", "country",
                     "phone", "comments", "industry", "job_title", "no_of_employees", "org",
                     "purchasing_time_frame", "role_in_purchase_process")
MAX_LENGTHS = {"first_name": 64, "last_name": 64, "email": 128}
CHOICES = {
    "no_of_employees": ("", "1-20", "21-50", "51-100", "101-500", "500-1,000", "1,001-5,000",
                        "5,001-10,000", "More than 10,000"),
    "purchasing_time_frame": ("", "Within a month", "1-3 months", "4-6 months",
                              "More than 6 months", "No timeframe"),
    "role_in_purchase_process": ("", "Decision Maker", "Evaluator/Recommender", "Influencer",
                                 "Not involved"),
    "language": ("en-US", "de-DE", "es-ES", "fr-FR", "jp-JP", "pt-PT", "ru-RU", "zh-CN", "zh-TW",
                 "ko-KO", "it-IT", "vi-VN", "pl-PL", "Tr-TR"),
}


def _check_registrant_body(body: dict) -> None:
    """Zoom's request schema for the fields it knows (unknown ones are ignored)."""
    for field in (*REGISTRANT_FIELDS, "email", "language"):
        value = body.get(field)
        if value is None:
            continue
        if not isinstance(value, str) or len(value) > MAX_LENGTHS.get(field, 10_000) \
                or value not in CHOICES.get(field, (value,)):
            raise ZoomFault(400, 300, f"Validation Failed. Invalid field: {field}.")
    questions = body.get("custom_questions") or []
    if not isinstance(questions, list) or not all(
            isinstance(q, dict) and isinstance(q.get("title", ""), str)
            and isinstance(q.get("value", ""), str) and len(q.get("value", "")) <= 128
            for q in questions):
        raise ZoomFault(400, 300, "Validation Failed. Invalid field: custom_questions.")


def add_registrant(state: SandboxState, wid: int, body: dict, base_url: str) -> tuple[dict, list]:
    """POST /webinars/{id}/registrants as Zoom answers it: an email already registered
    gets its existing registration back (no new event), and adding the same person
    more than 3 times a UTC day is refused with a daily 429."""
    w = state.webinar(wid)
    email = str(body.get("email") or "").strip()
    if not email or "@" not in email or not body.get("first_name"):
        raise ZoomFault(400, 300, "Validation Failed. email and first_name are required.")
    _check_registrant_body(body)
    if w["settings"]["approval_type"] == 2:
        raise ZoomFault(400, 3000, f"This webinar does not have registration as required: {wid}.")
    if w["type"] == 5 and (w["status"] == "ended" or state.instances.get(wid)) \
            and w["start_time"] < datetime.now(timezone.utc):
        raise ZoomFault(400, 3038, "Webinar is over, you cannot register now. If you have any "
                                   "questions, contact the webinar host.")
    if email.lower() == w["host_email"].lower():
        raise ZoomFault(400, 3027, "Host cannot register.")
    day = datetime.now(timezone.utc).date().isoformat()
    key = (wid, email.lower(), day)
    state.add_counts[key] = state.add_counts.get(key, 0) + 1
    if state.add_counts[key] > 3:
        midnight = datetime.combine(datetime.now(timezone.utc).date() + timedelta(days=1),
                                    datetime.min.time(), timezone.utc)
        raise ZoomFault(429, 429, f'You have exceeded the daily rate limit of "3" for Add a '
                                  f'webinar registrant API requests for the registrant "{email}". '
                                  "You can resume these API requests at GMT 00:00:00.",
                        {"X-RateLimit-Type": "Daily-limit", "Retry-After": iso(midnight)})
    existing = state.registrant(wid, email=email)
    if existing:
        return existing, []
    # Zoom ignores fields it does not know: the sandbox keeps only its body's fields,
    # so a client sending e.g. the webinar's ``id`` cannot choose the registrant's id.
    known = {k: body[k] for k in REGISTRANT_FIELDS if body.get(k) is not None}
    answers = [{"title": q.get("title", ""), "value": q.get("value", "")}
               for q in body.get("custom_questions") or []]
    registrant = {
        "id": new_id(), "email": email, "first_name": "", "last_name": "", "org": "",
        "phone": "", **known, "custom_questions": answers,
        "status": "pending" if w["settings"]["approval_type"] == 1 else "approved",
        "create_time": iso(datetime.now(timezone.utc)),
        "join_url": f"{base_url.rstrip('/')}/w/{wid}?tk={new_id()}",
    }
    state.registrants[wid][email.lower()] = registrant
    obj = _webinar_object(w, id_as_string=False)
    obj["registrant"] = {k: registrant[k] for k in ("id", "first_name", "last_name", "email",
                                                    "status", "join_url", "create_time")}
    return registrant, [envelope(state, "webinar.registration_created", obj)]


def start(state: SandboxState, wid: int, body: dict) -> list:
    w = state.webinar(wid)
    if wid in state.live:
        raise ZoomFault(409, 3000, f"Webinar {wid} is already started.")
    began = parse_iso(body["at"]) if body.get("at") else datetime.now(timezone.utc).replace(microsecond=0)
    if body.get("uuid"):
        w["uuid"] = body["uuid"]
    state.live[wid] = {"uuid": w["uuid"], "start_time": began, "rows": [], "open": {}}
    w["status"] = "started"
    return [envelope(state, "webinar.started", _webinar_object(w, id_as_string=True)
                     | {"start_time": iso(began)})]


def _person(state: SandboxState, wid: int, body: dict) -> dict:
    """Who joins: a registrant (by id or email) or a walk-in (name, optional email)."""
    reg = state.registrant(wid, str(body.get("registrant_id") or ""), str(body.get("email") or ""))
    if body.get("registrant_id") and reg is None:
        raise ZoomFault(404, 3001, f"Registrant {body['registrant_id']} not found.")
    if reg:
        user = state.user(reg["email"])
        return {"key": "r:" + reg["id"], "registrant_id": reg["id"], "user_email": reg["email"],
                "name": f"{reg['first_name']} {reg['last_name']}".strip(),
                "id": user["id"] if user else ""}
    email = str(body.get("email") or "")
    name = str(body.get("name") or (email.split("@")[0] if email else "Guest"))
    user = state.user(email) if email else None
    return {"key": ("e:" + email.lower()) if email else ("n:" + name.lower()),
            "registrant_id": "", "user_email": email, "name": name,
            "id": user["id"] if user else ""}


def join(state: SandboxState, wid: int, body: dict) -> dict:
    live = state.live.get(wid)
    if live is None:
        raise ZoomFault(409, 3000, f"Webinar {wid} has not started.")
    person = _person(state, wid, body)
    if person["key"] in live["open"]:
        raise ZoomFault(409, 3000, f"{person['name']} is already in webinar {wid}.")
    row = {"id": person["id"], "user_id": str(next(state._participant_ids)),
           "name": person["name"], "user_email": person["user_email"],
           "registrant_id": person["registrant_id"],
           "join_time": _when(live["start_time"], body), "leave_time": None,
           "status": "in_meeting", "failover": False, "customer_key": ""}
    live["rows"].append(row)
    live["open"][person["key"]] = row
    return {"participant": person["key"], "user_id": row["user_id"]}


def leave(state: SandboxState, wid: int, body: dict) -> dict:
    live = state.live.get(wid)
    if live is None:
        raise ZoomFault(409, 3000, f"Webinar {wid} has not started.")
    key = body.get("participant") or _person(state, wid, body)["key"]
    row = live["open"].pop(key, None)
    if row is None:
        raise ZoomFault(409, 3000, f"{key} is not in webinar {wid}.")
    row["leave_time"] = max(row["join_time"], _when(live["start_time"], body))
    return {"participant": key, "seconds": (row["leave_time"] - row["join_time"]).total_seconds()}


def end(state: SandboxState, wid: int, body: dict) -> list:
    """Close every open session, keep the instance as past (its UUID), give the
    webinar a new UUID for a next run; absentees are registrants who never joined."""
    w = state.webinar(wid)
    live = state.live.pop(wid, None)
    if live is None:
        raise ZoomFault(409, 3000, f"Webinar {wid} has not started.")
    ended = _when(live["start_time"], body)
    for row in live["open"].values():
        row["leave_time"] = max(row["join_time"], ended)
    attended_ids = {r["registrant_id"] for r in live["rows"] if r["registrant_id"]}
    attended_emails = {r["user_email"].lower() for r in live["rows"] if r["user_email"]}
    absentees = [r["id"] for r in state.registrants.get(wid, {}).values()
                 if r["status"] == "approved" and r["id"] not in attended_ids
                 and r["email"].lower() not in attended_emails]
    _keep_instance(state, wid, live["uuid"], live["start_time"], ended, live["rows"], absentees)
    obj = _webinar_object(w, id_as_string=True) | {"uuid": live["uuid"],
                                                   "start_time": iso(live["start_time"]),
                                                   "end_time": iso(ended)}
    w["uuid"] = new_uuid()
    w["status"] = "ended"
    return [envelope(state, "webinar.ended", obj)]


def _keep_instance(state, wid, uuid, began, ended, rows, absentees) -> dict:
    instance = {"webinar_id": wid, "uuid": uuid, "start_time": began, "end_time": ended,
                "rows": rows, "absentees": absentees}
    state.instances.setdefault(wid, []).append(instance)
    state.by_uuid[uuid] = instance
    return instance


def reschedule(state: SandboxState, wid: int, body: dict) -> list:
    w = state.webinar(wid)
    old = iso(w["start_time"])
    w["start_time"] = parse_iso(body["start_time"])
    if w["status"] == "ended":
        w["status"] = "waiting"
    return [envelope(state, "webinar.updated",
                     {"id": w["id"], "uuid": w["uuid"], "start_time": iso(w["start_time"])},
                     {"id": w["id"], "uuid": w["uuid"], "start_time": old})]


def delete(state: SandboxState, wid: int) -> list:
    w = state.webinar(wid)
    del state.webinars[wid]
    state.live.pop(wid, None)
    return [envelope(state, "webinar.deleted", _webinar_object(w, id_as_string=False))]


def bulk(state: SandboxState, wid: int, body: dict, base_url: str) -> tuple[dict, list]:
    """An ended instance with N registered attendees (every ``rejoin_every``-th joins
    twice more) plus ``walk_ins`` (who rejoin once with ``walk_ins_rejoin``) and M
    registered absentees, built in one go. Rows come person by person, or with
    ``by_join_time`` in the order people joined: one person's rejoins pages apart.
    Registrants are created directly: no registration webhooks for bulk data."""
    w = state.webinar(wid)
    n, m = int(body.get("attendees", 0)), int(body.get("absentees", 0))
    walk_ins, rejoin_every = int(body.get("walk_ins", 0)), int(body.get("rejoin_every", 5))
    began = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=2)
    people = state.registrants.setdefault(wid, {})
    tag = new_id()[:6].lower()
    rows, absentees = [], []
    ids = state._participant_ids
    for i in range(n + m):
        email = f"bulk-{tag}-{i:06d}@attendees.test"
        rid = f"sbxBulk{tag}{i:08d}"
        people[email] = {"id": rid, "email": email, "first_name": f"Bulk{i}", "last_name": "Person",
                         "org": "Bulk Co", "phone": "", "custom_questions": [], "status": "approved",
                         "create_time": iso(began),
                         "join_url": f"{base_url.rstrip('/')}/w/{wid}?tk={rid}"}
        if i >= n:
            absentees.append(rid)
            continue
        spans = [(0, 30), (35, 45), (50, 60)] if rejoin_every and i % rejoin_every == 0 else [(0, 45)]
        for a, b in spans:
            rows.append({"id": "", "user_id": str(next(ids)), "name": f"Bulk{i} Person",
                         "user_email": email, "registrant_id": rid,
                         "join_time": began + timedelta(minutes=a),
                         "leave_time": began + timedelta(minutes=b), "status": "in_meeting",
                         "failover": False, "customer_key": ""})
    for j in range(walk_ins):
        for a, b in [(0, 20), (40, 50)] if body.get("walk_ins_rejoin") else [(0, 20)]:
            rows.append({"id": "", "user_id": str(next(ids)), "name": f"Walk In {tag} {j}",
                         "user_email": "", "registrant_id": "", "join_time": began + timedelta(minutes=a),
                         "leave_time": began + timedelta(minutes=b), "status": "in_meeting",
                         "failover": False, "customer_key": ""})
    if body.get("by_join_time"):
        rows.sort(key=lambda row: row["join_time"])
    uuid = body.get("uuid") or w["uuid"]
    _keep_instance(state, wid, uuid, began, began + timedelta(minutes=60), rows, absentees)
    w["uuid"], w["status"] = new_uuid(), "ended"
    obj = _webinar_object(w, id_as_string=True) | {"uuid": uuid}
    return ({"uuid": uuid, "participant_rows": len(rows), "absentees": len(absentees)},
            [envelope(state, "webinar.ended", obj)])


def load_seed(state: SandboxState) -> None:
    for data in seed.webinars():
        create_webinar(state, data, base_url="https://sandbox-zoom.test")
    past = state.webinars[seed.W_PAST]
    for rid, email, first, last, org in seed.PAST_REGISTRANTS:
        state.registrants[seed.W_PAST][email] = {
            "id": rid, "email": email, "first_name": first, "last_name": last, "org": org,
            "phone": "", "custom_questions": [], "status": "approved",
            "create_time": iso(past["start_time"] - timedelta(days=3)),
            "join_url": f"https://sandbox-zoom.test/w/{seed.W_PAST}?tk={rid}"}
    run = seed.past_run()
    past["uuid"] = run["uuid"]
    start(state, seed.W_PAST, {"at": iso(past["start_time"])})
    for rid, name, a, b in run["joins"]:
        who = {"registrant_id": rid} if rid else {"name": name}
        join(state, seed.W_PAST, dict(who, offset_minutes=a))
        leave(state, seed.W_PAST, dict(who, offset_minutes=b))
    end(state, seed.W_PAST, {"offset_minutes": run["end"]})
