"""What the sandbox test plugins (``tests/<key>/fixtures.py``) share: a WSGI app served
on a loopback port, the client of a sandbox's ``/_sandbox/`` controls, and answering
its OAuth consent page over HTTP."""
from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from html.parser import HTMLParser
from typing import Iterator
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from providers.base import MemoryTokenStore
from tests.kit import Consent


@contextmanager
def serving(app, name: str = "loopback-server") -> Iterator[str]:
    """``app`` served on a free loopback port while the block runs; its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


class WebhookSink:
    """A stand-in portal endpoint (serve it with ``serving``): keeps every request's
    headers and raw body, answers 204; ``arrived`` is notified of each."""

    def __init__(self):
        self.received: list[tuple[dict, bytes]] = []
        self.arrived = threading.Condition()

    def __call__(self, environ, start_response):
        request = Request(environ)
        with self.arrived:
            self.received.append((dict(request.headers), request.get_data()))
            self.arrived.notify_all()
        return Response("", 204)(environ, start_response)


def serve_sandbox(server_class, create_app, config: dict, name: str):
    """For a session fixture: the sandbox app made from ``config``, served; yields a
    ``server_class(url, app)``."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = create_app(config)
    with serving(app, name) as url:
        yield server_class(url, app)


class _ConsentForm(HTMLParser):
    def __init__(self):
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}
        self.choices: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.action = attrs.get("action") or ""
        elif tag == "input" and attrs.get("type") == "hidden":
            self.fields[attrs.get("name", "")] = attrs.get("value") or ""
        elif tag == "input" and attrs.get("type") == "radio":
            self.choices.append(attrs.get("value") or "")


def consent(authorize_url: str, field: str, choice: str, action: str,
            timeout: float = 5) -> Consent:
    """GET the sandbox's consent page, check ``choice`` is offered, POST the form with
    ``field=choice`` and ``action`` (the approve button's value, or "deny"), and return
    where it redirects, without following the redirect."""
    with requests.Session() as http:
        page = http.get(authorize_url, timeout=timeout)
        page.raise_for_status()
        form = _ConsentForm()
        form.feed(page.text)
        assert choice in form.choices, form.choices
        answer = http.post(urljoin(authorize_url, form.action), timeout=timeout,
                           allow_redirects=False,
                           data={**form.fields, field: choice, "action": action})
    assert answer.status_code in (302, 303), answer.text
    location = answer.headers["Location"]
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    return Consent(location, query.get("code", ""), query.get("state", ""),
                   query.get("error", ""))


class SandboxServer:
    """A running sandbox: ``url``, ``app``, its controls, and the OAuth dance."""

    #: where the plugin's authorize URLs send the browser back (never followed)
    redirect_uri = ""
    #: whom ``connect`` signs in as by default
    admin = ""

    def __init__(self, url: str, app):
        self.url = url
        self.app = app

    def control(self, path: str, method: str = "POST", sync: bool = False, for_method: str = "",
                **body) -> dict:
        """Call a /_sandbox/ control with HTTP ``method``; raises AssertionError on a non-2xx
        answer. ``for_method`` is a fault's own method (the body's ``method``)."""
        if for_method:
            body["method"] = for_method
        url = f"{self.url}/_sandbox/{path.lstrip('/')}" + ("?sync=1" if sync else "")
        resp = requests.request(method, url, json=body, timeout=30)
        assert resp.ok, f"{method} {path} -> {resp.status_code} {resp.text}"
        return resp.json()

    def state(self) -> dict:
        return self.control("state", method="GET")

    def requests_seen(self, method: str = "", prefix: str = "", path: str = "") -> list[list[str]]:
        """[method, path] of the API/OAuth requests answered since the last reset."""
        return [r for r in self.control("requests", method="GET")["requests"]
                if (not method or r[0] == method) and r[1].startswith(prefix)
                and (not path or r[1] == path)]

    def requests_with_fields(self) -> list[list]:
        """[method, path, names of the query parameters and body fields sent]."""
        return self.control("requests?fields=1", method="GET")["requests"]

    def reset(self) -> None:
        self.control("reset")

    def consent(self, authorize_url: str, user, approve: bool = True) -> Consent:
        raise NotImplementedError

    def connect(self, plugin, user=None) -> MemoryTokenStore:
        """The whole OAuth dance through the plugin for ``user``: a store holding the tokens."""
        consent = self.consent(plugin.authorize_url(self.redirect_uri, "st-123"),
                               self.admin if user is None else user)
        assert consent.code, consent
        return MemoryTokenStore(plugin.exchange_code(consent.code, self.redirect_uri))
