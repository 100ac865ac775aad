"""The OAuth2 base over real HTTP, through a plugin that is not Zoom: its own setting
names, the base's generic error words, its token extras. The Zoom sandbox serves the
standard endpoints (authorization code, refresh with rotation, revocation)."""
from urllib.parse import parse_qs, urlsplit

import pytest

from providers.base import AuthExpired, Unavailable
from providers.zoom.sandbox import seed
from tests.providers.plugins import GenericOAuth
from tests.zoom.fixtures import REDIRECT_URI, oauth_consent


@pytest.fixture
def generic(sandbox):
    return GenericOAuth({"GENERIC_OAUTH_URL": sandbox.url + "/",
                         "GENERIC_CLIENT_ID": seed.OAUTH_CLIENT_ID,
                         "GENERIC_CLIENT_SECRET": seed.OAUTH_CLIENT_SECRET})


def connect(plugin) -> dict:
    consent = oauth_consent(plugin.authorize_url(REDIRECT_URI, "st-9"), seed.ADMIN_ID)
    assert consent.code and consent.state == "st-9"
    return plugin.exchange_code(consent.code, REDIRECT_URI)


def test_authorize_url_is_built_from_declared_settings(generic, sandbox):
    parts = urlsplit(generic.authorize_url(REDIRECT_URI, "st-1"))
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == sandbox.url + "/oauth/authorize"
    assert {k: v[0] for k, v in parse_qs(parts.query).items()} == {
        "response_type": "code", "client_id": seed.OAUTH_CLIENT_ID,
        "redirect_uri": REDIRECT_URI, "state": "st-1"}
    assert generic.csp_origins() == (sandbox.url,)


def test_exchange_gives_a_token_dict_with_the_plugins_extras(generic):
    token = connect(generic)
    assert token["kind"] == "oauth" and token["access_token"] and token["refresh_token"]
    assert token["scope"] and token["expires_at"] > 0
    assert token["granted"].lower() == "bearer"


def test_refresh_rotates_and_the_old_refresh_token_dies(generic, sandbox):
    first = connect(generic)
    second = generic.renew(first)
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] not in ("", first["refresh_token"])
    assert sandbox.state()["counters"]["refreshes"] == 1
    with pytest.raises(AuthExpired) as caught:
        generic.refresh(first)
    assert "Generic Webinars" in caught.value.message
    assert generic.refresh(second)["access_token"]


def test_revoke_kills_the_refresh_token(generic, sandbox):
    token = connect(generic)
    generic.revoke(token)
    assert sandbox.state()["counters"]["revocations"] == 1
    with pytest.raises(AuthExpired):
        generic.refresh(token)
    generic.revoke(token)           # already dead: nothing left to revoke, no error
    generic.revoke({"kind": "s2s", "access_token": "x"})
    assert sandbox.state()["counters"]["revocations"] == 1


def test_wrong_client_secret_is_refused_in_the_plugins_words(sandbox):
    plugin = GenericOAuth({"GENERIC_OAUTH_URL": sandbox.url, "GENERIC_CLIENT_ID": seed.OAUTH_CLIENT_ID,
                           "GENERIC_CLIENT_SECRET": "wrong"})
    consent = oauth_consent(plugin.authorize_url(REDIRECT_URI, "s"))
    with pytest.raises(AuthExpired) as caught:
        plugin.exchange_code(consent.code, REDIRECT_URI)
    assert caught.value.message.startswith("Generic Webinars refused the sign-in")
    assert "reconnect the Generic Webinars service" in caught.value.message


def test_unreachable_sign_in_service_is_unavailable():
    plugin = GenericOAuth({"GENERIC_OAUTH_URL": "http://127.0.0.1:9", "GENERIC_CLIENT_ID": "x",
                           "GENERIC_CLIENT_SECRET": "y"})
    with pytest.raises(Unavailable) as caught:
        plugin.exchange_code("code", REDIRECT_URI)
    assert "could not be reached" in caught.value.message
