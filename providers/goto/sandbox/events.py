"""What happens to webinars: create, register, start a session, join/leave, end,
reschedule, cancel. Each operation runs under ``state.lock`` and returns the webhook
bodies GoTo would send; the caller hands them to the sender.

GoTo has no "webinar ended" and no "session started" webhook: only
registrant.added, registrant.joined, webinar.created and webinar.changed. Keys in
webhook bodies are JSON numbers (often above 2**53).
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from providers.goto.sandbox import seed
from providers.goto.sandbox.state import GoToFault, SandboxState, parse_key
from providers.sandbox.state import iso, parse_iso

KINDS = ("single_session", "sequence", "series")


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def webhook(event: str, **fields) -> dict:
    return {"eventName": event, "eventVersion": "1.0.0", "product": "g2w",
            "eventKey": str(uuid.uuid4()),
            "timestamp": datetime.now(timezone.utc).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"), **fields}


def _webinar_event(state: SandboxState, event: str, w: dict) -> dict:
    return webhook(event, accountKey=state.account_key, organizerKey=w["organizerKey"],
                   webinarKey=w["webinarKey"], webinarTitle=w["subject"],
                   description=w["description"], experienceType="CLASSIC",
                   recurrenceType=w["recurrenceType"], webinarCreationDate=iso(w["created"]),
                   status=w["status"], timeZone=w["timeZone"],
                   times=[{"startTime": iso(a), "endTime": iso(b)} for a, b in w["times"]])


def _times(data: dict, default_start: datetime | None = None) -> list[tuple[datetime, datetime]]:
    """``times`` as GoTo writes them, or ``startTime``/``endTime``, or a start + 60 min."""
    if data.get("times"):
        return sorted((parse_iso(t["startTime"]), parse_iso(t["endTime"])) for t in data["times"])
    if data.get("startTime"):
        start = parse_iso(data["startTime"])
        end = parse_iso(data["endTime"]) if data.get("endTime") else start + timedelta(hours=1)
        return [(start, end)]
    start = default_start or _now() + timedelta(days=7)
    return [(start, start + timedelta(hours=1))]


def create_webinar(state: SandboxState, data: dict) -> tuple[dict, list]:
    organizer = state.organizer(data.get("organizerKey") or data.get("organizer_email")
                                or seed.ADMIN_KEY)
    if organizer is None:
        raise GoToFault(404, "NotFound", "Organizer with the specified key does not exist.")
    kind = data.get("recurrenceType") or data.get("type") or "single_session"
    if kind not in KINDS:
        raise GoToFault(400, "InvalidRequest", f"Invalid recurrenceType: {kind}.")
    key = parse_key(data.get("webinarKey") or "") or next(state.webinar_keys)
    times = _times(data)
    if kind == "single_session":
        times = times[:1]
    elif len(times) == 1:
        times = [(a + timedelta(weeks=n), b + timedelta(weeks=n)) for a, b in times for n in range(3)]
    webinar = {
        "webinarKey": key, "organizerKey": organizer["key"],
        "subject": data.get("subject") or f"Sandbox webinar {key}",
        "description": data.get("description", ""), "times": times,
        "timeZone": data.get("timeZone") or "UTC", "recurrenceType": kind,
        "approvalType": data.get("approvalType") or "AUTOMATIC",
        "status": "NEW", "created": _now(),
        "webinarID": f"{key % 1000:03d}-{key // 1000 % 1000:03d}-{key // 10**6 % 1000:03d}",
    }
    state.webinars[key] = webinar
    state.registrants.setdefault(key, {})
    return webinar, [_webinar_event(state, "webinar.created", webinar)]


def is_over(state: SandboxState, w: dict) -> bool:
    """It ran (a past session) and its last time has passed; a webinar whose time
    passed without running still takes registrations, as the Zoom sandbox does."""
    return (w["webinarKey"] not in state.live and bool(state.sessions.get(w["webinarKey"]))
            and w["times"][-1][1] < _now())


def add_registrant(state: SandboxState, wk, body: dict, base_url: str) -> tuple[dict, list]:
    """POST .../registrants as GoTo answers it: a known email is a 409 carrying the
    existing registrantKey and joinUrl; unknown fields are ignored."""
    w = state.webinar(wk)
    email = str(body.get("email") or "").strip()
    if "@" not in email or not str(body.get("firstName") or "").strip() \
            or not str(body.get("lastName") or "").strip():
        raise GoToFault(400, "InvalidRequest",
                        "firstName, lastName and a valid email are required.")
    if is_over(state, w):
        raise GoToFault(400, "WebinarPast", "The webinar is over: registration is closed.")
    existing = state.registrant(w["webinarKey"], email=email)
    if existing:
        raise GoToFault(409, "DuplicateRegistrant", "The user is already registered.",
                        extra={"registrantKey": existing["registrantKey"],
                               "joinUrl": existing["joinUrl"]})
    key = next(state.registrant_keys)
    registrant = {
        "registrantKey": key, "email": email, "firstName": str(body["firstName"]).strip(),
        "lastName": str(body["lastName"]).strip(),
        "organization": str(body.get("organization") or ""), "phone": str(body.get("phone") or ""),
        "status": "WAITING" if w["approvalType"] == "MANUAL" else "APPROVED",
        "registrationDate": _now(), "timeZone": w["timeZone"],
        "joinUrl": f"{base_url.rstrip('/')}/join/{w['webinarKey']}/{key}",
    }
    state.registrants[w["webinarKey"]][email.lower()] = registrant
    return registrant, [webhook(
        "registrant.added", accountKey=state.account_key, organizerKey=w["organizerKey"],
        webinarKey=w["webinarKey"], webinarTitle=w["subject"], registrantKey=key,
        firstName=registrant["firstName"], lastName=registrant["lastName"], email=email,
        status=registrant["status"], joinUrl=registrant["joinUrl"],
        registrationDate=iso(registrant["registrationDate"]))]


def _moment(start: datetime, body: dict) -> datetime:
    """``at`` (ISO), ``offset_minutes`` after the session's start, or now."""
    if body.get("at"):
        return parse_iso(body["at"])
    if body.get("offset_minutes") is not None:
        return start + timedelta(minutes=float(body["offset_minutes"]))
    return _now()


def start(state: SandboxState, wk, body: dict) -> dict:
    w = state.webinar(wk)
    if w["webinarKey"] in state.live:
        raise GoToFault(409, "Conflict", "A session of this webinar is already running.")
    key = parse_key(body.get("sessionKey") or "") or next(state.session_keys)
    began = parse_iso(body["at"]) if body.get("at") else _now()
    session = {"sessionKey": key, "start": began, "people": {}, "open": set()}
    state.live[w["webinarKey"]] = session
    return session


def _person(state: SandboxState, w: dict, body: dict) -> dict:
    found = state.registrant(w["webinarKey"], body.get("registrantKey"), str(body.get("email") or ""))
    if found is None:
        raise GoToFault(404, "NotFound", "Only registrants join GoTo webinars: no such registrant.")
    if found["status"] != "APPROVED":
        raise GoToFault(409, "Conflict", f"{found['email']} is not approved.")
    return found


def _in_session(state: SandboxState, wk, body: dict) -> tuple[dict, dict, dict]:
    """The webinar, its running session and the registrant the body names."""
    w = state.webinar(wk)
    live = state.live.get(w["webinarKey"])
    if live is None:
        raise GoToFault(409, "Conflict", "The webinar has no running session.")
    return w, live, _person(state, w, body)


def join(state: SandboxState, wk, body: dict) -> tuple[dict, list]:
    w, live, person = _in_session(state, wk, body)
    rk = person["registrantKey"]
    if rk in live["open"]:
        raise GoToFault(409, "Conflict", f"{person['email']} is already in the session.")
    when = _moment(live["start"], body)
    live["people"].setdefault(rk, []).append([when, None])
    live["open"].add(rk)
    event = webhook("registrant.joined", sessionKey=live["sessionKey"], webinarKey=w["webinarKey"],
                    firstName=person["firstName"], lastName=person["lastName"],
                    email=person["email"], webinarTitle=w["subject"], registrantKey=rk,
                    joinTime=int(when.timestamp() * 1000))
    return {"registrantKey": str(rk), "sessionKey": str(live["sessionKey"])}, [event]


def leave(state: SandboxState, wk, body: dict) -> dict:
    _, live, person = _in_session(state, wk, body)
    rk = person["registrantKey"]
    if rk not in live["open"]:
        raise GoToFault(409, "Conflict", f"{person['email']} is not in the session.")
    span = live["people"][rk][-1]
    span[1] = max(span[0], _moment(live["start"], body))
    live["open"].discard(rk)
    return {"registrantKey": str(rk), "seconds": int((span[1] - span[0]).total_seconds())}


def end(state: SandboxState, wk, body: dict) -> dict:
    """Close the running session: everyone still in leaves; the session becomes past
    and is listed by .../sessions. No webhook: GoTo sends none for an ended webinar."""
    w = state.webinar(wk)
    live = state.live.pop(w["webinarKey"], None)
    if live is None:
        raise GoToFault(409, "Conflict", "The webinar has no running session.")
    ended = max(live["start"], _moment(live["start"], body))
    for rk in live.pop("open"):
        span = live["people"][rk][-1]
        span[1] = max(span[0], ended)
    session = {"sessionKey": live["sessionKey"], "start": live["start"], "end": ended,
               "people": live["people"]}
    state.sessions.setdefault(w["webinarKey"], []).append(session)
    return session


def reschedule(state: SandboxState, wk, body: dict) -> tuple[dict, list]:
    w = state.webinar(wk)
    first = w["times"][0][0]
    times = _times(body, first)
    if w["recurrenceType"] == "single_session":
        times = times[:1]
    w["times"], w["status"] = times, "UPDATED"
    return w, [_webinar_event(state, "webinar.changed", w)]


def cancel(state: SandboxState, wk) -> list:
    w = state.webinar(wk)
    del state.webinars[w["webinarKey"]]
    state.live.pop(w["webinarKey"], None)
    w["status"] = "DELETED"
    return [_webinar_event(state, "webinar.changed", w)]


def bulk(state: SandboxState, wk, body: dict, base_url: str) -> dict:
    """A past session with N attendees (every ``rejoin_every``-th rejoins twice) and M
    registered absentees, built in one go without webhooks."""
    w = state.webinar(wk)
    n, m = int(body.get("attendees", 0)), int(body.get("absentees", 0))
    rejoin_every = int(body.get("rejoin_every", 5))
    began = _now() - timedelta(hours=2)
    people = state.registrants.setdefault(w["webinarKey"], {})
    tag = uuid.uuid4().hex[:6]
    spans: dict[int, list] = {}
    for i in range(n + m):
        key = next(state.registrant_keys)
        email = f"bulk-{tag}-{i:06d}@attendees.test"
        people[email] = {"registrantKey": key, "email": email, "firstName": f"Bulk{i}",
                         "lastName": "Person", "organization": "Bulk Co", "phone": "",
                         "status": "APPROVED", "registrationDate": began, "timeZone": w["timeZone"],
                         "joinUrl": f"{base_url.rstrip('/')}/join/{w['webinarKey']}/{key}"}
        if i < n:
            parts = [(0, 30), (35, 45), (50, 60)] if rejoin_every and i % rejoin_every == 0 else [(0, 45)]
            spans[key] = [[began + timedelta(minutes=a), began + timedelta(minutes=b)] for a, b in parts]
    session = {"sessionKey": next(state.session_keys), "start": began,
               "end": began + timedelta(minutes=60), "people": spans}
    state.sessions.setdefault(w["webinarKey"], []).append(session)
    return {"sessionKey": str(session["sessionKey"]), "attendees": n, "absentees": m}


def load_seed(state: SandboxState) -> None:
    for data in seed.webinars():
        times = [{"startTime": iso(a), "endTime": iso(b)} for a, b in data.pop("times")]
        create_webinar(state, dict(data, times=times))
    past = state.webinars[seed.W_PAST]
    began = past["times"][0][0]
    for key, email, first, last, org in seed.PAST_REGISTRANTS:
        state.registrants[seed.W_PAST][email] = {
            "registrantKey": key, "email": email, "firstName": first, "lastName": last,
            "organization": org, "phone": "", "status": "APPROVED",
            "registrationDate": began - timedelta(days=3), "timeZone": past["timeZone"],
            "joinUrl": f"https://global.gotowebinar.test/join/{seed.W_PAST}/{key}"}
    for run in seed.past_run():
        spans: dict[int, list] = {}
        for key, a, b in run["joins"]:
            spans.setdefault(key, []).append([began + timedelta(minutes=a),
                                              began + timedelta(minutes=b)])
        state.sessions.setdefault(seed.W_PAST, []).append(
            {"sessionKey": run["sessionKey"], "start": began + timedelta(minutes=run["start"]),
             "end": began + timedelta(minutes=run["end"]), "people": spans})
