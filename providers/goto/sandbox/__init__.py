"""A GoTo-Webinar-compatible sandbox: GoTo's OAuth, the ``/G2W/rest/v2`` and Admin
endpoints Lectern uses, signed webhooks, and controls to run webinars
(``/_sandbox/``). Run it with ``python -m providers.goto.sandbox --port 5056``;
see README.md beside this file.
"""
from __future__ import annotations

import html
from typing import Mapping

from flask import Flask, jsonify, request

from providers.goto.sandbox import delivery, seed
from providers.goto.sandbox.state import GoToFault, SandboxState, parse_key
from providers.sandbox import app as sandbox_app
from providers.sandbox import faults
from providers.sandbox.delivery import WebhookSender
from providers.sandbox.runtime import Sandbox, current

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
INDEX = {"sandbox": "goto", "oauth": "/oauth/authorize", "api": "/G2W/rest/v2",
         "admin": "/admin/rest/v1", "controls": "/_sandbox/state",
         "docs": "providers/goto/sandbox/README.md"}


def sandbox_settings(config: Mapping | None = None) -> dict:
    """Defaults, overridden by environment variables, overridden by ``config``."""
    return sandbox_app.settings({**CREDENTIAL_DEFAULTS, **SANDBOX_DEFAULTS}, config)


def create_sandbox_app(config: Mapping | None = None) -> Flask:
    settings = sandbox_settings(config)
    credentials = {k: settings[k] for k in CREDENTIAL_DEFAULTS}
    from providers.goto.sandbox import api_views, control_views, events, oauth_views
    state = SandboxState(credentials, token_ttl=int(settings["GOTO_SANDBOX_TOKEN_TTL"]),
                         webhook_url=settings["GOTO_SANDBOX_WEBHOOK_URL"],
                         rate_limit=int(settings["GOTO_SANDBOX_RATE_LIMIT"]), populate=events.load_seed)
    sender = WebhookSender(credentials["GOTO_WEBHOOK_SECRET_KEY"], lambda: state.webhook_url,
                           delivery.goto_signature_headers, delivery.describe, keep_body=True)
    app = sandbox_app.create_app(
        __name__, settings, Sandbox(state, sender, credentials),
        [oauth_views.bp, api_views.bp, control_views.bp], index=INDEX,
        before=_inject_faults, after=_after,
        errors={GoToFault: _goto_error, 404: _not_found, 405: _not_allowed})
    app.add_url_rule("/join/<webinar_key>/<registrant_key>", "join_page", _join_page)
    return app


def _inject_faults():
    if not request.path.startswith(API_PREFIXES):
        return None
    fault = faults.arrived()
    return faults.answer(fault, _fault_answer) if fault else None


def _fault_answer(fault: dict):
    if fault["status"] == 429:
        headers = {"X-RateLimit-Remaining": "0"}
        if fault["retry_after"] is not None:
            headers["Retry-After"] = str(fault["retry_after"])
        error = GoToFault(429, "TooManyRequests",
                          "Too many requests: the per-second rate limit is exceeded.", headers)
    else:
        code = {503: "ServiceUnavailable", 502: "BadGateway"}.get(fault["status"],
                                                                  "InternalServerError")
        error = GoToFault(fault["status"], code, "The service is unavailable (sandbox fault).")
    return _goto_error(error)


def _after(response):
    current().flush()
    if request.path.startswith(API_PREFIXES):
        response = faults.lose_answer(response, _fault_answer)
    return response


def _goto_error(exc: GoToFault):
    return jsonify(exc.body()), exc.status, exc.headers


def _not_found(exc):
    return _goto_error(GoToFault(404, "NotFound", "The requested resource was not found."))


def _not_allowed(exc):
    return _goto_error(GoToFault(405, "MethodNotAllowed", "Method not allowed."))


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
