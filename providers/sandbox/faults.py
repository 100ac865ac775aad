"""Faults the control API queues (``POST /_sandbox/faults``), matched to API requests
by method and path pattern and used up one request each. A sandbox's request hooks
call ``arrived`` and ``lose_answer``; ``respond(fault)`` writes the fault's answer
the provider's way."""
from __future__ import annotations

import time

from flask import make_response, request

from providers.sandbox.runtime import current


def new(body: dict, pattern: str) -> dict:
    """A fault from a control call's body; ``pattern`` when it names none."""
    return {"pattern": body.get("pattern", pattern), "method": str(body.get("method", "*")).upper(),
            "status": int(body.get("status", 0)), "count": body.get("count", 1),
            "retry_after": body.get("retry_after"), "latency": float(body.get("latency", 0)),
            "after": bool(body.get("after"))}


def _field_names() -> list[str]:
    """Names of what the client sent (query parameters, JSON or form body fields), for
    tests that check a client sends only what it may [S20]."""
    names = set(request.args) | set(request.form)
    body = request.get_json(silent=True)
    if isinstance(body, dict):
        names |= set(body)
    return sorted(names)


def arrived() -> dict | None:
    """Log this API request (method, path, field names); the first fault queued for it,
    used up."""
    state = current().state
    with state.lock:
        if len(state.requests_seen) < 50_000:
            state.requests_seen.append([request.method, request.path, _field_names()])
        return state.take_fault(request.method, request.path)


def answer(fault: dict, respond):
    """The fault's answer once its latency passed; None when it only delays."""
    if fault["latency"]:
        time.sleep(fault["latency"])
    return respond(fault) if fault["status"] else None


def lose_answer(response, respond):
    """The processed request's answer, or an ``after`` fault's in its place."""
    state = current().state
    with state.lock:
        fault = state.take_fault(request.method, request.path, after=True)
    if fault and fault["status"]:
        return make_response(answer(fault, respond))
    return response
