"""GoTo's OAuth endpoints (authentication.logmeininc.com): /oauth/authorize (a
sign-in and consent page), /oauth/token (code, refresh with rotation), /oauth/revoke."""
from __future__ import annotations

import html
import secrets
import time

from flask import Blueprint, jsonify, request

from providers.goto.sandbox.state import parse_key
from providers.sandbox import oauth
from providers.sandbox.runtime import current

bp = Blueprint("goto_sandbox_oauth", __name__)

def _error(status: int, error: str, description: str):
    return jsonify({"error": error, "error_description": description}), status


def _client_ok() -> bool:
    """Client credentials in a Basic header, as GoTo requires on the token endpoint."""
    auth = request.authorization
    creds = current().credentials
    return bool(auth and auth.type == "basic"
                and (auth.username, auth.password) == (creds["GOTO_CLIENT_ID"],
                                                      creds["GOTO_CLIENT_SECRET"]))


@bp.get("/oauth/authorize")
def authorize():
    return oauth.page("GoTo", "allow", current().credentials["GOTO_CLIENT_ID"], _render,
                      keep=("client_id", "redirect_uri", "state", "response_type"))


def _render(state, app: str) -> tuple[str, str]:
    roles = {True: "admin", False: "organizer"}
    radios = "".join(
        f'<label><input type="radio" name="organizer_key" value="{o["key"]}"'
        f'{" checked" if i == 0 else ""}> {html.escape(o["firstName"])} '
        f'{html.escape(o["lastName"])} &lt;{html.escape(o["email"])}&gt; '
        f'({roles["SUPER_USER" in o["adminRoles"]]}'
        f'{": " + ", ".join(o["adminRoles"]) if o["adminRoles"] else ""})</label>'
        for i, o in enumerate(state.organizers.values()))
    return f"The app <b>{app}</b> asks to use GoTo Webinar for you (account {state.account_key}).", radios


def _grant(state, form) -> dict | None:
    key = parse_key(form.get("organizer_key", ""))
    return {"organizer_key": key} if key in state.organizers else None


@bp.post("/oauth/authorize")
def consent():
    return oauth.consent(current().credentials["GOTO_CLIENT_ID"], "allow", _grant,
                         "Pick an organizer to sign in as.")


@bp.post("/oauth/token")
def token():
    if not _client_ok():
        return _error(401, "invalid_client", "Bad client credentials")
    params = request.form
    grant_type = params.get("grant_type", "")
    state = current().state
    with state.lock:
        if grant_type == "authorization_code":
            found = state.codes.pop(params.get("code", ""), None)
            if found is None or found["expires_at"] < time.time():
                return _error(400, "invalid_grant", "Invalid authorization code")
            if found["redirect_uri"] != params.get("redirect_uri"):
                return _error(400, "invalid_grant", "Redirect URI mismatch")
            state.counters["codes_exchanged"] += 1
            return jsonify(state.issue_tokens(found["organizer_key"],
                                              "grant-" + secrets.token_hex(6)))
        if grant_type == "refresh_token":
            # Rotation: a refresh token works once and is replaced by the answer's.
            old = state.refresh_tokens.pop(params.get("refresh_token", ""), None)
            if old is None or old["organizer_key"] not in state.organizers:
                state.counters["refresh_failures"] += 1
                return _error(400, "invalid_grant", "Invalid refresh token")
            state.counters["refreshes"] += 1
            return jsonify(state.issue_tokens(old["organizer_key"], old["grant"]))
    return _error(400, "unsupported_grant_type", f"Unsupported grant type: {grant_type}")


@bp.post("/oauth/revoke")
def revoke():
    """RFC 7009: the app's Basic auth, ``token`` in the form; an unknown token is not
    an error. Revoking either token of a grant ends the whole grant."""
    if not _client_ok():
        return _error(401, "invalid_client", "Bad client credentials")
    value = request.form.get("token", "")
    state = current().state
    with state.lock:
        record = state.access_tokens.get(value) or state.refresh_tokens.get(value)
        if record is not None:
            state.revoke_grant(record["grant"])
            state.counters["revocations"] += 1
    return "", 200
