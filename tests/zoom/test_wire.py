"""What any HTTP client (not only our plugin) sends to and gets from the sandbox."""
import requests

from providers.zoom.sandbox import seed


def bearer(sandbox) -> dict:
    """Headers for a Server-to-Server token (it acts as the account owner)."""
    resp = requests.post(sandbox.url + "/oauth/token", timeout=5,
                         auth=(seed.S2S_CLIENT_ID, seed.S2S_CLIENT_SECRET),
                         params={"grant_type": "account_credentials", "account_id": seed.ACCOUNT_ID})
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


def test_unknown_registrant_fields_are_ignored(sandbox):
    # A third-party client sent the webinar's id (and more) in each registrant's body.
    auth = bearer(sandbox)
    url = f"{sandbox.api_url}/webinars/{seed.W_SINGLE}/registrants"
    extra = {"id": seed.W_SINGLE, "registrant_id": "chosen-by-client", "status": "denied",
             "join_url": "https://evil.test/j", "create_time": "2001-01-01T00:00:00Z",
             "webinar_id": seed.W_SINGLE, "job_title": "CTO",
             "custom_questions": [{"title": "Q", "value": "A", "admin": True}]}
    answers = [requests.post(url, headers=auth, timeout=5,
                             json={**extra, "email": f"p{i}@client.test", "first_name": f"P{i}"})
               for i in range(2)]
    assert [a.status_code for a in answers] == [201, 201]
    ids = [a.json()["registrant_id"] for a in answers]
    assert len(set(ids)) == 2
    assert not {str(seed.W_SINGLE), "chosen-by-client"} & {str(i) for i in ids}
    assert [a.json()["id"] for a in answers] == [seed.W_SINGLE, seed.W_SINGLE]

    listed = requests.get(url, headers=auth, timeout=5).json()["registrants"]
    assert sorted(r["id"] for r in listed) == sorted(ids)
    for person in listed:
        assert person["status"] == "approved"
        assert person["join_url"].startswith(sandbox.url) and person["create_time"] > "2001"
        assert person["job_title"] == "CTO"
        assert person["custom_questions"] == [{"title": "Q", "value": "A"}]
        assert "registrant_id" not in person and "webinar_id" not in person
    again = requests.post(url, headers=auth, timeout=5,
                          json={**extra, "email": "p0@client.test", "first_name": "P0"})
    assert again.json()["registrant_id"] == ids[0]
