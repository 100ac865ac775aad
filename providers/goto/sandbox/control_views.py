"""The GoTo sandbox's own controls under /_sandbox/ (``providers.sandbox.controls``
has the common ones): run webinars, organizers, the rate limit, deauthorization.

Add ``?sync=1`` to any call to have its webhooks delivered before it answers. Keys
are answered as strings here; the GoTo endpoints write them as GoTo does.
"""
from __future__ import annotations

from flask import jsonify, request

from providers.goto.sandbox import events
from providers.goto.sandbox.state import GoToFault
from providers.sandbox import controls
from providers.sandbox.controls import body as _body
from providers.sandbox.controls import run as _run
from providers.sandbox.runtime import current
from providers.sandbox.state import iso

bp = controls.blueprint("goto_sandbox_control", fault_pattern="/G2W/rest/v2/*")


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


@bp.post("/deauthorize")
def deauthorize():
    """The organizer removes the app: every grant dies (GoTo sends no webhook)."""
    state = current().state
    with state.lock:
        grants = {r["grant"] for r in state.refresh_tokens.values()}
        for grant in grants:
            state.revoke_grant(grant)
    return jsonify({"revoked_grants": len(grants)})


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
