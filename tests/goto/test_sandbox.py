"""The sandbox speaks GoTo's wire format to any HTTP client, not only to our plugin."""
import os
import subprocess
import sys

import requests

from providers.goto.sandbox import seed
from tests.goto.fixtures import REDIRECT_URI, goto_consent

BASIC = (seed.OAUTH_CLIENT_ID, seed.OAUTH_CLIENT_SECRET)
G2W = "/G2W/rest/v2"
ADMIN_WEBINARS = f"{G2W}/organizers/{seed.ADMIN_KEY}/webinars"
RANGE = {"fromTime": "2000-01-01T00:00:00Z", "toTime": "2100-01-01T00:00:00Z"}


def _authorize_url(goto_sandbox, client_id=seed.OAUTH_CLIENT_ID):
    return (f"{goto_sandbox.url}/oauth/authorize?response_type=code&client_id={client_id}"
            f"&redirect_uri={REDIRECT_URI}&state=xyz")


def test_consent_page_lists_every_organizer_and_can_deny(goto_sandbox):
    page = requests.get(_authorize_url(goto_sandbox), timeout=5)
    assert page.status_code == 200
    for email in (seed.ADMIN_EMAIL, seed.MANAGER_EMAIL, seed.PLAIN_EMAIL):
        assert email in page.text
    assert requests.get(_authorize_url(goto_sandbox, "nope"), timeout=5).status_code == 400
    denied = goto_consent(_authorize_url(goto_sandbox), seed.PLAIN_KEY, approve=False)
    assert (denied.error, denied.state, denied.code) == ("access_denied", "xyz", "")


def test_token_answer_carries_organizer_and_account_keys(goto_sandbox):
    answer = goto_sandbox.tokens(seed.MANAGER_KEY)
    assert {"access_token", "refresh_token", "expires_in", "organizer_key",
            "account_key"} <= set(answer)
    assert answer["organizer_key"] == str(seed.MANAGER_KEY)
    assert answer["account_key"] == str(seed.ACCOUNT_KEY)
    assert (answer["expires_in"], answer["principal"]) == (3600, seed.MANAGER_EMAIL)


def test_token_endpoint_wants_client_credentials_in_a_basic_header(goto_sandbox):
    resp = requests.post(goto_sandbox.url + "/oauth/token", timeout=5, data={
        "grant_type": "refresh_token", "refresh_token": "x", "client_id": seed.OAUTH_CLIENT_ID,
        "client_secret": seed.OAUTH_CLIENT_SECRET})
    assert resp.status_code == 401 and resp.json()["error"] == "invalid_client"
    code = goto_consent(_authorize_url(goto_sandbox)).code
    wrong_redirect = requests.post(goto_sandbox.url + "/oauth/token", auth=BASIC, timeout=5, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": "http://elsewhere/cb"})
    assert wrong_redirect.status_code == 400 and wrong_redirect.json()["error"] == "invalid_grant"


def test_refresh_rotates_and_revoke_ends_the_grant(goto_sandbox):
    first = goto_sandbox.tokens()
    data = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    second = requests.post(goto_sandbox.url + "/oauth/token", auth=BASIC, data=data, timeout=5)
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    assert second.json()["organizer_key"] == str(seed.ADMIN_KEY)
    again = requests.post(goto_sandbox.url + "/oauth/token", auth=BASIC, data=data, timeout=5)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"

    token = second.json()["access_token"]
    assert goto_sandbox.get(f"{G2W}/organizers/{seed.ADMIN_KEY}/webinars", token,
                            **RANGE).status_code == 200
    revoked = requests.post(goto_sandbox.url + "/oauth/revoke", auth=BASIC, timeout=5,
                            data={"token": second.json()["refresh_token"]})
    assert revoked.status_code == 200
    refused = goto_sandbox.get(ADMIN_WEBINARS, token, **RANGE)
    assert refused.status_code == 403
    assert refused.json() == {"int_err_code": "InvalidToken", "msg": "Invalid token passed"}
    unknown = requests.post(goto_sandbox.url + "/oauth/revoke", auth=BASIC, timeout=5,
                            data={"token": "never-issued"})
    assert unknown.status_code == 200


def test_webinars_are_listed_in_a_time_range_page_by_page(goto_sandbox):
    token = goto_sandbox.tokens()["access_token"]
    missing = goto_sandbox.get(ADMIN_WEBINARS, token)
    assert missing.status_code == 400
    assert missing.json()["errorCode"] == "InvalidRequest" and missing.json()["incident"]
    first = goto_sandbox.get(ADMIN_WEBINARS, token, size=4, **RANGE).json()
    assert first["page"] == {"size": 4, "totalElements": 6, "totalPages": 2, "number": 0}
    second = goto_sandbox.get(ADMIN_WEBINARS, token, size=4, page=1, **RANGE).json()
    keys = [w["webinarKey"] for w in first["_embedded"]["webinars"] + second["_embedded"]["webinars"]]
    assert str(seed.W_SINGLE) in keys and str(seed.W_PAST) in keys and len(set(keys)) == 6
    beyond = goto_sandbox.get(ADMIN_WEBINARS, token, size=4, page=5, **RANGE).json()
    assert "_embedded" not in beyond and beyond["page"]["totalElements"] == 6
    kinds = {w["webinarKey"]: w["recurrenceType"] for w in first["_embedded"]["webinars"]
             + second["_embedded"]["webinars"]}
    assert kinds[str(seed.W_SEQUENCE)] == "sequence" and kinds[str(seed.W_SERIES)] == "series"
    future = goto_sandbox.get(ADMIN_WEBINARS, token, fromTime="2099-01-01T00:00:00Z",
                              toTime="2100-01-01T00:00:00Z").json()
    assert future["page"]["totalElements"] == 0


def test_one_webinar_with_goto_fields_and_exact_keys(goto_sandbox):
    token = goto_sandbox.tokens()["access_token"]
    resp = goto_sandbox.get(f"{ADMIN_WEBINARS}/{seed.W_SEQUENCE}", token)
    body = resp.json()
    assert body["webinarKey"] == str(seed.W_SEQUENCE)
    assert f'"organizerKey":{seed.ADMIN_KEY}' in resp.text.replace(" ", "")
    assert len(body["times"]) == 3 and body["timeZone"] == "Europe/Paris"
    assert body["registrationUrl"].endswith(f"/register/{seed.W_SEQUENCE}")
    missing = goto_sandbox.get(f"{ADMIN_WEBINARS}/5620084814059799999", token)
    assert missing.status_code == 404 and missing.json()["errorCode"] == "NotFound"
    elsewhere = goto_sandbox.get(f"{ADMIN_WEBINARS}/{seed.W_MANAGER}", token)
    assert elsewhere.status_code == 404


def test_registration_and_the_duplicate_answer(goto_sandbox):
    token = goto_sandbox.tokens()["access_token"]
    url = f"{goto_sandbox.url}{ADMIN_WEBINARS}/{seed.W_SINGLE}/registrants"
    auth = {"Authorization": f"Bearer {token}"}
    body = {"firstName": "Jane", "lastName": "Doe", "email": "jane@example.test",
            "organization": "Acme", "favouriteColour": "green", "responses": []}
    created = requests.post(url, json=body, headers=auth, timeout=5)
    assert created.status_code == 201
    answer = created.json()
    assert answer["status"] == "APPROVED" and set(answer) == {"registrantKey", "joinUrl", "status"}
    key = answer["registrantKey"]
    assert isinstance(key, int) and key > 2 ** 53 and int(float(key)) != key
    assert f'"registrantKey":{key}' in created.text.replace(" ", "")
    assert answer["joinUrl"].endswith(f"/join/{seed.W_SINGLE}/{key}")
    assert "Jane Doe" in requests.get(answer["joinUrl"], timeout=5).text

    again = requests.post(url, json=dict(body, email="JANE@example.test"), headers=auth, timeout=5)
    assert again.status_code == 409
    assert (again.json()["registrantKey"], again.json()["joinUrl"]) == (key, answer["joinUrl"])
    listed = requests.get(url, headers=auth, timeout=5).json()
    assert [r["registrantKey"] for r in listed] == [key]

    no_last = requests.post(url, json={"firstName": "A", "email": "a@example.test"},
                            headers=auth, timeout=5)
    assert no_last.status_code == 400 and no_last.json()["errorCode"] == "InvalidRequest"
    manual = requests.post(f"{goto_sandbox.url}{ADMIN_WEBINARS}/{seed.W_MANUAL}/registrants",
                           json=body, headers=auth, timeout=5)
    assert manual.status_code == 201 and manual.json()["status"] == "WAITING"
    past = requests.post(f"{goto_sandbox.url}{ADMIN_WEBINARS}/{seed.W_PAST}/registrants",
                         json=body, headers=auth, timeout=5)
    assert past.status_code == 400 and past.json()["errorCode"] == "WebinarPast"


def test_sessions_and_attendees_of_yesterdays_webinar(goto_sandbox):
    token = goto_sandbox.tokens()["access_token"]
    sessions = goto_sandbox.get(f"{ADMIN_WEBINARS}/{seed.W_PAST}/sessions", token).json()
    assert [s["sessionKey"] for s in sessions] == list(seed.PAST_SESSION_KEYS)
    first = goto_sandbox.get(f"{ADMIN_WEBINARS}/{seed.W_PAST}/sessions/"
                             f"{seed.PAST_SESSION_KEYS[0]}/attendees", token).json()
    by_email = {a["email"]: a for a in first}
    assert set(by_email) == {"alice@customer.test", "bruno@customer.test"}
    bruno = by_email["bruno@customer.test"]
    assert bruno["attendanceTimeInSeconds"] == 30 * 60 and len(bruno["attendance"]) == 2
    assert bruno["registrantKey"] == seed.PAST_REGISTRANTS[1][0]
    never = goto_sandbox.get(f"{ADMIN_WEBINARS}/{seed.W_NEVER_STARTED}/sessions", token)
    assert never.status_code == 200 and never.json() == []


def test_admin_roles_decide_what_an_organizer_may_read(goto_sandbox):
    admin = goto_sandbox.tokens()["access_token"]
    plain = goto_sandbox.tokens(seed.PLAIN_KEY)["access_token"]
    me = goto_sandbox.get("/admin/rest/v1/me", plain).json()
    assert (me["key"], me["adminRoles"], me["accountKey"]) == (seed.PLAIN_KEY, [], seed.ACCOUNT_KEY)
    users = goto_sandbox.get(f"/admin/rest/v1/accounts/{seed.ACCOUNT_KEY}/users", admin).json()
    assert {u["email"] for u in users["results"]} == {
        seed.ADMIN_EMAIL, seed.MANAGER_EMAIL, seed.PLAIN_EMAIL}
    refused = goto_sandbox.get(f"/admin/rest/v1/accounts/{seed.ACCOUNT_KEY}/users", plain)
    assert refused.status_code == 403 and refused.json()["errorCode"] == "AccessDenied"
    others = goto_sandbox.get(ADMIN_WEBINARS, plain, **RANGE)
    assert others.status_code == 403
    own = goto_sandbox.get(f"{G2W}/organizers/{seed.PLAIN_KEY}/webinars", plain, **RANGE).json()
    assert [w["webinarKey"] for w in own["_embedded"]["webinars"]] == [str(seed.W_PLAIN)]
    managed = goto_sandbox.get(f"{G2W}/organizers/{seed.PLAIN_KEY}/webinars",
                               goto_sandbox.tokens(seed.MANAGER_KEY)["access_token"], **RANGE)
    assert managed.status_code == 200


def test_faults_and_the_per_second_rate_limit(goto_sandbox):
    token = goto_sandbox.tokens()["access_token"]
    goto_sandbox.control("faults", pattern=f"{G2W}/*", status=429, retry_after=2, count=1)
    limited = goto_sandbox.get(ADMIN_WEBINARS, token, **RANGE)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "2"
    assert limited.json()["errorCode"] == "TooManyRequests"
    goto_sandbox.control("faults", pattern=f"{G2W}/*", status=503, count=1)
    assert goto_sandbox.get(ADMIN_WEBINARS, token, **RANGE).status_code == 503
    assert goto_sandbox.get(ADMIN_WEBINARS, token, **RANGE).status_code == 200

    goto_sandbox.control("config", rate_limit=1)
    # three calls span at most two one-second windows, so one window holds two
    answers = [goto_sandbox.get(ADMIN_WEBINARS, token, **RANGE) for _ in range(3)]
    over = [a for a in answers if a.status_code == 429]
    assert over and over[0].headers["Retry-After"] == "1"
    assert goto_sandbox.state()["counters"]["rate_limited"] >= 1


def test_reset_restores_the_seed(goto_sandbox):
    goto_sandbox.control("webinars", subject="Extra", organizerKey=str(seed.MANAGER_KEY))
    goto_sandbox.control(f"webinars/{seed.W_SINGLE}/registrants", email="a@b.test",
                         firstName="A", lastName="B")
    assert len(goto_sandbox.state()["webinars"]) == 9
    goto_sandbox.reset()
    state = goto_sandbox.state()
    assert len(state["webinars"]) == 8
    assert state["webinars"][str(seed.W_SINGLE)]["registrant_count"] == 0


def test_command_line_starts_and_prints_credentials():
    env = dict(os.environ, GOTO_CLIENT_ID="from-env-client", GOTO_WEBHOOK_SECRET_KEY="env-key")
    with subprocess.Popen([sys.executable, "-m", "providers.goto.sandbox", "--port", "0"],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          env=env) as proc:
        try:
            banner = [proc.stdout.readline() for _ in range(8)]
            base = banner[0].split(" on ")[1].strip()
            answer = requests.get(base + "/", timeout=5).json()
        finally:
            proc.terminate()
            proc.wait(5)
    assert answer["sandbox"] == "goto"
    assert "    GOTO_CLIENT_ID=from-env-client\n" in banner
    assert "    GOTO_WEBHOOK_SECRET_KEY=env-key\n" in banner
    assert f"    GOTO_OAUTH_BASE_URL={base}\n" in banner

