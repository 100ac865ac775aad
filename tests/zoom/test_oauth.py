"""OAuth against the sandbox over real HTTP: consent, code exchange, refresh and
rotation, Server-to-Server tokens, revocation."""
import threading
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from providers.base import AuthExpired, MemoryTokenStore
from providers.zoom import ZoomEvent
from providers.zoom.sandbox import seed
from tests.zoom.fixtures import REDIRECT_URI, oauth_consent


def test_authorize_url_names_client_redirect_and_state(zoom_plugin, sandbox):
    url = zoom_plugin.authorize_url(REDIRECT_URI, "state-42")
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == sandbox.url + "/oauth/authorize"
    assert query == {"response_type": "code", "client_id": seed.OAUTH_CLIENT_ID,
                     "redirect_uri": REDIRECT_URI, "state": "state-42"}


def test_consent_dance_gives_working_oauth_tokens(zoom_plugin, sandbox):
    consent = oauth_consent(zoom_plugin.authorize_url(REDIRECT_URI, "st-1"), seed.ADMIN_ID)
    assert consent.state == "st-1" and consent.code and not consent.error
    token = zoom_plugin.exchange_code(consent.code, REDIRECT_URI)
    assert token["kind"] == "oauth" and token["refresh_token"] and token["scope"]
    assert 3500 < token["expires_at"] - time.time() <= 3600
    me = zoom_plugin.whoami(MemoryTokenStore(token))
    assert (me.user_id, me.email, me.account_id) == (seed.ADMIN_ID, seed.ADMIN_EMAIL, seed.ACCOUNT_ID)


def test_deny_redirects_with_access_denied(zoom_plugin):
    consent = oauth_consent(zoom_plugin.authorize_url(REDIRECT_URI, "st-2"), approve=False)
    assert (consent.error, consent.state, consent.code) == ("access_denied", "st-2", "")


def test_code_works_once_and_only_with_its_redirect_uri(zoom_plugin):
    consent = oauth_consent(zoom_plugin.authorize_url(REDIRECT_URI, "s"))
    with pytest.raises(AuthExpired):
        zoom_plugin.exchange_code(consent.code, "http://127.0.0.1:9/other")
    consent = oauth_consent(zoom_plugin.authorize_url(REDIRECT_URI, "s"))
    zoom_plugin.exchange_code(consent.code, REDIRECT_URI)
    with pytest.raises(AuthExpired):
        zoom_plugin.exchange_code(consent.code, REDIRECT_URI)


def _old_refresh_still_works(sandbox, refresh_token) -> bool:
    resp = requests.post(sandbox.url + "/oauth/token", timeout=5,
                         auth=(seed.OAUTH_CLIENT_ID, seed.OAUTH_CLIENT_SECRET),
                         data={"grant_type": "refresh_token", "refresh_token": refresh_token})
    return resp.status_code == 200


def test_refreshes_before_expiry_and_rotates(zoom_plugin, sandbox):
    store = sandbox.connect(zoom_plugin)
    old = store.load()
    store._token["expires_at"] = time.time() + 30          # inside the 60 s margin
    zoom_plugin.whoami(store)
    new = store.load()
    counters = sandbox.state()["counters"]
    assert counters["refreshes"] == 1 and counters["unauthorized"] == 0  # before, not after a 401
    assert new["access_token"] != old["access_token"]
    assert new["refresh_token"] != old["refresh_token"]
    assert new["expires_at"] > time.time() + 3000
    assert not _old_refresh_still_works(sandbox, old["refresh_token"])


def test_refreshes_once_on_401(zoom_plugin, sandbox):
    store = sandbox.connect(zoom_plugin)
    sandbox.control("tokens/expire")
    assert zoom_plugin.whoami(store).user_id == seed.OWNER_ID
    counters = sandbox.state()["counters"]
    assert (counters["unauthorized"], counters["refreshes"]) == (1, 1)


def test_revoked_authorization_raises_auth_expired(zoom_plugin, sandbox):
    store = sandbox.connect(zoom_plugin)
    sandbox.control("deauthorize")
    with pytest.raises(AuthExpired) as caught:
        zoom_plugin.whoami(store)
    assert "reconnect" in caught.value.message


def test_revoke_kills_the_tokens(zoom_plugin, sandbox):
    store = sandbox.connect(zoom_plugin)
    zoom_plugin.revoke(store.load())
    assert sandbox.state()["counters"]["revocations"] == 1
    with pytest.raises(AuthExpired):
        zoom_plugin.whoami(store)


def test_two_threads_one_store_refresh_once(zoom_plugin, sandbox):
    store = sandbox.connect(zoom_plugin)
    store._token["expires_at"] = time.time() - 1
    barrier, results, errors = threading.Barrier(2), [], []

    def worker():
        barrier.wait()
        try:
            results.append(zoom_plugin.whoami(store).user_id)
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert errors == [] and results == [seed.OWNER_ID] * 2
    counters = sandbox.state()["counters"]
    assert (counters["refreshes"], counters["refresh_failures"]) == (1, 0)


class SharedRowStore:
    """Two workers' stores backed by one row, as the portal's database store is: the
    lock stands for SELECT ... FOR UPDATE on the service row."""

    def __init__(self, row: dict, lock: threading.Lock):
        self.row, self.lock = row, lock

    def load(self):
        return dict(self.row["token"])

    def rotate(self, seen, refresh):
        with self.lock:
            if self.row["token"]["access_token"] != seen["access_token"]:
                return dict(self.row["token"])
            self.row["token"] = refresh(dict(seen))
            return dict(self.row["token"])


def test_two_workers_sharing_a_row_end_with_one_working_token(zoom_plugin, sandbox):
    token = sandbox.connect(zoom_plugin).load()
    token["expires_at"] = time.time() - 1
    row, lock = {"token": token}, threading.Lock()
    workers = [ZoomEvent(sandbox.config), ZoomEvent(sandbox.config)]
    barrier, results = threading.Barrier(2), []

    def run(plugin):
        barrier.wait()
        results.append(plugin.whoami(SharedRowStore(row, lock)).user_id)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results == [seed.OWNER_ID] * 2
    assert sandbox.state()["counters"]["refreshes"] == 1
    assert zoom_plugin.whoami(SharedRowStore(row, lock)).user_id == seed.OWNER_ID


def test_two_unshared_stores_cannot_both_keep_working(zoom_plugin, sandbox):
    """Why the store must be shared: with rotation, two stores holding the same old
    token end with exactly one working token; the other must be reconnected."""
    token = sandbox.connect(zoom_plugin).load()
    token["expires_at"] = time.time() - 1
    first, second = MemoryTokenStore(token), MemoryTokenStore(token)
    assert zoom_plugin.whoami(first).user_id == seed.OWNER_ID
    with pytest.raises(AuthExpired):
        zoom_plugin.whoami(second)
    assert zoom_plugin.whoami(first).user_id == seed.OWNER_ID
    counters = sandbox.state()["counters"]
    assert (counters["refreshes"], counters["refresh_failures"]) == (1, 1)


def test_server_to_server_token_and_its_renewal(zoom_plugin, sandbox):
    token = zoom_plugin.server_token()
    assert token["kind"] == "s2s" and token["refresh_token"] == ""
    store = MemoryTokenStore(token)
    assert zoom_plugin.whoami(store).account_id == seed.ACCOUNT_ID
    store._token["expires_at"] = time.time()
    zoom_plugin.whoami(store)
    assert store.load()["access_token"] != token["access_token"]
    assert sandbox.state()["counters"]["s2s_tokens"] == 2


def test_server_to_server_with_wrong_secret_is_refused(sandbox):
    plugin = ZoomEvent(dict(sandbox.config, ZOOM_S2S_CLIENT_SECRET="wrong"))
    with pytest.raises(AuthExpired) as caught:
        plugin.server_token()
    assert "client id and secret" in caught.value.message
