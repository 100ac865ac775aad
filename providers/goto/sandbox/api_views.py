"""GoTo's REST endpoints that Lectern uses: GoTo Webinar v2 (``/G2W/rest/v2``) and
the Admin API (``/admin/rest/v1``), with GoTo's field names, key types, paging and
error bodies.

Key types follow GoTo's v2 reference: ``webinarKey`` is a string; ``registrantKey``,
``sessionKey`` and ``organizerKey`` are int64 JSON numbers (above 2**53).
"""
from __future__ import annotations

import functools
from datetime import datetime, timezone

from flask import Blueprint, g, jsonify, request

from providers.goto.sandbox import events
from providers.goto.sandbox.state import (
    PAGE_SIZE_DEFAULT,
    PAGE_SIZE_MAX,
    AuthFault,
    GoToFault,
    parse_key,
)
from providers.sandbox.runtime import current
from providers.sandbox.state import iso, parse_iso

bp = Blueprint("goto_sandbox_api", __name__)
G2W = "/G2W/rest/v2"
ADMIN = "/admin/rest/v1"
#: admin roles that let an organizer act on the account's other organizers
ACCOUNT_WIDE = {"SUPER_USER", "MANAGE_USERS"}
INVALID_TOKEN = {"int_err_code": "InvalidToken", "msg": "Invalid token passed"}


def authorized(view):
    """Bearer token required: GoTo's gateway refuses a missing, unknown or expired one
    with a 403 ``InvalidToken``. Then the token's per-second rate limit (429 with
    Retry-After). ``g.me`` is the organizer the token acts as."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        state = current().state
        with state.lock:
            try:
                g.me = state.token_organizer(token)
            except AuthFault:
                return jsonify(INVALID_TOKEN), 403
            if state.over_rate(token):
                raise GoToFault(429, "TooManyRequests",
                                "Too many requests: the per-second rate limit is exceeded.",
                                headers={"Retry-After": "1",
                                         "X-RateLimit-Limit": str(state.rate_limit),
                                         "X-RateLimit-Remaining": "0"})
            return view(*args, **kwargs)
    return wrapper


def _account_wide(organizer: dict) -> bool:
    return bool(ACCOUNT_WIDE & set(organizer["adminRoles"]))


def _organizer(organizer_key: str) -> dict:
    """The organizer of the path; another organizer's data needs an admin role."""
    found = current().state.organizer(organizer_key) if parse_key(organizer_key) else None
    if found is None:
        raise GoToFault(404, "NotFound", "Organizer with the specified key does not exist.")
    if found["key"] != g.me["key"] and not _account_wide(g.me):
        raise GoToFault(403, "AccessDenied",
                        "The authenticated organizer may not access this organizer's webinars.")
    return found


def _webinar(organizer_key: str, webinar_key: str) -> dict:
    organizer = _organizer(organizer_key)
    return current().state.webinar(webinar_key, organizer["key"])


def _webinar_json(w: dict) -> dict:
    state = current().state
    organizer = state.organizers.get(w["organizerKey"], {})
    return {"webinarKey": str(w["webinarKey"]), "webinarID": w["webinarID"],
            "subject": w["subject"], "description": w["description"],
            "organizerKey": w["organizerKey"], "organizerEmail": organizer.get("email", ""),
            "organizerName": f"{organizer.get('firstName', '')} {organizer.get('lastName', '')}".strip(),
            "times": [{"startTime": iso(a), "endTime": iso(b)} for a, b in w["times"]],
            "timeZone": w["timeZone"], "locale": "en_US", "approvalType": w["approvalType"],
            "registrationUrl": f"{request.host_url.rstrip('/')}/register/{w['webinarKey']}",
            "impromptu": False, "isPasswordProtected": False,
            "recurrenceType": w["recurrenceType"], "experienceType": "CLASSIC",
            "inSession": w["webinarKey"] in state.live, "accountKey": str(state.account_key)}


def _registrant_json(r: dict) -> dict:
    return {"registrantKey": r["registrantKey"], "firstName": r["firstName"],
            "lastName": r["lastName"], "email": r["email"], "status": r["status"],
            "registrationDate": iso(r["registrationDate"]), "joinUrl": r["joinUrl"],
            "timeZone": r["timeZone"]}


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise GoToFault(400, "InvalidRequest", f"Invalid value for {name}: {raw}.") from None
    if not low <= value <= high:
        raise GoToFault(400, "InvalidRequest", f"{name} must be between {low} and {high}.")
    return value


# --- webinars -----------------------------------------------------------------------

@bp.get(G2W + "/organizers/<organizer_key>/webinars")
@authorized
def list_webinars(organizer_key):
    organizer = _organizer(organizer_key)
    try:
        low, high = parse_iso(request.args["fromTime"]), parse_iso(request.args["toTime"])
    except KeyError:
        raise GoToFault(400, "InvalidRequest", "fromTime and toTime are required.") from None
    except ValueError:
        raise GoToFault(400, "InvalidRequest", "fromTime and toTime must be ISO 8601 times.") from None
    page = _int_arg("page", 0, 0, 10**6)
    size = _int_arg("size", PAGE_SIZE_DEFAULT, 1, PAGE_SIZE_MAX)
    state = current().state
    rows = sorted((w for w in state.webinars.values()
                   if w["organizerKey"] == organizer["key"]
                   and any(a <= high and b >= low for a, b in w["times"])),
                  key=lambda w: (w["times"][0][0], w["webinarKey"]))
    chunk = rows[page * size:(page + 1) * size]
    body = {"page": {"size": size, "totalElements": len(rows),
                     "totalPages": (len(rows) + size - 1) // size, "number": page}}
    if chunk:       # HAL: an empty page carries no _embedded at all
        body["_embedded"] = {"webinars": [_webinar_json(w) for w in chunk]}
    return jsonify(body)


@bp.get(G2W + "/organizers/<organizer_key>/webinars/<webinar_key>")
@authorized
def get_webinar(organizer_key, webinar_key):
    return jsonify(_webinar_json(_webinar(organizer_key, webinar_key)))


# --- registrants -------------------------------------------------------------------

@bp.get(G2W + "/organizers/<organizer_key>/webinars/<webinar_key>/registrants")
@authorized
def list_registrants(organizer_key, webinar_key):
    w = _webinar(organizer_key, webinar_key)
    people = current().state.registrants.get(w["webinarKey"], {}).values()
    return jsonify([_registrant_json(r) for r in people])


@bp.get(G2W + "/organizers/<organizer_key>/webinars/<webinar_key>/registrants/<registrant_key>")
@authorized
def get_registrant(organizer_key, webinar_key, registrant_key):
    w = _webinar(organizer_key, webinar_key)
    found = current().state.registrant(w["webinarKey"], registrant_key)
    if found is None:
        raise GoToFault(404, "NotFound", "Registrant with the specified key does not exist.")
    return jsonify(_registrant_json(found))


@bp.post(G2W + "/organizers/<organizer_key>/webinars/<webinar_key>/registrants")
@authorized
def add_registrant(organizer_key, webinar_key):
    sb = current()
    w = _webinar(organizer_key, webinar_key)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise GoToFault(400, "InvalidRequest", "The request body must be a JSON object.")
    registrant, bodies = events.add_registrant(sb.state, w["webinarKey"], body, _join_base())
    sb.emit(bodies)
    return jsonify({"registrantKey": registrant["registrantKey"],
                    "joinUrl": registrant["joinUrl"], "status": registrant["status"]}), 201


def _join_base() -> str:
    return request.host_url.rstrip("/")


# --- sessions and attendees ----------------------------------------------------------

def _session_json(w: dict, s: dict) -> dict:
    return {"sessionKey": s["sessionKey"], "webinarKey": w["webinarKey"],
            "webinarID": w["webinarID"], "subject": w["subject"],
            "startTime": iso(s["start"]), "endTime": iso(s["end"]),
            "registrantsAttended": len(s["people"])}


def _attendee_json(w: dict, s: dict, registrant_key: int, spans: list) -> dict:
    person = current().state.registrant(w["webinarKey"], registrant_key) or {}
    seconds = sum(int((b - a).total_seconds()) for a, b in spans if b)
    return {"registrantKey": registrant_key, "sessionKey": s["sessionKey"],
            "email": person.get("email", ""), "firstName": person.get("firstName", ""),
            "lastName": person.get("lastName", ""), "attendanceTimeInSeconds": seconds,
            "attendance": [{"joinTime": iso(a), "leaveTime": iso(b)} for a, b in spans]}


def _session(w: dict, session_key: str) -> dict:
    key = parse_key(session_key)
    found = next((s for s in current().state.sessions.get(w["webinarKey"], [])
                  if s["sessionKey"] == key), None)
    if found is None:
        raise GoToFault(404, "NotFound", "Session with the specified key does not exist.")
    return found


@bp.get(G2W + "/organizers/<organizer_key>/webinars/<webinar_key>/sessions")
@authorized
def list_sessions(organizer_key, webinar_key):
    """Past (ended) sessions only; a webinar that never ran has none."""
    w = _webinar(organizer_key, webinar_key)
    return jsonify([_session_json(w, s) for s in current().state.sessions.get(w["webinarKey"], [])])


@bp.get(G2W + "/organizers/<organizer_key>/webinars/<webinar_key>/sessions/<session_key>")
@authorized
def get_session(organizer_key, webinar_key, session_key):
    w = _webinar(organizer_key, webinar_key)
    return jsonify(_session_json(w, _session(w, session_key)))


@bp.get(G2W + "/organizers/<organizer_key>/webinars/<webinar_key>/sessions/<session_key>/attendees")
@authorized
def session_attendees(organizer_key, webinar_key, session_key):
    w = _webinar(organizer_key, webinar_key)
    s = _session(w, session_key)
    return jsonify([_attendee_json(w, s, rk, spans) for rk, spans in s["people"].items()])


@bp.get(G2W + "/organizers/<organizer_key>/webinars/<webinar_key>/attendees")
@authorized
def all_attendees(organizer_key, webinar_key):
    w = _webinar(organizer_key, webinar_key)
    return jsonify([_attendee_json(w, s, rk, spans)
                    for s in current().state.sessions.get(w["webinarKey"], [])
                    for rk, spans in s["people"].items()])


# --- Admin API: who am I, the account's organizers ----------------------------------------

def _user_json(o: dict) -> dict:
    state = current().state
    return {"key": o["key"], "accountKey": state.account_key, "email": o["email"],
            "firstName": o["firstName"], "lastName": o["lastName"], "locale": "en_US",
            "timeZone": "Europe/Paris", "adminRoles": list(o["adminRoles"]),
            "products": ["G2W"], "status": "ACTIVE",
            "createTime": iso(datetime(2024, 1, 2, 9, tzinfo=timezone.utc))}


@bp.get(ADMIN + "/me")
@authorized
def admin_me():
    return jsonify(_user_json(g.me))


@bp.get(ADMIN + "/accounts/<account_key>/users")
@authorized
def admin_users(account_key):
    state = current().state
    if parse_key(account_key) != state.account_key:
        raise GoToFault(404, "NotFound", "Account with the specified key does not exist.")
    if not _account_wide(g.me):
        raise GoToFault(403, "AccessDenied", "Listing users needs the MANAGE_USERS admin role.")
    offset = _int_arg("pageOffset", 0, 0, 10**6)
    size = _int_arg("pageSize", 20, 1, 100)
    rows = list(state.organizers.values())
    return jsonify({"results": [_user_json(o) for o in rows[offset:offset + size]],
                    "total": len(rows), "pageOffset": offset, "pageSize": size})
