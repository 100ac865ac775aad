"""A Zoom-compatible sandbox: OAuth, the /v2 endpoints Lectern uses, signed webhooks,
and controls to run webinars (``/_sandbox/``). Run it with
``python -m providers.zoom.sandbox --port 5055``; see README.md beside this file.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Mapping

from flask import Flask, g, jsonify, request

from providers.sandbox import app as sandbox_app
from providers.sandbox import faults
from providers.sandbox.delivery import WebhookSender
from providers.sandbox.runtime import Sandbox, current
from providers.sandbox.state import iso
from providers.zoom.sandbox import delivery, seed
from providers.zoom.sandbox.ratelimit import QPS_MESSAGE, category
from providers.zoom.sandbox.state import SandboxState, ZoomFault

CREDENTIAL_DEFAULTS = {
    "ZOOM_CLIENT_ID": seed.OAUTH_CLIENT_ID,
    "ZOOM_CLIENT_SECRET": seed.OAUTH_CLIENT_SECRET,
    "ZOOM_WEBHOOK_SECRET_TOKEN": seed.WEBHOOK_SECRET_TOKEN,
    "ZOOM_S2S_CLIENT_ID": seed.S2S_CLIENT_ID,
    "ZOOM_S2S_CLIENT_SECRET": seed.S2S_CLIENT_SECRET,
    "ZOOM_S2S_ACCOUNT_ID": seed.S2S_ACCOUNT_ID,
}
#: sandbox-only settings: access-token lifetime (s), the portal's webhook URL, and the
#: per-second rate limits (``pro``, ``business``, ``off`` or ``Light=30,Medium=20,Heavy=10``)
SANDBOX_DEFAULTS = {"ZOOM_SANDBOX_TOKEN_TTL": "3600", "ZOOM_SANDBOX_WEBHOOK_URL": "",
                    "ZOOM_SANDBOX_RATE_LIMITS": "pro"}
INDEX = {"sandbox": "zoom", "oauth": "/oauth/authorize", "api": "/v2",
         "controls": "/_sandbox/state", "docs": "providers/zoom/sandbox/README.md"}


def sandbox_settings(config: Mapping | None = None) -> dict:
    """Defaults, overridden by environment variables, overridden by ``config``."""
    return sandbox_app.settings({**CREDENTIAL_DEFAULTS, **SANDBOX_DEFAULTS}, config)


def create_sandbox_app(config: Mapping | None = None) -> Flask:
    settings = sandbox_settings(config)
    credentials = {k: settings[k] for k in CREDENTIAL_DEFAULTS}
    from providers.zoom.sandbox import api_views, control_views, events, oauth_views
    state = SandboxState(credentials, token_ttl=int(settings["ZOOM_SANDBOX_TOKEN_TTL"]),
                         webhook_url=settings["ZOOM_SANDBOX_WEBHOOK_URL"],
                         rate_limits=settings["ZOOM_SANDBOX_RATE_LIMITS"], populate=events.load_seed)
    sender = WebhookSender(credentials["ZOOM_WEBHOOK_SECRET_TOKEN"], lambda: state.webhook_url,
                           delivery.zoom_signature_headers, delivery.describe)
    return sandbox_app.create_app(
        __name__, settings, Sandbox(state, sender, credentials),
        [oauth_views.bp, api_views.bp, control_views.bp], index=INDEX,
        before=_inject_faults, after=_after, errors={ZoomFault: _zoom_error, 404: _not_found},
        merge_slashes=False)     # see api_views._path_ident


def _inject_faults():
    if request.path.startswith("/_sandbox") or request.path == "/":
        return None
    fault = faults.arrived()
    if fault:
        return faults.answer(fault, _fault_answer)
    if request.path.startswith("/v2/"):
        state = current().state
        g.rate_limit = verdict = state.limiter.take(state.account_id, request.method, request.path)
        if not verdict.allowed:
            return jsonify({"code": 429, "message": QPS_MESSAGE}), 429, verdict.headers()
    return None


def _fault_answer(fault: dict):
    status = fault["status"]
    if status != 429:
        return jsonify({"code": status, "message": "Internal Server Error (sandbox fault)"}), status
    limiter = current().state.limiter
    name = category(request.method, request.path)
    headers = {"X-RateLimit-Category": name, "X-RateLimit-Limit": str(limiter.limits[name]),
               "X-RateLimit-Remaining": "0"}
    if fault["daily"]:
        midnight = datetime.combine(datetime.now(timezone.utc).date() + timedelta(days=1),
                                    datetime.min.time(), timezone.utc)
        headers.update({"X-RateLimit-Type": "Daily-limit", "Retry-After": iso(midnight)})
        message = ("You have reached the maximum daily rate limit for this API. Refer to the "
                   "response header for details on when you can make another request.")
    else:
        headers["X-RateLimit-Type"] = "QPS"
        if fault["retry_after"] is not None:
            headers["Retry-After"] = str(fault["retry_after"])
        message = QPS_MESSAGE
    return jsonify({"code": 429, "message": message}), 429, headers


def _after(response):
    current().flush()
    if not request.path.startswith("/_sandbox"):
        response = faults.lose_answer(response, _fault_answer)
    if request.path.startswith("/v2/"):
        state = current().state
        verdict = g.get("rate_limit") or state.limiter.peek(state.account_id, request.method,
                                                            request.path)
        for header, value in verdict.headers().items():   # a fault's own headers win
            response.headers.setdefault(header, value)
        if response.status_code == 429:
            current().state.limiter.count_429()
    return response


def _zoom_error(exc: ZoomFault):
    return jsonify({"code": exc.code, "message": exc.message}), exc.status, exc.headers


def _not_found(exc):
    return jsonify({"code": 404, "message": "The requested resource was not found."}), 404
