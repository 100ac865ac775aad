"""The GoTo plugin's OAuth against the sandbox over real HTTP: consent, code exchange
(organizer and account keys kept), refresh with rotation, revocation, who connected."""
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from providers.base import AuthExpired, MemoryTokenStore
from providers.goto import GoToEvent
from providers.goto.sandbox import seed
from tests.goto.fixtures import REDIRECT_URI, goto_consent


def test_authorize_url_names_client_redirect_and_state(goto_plugin, goto_sandbox):
    url = goto_plugin.authorize_url(REDIRECT_URI, "state-42")
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == goto_sandbox.url + "/oauth/authorize"
    assert query == {"response_type": "code", "client_id": seed.OAUTH_CLIENT_ID,
                     "redirect_uri": REDIRECT_URI, "state": "state-42"}


def test_connecting_keeps_the_organizer_and_account_keys(goto_plugin):
    consent = goto_consent(goto_plugin.authorize_url(REDIRECT_URI, "st-1"), seed.MANAGER_KEY)
    assert consent.state == "st-1" and consent.code
    token = goto_plugin.exchange_code(consent.code, REDIRECT_URI)
    assert (token["organizer_key"], token["account_key"]) == (str(seed.MANAGER_KEY),
                                                              str(seed.ACCOUNT_KEY))
    assert token["refresh_token"] and 3500 < token["expires_at"] - time.time() <= 3600
    me = goto_plugin.whoami(MemoryTokenStore(token))
    assert (me.user_id, me.email, me.account_id) == (str(seed.MANAGER_KEY), seed.MANAGER_EMAIL,
                                                     str(seed.ACCOUNT_KEY))


def test_who_may_connect_in_plain_words(goto_plugin, goto_sandbox):
    admin = goto_plugin.whoami(goto_sandbox.connect(goto_plugin, seed.ADMIN_KEY))
    assert admin.is_admin and admin.may_connect and admin.missing_privileges == ()
    manager = goto_plugin.whoami(goto_sandbox.connect(goto_plugin, seed.MANAGER_KEY))
    assert not manager.is_admin and manager.may_connect
    plain = goto_plugin.whoami(goto_sandbox.connect(goto_plugin, seed.PLAIN_KEY))
    assert not plain.may_connect
    assert plain.missing_privileges == ("manage users", "run reports")
    assert (plain.first_name, plain.last_name) == ("Pat", "Plain")


def test_code_works_once_and_only_with_its_redirect_uri(goto_plugin):
    consent = goto_consent(goto_plugin.authorize_url(REDIRECT_URI, "s"))
    with pytest.raises(AuthExpired):
        goto_plugin.exchange_code(consent.code, "http://127.0.0.1:9/other")
    consent = goto_consent(goto_plugin.authorize_url(REDIRECT_URI, "s"))
    goto_plugin.exchange_code(consent.code, REDIRECT_URI)
    with pytest.raises(AuthExpired) as refused:
        goto_plugin.exchange_code(consent.code, REDIRECT_URI)
    assert "reconnect the GoTo Webinar service" in refused.value.message


def test_wrong_client_secret_is_named(goto_sandbox):
    plugin = GoToEvent(goto_sandbox.config | {"GOTO_CLIENT_SECRET": "wrong"})
    consent = goto_consent(plugin.authorize_url(REDIRECT_URI, "s"))
    with pytest.raises(AuthExpired) as refused:
        plugin.exchange_code(consent.code, REDIRECT_URI)
    assert refused.value.message == ("GoTo does not accept Lectern's client id and secret: "
                                     "check the GoTo app credentials")


def _refresh_works(goto_sandbox, refresh_token) -> bool:
    return requests.post(goto_sandbox.url + "/oauth/token", timeout=5,
                         auth=(seed.OAUTH_CLIENT_ID, seed.OAUTH_CLIENT_SECRET),
                         data={"grant_type": "refresh_token",
                               "refresh_token": refresh_token}).status_code == 200


def test_refreshes_before_expiry_and_rotates(goto_plugin, goto_sandbox):
    store = goto_sandbox.connect(goto_plugin)
    old = store.load()
    store._token["expires_at"] = time.time() + 30          # inside the 60 s margin
    goto_plugin.whoami(store)
    new = store.load()
    counters = goto_sandbox.state()["counters"]
    assert counters["refreshes"] == 1 and counters["unauthorized"] == 0
    assert new["access_token"] != old["access_token"]
    assert new["refresh_token"] != old["refresh_token"]
    assert new["organizer_key"] == str(seed.ADMIN_KEY)
    assert not _refresh_works(goto_sandbox, old["refresh_token"])


def test_refreshes_once_when_goto_calls_the_token_invalid(goto_plugin, goto_sandbox):
    store = goto_sandbox.connect(goto_plugin)
    goto_sandbox.control("tokens/expire")
    assert goto_plugin.whoami(store).user_id == str(seed.ADMIN_KEY)
    counters = goto_sandbox.state()["counters"]
    assert (counters["unauthorized"], counters["refreshes"]) == (1, 1)


def test_revoke_ends_the_grant(goto_plugin, goto_sandbox):
    store = goto_sandbox.connect(goto_plugin)
    goto_plugin.revoke(store.load())
    assert goto_sandbox.state()["live_refresh_tokens"] == 0
    with pytest.raises(AuthExpired):
        goto_plugin.whoami(store)
    goto_plugin.revoke(store.load())          # revoking twice is harmless


def test_app_removed_by_the_organizer_asks_for_reconnection(goto_plugin, goto_sandbox):
    store = goto_sandbox.connect(goto_plugin)
    goto_sandbox.control("deauthorize")
    with pytest.raises(AuthExpired) as refused:
        goto_plugin.whoami(store)
    assert "reconnect" in refused.value.message
