"""Plain-HTTP helpers for tests that talk to the sandbox as any client would."""
import requests

from providers.zoom.sandbox import seed
from tests.zoom.fixtures import REDIRECT_URI, oauth_consent


def bearer(sandbox) -> dict:
    """Headers for a Server-to-Server token (it acts as the account owner)."""
    resp = requests.post(sandbox.url + "/oauth/token", timeout=5,
                         auth=(seed.S2S_CLIENT_ID, seed.S2S_CLIENT_SECRET),
                         params={"grant_type": "account_credentials", "account_id": seed.ACCOUNT_ID})
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


def user_bearer(sandbox, user_id: str) -> dict:
    """Headers for an OAuth token of ``user_id`` (consent page, then code exchange)."""
    url = (f"{sandbox.url}/oauth/authorize?response_type=code&client_id={seed.OAUTH_CLIENT_ID}"
           f"&redirect_uri={REDIRECT_URI}&state=s")
    resp = requests.post(sandbox.url + "/oauth/token", timeout=5,
                         auth=(seed.OAUTH_CLIENT_ID, seed.OAUTH_CLIENT_SECRET),
                         data={"grant_type": "authorization_code", "redirect_uri": REDIRECT_URI,
                               "code": oauth_consent(url, user_id).code})
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}
