"""Zoom's /v2 endpoints that Lectern uses, with Zoom's paths, fields, paging and errors."""
from __future__ import annotations

import functools
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import unquote

from flask import Blueprint, g, jsonify, request

from providers.sandbox.runtime import current
from providers.sandbox.state import iso
from providers.zoom.sandbox import events
from providers.zoom.sandbox.state import ZoomFault

bp = Blueprint("zoom_sandbox_api", __name__, url_prefix="/v2")

def authorized(view):
    """Bearer token required; ``g.me`` is the user it acts as."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        state = current().state
        with state.lock:
            if not header.lower().startswith("bearer "):
                state.counters["unauthorized"] += 1
                raise ZoomFault(401, 124, "Invalid access token.")
            g.me = state.token_user(header[7:].strip())
            return view(*args, **kwargs)
    return wrapper


def _is_admin(user: dict) -> bool:
    return user["role_id"] in ("0", "1")


def _may(user: dict, permission: str) -> bool:
    return _is_admin(user) or permission in user["permissions"]


def _user(ident: str) -> dict:
    state = current().state
    if ident == "me":
        return g.me
    found = state.user(ident)
    if found is None:
        raise ZoomFault(404, 1001, f"User does not exist: {ident}.")
    if found["id"] != g.me["id"] and not (_may(g.me, "User:Read") or _may(g.me, "User:Edit")):
        raise ZoomFault(400, 200, "No permission.")
    return found


def _user_json(u: dict) -> dict:
    return {"id": u["id"], "first_name": u["first_name"], "last_name": u["last_name"],
            "email": u["email"],
            "type": u["type"], "role_name": u["role_name"], "role_id": u["role_id"],
            "pmi": 5550000000 + sum(map(ord, u["id"])), "use_pmi": False,
            "timezone": "Europe/Paris", "verified": 1, "dept": "", "language": "en-US",
            "status": "active", "account_id": u["account_id"], "account_number": 10009239,
            "created_at": "2024-01-02T09:00:00Z", "last_login_time": iso(datetime.now(timezone.utc))}


#: a user in GET /users carries fewer fields than GET /users/{id} (no role_name, account_id)
LIST_USER_FIELDS = ("id", "first_name", "last_name", "email", "type", "pmi", "timezone", "verified",
                    "dept", "created_at", "last_login_time", "status", "role_id")


def _list_item(w: dict) -> dict:
    return {"id": w["id"], "uuid": w["uuid"], "host_id": w["host_id"], "topic": w["topic"],
            "agenda": w["agenda"][:250], "type": w["type"], "start_time": iso(w["start_time"]),
            "duration": w["duration"], "timezone": w["timezone"],
            "created_at": iso(w["created_at"]), "join_url": w["join_url"], "is_simulive": False}


def _details(w: dict) -> dict:
    body = _list_item(w) | {"host_email": w["host_email"], "agenda": w["agenda"],
                            "password": ""}
    body["settings"] = dict(w["settings"], host_video=True, panelists_video=True, hd_video=False,
                            auto_recording="none", registrants_restrict_number=0,
                            registrants_confirmation_email=True)
    for key in ("occurrences", "recurrence"):
        if key in w:
            body[key] = w[key]
    return body


def _is_upcoming(w: dict, now: datetime) -> bool:
    if w["id"] in current().state.live or w["type"] == 6:
        return True
    if w["type"] == 9:
        return any(o["start_time"] >= iso(now) for o in w.get("occurrences", []))
    return w["status"] != "ended" and w["start_time"] + timedelta(minutes=w["duration"]) >= now


def _path_ident(raw: str) -> str:
    """A webinar id or UUID from the path. Zoom's edge treats a single-encoded UUID's
    ``/`` as a path separator (repeated ones collapse), which is why UUIDs starting
    with ``/`` or holding ``//`` must be encoded twice; the sandbox does the same.
    What remains percent-encoded (the double-encoded case) is decoded once more."""
    if "//" in raw:
        raw = re.sub("/+", "/", raw)
    return unquote(raw) if "%" in raw else raw


# --- users -------------------------------------------------------------------------------

@bp.get("/users")
@authorized
def list_users():
    if not (_may(g.me, "User:Read") or _may(g.me, "User:Edit")):
        raise ZoomFault(400, 200, "No permission.")
    state = current().state
    rows = [{k: v for k, v in _user_json(u).items() if k in LIST_USER_FIELDS}
            for u in state.users.values()]
    return jsonify(state.page("users", rows, request.args, "users"))


@bp.get("/users/<ident>")
@authorized
def get_user(ident):
    return jsonify(_user_json(_user(ident)))


@bp.get("/users/<ident>/settings")
@authorized
def user_settings(ident):
    """Only the ``feature`` section of Zoom's user settings (whether webinars are on)."""
    user = _user(ident)
    feature = {"meeting_capacity": 100, "large_meeting": False, "webinar": _has_webinars(user),
               "zoom_events": False, "zoom_phone": False, "cn_meeting": False,
               "in_meeting": False, "concurrent_meeting": "None"}
    if feature["webinar"]:
        feature["webinar_capacity"] = 500
    return jsonify({"feature": feature})


def _has_webinars(user: dict) -> bool:
    return user.get("webinar", True)


@bp.get("/users/<ident>/permissions")
@authorized
def user_permissions(ident):
    return jsonify({"permissions": list(_user(ident)["permissions"])})


@bp.get("/users/<ident>/webinars")
@authorized
def user_webinars(ident):
    host = _user(ident)
    if not _has_webinars(host):
        raise ZoomFault(400, 200, "Webinar plan is missing. You must subscribe to the webinar plan "
                                  "and enable webinar for this user in order to perform this action.")
    state = current().state
    kind = request.args.get("type", "scheduled")
    now = datetime.now(timezone.utc)
    mine = sorted((w for w in state.webinars.values() if w["host_id"] == host["id"]),
                  key=lambda w: (w["start_time"], w["id"]))
    if kind == "upcoming":
        mine = [w for w in mine if _is_upcoming(w, now)]
    else:   # scheduled: every unexpired webinar (the sandbox expires them after 30 days)
        mine = [w for w in mine if w["type"] != 5 or w["start_time"] >= now - timedelta(days=30)]
    rows = [_list_item(w) for w in mine]
    return jsonify(state.page(f"webinars:{host['id']}:{kind}", rows, request.args, "webinars"))


# --- webinars and registrants -----------------------------------------------------------

@bp.get("/webinars/<ident>")
@authorized
def get_webinar(ident):
    return jsonify(_details(current().state.webinar(ident)))


@bp.get("/webinars/<ident>/registrants/questions")
@authorized
def registrant_questions(ident):
    w = current().state.webinar(ident)
    return jsonify({"questions": w["questions"], "custom_questions": w["custom_questions"]})


@bp.get("/webinars/<ident>/registrants")
@authorized
def list_registrants(ident):
    state = current().state
    w = state.webinar(ident)
    status = request.args.get("status", "approved")
    rows = [r for r in state.registrants.get(w["id"], {}).values() if r["status"] == status]
    return jsonify(state.page(f"registrants:{w['id']}:{status}", rows, request.args,
                              "registrants"))


@bp.post("/webinars/<ident>/registrants")
@authorized
def add_registrant(ident):
    sb = current()
    w = sb.state.webinar(ident)
    body = request.get_json(silent=True) or {}
    registrant, envelopes = events.add_registrant(sb.state, w["id"], body, request.host_url)
    sb.emit(envelopes)
    return jsonify({"id": w["id"], "registrant_id": registrant["id"],
                    "join_url": registrant["join_url"], "topic": w["topic"],
                    "start_time": iso(w["start_time"])}), 201


# --- past webinars and reports ------------------------------------------------------------

@bp.get("/past_webinars/<ident>/instances")
@authorized
def past_instances(ident):
    state = current().state
    w = state.webinar(ident)
    return jsonify({"webinars": [{"uuid": i["uuid"], "start_time": iso(i["start_time"])}
                                 for i in state.instances.get(w["id"], [])]})


def _report_row(r: dict, with_registrant: bool) -> dict:
    row = {k: r[k] for k in ("id", "user_id", "name", "user_email", "status",
                             "failover", "customer_key")}
    row["join_time"], row["leave_time"] = iso(r["join_time"]), iso(r["leave_time"])
    # duration in seconds: what Zoom's report returns in practice
    row["duration"] = int((r["leave_time"] - r["join_time"]).total_seconds())
    if with_registrant:
        row["registrant_id"] = r["registrant_id"]
    return row


@bp.get("/report/webinars/<path:ident>/participants")
@authorized
def report_participants(ident):
    if not _may(g.me, "UsageReport:Read"):
        raise ZoomFault(400, 200, "No permission.")
    state = current().state
    ident = _path_ident(ident)
    try:
        instance = state.instance(ident)
    except ZoomFault:
        raise ZoomFault(404, 3001, f'Webinar "{ident}" not found or has expired.') from None
    with_registrant = request.args.get("include_fields") == "registrant_id"
    return jsonify(state.page(f"report:{instance['uuid']}", instance["rows"], request.args,
                              "participants", render=lambda r: _report_row(r, with_registrant)))


@bp.get("/past_webinars/<path:ident>/participants")
@authorized
def past_participants(ident):
    state = current().state
    instance = state.instance(_path_ident(ident))
    return jsonify(state.page(f"past:{instance['uuid']}", instance["rows"], request.args,
                              "participants", render=lambda r: {"id": r["id"], "name": r["name"],
                                                                "user_email": r["user_email"]}))


@bp.get("/past_webinars/<path:ident>/absentees")
@authorized
def absentees(ident):
    state = current().state
    instance = state.instance(_path_ident(ident))
    w = state.webinars.get(instance["webinar_id"])
    if w is not None and w["settings"]["approval_type"] == 2:
        raise ZoomFault(400, 3000, f"This Webinar has not registration required: {ident}")
    people = {r["id"]: r for r in state.registrants.get(instance["webinar_id"], {}).values()}
    rows = [people[rid] for rid in instance["absentees"] if rid in people]
    return jsonify(state.page(f"absentees:{instance['uuid']}", rows, request.args, "registrants"))
