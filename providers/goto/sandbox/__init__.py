"""A GoTo-Webinar-compatible sandbox: GoTo's OAuth, the ``/G2W/rest/v2`` and Admin
endpoints Lectern uses, signed webhooks, and controls to run webinars
(``/_sandbox/``). Run it with ``python -m providers.goto.sandbox --port 5056``;
see README.md beside this file.
"""
from __future__ import annotations

import html
import os
import time
from typing import Mapping

from flask import Flask, jsonify, request

from providers.goto.sandbox import seed
from providers.goto.sandbox.delivery import WebhookSender
from providers.goto.sandbox.runtime import Sandbox, current
from providers.goto.sandbox.state import GoToFault, SandboxState, parse_key

CREDENTIAL_DEFAULTS = {
    "GOTO_CLIENT_ID": seed.OAUTH_CLIENT_ID,
    "GOTO_CLIENT_SECRET": seed.OAUTH_CLIENT_SECRET,
    "GOTO_WEBHOOK_SECRET_KEY": seed.WEBHOOK_SECRET_KEY,
}
#: sandbox-only settings: access-token lifetime (s), the portal's webhook URL, and
#: the per-second request limit of one access token (0: no limit)
SANDBOX_DEFAULTS = {"GOTO_SANDBOX_TOKEN_TTL": "3600", "GOTO_SANDBOX_WEBHOOK_URL": "",
                    "GOTO_SANDBOX_RATE_LIMIT": "10"}
API_PREFIXES = ("/G2W/", "/admin/", "/oauth/")


def sandbox_settings(config: Mapping | None = None) -> dict:
    """Defaults, overridden by environment variables, overridden by ``config``."""
    merged = {}
    for key, default in {**CREDENTIAL_DEFAULTS, **SANDBOX_DEFAULTS}.items():
        value = (config or {}).get(key)
        if value in (None, ""):
            value = os.environ.get(key) or default
        merged[key] = str(value)
    return merged


def create_sandbox_app(config: Mapping | None = None) -> Flask:
    settings = sandbox_settings(config)
    credentials = {k: settings[k] for k in CREDENTIAL_DEFAULTS}
    state = SandboxState(credentials, token_ttl=int(settings["GOTO_SANDBOX_TOKEN_TTL"]),
                         webhook_url=settings["GOTO_SANDBOX_WEBHOOK_URL"],
                         rate_limit=int(settings["GOTO_SANDBOX_RATE_LIMIT"]))
    sender = WebhookSender(credentials["GOTO_WEBHOOK_SECRET_KEY"], lambda: state.webhook_url)

    app = Flask(__name__)
    app.config.update(settings)
    app.extensions["goto_sandbox"] = Sandbox(state, sender, credentials)

    from providers.goto.sandbox import api_views, control_views, oauth_views
    app.register_blueprint(oauth_views.bp)
    app.register_blueprint(api_views.bp)
    app.register_blueprint(control_views.bp)

    app.before_request(_inject_faults)
    app.after_request(_after)
    app.register_error_handler(GoToFault, _goto_error)
    app.register_error_handler(404, _not_found)
    app.register_error_handler(405, _not_allowed)
    app.add_url_rule("/", "index", _index)
    app.add_url_rule("/join/<webinar_key>/<registrant_key>", "join_page", _join_page)
    return app


def _inject_faults():
    if not request.path.startswith(API_PREFIXES):
        return None
    state = current().state
    with state.lock:
        if len(state.requests_seen) < 50_000:
            state.requests_seen.append([request.method, request.path])
        fault = state.take_fault(request.method, request.path)
    return _fault_answer(fault) if fault else None


def _fault_answer(fault: dict):
    if fault["latency"]:
        time.sleep(fault["latency"])
    status = fault["status"]
    if not status:
        return None
    if status == 429:
        headers = {"X-RateLimit-Remaining": "0"}
        if fault["retry_after"] is not None:
            headers["Retry-After"] = str(fault["retry_after"])
        error = GoToFault(429, "TooManyRequests",
                          "Too many requests: the per-second rate limit is exceeded.", headers)
    else:
        code = {503: "ServiceUnavailable", 502: "BadGateway"}.get(status, "InternalServerError")
        error = GoToFault(status, code, "The service is unavailable (sandbox fault).")
    return _goto_error(error)


def _after(response):
    current().flush()
    if request.path.startswith(API_PREFIXES):
        state = current().state
        with state.lock:
            fault = state.take_fault(request.method, request.path, after=True)
        if fault and fault["status"]:
            body, status, headers = _fault_answer(fault)
            response = body
            response.status_code = status
            response.headers.update(headers)
    return response


def _goto_error(exc: GoToFault):
    return jsonify(exc.body()), exc.status, exc.headers


def _not_found(exc):
    return _goto_error(GoToFault(404, "NotFound", "The requested resource was not found."))


def _not_allowed(exc):
    return _goto_error(GoToFault(405, "MethodNotAllowed", "Method not allowed."))


def _index():
    return jsonify({"sandbox": "goto", "oauth": "/oauth/authorize", "api": "/G2W/rest/v2",
                    "admin": "/admin/rest/v1", "controls": "/_sandbox/state",
                    "docs": "providers/goto/sandbox/README.md"})


def _join_page(webinar_key, registrant_key):
    """Where a registrant's joinUrl leads: a page naming the webinar and the person."""
    state = current().state
    with state.lock:
        w = state.webinars.get(parse_key(webinar_key) or -1)
        person = state.registrant(w["webinarKey"], registrant_key) if w else None
        if person is None:
            return "No such registration.", 404
        text = f"{person['firstName']} {person['lastName']} joins \u201c{w['subject']}\u201d"
    return f"<!doctype html><title>GoTo sandbox</title><h1>{html.escape(text)}</h1>"
