"""Zoom's OAuth endpoints: /oauth/authorize (a consent page), /oauth/token, /oauth/revoke."""
from __future__ import annotations

import base64
import hashlib
import html
import secrets
import time
from urllib.parse import urlencode

from flask import Blueprint, jsonify, redirect, request

from providers.sandbox.runtime import current

bp = Blueprint("zoom_sandbox_oauth", __name__)

SCOPES = ("user:read:admin webinar:read:admin webinar:write:admin report:read:admin")

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Zoom sandbox - authorize {app}</title>
<link rel="icon" href="data:,">
<style>body{{font-family:sans-serif;max-width:34em;margin:3em auto}}
label{{display:block;margin:.4em 0}} button{{margin-right:1em}}</style></head>
<body><h1>Zoom sandbox</h1>
<p>The app <b>{app}</b> asks to access the Zoom account <b>{account}</b>:
{scopes}.</p>
<form method="post" action="{action}">
<fieldset><legend>Sign in as</legend>{users}</fieldset>
{hidden}
<p><button type="submit" name="action" value="authorize">Authorize</button>
<button type="submit" name="action" value="deny">Deny</button></p>
</form></body></html>"""


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
    sb = current()
    args = request.args
    if args.get("client_id") != sb.credentials["ZOOM_CLIENT_ID"]:
        return "Invalid client_id.", 400
    if args.get("response_type") != "code" or not args.get("redirect_uri"):
        return "response_type=code and redirect_uri are required.", 400
    keep = ("client_id", "redirect_uri", "state", "response_type", "code_challenge",
            "code_challenge_method")
    hidden = "".join(f'<input type="hidden" name="{k}" value="{html.escape(args[k])}">'
                     for k in keep if k in args)
    with sb.state.lock:
        users = list(sb.state.users.values())
        account = sb.state.account_id
    radios = "".join(
        f'<label><input type="radio" name="user_id" value="{html.escape(u["id"])}"'
        f'{" checked" if i == 0 else ""}> {html.escape(u["first_name"])} '
        f'{html.escape(u["last_name"])} &lt;{html.escape(u["email"])}&gt; '
        f'({html.escape(u["role_name"])})</label>' for i, u in enumerate(users))
    return PAGE.format(app=html.escape(args["client_id"]), account=html.escape(account),
                       scopes=html.escape(SCOPES), action="/oauth/authorize",
                       users=radios, hidden=hidden)


@bp.post("/oauth/authorize")
def consent():
    sb = current()
    form = request.form
    redirect_uri, state = form.get("redirect_uri", ""), form.get("state")
    if form.get("client_id") != sb.credentials["ZOOM_CLIENT_ID"] or not redirect_uri:
        return "Invalid client_id or redirect_uri.", 400
    extra = {"state": state} if state is not None else {}
    joiner = "&" if "?" in redirect_uri else "?"
    if form.get("action") != "authorize":
        return redirect(redirect_uri + joiner + urlencode({"error": "access_denied", **extra}))
    with sb.state.lock:
        if form.get("user_id") not in sb.state.users:
            return "Pick a user to sign in as.", 400
        code = secrets.token_urlsafe(24)
        sb.state.codes[code] = {"user_id": form["user_id"], "redirect_uri": redirect_uri,
                                "expires_at": time.time() + 300,
                                "code_challenge": form.get("code_challenge", "")}
    return redirect(redirect_uri + joiner + urlencode({"code": code, **extra}))


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
