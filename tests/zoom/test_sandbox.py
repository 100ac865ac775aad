"""The sandbox speaks Zoom's wire format to any client, not only to our plugin."""
import os
import subprocess
import sys

import requests

from providers.zoom.sandbox import seed
from tests.zoom.fixtures import REDIRECT_URI, oauth_consent

BASIC = (seed.OAUTH_CLIENT_ID, seed.OAUTH_CLIENT_SECRET)


def _tokens(sandbox, user_id=seed.OWNER_ID):
    url = (f"{sandbox.url}/oauth/authorize?response_type=code&client_id={seed.OAUTH_CLIENT_ID}"
           f"&redirect_uri={REDIRECT_URI}&state=xyz")
    code = oauth_consent(url, user_id).code
    resp = requests.post(sandbox.url + "/oauth/token", auth=BASIC, timeout=5,
                         data={"grant_type": "authorization_code", "code": code,
                               "redirect_uri": REDIRECT_URI})
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_consent_page_lists_every_seed_user(sandbox):
    page = requests.get(f"{sandbox.url}/oauth/authorize", timeout=5, params={
        "response_type": "code", "client_id": seed.OAUTH_CLIENT_ID, "redirect_uri": REDIRECT_URI})
    assert page.status_code == 200
    for user in seed.USERS:
        assert user["email"] in page.text
    bad = requests.get(f"{sandbox.url}/oauth/authorize", timeout=5, params={
        "response_type": "code", "client_id": "nope", "redirect_uri": REDIRECT_URI})
    assert bad.status_code == 400


def test_token_answer_has_zoom_fields(sandbox):
    answer = _tokens(sandbox)
    assert set(answer) == {"access_token", "token_type", "refresh_token", "expires_in", "scope",
                           "api_url"}
    assert (answer["token_type"], answer["expires_in"]) == ("bearer", 3600)


def test_token_endpoint_requires_basic_auth(sandbox):
    resp = requests.post(sandbox.url + "/oauth/token", timeout=5, data={
        "grant_type": "refresh_token", "refresh_token": "x", "client_id": seed.OAUTH_CLIENT_ID,
        "client_secret": seed.OAUTH_CLIENT_SECRET})
    assert resp.status_code == 401 and resp.json()["error"] == "invalid_client"


def test_refresh_token_rotates(sandbox):
    first = _tokens(sandbox)
    data = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    second = requests.post(sandbox.url + "/oauth/token", auth=BASIC, data=data, timeout=5)
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    again = requests.post(sandbox.url + "/oauth/token", auth=BASIC, data=data, timeout=5)
    assert again.status_code == 400
    assert again.json() == {"reason": "Invalid Token!", "error": "invalid_grant"}


def test_account_credentials_as_zoom_documents_them(sandbox):
    resp = requests.post(sandbox.url + "/oauth/token", timeout=5,
                         auth=(seed.S2S_CLIENT_ID, seed.S2S_CLIENT_SECRET),
                         params={"grant_type": "account_credentials", "account_id": seed.ACCOUNT_ID})
    assert resp.status_code == 200 and "refresh_token" not in resp.json()
    wrong = requests.post(sandbox.url + "/oauth/token", timeout=5,
                          auth=(seed.S2S_CLIENT_ID, seed.S2S_CLIENT_SECRET),
                          params={"grant_type": "account_credentials", "account_id": "other"})
    assert wrong.status_code == 400


def test_api_errors_paging_and_rate_limit_headers(sandbox):
    token = _tokens(sandbox)["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    bad = requests.get(sandbox.api_url + "/users/me", headers={"Authorization": "Bearer nope"},
                       timeout=5)
    assert bad.status_code == 401 and bad.json()["code"] == 124
    missing = requests.get(sandbox.api_url + "/webinars/89999999999", headers=auth, timeout=5)
    assert missing.status_code == 404 and missing.json()["code"] == 3001
    nobody = requests.get(f"{sandbox.api_url}/users/{seed.UNKNOWN_EMAIL}", headers=auth, timeout=5)
    assert nobody.status_code == 404 and nobody.json()["code"] == 1001
    page = requests.get(f"{sandbox.api_url}/past_webinars/{seed.W_PAST}/absentees", headers=auth,
                        params={"page_size": 1}, timeout=5)
    assert page.json()["total_records"] == 1 and page.json()["next_page_token"] == ""
    first = requests.get(f"{sandbox.api_url}/report/webinars/{seed.W_PAST}/participants",
                         headers=auth, params={"page_size": 3}, timeout=5)
    body = first.json()
    assert (body["total_records"], len(body["participants"]), body["page_count"]) == (4, 3, 2)
    assert "registrant_id" not in body["participants"][0]
    assert first.headers["X-RateLimit-Category"] == "Heavy"
    rest = requests.get(f"{sandbox.api_url}/report/webinars/{seed.W_PAST}/participants",
                        headers=auth, timeout=5,
                        params={"page_size": 3, "next_page_token": body["next_page_token"],
                                "include_fields": "registrant_id"})
    assert len(rest.json()["participants"]) == 1 and rest.json()["next_page_token"] == ""
    listed = requests.get(f"{sandbox.api_url}/users/me/webinars", headers=auth, timeout=5,
                          params={"type": "upcoming", "page_size": 300}).json()
    assert "settings" not in listed["webinars"][0]


def test_reset_restores_the_seed(sandbox):
    sandbox.control("webinars", topic="Extra", host_email=seed.PRIVILEGED_EMAIL)
    sandbox.control(f"webinars/{seed.W_SINGLE}/registrants", email="a@b.test", first_name="A")
    assert len(sandbox.state()["webinars"]) == 11
    sandbox.reset()
    state = sandbox.state()
    assert len(state["webinars"]) == 10
    assert state["webinars"][str(seed.W_SINGLE)]["registrant_count"] == 0


def test_command_line_starts_and_prints_credentials():
    env = dict(os.environ, ZOOM_CLIENT_ID="from-env-client")
    with subprocess.Popen([sys.executable, "-m", "providers.zoom.sandbox", "--port", "0"],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          env=env) as proc:
        try:
            banner = [proc.stdout.readline() for _ in range(5)]
            base = banner[0].split(" on ")[1].strip()
            answer = requests.get(base + "/", timeout=5).json()
        finally:
            proc.terminate()
            proc.wait(5)
    assert answer["sandbox"] == "zoom"
    assert "    ZOOM_CLIENT_ID=from-env-client\n" in banner
    assert f"    ZOOM_OAUTH_BASE_URL={base}\n" in banner


def test_added_user_becomes_a_findable_host(zoom_plugin, sandbox):
    user = sandbox.control("users", email="new.host@sandbox-zoom.test", first_name="New")
    store = sandbox.connect(zoom_plugin)
    host = zoom_plugin.find_host(store, "new.host@sandbox-zoom.test")
    assert (host.id, host.first_name) == (user["id"], "New")
