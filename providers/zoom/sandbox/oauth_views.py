"""Zoom's OAuth endpoints: /oauth/authorize (a consent page), /oauth/token, /oauth/revoke."""
from __future__ import annotations

import base64
import hashlib
import html
import secrets
import time

from flask import Blueprint, jsonify, request

from providers.sandbox import oauth
from providers.sandbox.runtime import current

bp = Blueprint("zoom_sandbox_oauth", __name__)

SCOPES = ("user:read:admin webinar:read:admin webinar:write:admin report:read:admin")

def _error(status: int, error: str, reason: str):
    return jsonify({"reason": reason, "error": error}), status


def _client():
    """The (client id, secret) of the Basic header, or None."""
    auth = request.authorization
    if not auth or auth.type != "basic":
        return None
    return auth.username or "", auth.password or ""


@bp.get("/oauth/authorize")
def authorize():
    return oauth.page("Zoom", "authorize", current().credentials["ZOOM_CLIENT_ID"], _render,
                      keep=("client_id", "redirect_uri", "state", "response_type",
                            "code_challenge", "code_challenge_method"))


def _render(state, app: str) -> tuple[str, str]:
    radios = "".join(
        f'<label><input type="radio" name="user_id" value="{html.escape(u["id"])}"'
        f'{" checked" if i == 0 else ""}> {html.escape(u["first_name"])} '
        f'{html.escape(u["last_name"])} &lt;{html.escape(u["email"])}&gt; '
        f'({html.escape(u["role_name"])})</label>' for i, u in enumerate(state.users.values()))
    return (f"The app <b>{app}</b> asks to access the Zoom account "
            f"<b>{html.escape(state.account_id)}</b>:\n{html.escape(SCOPES)}."), radios


def _grant(state, form) -> dict | None:
    if form.get("user_id") not in state.users:
        return None
    return {"user_id": form["user_id"], "code_challenge": form.get("code_challenge", "")}


@bp.post("/oauth/authorize")
def consent():
    return oauth.consent(current().credentials["ZOOM_CLIENT_ID"], "authorize", _grant,
                         "Pick a user to sign in as.")


@bp.post("/oauth/token")
def token():
    sb = current()
    creds = sb.credentials
    client = _client()
    params = {**request.args.to_dict(), **request.form.to_dict()}  # Zoom reads both
    grant_type = params.get("grant_type", "")
    oauth_app = (creds["ZOOM_CLIENT_ID"], creds["ZOOM_CLIENT_SECRET"])
    s2s_app = (creds["ZOOM_S2S_CLIENT_ID"], creds["ZOOM_S2S_CLIENT_SECRET"])
    if client not in (oauth_app, s2s_app):
        return _error(401, "invalid_client", "Invalid client_id or client_secret")
    state = sb.state
    with state.lock:
        if grant_type == "account_credentials":
            if client != s2s_app:
                return _error(400, "unsupported_grant_type", "Unsupported grant type")
            if params.get("account_id") != state.account_id:
                return _error(400, "invalid_request", "Invalid account_id")
            state.counters["s2s_tokens"] += 1
            answer = state.issue_tokens(None, "s2s", "s2s-" + secrets.token_hex(4), SCOPES)
        elif client != oauth_app:
            return _error(400, "unsupported_grant_type", "Unsupported grant type")
        elif grant_type == "authorization_code":
            found = state.codes.pop(params.get("code", ""), None)
            if found is None or found["expires_at"] < time.time():
                return _error(400, "invalid_grant", "Invalid authorization code")
            if found["redirect_uri"] != params.get("redirect_uri"):
                return _error(400, "invalid_grant", "Redirect URI mismatch.")
            if found["code_challenge"]:
                verifier = params.get("code_verifier", "").encode()
                digest = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest())
                if digest.rstrip(b"=").decode() != found["code_challenge"]:
                    return _error(400, "invalid_grant", "Invalid code_verifier")
            state.counters["codes_exchanged"] += 1
            answer = state.issue_tokens(found["user_id"], "oauth",
                                        "grant-" + secrets.token_hex(6), SCOPES)
        elif grant_type == "refresh_token":
            # Rotation: the refresh token works once; its old access token keeps working
            # until it expires (the sandbox's reading of Zoom's behaviour).
            old = state.refresh_tokens.pop(params.get("refresh_token", ""), None)
            if old is None:
                state.counters["refresh_failures"] += 1
                return _error(400, "invalid_grant", "Invalid Token!")
            state.counters["refreshes"] += 1
            answer = state.issue_tokens(old["user_id"], "oauth", old["grant"], old["scope"])
        else:
            return _error(400, "unsupported_grant_type", "Unsupported grant type")
    answer["api_url"] = request.host_url.rstrip("/")
    return jsonify(answer)


@bp.post("/oauth/revoke")
def revoke():
    sb = current()
    creds = sb.credentials
    if _client() != (creds["ZOOM_CLIENT_ID"], creds["ZOOM_CLIENT_SECRET"]):
        return _error(401, "invalid_client", "Invalid client_id or client_secret")
    value = request.args.get("token") or request.form.get("token", "")
    with sb.state.lock:
        record = sb.state.access_tokens.get(value) or sb.state.refresh_tokens.get(value)
        if record is None:
            return _error(400, "invalid_request", "Invalid Token!")
        sb.state.revoke_grant(record["grant"])
        sb.state.counters["revocations"] += 1
    return jsonify({"status": "success"})
