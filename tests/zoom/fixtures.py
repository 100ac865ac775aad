"""Pytest plugin: a Zoom sandbox on a loopback port, plus OAuth helpers.

Load it from the top-level ``tests/conftest.py`` with
``pytest_plugins = ["tests.zoom.fixtures"]``.

Fixtures:
- ``zoom_sandbox`` (session): a running sandbox (tests/sandbox_fixtures.py); ``.url``,
  ``.api_url``, ``.oauth_url``, ``.config`` (the portal's ZOOM_* keys pointing at it,
  short backoff), ``.control(path, **json)``, ``.state()``, ``.reset()``,
  ``.connect(plugin, user_id)``.
- ``sandbox`` (function): the same object, reset to the seed before the test.
- ``zoom_plugin``: a ZoomEvent configured for the sandbox.

Helper: ``oauth_consent(authorize_url, user_id, approve=True)`` performs the consent
page dance over HTTP and returns the redirect's code/state/error.
"""
from __future__ import annotations

import pytest

from providers.zoom.sandbox import CREDENTIAL_DEFAULTS, create_sandbox_app, seed
from tests.kit import Consent
from tests.sandbox_fixtures import SandboxServer, consent, serve_sandbox

REDIRECT_URI = "http://127.0.0.1:9/lectern/zoom/callback"


def oauth_consent(authorize_url: str, user_id: str = seed.OWNER_ID, approve: bool = True,
                  timeout: float = 5) -> Consent:
    """The consent page answered as ``user_id`` (Authorize or Deny): where it redirects."""
    return consent(authorize_url, "user_id", user_id, "authorize" if approve else "deny", timeout)


class ZoomSandboxServer(SandboxServer):
    redirect_uri, admin = REDIRECT_URI, seed.OWNER_ID

    def __init__(self, url: str, app):
        super().__init__(url, app)
        self.api_url = url + "/v2"
        self.oauth_url = url
        self.config = {"ZOOM_OAUTH_BASE_URL": url, "ZOOM_API_BASE_URL": url + "/v2",
                       **CREDENTIAL_DEFAULTS, "ZOOM_HTTP_TIMEOUT": 5, "ZOOM_MAX_RETRIES": 3,
                       "ZOOM_BACKOFF_BASE": 0.01, "ZOOM_MAX_WAIT": 5}

    def consent(self, authorize_url: str, user, approve: bool = True) -> Consent:
        return oauth_consent(authorize_url, user, approve)


@pytest.fixture(scope="session")
def zoom_sandbox():
    yield from serve_sandbox(ZoomSandboxServer, create_sandbox_app,
                             {**CREDENTIAL_DEFAULTS, "ZOOM_SANDBOX_WEBHOOK_URL": "",
                              "ZOOM_SANDBOX_TOKEN_TTL": "3600"}, "zoom-sandbox")


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
