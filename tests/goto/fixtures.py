"""Pytest plugin: a GoTo Webinar sandbox on a loopback port, plus OAuth helpers.

Loaded by ``tests/goto/conftest.py``, or by a root conftest listing
``tests.goto.fixtures`` in ``pytest_plugins``.

Fixtures:
- ``goto_server`` (session): a running sandbox; ``.url``, ``.config`` (the portal's
  GOTO_* keys pointing at it, short backoff), ``.control(path, **json)``,
  ``.state()``, ``.reset()``, ``.connect(plugin, organizer_key)``, ``.get(path, token)``.
- ``goto_sandbox`` (function): the same object, reset to the seed before the test.
- ``goto_plugin``: a GoToEvent configured for the sandbox.
- ``goto_kit``: the sandbox as a provider kit (tests/kit.py, tests/goto/kit.py), reset.

Helper: ``goto_consent(authorize_url, organizer_key, approve=True)`` performs the
sign-in/consent page over HTTP and returns the redirect's code/state/error.
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

from providers.goto.sandbox import create_sandbox_app, seed

REDIRECT_URI = "http://127.0.0.1:9/lectern/goto/callback"
#: generous enough for a test's bursts; tests of the limit lower it via /_sandbox/config
RATE_LIMIT = 50


class _ConsentForm(HTMLParser):
    def __init__(self):
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}
        self.organizers: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.action = attrs.get("action") or ""
        elif tag == "input" and attrs.get("type") == "hidden":
            self.fields[attrs.get("name", "")] = attrs.get("value") or ""
        elif tag == "input" and attrs.get("type") == "radio":
            self.organizers.append(attrs.get("value") or "")


@dataclass
class Consent:
    location: str
    code: str = ""
    state: str = ""
    error: str = ""


def goto_consent(authorize_url: str, organizer_key: int = seed.ADMIN_KEY, approve: bool = True,
                 timeout: float = 5) -> Consent:
    """GET the consent page, POST its form as ``organizer_key`` (Allow or Deny) and
    return where it redirects, without following the redirect."""
    with requests.Session() as http:
        page = http.get(authorize_url, timeout=timeout)
        page.raise_for_status()
        form = _ConsentForm()
        form.feed(page.text)
        assert str(organizer_key) in form.organizers, form.organizers
        answer = http.post(urljoin(authorize_url, form.action), timeout=timeout,
                           allow_redirects=False,
                           data={**form.fields, "organizer_key": str(organizer_key),
                                 "action": "allow" if approve else "deny"})
    assert answer.status_code in (302, 303), answer.text
    location = answer.headers["Location"]
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    return Consent(location, query.get("code", ""), query.get("state", ""),
                   query.get("error", ""))


class GoToSandboxServer:
    def __init__(self, url: str, app):
        self.url = url
        self.app = app
        self.config = {
            "GOTO_OAUTH_BASE_URL": url,
            "GOTO_API_BASE_URL": url,
            "GOTO_CLIENT_ID": seed.OAUTH_CLIENT_ID,
            "GOTO_CLIENT_SECRET": seed.OAUTH_CLIENT_SECRET,
            "GOTO_WEBHOOK_SECRET_KEY": seed.WEBHOOK_SECRET_KEY,
            "GOTO_HTTP_TIMEOUT": 5,
            "GOTO_MAX_RETRIES": 3,
            "GOTO_BACKOFF_BASE": 0.01,
            "GOTO_MAX_WAIT": 5,
        }

    def control(self, path: str, method: str = "POST", sync: bool = False, **body) -> dict:
        """Call a /_sandbox/ control; raises AssertionError on a non-2xx answer."""
        url = f"{self.url}/_sandbox/{path.lstrip('/')}" + ("?sync=1" if sync else "")
        resp = requests.request(method, url, json=body, timeout=30)
        assert resp.ok, f"{method} {path} -> {resp.status_code} {resp.text}"
        return resp.json()

    def state(self) -> dict:
        return self.control("state", method="GET")

    def requests_seen(self, method: str = "", prefix: str = "") -> list[list[str]]:
        return [r for r in self.control("requests", method="GET")["requests"]
                if (not method or r[0] == method) and r[1].startswith(prefix)]

    def reset(self) -> None:
        self.control("reset")
        self.control("config", rate_limit=RATE_LIMIT)

    def tokens(self, organizer_key: int = seed.ADMIN_KEY) -> dict:
        """The raw token answer for ``organizer_key``, straight from /oauth/token."""
        url = (f"{self.url}/oauth/authorize?response_type=code&client_id={seed.OAUTH_CLIENT_ID}"
               f"&redirect_uri={REDIRECT_URI}&state=xyz")
        code = goto_consent(url, organizer_key).code
        resp = requests.post(self.url + "/oauth/token", timeout=5,
                             auth=(seed.OAUTH_CLIENT_ID, seed.OAUTH_CLIENT_SECRET),
                             data={"grant_type": "authorization_code", "code": code,
                                   "redirect_uri": REDIRECT_URI})
        assert resp.status_code == 200, resp.text
        return resp.json()

    def get(self, path: str, token: str, **params) -> requests.Response:
        return requests.get(self.url + path, params=params, timeout=5,
                            headers={"Authorization": f"Bearer {token}"})

    def connect(self, plugin, organizer_key: int = seed.ADMIN_KEY):
        """The whole OAuth dance through the plugin: a store holding the tokens."""
        from providers.base import MemoryTokenStore
        consent = goto_consent(plugin.authorize_url(REDIRECT_URI, "st-123"), organizer_key)
        assert consent.code, consent
        return MemoryTokenStore(plugin.exchange_code(consent.code, REDIRECT_URI))


@pytest.fixture(scope="session")
def goto_server():
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = create_sandbox_app({
        "GOTO_CLIENT_ID": seed.OAUTH_CLIENT_ID, "GOTO_CLIENT_SECRET": seed.OAUTH_CLIENT_SECRET,
        "GOTO_WEBHOOK_SECRET_KEY": seed.WEBHOOK_SECRET_KEY, "GOTO_SANDBOX_TOKEN_TTL": "3600",
        "GOTO_SANDBOX_RATE_LIMIT": str(RATE_LIMIT)})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="goto-sandbox", daemon=True)
    thread.start()
    try:
        yield GoToSandboxServer(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def goto_sandbox(goto_server):
    goto_server.reset()
    return goto_server


@pytest.fixture
def goto_plugin(goto_sandbox):
    from providers.goto import GoToEvent
    plugin = GoToEvent(goto_sandbox.config)
    yield plugin
    plugin.session.close()


@pytest.fixture
def goto_kit(goto_sandbox):
    """The GoTo sandbox as a provider kit (tests/kit.py), reset to its seed."""
    from tests.goto.kit import Kit
    return Kit(goto_sandbox)
