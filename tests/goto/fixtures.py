"""Pytest plugin: a GoTo Webinar sandbox on a loopback port, plus OAuth helpers.

Loaded by ``tests/goto/conftest.py``, or by a root conftest listing
``tests.goto.fixtures`` in ``pytest_plugins``.

Fixtures:
- ``goto_server`` (session): a running sandbox (tests/sandbox_fixtures.py); ``.url``,
  ``.config`` (the portal's GOTO_* keys pointing at it, short backoff),
  ``.control(path, **json)``, ``.state()``, ``.reset()``,
  ``.connect(plugin, organizer_key)``, ``.get(path, token)``.
- ``goto_sandbox`` (function): the same object, reset to the seed before the test.
- ``goto_plugin``: a GoToEvent configured for the sandbox.
- ``goto_kit``: the sandbox as a provider kit (tests/kit.py, tests/goto/kit.py), reset.

Helper: ``goto_consent(authorize_url, organizer_key, approve=True)`` performs the
sign-in/consent page over HTTP and returns the redirect's code/state/error.
"""
from __future__ import annotations

import pytest
import requests

from providers.goto.sandbox import CREDENTIAL_DEFAULTS, create_sandbox_app, seed
from tests.kit import Consent
from tests.sandbox_fixtures import SandboxServer, consent, serve_sandbox

REDIRECT_URI = "http://127.0.0.1:9/lectern/goto/callback"
#: generous enough for a test's bursts; tests of the limit lower it via /_sandbox/config
RATE_LIMIT = 50


def goto_consent(authorize_url: str, organizer_key: int = seed.ADMIN_KEY, approve: bool = True,
                 timeout: float = 5) -> Consent:
    """The consent page answered as ``organizer_key`` (Allow or Deny): where it redirects."""
    return consent(authorize_url, "organizer_key", str(organizer_key),
                   "allow" if approve else "deny", timeout)


class GoToSandboxServer(SandboxServer):
    redirect_uri, admin = REDIRECT_URI, seed.ADMIN_KEY

    def __init__(self, url: str, app):
        super().__init__(url, app)
        self.config = {"GOTO_OAUTH_BASE_URL": url, "GOTO_API_BASE_URL": url,
                       **CREDENTIAL_DEFAULTS, "GOTO_HTTP_TIMEOUT": 5, "GOTO_MAX_RETRIES": 3,
                       "GOTO_BACKOFF_BASE": 0.01, "GOTO_MAX_WAIT": 5}

    def consent(self, authorize_url: str, user, approve: bool = True) -> Consent:
        return goto_consent(authorize_url, user, approve)

    def reset(self) -> None:
        super().reset()
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


@pytest.fixture(scope="session")
def goto_server():
    yield from serve_sandbox(GoToSandboxServer, create_sandbox_app,
                             {**CREDENTIAL_DEFAULTS, "GOTO_SANDBOX_TOKEN_TTL": "3600",
                              "GOTO_SANDBOX_RATE_LIMIT": str(RATE_LIMIT)}, "goto-sandbox")


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
