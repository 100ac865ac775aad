"""Sandbox controls, a JSON API under /_sandbox/: run webinars, inject faults, reset.

Add ``?sync=1`` to any call to have its webhooks delivered before it answers. Keys
are answered as strings here; the GoTo endpoints write them as GoTo does.
"""
from __future__ import annotations

import time

from flask import Blueprint, jsonify, request

from providers.goto.sandbox import events
from providers.goto.sandbox.runtime import current
from providers.goto.sandbox.state import GoToFault, iso

bp = Blueprint("goto_sandbox_control", __name__, url_prefix="/_sandbox")


def _body() -> dict:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _run(operation):
    """Run ``operation(state)`` under the lock; it returns (answer, webhook bodies)."""
    sb = current()
    with sb.state.lock:
        answer, bodies = operation(sb.state)
    sb.emit(bodies)
    return jsonify(answer)


@bp.get("/state")
def state_summary():
    sb = current()
    with sb.state.lock:
        summary = sb.state.summary()
    summary["webhook_deliveries"] = sb.sender.entries()
    return jsonify(summary)


@bp.post("/reset")
def reset():
    sb = current()
    sb.sender.wait(5)
    sb.state.reset()
    sb.sender.log.clear()
    return jsonify({"reset": True})


@bp.post("/config")
def config():
    """``{"token_ttl": seconds, "rate_limit": requests per second per token (0: off)}``."""
    state = current().state
    body = _body()
    with state.lock:
        if "token_ttl" in body:
            state.token_ttl = int(body["token_ttl"])
        if "rate_limit" in body:
            state.rate_limit = int(body["rate_limit"])
            state.windows.clear()
        return jsonify({"token_ttl": state.token_ttl, "rate_limit": state.rate_limit})


@bp.post("/webhook-url")
def webhook_url():
    state = current().state
    with state.lock:
        state.webhook_url = str(_body().get("url") or "")
        return jsonify({"webhook_url": state.webhook_url})


@bp.post("/webhooks/wait")
def webhooks_wait():
    """Block until queued webhooks are delivered (``timeout`` seconds, default 10)."""
    done = current().sender.wait(float(_body().get("timeout", 10)))
    return jsonify({"delivered": done, "deliveries": current().sender.entries()})


@bp.post("/tokens/expire")
def expire_tokens():
    """Every issued access token expires now (refresh tokens keep working)."""
    state = current().state
    with state.lock:
        for record in state.access_tokens.values():
            record["expires_at"] = time.time() - 1
        return jsonify({"expired": len(state.access_tokens)})


@bp.post("/deauthorize")
def deauthorize():
    """The organizer removes the app: every grant dies (GoTo sends no webhook)."""
    state = current().state
    with state.lock:
        grants = {r["grant"] for r in state.refresh_tokens.values()}
        for grant in grants:
            state.revoke_grant(grant)
    return jsonify({"revoked_grants": len(grants)})


@bp.post("/faults")
def add_fault():
    """``{"pattern": "/G2W/rest/v2/*", "method": "GET", "status": 429|500|503,
    "count": 2, "retry_after": 1, "latency": 0.0, "after": false}``. ``count`` null
    means until cleared; ``after`` processes the request, then answers with the
    fault (an answer lost on the way back)."""
    body = _body()
    fault = {"pattern": body.get("pattern", "/G2W/rest/v2/*"),
             "method": str(body.get("method", "*")).upper(),
             "status": int(body.get("status", 0)), "count": body.get("count", 1),
             "retry_after": body.get("retry_after"), "latency": float(body.get("latency", 0)),
             "after": bool(body.get("after"))}
    state = current().state
    with state.lock:
        state.faults.append(fault)
        return jsonify({"faults": state.faults})


@bp.delete("/faults")
def clear_faults():
    state = current().state
    with state.lock:
        state.faults.clear()
    return jsonify({"faults": []})


@bp.get("/requests")
def requests_seen():
    """Every API/OAuth request the sandbox answered since the last reset: [method, path]."""
    state = current().state
    with state.lock:
        return jsonify({"requests": list(state.requests_seen)})


@bp.post("/organizers")
def add_organizer():
    """``{"email", "firstName", "lastName", "adminRoles": [...]}``: a new organizer."""
    body = _body()
    state = current().state
    with state.lock:
        email = str(body.get("email") or "").strip()
        if "@" not in email or state.organizer(email):
            raise GoToFault(409, "Conflict", f"{email} is already an organizer or not an email.")
        key = next(state.organizer_keys)
        state.organizers[key] = {"key": key, "email": email,
                                 "firstName": str(body.get("firstName") or ""),
                                 "lastName": str(body.get("lastName") or ""),
                                 "adminRoles": list(body.get("adminRoles") or [])}
        return jsonify({"organizerKey": str(key), "email": email})


def _webinar_summary(w: dict) -> dict:
    return {"webinarKey": str(w["webinarKey"]), "organizerKey": str(w["organizerKey"]),
            "subject": w["subject"], "recurrenceType": w["recurrenceType"],
            "status": w["status"],
            "times": [{"startTime": iso(a), "endTime": iso(b)} for a, b in w["times"]]}


@bp.post("/webinars")
def create_webinar():
    """GoTo's webinar fields (``subject``, ``times`` or ``startTime``/``endTime``,
    ``timeZone``, ``recurrenceType``, ``approvalType``) plus ``organizerKey`` or
    ``organizer_email``. Sends webinar.created."""
    def op(s):
        w, bodies = events.create_webinar(s, _body())
        return _webinar_summary(w), bodies
    return _run(op)


@bp.post("/webinars/<webinar_key>/registrants")
def register(webinar_key):
    def op(s):
        r, bodies = events.add_registrant(s, webinar_key, _body(), request.host_url)
        return {"registrantKey": str(r["registrantKey"]), "joinUrl": r["joinUrl"],
                "status": r["status"]}, bodies
    return _run(op)


@bp.post("/webinars/<webinar_key>/start")
def start(webinar_key):
    """``{"at": optional ISO start, "sessionKey": optional}``: a session begins."""
    return _run(lambda s: ({"sessionKey": str(events.start(s, webinar_key, _body())["sessionKey"])},
                           []))


@bp.post("/webinars/<webinar_key>/join")
def join(webinar_key):
    """``{"registrantKey" or "email", "offset_minutes" or "at"}``; sends registrant.joined."""
    return _run(lambda s: events.join(s, webinar_key, _body()))


@bp.post("/webinars/<webinar_key>/leave")
def leave(webinar_key):
    return _run(lambda s: (events.leave(s, webinar_key, _body()), []))


@bp.post("/webinars/<webinar_key>/end")
def end(webinar_key):
    def op(s):
        session = events.end(s, webinar_key, _body())
        return {"sessionKey": str(session["sessionKey"]), "startTime": iso(session["start"]),
                "endTime": iso(session["end"]), "attendees": len(session["people"])}, []
    return _run(op)


@bp.post("/webinars/<webinar_key>/reschedule")
def reschedule(webinar_key):
    """``{"times": [...]}`` or ``{"startTime", "endTime"}``; sends webinar.changed."""
    def op(s):
        w, bodies = events.reschedule(s, webinar_key, _body())
        return _webinar_summary(w), bodies
    return _run(op)


@bp.delete("/webinars/<webinar_key>")
def cancel(webinar_key):
    return _run(lambda s: ({"cancelled": webinar_key}, events.cancel(s, webinar_key)))


@bp.post("/webinars/<webinar_key>/bulk")
def bulk(webinar_key):
    """``{"attendees": N, "absentees": M, "rejoin_every": 5}``: one past session."""
    return _run(lambda s: (events.bulk(s, webinar_key, _body(), request.host_url), []))


@bp.errorhandler(GoToFault)
def control_error(exc: GoToFault):
    return jsonify(exc.body()), exc.status
