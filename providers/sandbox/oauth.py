"""The sandboxes' OAuth consent: the page ``GET /oauth/authorize`` shows (pick who
signs in, approve or deny) and the redirect back with a code or ``access_denied``."""
from __future__ import annotations

import html
import secrets
import time
from typing import Callable
from urllib.parse import urlencode

from flask import redirect, request

from providers.sandbox.runtime import current

CODE_TTL = 5 * 60               # authorization codes live 5 minutes

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>{name} sandbox - {approve} {app}</title>
<link rel="icon" href="data:,">
<style>body{{font-family:sans-serif;max-width:34em;margin:3em auto}}
label{{display:block;margin:.4em 0}} button{{margin-right:1em}}</style></head>
<body><h1>{name} sandbox</h1>
<p>{intro}</p>
<form method="post" action="/oauth/authorize">
<fieldset><legend>Sign in as</legend>{users}</fieldset>
{hidden}
<p><button type="submit" name="action" value="{approve}">{label}</button>
<button type="submit" name="action" value="deny">Deny</button></p>
</form></body></html>"""


def page(name: str, approve: str, client_id: str, render: Callable[[object, str], tuple[str, str]],
         keep: tuple[str, ...]):
    """``GET /oauth/authorize``: the consent page, or the request's error answer.
    ``render(state, app)`` gives the page's intro and its radio labels (HTML, under the
    state lock); the query's ``keep`` parameters ride along as hidden fields."""
    args = request.args
    if args.get("client_id") != client_id:
        return "Invalid client_id.", 400
    if args.get("response_type") != "code" or not args.get("redirect_uri"):
        return "response_type=code and redirect_uri are required.", 400
    hidden = "".join(f'<input type="hidden" name="{k}" value="{html.escape(args[k])}">'
                     for k in keep if k in args)
    app = html.escape(args["client_id"])
    state = current().state
    with state.lock:
        intro, users = render(state, app)
    return PAGE.format(name=name, approve=approve, label=approve.capitalize(), app=app,
                       intro=intro, users=users, hidden=hidden)


def consent(client_id: str, approve: str, grant: Callable[[object, dict], dict | None],
            unknown: str):
    """The consent form's answer: a redirect with a code (``grant(state, form)``'s record,
    None for nobody known: ``unknown``, a 400) or with ``error=access_denied``."""
    form = request.form
    redirect_uri, state = form.get("redirect_uri", ""), form.get("state")
    if form.get("client_id") != client_id or not redirect_uri:
        return "Invalid client_id or redirect_uri.", 400
    extra = {"state": state} if state is not None else {}
    joiner = "&" if "?" in redirect_uri else "?"
    if form.get("action") != approve:
        return redirect(redirect_uri + joiner + urlencode({"error": "access_denied", **extra}))
    sb = current()
    with sb.state.lock:
        record = grant(sb.state, form)
        if record is None:
            return unknown, 400
        code = secrets.token_urlsafe(24)
        sb.state.codes[code] = {**record, "redirect_uri": redirect_uri,
                                "expires_at": time.time() + CODE_TTL}
    return redirect(redirect_uri + joiner + urlencode({"code": code, **extra}))
