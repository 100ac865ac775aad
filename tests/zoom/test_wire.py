"""What any HTTP client (not only our plugin) sends to and gets from the sandbox."""
import requests

from providers.zoom.sandbox import seed
from tests.zoom.helpers import bearer
from tests.zoom.schema_check import ROUTES, problems, schema_for


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


def test_known_registrant_fields_are_checked_as_zoom_publishes_them(sandbox):
    auth = bearer(sandbox)
    url = f"{sandbox.api_url}/webinars/{seed.W_SINGLE}/registrants"
    person = {"email": "v@client.test", "first_name": "V"}
    for bad in ({"first_name": "x" * 65}, {"no_of_employees": "lots"}, {"language": "xx-XX"},
                {"zip": 75001}, {"custom_questions": [{"title": "Q", "value": "v" * 129}]}):
        refused = requests.post(url, headers=auth, timeout=5, json={**person, **bad})
        assert (refused.status_code, refused.json()["code"]) == (400, 300), bad
        assert refused.json()["message"].startswith("Validation Failed. Invalid field:")
    fine = requests.post(url, headers=auth, timeout=5, json={
        **person, "language": "fr-FR", "no_of_employees": "21-50", "comments": "Hi"})
    assert fine.status_code == 201
    listed = requests.get(url, headers=auth, timeout=5).json()["registrants"]
    assert [(r["no_of_employees"], r["comments"]) for r in listed] == [("21-50", "Hi")]
    assert "language" not in listed[0]


def _served(sandbox, auth):
    """Every kind of answer the sandbox serves: (method, path, params or json)."""
    refresh = requests.post(sandbox.url + "/oauth/token", timeout=5,
                            auth=(seed.OAUTH_CLIENT_ID, seed.OAUTH_CLIENT_SECRET),
                            data={"grant_type": "refresh_token", "refresh_token": "stale"})
    assert refresh.status_code == 400
    sandbox.control(f"webinars/{seed.W_SINGLE}/bulk", attendees=3, absentees=2, walk_ins=1)
    instance = sandbox.state()["webinars"][str(seed.W_SINGLE)]["instances"][0]["uuid"]
    return [
        ("GET", "/users/me", {}), ("GET", "/users", {"page_size": 2}),
        ("GET", f"/users/{seed.PRIVILEGED_EMAIL}", {}),
        ("GET", f"/users/{seed.PRIVILEGED_ID}/permissions", {}),
        ("GET", "/users/me/settings", {}), ("GET", f"/users/{seed.NO_WEBINAR_ID}/settings", {}),
        ("GET", "/users/me/webinars", {"type": "upcoming"}), ("GET", "/users/me/webinars", {}),
        *[("GET", f"/webinars/{w}", {}) for w in (seed.W_SINGLE, seed.W_NO_REGISTRATION,
                                                  seed.W_QUESTION, seed.W_RECURRING_FIXED,
                                                  seed.W_RECURRING_NO_FIXED)],
        ("GET", f"/webinars/{seed.W_QUESTION}/registrants/questions", {}),
        ("POST", f"/webinars/{seed.W_MANUAL}/registrants",
         {"email": "m@client.test", "first_name": "M", "org": "Org"}),
        ("POST", f"/webinars/{seed.W_RECURRING_FIXED}/registrants",
         {"email": "r@client.test", "first_name": "R"}),
        ("GET", f"/webinars/{seed.W_MANUAL}/registrants", {"status": "pending"}),
        ("GET", f"/webinars/{seed.W_PAST}/registrants", {"page_size": 1}),
        ("GET", f"/past_webinars/{seed.W_PAST}/instances", {}),
        ("GET", f"/report/webinars/{seed.W_PAST}/participants", {"include_fields": "registrant_id"}),
        ("GET", f"/report/webinars/{instance}/participants", {}),
        ("GET", f"/past_webinars/{seed.W_PAST}/participants", {}),
        ("GET", f"/past_webinars/{seed.PAST_INSTANCE_UUID}/absentees", {}),
        ("GET", f"/past_webinars/{instance}/absentees", {"page_size": 1}),
        ("GET", f"/past_webinars/{seed.W_NEVER_STARTED}/absentees", {}),        # 404 3001
        ("POST", f"/webinars/{seed.W_NO_REGISTRATION}/registrants",
         {"email": "n@client.test", "first_name": "N"}),                         # 400 3000
    ]


def test_every_answer_matches_zoom_published_schemas(sandbox):
    auth = bearer(sandbox)
    covered = {"token", "oauth_error"}
    for method, path, data in _served(sandbox, auth):
        resp = requests.request(method, sandbox.api_url + path, headers=auth, timeout=5,
                                **({"json": data} if method == "POST" else {"params": data}))
        full = "/v2" + path
        assert not problems(method, full, resp.status_code, resp.content)
        covered.add(schema_for(method, full, resp.status_code))
    assert covered == {name for _, _, name in ROUTES} | {"error", "oauth_error"}


def test_the_schema_check_catches_what_zoom_would_not_send():
    path = f"/v2/webinars/{seed.W_SINGLE}/registrants"
    assert not problems("POST", path, 201, b'{"id": 81000000001, "registrant_id": "r1"}')
    assert problems("POST", path, 201, b'{"id": 81000000001, "registrant_id": 5}')
    assert problems("POST", path, 201, b'{"id": "81000000001", "registrant_id": "r1"}')
    assert problems("POST", path, 201, b'{"id": 81000000001, "invented": true}')
    assert problems("GET", "/v2/users/me", 200, b'{"id": "u", "created_at": "yesterday"}')
    assert problems("GET", "/v2/users/me", 404, b'{"message": "no code"}')
