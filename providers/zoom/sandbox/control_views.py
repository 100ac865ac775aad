"""The Zoom sandbox's own controls under /_sandbox/ (``providers.sandbox.controls``
has the common ones): run webinars, users, rate limits, deauthorization.

Add ``?sync=1`` to any call to have its webhooks delivered before it answers.
"""
from __future__ import annotations

import time

from flask import jsonify, request

from providers.sandbox import controls
from providers.sandbox.controls import body as _body
from providers.sandbox.controls import run as _run
from providers.sandbox.runtime import current
from providers.zoom.sandbox import events
from providers.zoom.sandbox.state import ZoomFault, new_id


def _daily(fault: dict, body: dict) -> None:
    """``"daily": true`` (with status 429, the default then): the 429 carries
    X-RateLimit-Type: Daily-limit."""
    fault["daily"] = bool(body.get("daily"))
    if fault["daily"] and not fault["status"]:
        fault["status"] = 429


bp = controls.blueprint("zoom_sandbox_control", fault_pattern="/v2/*", shape_fault=_daily)


@bp.post("/config")
def config():
    """``{"token_ttl": seconds}`` for tokens issued from now on."""
    state = current().state
    with state.lock:
        if "token_ttl" in _body():
            state.token_ttl = int(_body()["token_ttl"])
        return jsonify({"token_ttl": state.token_ttl})


@bp.post("/page-tokens/expire")
def expire_page_tokens():
    """Every next_page_token handed out so far stops working (code 300)."""
    state = current().state
    with state.lock:
        count = len(state.page_tokens)
        state.page_tokens.clear()
    return jsonify({"expired": count})


@bp.post("/deauthorize")
def deauthorize():
    """The account removes the app: every OAuth grant dies, app_deauthorized is sent."""
    sb = current()
    body = _body()
    with sb.state.lock:
        state = sb.state
        user_id = body.get("user_id") or state.owner()["id"]
        grants = {r["grant"] for r in state.refresh_tokens.values()}
        for grant in grants:
            state.revoke_grant(grant)
        envelope = {"event": "app_deauthorized", "event_ts": int(time.time() * 1000),
                    "payload": {"account_id": state.account_id, "user_id": user_id,
                                "signature": "sandbox", "client_id": sb.credentials["ZOOM_CLIENT_ID"],
                                "deauthorization_time": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                      time.gmtime())}}
    sb.emit([envelope])
    return jsonify({"revoked_grants": len(grants)})


@bp.post("/users")
def add_user():
    """``{"email", "first_name", "last_name", "role_name": "Member"|"Admin",
    "permissions": [...], "webinar": true}``: a new user of the account."""
    body = _body()
    state = current().state
    with state.lock:
        email = str(body.get("email") or "").strip()
        if "@" not in email or state.user(email):
            raise ZoomFault(409, 1005, f"User {email} already exists or is not an email.")
        role = body.get("role_name", "Member")
        user = {"id": body.get("id") or new_id("sbxu"), "email": email,
                "first_name": body.get("first_name", ""), "last_name": body.get("last_name", ""),
                "role_name": role, "role_id": {"Owner": "0", "Admin": "1"}.get(role, "2"),
                "type": int(body.get("type", 2)), "permissions": list(body.get("permissions") or []),
                "webinar": bool(body.get("webinar", True)), "account_id": state.account_id}
        state.users[user["id"]] = user
        return jsonify(user)


@bp.post("/users/<ident>/features")
def user_features(ident):
    """``{"webinar": false}``: the user's Webinars add-on is removed (or given back)."""
    state = current().state
    with state.lock:
        user = state.user(ident)
        if user is None:
            raise ZoomFault(404, 1001, f"User does not exist: {ident}.")
        if "webinar" in _body():
            user["webinar"] = bool(_body()["webinar"])
        return jsonify({"id": user["id"], "webinar": user.get("webinar", True)})


@bp.post("/users/<ident>/role")
def user_role(ident):
    """``{"role_name": "Member"|"Admin"|..., "permissions": [...]}``: the user's role is
    changed, as an admin would in Zoom's User Management > Roles."""
    body = _body()
    state = current().state
    with state.lock:
        user = state.user(ident)
        if user is None:
            raise ZoomFault(404, 1001, f"User does not exist: {ident}.")
        role = str(body.get("role_name") or "Member")
        user["role_name"] = role
        user["role_id"] = {"Owner": "0", "Admin": "1", "Member": "2"}.get(role, "sbxRole" + role)
        if "permissions" in body:
            user["permissions"] = list(body["permissions"] or [])
        return jsonify({"id": user["id"], "role_name": role, "role_id": user["role_id"]})


@bp.post("/webinars")
def create_webinar():
    return _run(lambda s: (_webinar_summary(events.create_webinar(s, _body(), request.host_url)), []))


@bp.post("/webinars/<int:wid>/registrants")
def register(wid):
    return _run(lambda s: events.add_registrant(s, wid, _body(), request.host_url))


@bp.post("/webinars/<int:wid>/start")
def start(wid):
    """``{"uuid": optional instance UUID, "at": optional ISO start}``."""
    def op(s):
        envelopes = events.start(s, wid, _body())
        return {"uuid": s.live[wid]["uuid"]}, envelopes
    return _run(op)


@bp.post("/webinars/<int:wid>/join")
def join(wid):
    return _run(lambda s: (events.join(s, wid, _body()), []))


@bp.post("/webinars/<int:wid>/leave")
def leave(wid):
    return _run(lambda s: (events.leave(s, wid, _body()), []))


@bp.post("/webinars/<int:wid>/end")
def end(wid):
    def op(s):
        envelopes = events.end(s, wid, _body())
        last = s.instances[wid][-1]
        return {"uuid": last["uuid"], "participant_rows": len(last["rows"]),
                "absentees": len(last["absentees"])}, envelopes
    return _run(op)


@bp.post("/webinars/<int:wid>/reschedule")
def reschedule(wid):
    return _run(lambda s: ({"start_time": _body()["start_time"]}, events.reschedule(s, wid, _body())))


@bp.post("/webinars/<int:wid>/settings")
def webinar_settings(wid):
    """``{"approval_type": 0|1|2}``: the host edits the webinar's registration (2: not
    required); sends ``webinar.updated`` as Zoom does."""
    def op(s):
        w = s.webinar(wid)
        old = dict(w["settings"])
        w["settings"]["approval_type"] = int(_body().get("approval_type", old["approval_type"]))
        return dict(w["settings"]), [events.envelope(
            s, "webinar.updated", {"id": w["id"], "uuid": w["uuid"], "settings": dict(w["settings"])},
            {"id": w["id"], "uuid": w["uuid"], "settings": old})]
    return _run(op)


@bp.delete("/webinars/<int:wid>")
@bp.post("/webinars/<int:wid>/delete")
def delete(wid):
    return _run(lambda s: ({"deleted": wid}, events.delete(s, wid)))


@bp.post("/webinars/<int:wid>/bulk")
def bulk(wid):
    """``{"attendees": N, "absentees": M, "walk_ins": 0, "rejoin_every": 5, "walk_ins_rejoin":
    false, "by_join_time": false}``."""
    return _run(lambda s: events.bulk(s, wid, _body(), request.host_url))


def _webinar_summary(w: dict) -> dict:
    return {"id": w["id"], "uuid": w["uuid"], "topic": w["topic"], "type": w["type"],
            "host_id": w["host_id"], "approval_type": w["settings"]["approval_type"]}


@bp.errorhandler(ZoomFault)
def control_error(exc: ZoomFault):
    return jsonify({"code": exc.code, "message": exc.message}), exc.status


@bp.get("/rate-limits")
def rate_limits():
    """The per-second limits and how many calls they refused (``rejected`` by class);
    ``answered_429`` counts every 429 on /v2, faults and daily limits included."""
    return jsonify(current().state.limiter.summary())


@bp.post("/rate-limits")
def configure_rate_limits():
    """``{"enabled": bool, "plan": "pro"|"business", "limits": {"Light": 30, ...},
    "freeze_at": unix seconds|null, "reset_counts": true}``; ``/reset`` restores the
    start-up setting (ZOOM_SANDBOX_RATE_LIMITS)."""
    try:
        return jsonify(current().state.limiter.configure(_body()))
    except (TypeError, ValueError) as exc:
        raise ZoomFault(400, 300, str(exc)) from None
