"""[S3] Whether webinars are enabled for a user, as Zoom's user settings say, and the
consent page's Deny."""
import requests

from providers.zoom.sandbox import seed
from tests.zoom.fixtures import REDIRECT_URI, oauth_consent
from tests.zoom.helpers import bearer, user_bearer


def _settings(sandbox, auth, user="me"):
    return requests.get(f"{sandbox.api_url}/users/{user}/settings", headers=auth, timeout=5)


def test_settings_say_whether_webinars_are_enabled(sandbox):
    owner = bearer(sandbox)
    mine = _settings(sandbox, owner)
    assert mine.status_code == 200
    assert mine.json()["feature"]["webinar"] is True and mine.json()["feature"]["webinar_capacity"] > 0
    eve = user_bearer(sandbox, seed.NO_WEBINAR_ID)
    assert _settings(sandbox, eve).json()["feature"]["webinar"] is False
    assert _settings(sandbox, owner, seed.NO_WEBINAR_EMAIL).json()["feature"]["webinar"] is False
    assert _settings(sandbox, owner, seed.UNKNOWN_EMAIL).json()["code"] == 1001

    listed = requests.get(f"{sandbox.api_url}/users/me/webinars", headers=eve, timeout=5)
    assert listed.status_code == 400 and listed.json()["code"] == 200
    assert listed.json()["message"].startswith("Webinar plan is missing.")
    me = requests.get(f"{sandbox.api_url}/users/me", headers=eve, timeout=5).json()
    assert (me["email"], me["role_name"]) == (seed.NO_WEBINAR_EMAIL, "Admin")


def test_the_webinars_add_on_can_be_removed_and_given_back(sandbox):
    owner = bearer(sandbox)
    assert sandbox.control(f"users/{seed.PRIVILEGED_EMAIL}/features", webinar=False) == {
        "id": seed.PRIVILEGED_ID, "webinar": False}
    assert _settings(sandbox, owner, seed.PRIVILEGED_ID).json()["feature"]["webinar"] is False
    sandbox.control(f"users/{seed.PRIVILEGED_ID}/features", webinar=True)
    assert _settings(sandbox, owner, seed.PRIVILEGED_ID).json()["feature"]["webinar"] is True
    added = sandbox.control("users", email="solo@sandbox-zoom.test", webinar=False)
    assert _settings(sandbox, owner, added["id"]).json()["feature"]["webinar"] is False
    sandbox.reset()
    assert _settings(sandbox, bearer(sandbox), seed.NO_WEBINAR_ID).json()["feature"]["webinar"] is False


def test_consent_page_offers_deny_for_every_user(sandbox):
    url = (f"{sandbox.url}/oauth/authorize?response_type=code&client_id={seed.OAUTH_CLIENT_ID}"
           f"&redirect_uri={REDIRECT_URI}&state=st-9")
    page = requests.get(url, timeout=5).text
    assert seed.NO_WEBINAR_EMAIL in page and ">Deny</button>" in page
    denied = oauth_consent(url, seed.NO_WEBINAR_ID, approve=False)
    assert (denied.error, denied.state, denied.code) == ("access_denied", "st-9", "")
    assert denied.location.startswith(REDIRECT_URI + "?")
