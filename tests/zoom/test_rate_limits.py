"""Zoom's per-second limits per account and class, on by default. The limiter's clock is
frozen through the control API so that no test depends on where a second begins."""
import requests

from providers.zoom.sandbox import create_sandbox_app, seed
from tests.zoom.helpers import bearer, user_bearer

T0 = 1_900_000_000


def _report(sandbox, auth):
    return requests.get(f"{sandbox.api_url}/report/webinars/{seed.W_PAST}/participants",
                        headers=auth, timeout=5)


def test_every_answer_carries_the_limit_headers_of_its_class(sandbox):
    assert sandbox.control("rate-limits", method="GET")["limits"] == {
        "Light": 30, "Medium": 20, "Heavy": 10}
    auth = bearer(sandbox)
    for path, name, limit in ((f"/webinars/{seed.W_SINGLE}", "Light", "30"),
                              ("/users/me/webinars", "Medium", "20"),
                              (f"/past_webinars/{seed.W_PAST}/absentees", "Heavy", "10"),
                              ("/webinars/89999999999", "Light", "30")):          # a 404 too
        headers = requests.get(sandbox.api_url + path, headers=auth, timeout=5).headers
        assert (headers["X-RateLimit-Category"], headers["X-RateLimit-Type"],
                headers["X-RateLimit-Limit"]) == (name, "QPS", limit)
        assert 0 <= int(headers["X-RateLimit-Remaining"]) < int(limit)


def test_past_the_limit_zoom_answers_429_per_account_until_the_next_second(sandbox):
    sandbox.control("rate-limits", freeze_at=T0)
    owner, bob = bearer(sandbox), user_bearer(sandbox, seed.PRIVILEGED_ID)
    answers = [_report(sandbox, owner if i % 2 else bob) for i in range(10)]
    assert [a.status_code for a in answers] == [200] * 10
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == [str(9 - i) for i in range(10)]

    refused = _report(sandbox, bob)                 # the 11th Heavy call, from another user
    assert refused.status_code == 429
    assert refused.json() == {"code": 429, "message": "You have reached the maximum per-second "
                                                      "rate limit for this API. Try again later."}
    assert {k: refused.headers[k] for k in ("Retry-After", "X-RateLimit-Category",
                                            "X-RateLimit-Type", "X-RateLimit-Limit",
                                            "X-RateLimit-Remaining")} == {
        "Retry-After": "1", "X-RateLimit-Category": "Heavy", "X-RateLimit-Type": "QPS",
        "X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "0"}
    light = requests.get(f"{sandbox.api_url}/webinars/{seed.W_SINGLE}", headers=owner, timeout=5)
    assert light.status_code == 200                 # each class has its own budget
    assert _report(sandbox, owner).status_code == 429

    sandbox.control("rate-limits", freeze_at=T0 + 1)
    assert _report(sandbox, owner).status_code == 200
    counts = sandbox.control("rate-limits", method="GET")
    assert counts["rejected"] == {"Light": 0, "Medium": 0, "Heavy": 2}
    assert (counts["rejected_total"], counts["answered_429"]) == (2, 2)


def test_limits_are_configurable_and_can_be_switched_off(sandbox):
    sandbox.control("rate-limits", freeze_at=T0, limits={"Light": 2})
    auth = bearer(sandbox)
    url = f"{sandbox.api_url}/users/me"
    assert [requests.get(url, headers=auth, timeout=5).status_code for _ in range(3)] == [
        200, 200, 429]
    sandbox.control("rate-limits", enabled=False)
    off = requests.get(url, headers=auth, timeout=5)
    assert off.status_code == 200 and off.headers["X-RateLimit-Limit"] == "2"
    assert sandbox.control("rate-limits", plan="business", enabled=True)["limits"] == {
        "Light": 80, "Medium": 60, "Heavy": 40}
    assert sandbox.control("rate-limits", reset_counts=True)["rejected_total"] == 0
    bad = requests.post(f"{sandbox.url}/_sandbox/rate-limits", json={"plan": "gold"}, timeout=5)
    assert bad.status_code == 400
    sandbox.reset()                                 # back to the start-up setting
    assert sandbox.control("rate-limits", method="GET")["limits"]["Light"] == 30


def test_start_up_setting_from_the_environment(monkeypatch):
    monkeypatch.setenv("ZOOM_SANDBOX_RATE_LIMITS", "Light=5,Heavy=1")
    custom = create_sandbox_app().test_client().get("/_sandbox/rate-limits").get_json()
    assert (custom["enabled"], custom["limits"]) == (True, {"Light": 5, "Medium": 20, "Heavy": 1})
    monkeypatch.setenv("ZOOM_SANDBOX_RATE_LIMITS", "off")
    assert not create_sandbox_app().test_client().get("/_sandbox/rate-limits").get_json()["enabled"]
