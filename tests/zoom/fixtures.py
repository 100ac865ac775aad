"""Pytest plugin: a Zoom sandbox on a loopback port, plus OAuth helpers.

Load it from the top-level ``tests/conftest.py`` with
``pytest_plugins = ["tests.zoom.fixtures"]``.

Fixtures:
- ``zoom_sandbox`` (session): a running sandbox; ``.url``, ``.api_url``, ``.oauth_url``,
  ``.config`` (the portal's ZOOM_* keys pointing at it, short backoff),
  ``.control(path, **json)``, ``.state()``, ``.reset()``, ``.connect(plugin, user_id)``.
- ``sandbox`` (function): the same object, reset to the seed before the test.
- ``zoom_plugin``: a ZoomEvent configured for the sandbox.

Helper: ``oauth_consent(authorize_url, user_id, approve=True)`` performs the consent
page dance over HTTP and returns the redirect's code/state/error.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from werkzeug.serving import make_server

from providers.base import MemoryTokenStore
from providers.zoom.sandbox import create_sandbox_app, seed

REDIRECT_URI = "http://127.0.0.1:9/lectern/zoom/callback"


class _ConsentForm(HTMLParser):
    def __init__(self):
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.action = attrs.get("action") or ""
        elif tag == "input" and attrs.get("type") == "hidden":
            self.fields[attrs.get("name", "")] = attrs.get("value") or ""


@dataclass
class Consent:
    location: str
    code: str = ""
    state: str = ""
    error: str = ""


def oauth_consent(authorize_url: str, user_id: str = seed.OWNER_ID, approve: bool = True,
                  timeout: float = 5) -> Consent:
    """GET the sandbox's consent page, POST the form as ``user_id`` (Authorize or Deny)
    and return where it redirects, without following the redirect."""
    with requests.Session() as http:
        page = http.get(authorize_url, timeout=timeout)
        page.raise_for_status()
        form = _ConsentForm()
        form.feed(page.text)
        answer = http.post(urljoin(authorize_url, form.action), timeout=timeout,
                           allow_redirects=False,
                           data={**form.fields, "user_id": user_id,
                                 "action": "authorize" if approve else "deny"})
    assert answer.status_code in (302, 303), answer.text
    location = answer.headers["Location"]
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    return Consent(location, query.get("code", ""), query.get("state", ""),
                   query.get("error", ""))


class ZoomSandboxServer:
    def __init__(self, url: str, app):
        self.url = url
        self.api_url = url + "/v2"
        self.oauth_url = url
        self.app = app
        self.config = {
            "ZOOM_OAUTH_BASE_URL": url,
            "ZOOM_API_BASE_URL": url + "/v2",
            "ZOOM_CLIENT_ID": seed.OAUTH_CLIENT_ID,
            "ZOOM_CLIENT_SECRET": seed.OAUTH_CLIENT_SECRET,
            "ZOOM_WEBHOOK_SECRET_TOKEN": seed.WEBHOOK_SECRET_TOKEN,
            "ZOOM_S2S_CLIENT_ID": seed.S2S_CLIENT_ID,
            "ZOOM_S2S_CLIENT_SECRET": seed.S2S_CLIENT_SECRET,
            "ZOOM_S2S_ACCOUNT_ID": seed.S2S_ACCOUNT_ID,
            "ZOOM_HTTP_TIMEOUT": 5,
            "ZOOM_MAX_RETRIES": 3,
            "ZOOM_BACKOFF_BASE": 0.01,
            "ZOOM_MAX_WAIT": 5,
        }

    def control(self, path: str, method: str = "POST", sync: bool = False, **body) -> dict:
        """Call a /_sandbox/ control; raises AssertionError on a non-2xx answer."""
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

    def connect(self, plugin, user_id: str = seed.OWNER_ID) -> MemoryTokenStore:
        """The whole OAuth dance for ``user_id``: a store holding the tokens."""
        consent = oauth_consent(plugin.authorize_url(REDIRECT_URI, "st-123"), user_id)
        assert consent.code, consent
        return MemoryTokenStore(plugin.exchange_code(consent.code, REDIRECT_URI))


@pytest.fixture(scope="session")
def zoom_sandbox():
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = create_sandbox_app({"ZOOM_SANDBOX_WEBHOOK_URL": ""} | {
        "ZOOM_CLIENT_ID": seed.OAUTH_CLIENT_ID, "ZOOM_CLIENT_SECRET": seed.OAUTH_CLIENT_SECRET,
        "ZOOM_WEBHOOK_SECRET_TOKEN": seed.WEBHOOK_SECRET_TOKEN,
        "ZOOM_S2S_CLIENT_ID": seed.S2S_CLIENT_ID, "ZOOM_S2S_CLIENT_SECRET": seed.S2S_CLIENT_SECRET,
        "ZOOM_S2S_ACCOUNT_ID": seed.S2S_ACCOUNT_ID, "ZOOM_SANDBOX_TOKEN_TTL": "3600"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="zoom-sandbox", daemon=True)
    thread.start()
    try:
        yield ZoomSandboxServer(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def sandbox(zoom_sandbox):
    zoom_sandbox.reset()
    return zoom_sandbox


@pytest.fixture
def zoom_plugin(sandbox):
    from providers.zoom import ZoomEvent
    plugin = ZoomEvent(sandbox.config)
    yield plugin
    plugin.session.close()


@pytest.fixture
def zoom_kit(sandbox):
    """The Zoom sandbox as a provider kit (tests/kit.py), reset to its seed."""
    from tests.zoom.kit import Kit
    return Kit(sandbox)
