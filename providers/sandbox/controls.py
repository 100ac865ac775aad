"""The ``/_sandbox/`` controls every sandbox has: state, reset, webhook URL, waiting for
webhooks, token expiry, faults and the request log. ``blueprint`` makes a sandbox's
control blueprint with them; the sandbox adds its own controls to it.

Add ``?sync=1`` to any call to have its webhooks delivered before it answers.
"""
from __future__ import annotations

import time
from typing import Callable

from flask import Blueprint, jsonify, request

from providers.sandbox import faults
from providers.sandbox.runtime import current


def body() -> dict:
    found = request.get_json(silent=True)
    return found if isinstance(found, dict) else {}


def run(operation):
    """Run ``operation(state)`` under the lock; it returns (answer, webhook bodies)."""
    sb = current()
    with sb.state.lock:
        answer, bodies = operation(sb.state)
    sb.emit(bodies)
    return jsonify(answer)


def blueprint(name: str, fault_pattern: str,
              shape_fault: Callable[[dict, dict], None] = lambda fault, body: None) -> Blueprint:
    """``fault_pattern``: where a fault applies when its body names no pattern;
    ``shape_fault(fault, body)`` adds the provider's own fault fields."""
    bp = Blueprint(name, __name__, url_prefix="/_sandbox")

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

    @bp.post("/webhook-url")
    def webhook_url():
        state = current().state
        with state.lock:
            state.webhook_url = str(body().get("url") or "")
            return jsonify({"webhook_url": state.webhook_url})

    @bp.post("/webhooks/wait")
    def webhooks_wait():
        """Block until queued webhooks are delivered (``timeout`` seconds, default 10)."""
        done = current().sender.wait(float(body().get("timeout", 10)))
        return jsonify({"delivered": done, "deliveries": current().sender.entries()})

    @bp.post("/tokens/expire")
    def expire_tokens():
        """Every issued access token expires now (refresh tokens keep working)."""
        state = current().state
        with state.lock:
            for record in state.access_tokens.values():
                record["expires_at"] = time.time() - 1
            return jsonify({"expired": len(state.access_tokens)})

    @bp.post("/faults")
    def add_fault():
        """``{"pattern": "/api/*", "method": "GET", "status": 429|500|503, "count": 2,
        "retry_after": 1, "latency": 0.0, "after": false}``. ``count`` null means until
        cleared; ``after`` processes the request, then answers with the fault (an
        answer lost on the way back)."""
        fault = faults.new(body(), fault_pattern)
        shape_fault(fault, body())
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
        """Every API/OAuth request the sandbox answered since the last reset: [method, path];
        with ``?fields=1``, [method, path, names of the query parameters and body fields]."""
        state = current().state
        with state.lock:
            rows = [list(r) for r in state.requests_seen]
            most = state.most_in_flight
        if request.args.get("fields", "") not in ("1", "true"):
            rows = [r[:2] for r in rows]
        return jsonify({"requests": rows, "most_in_flight": most})

    return bp
