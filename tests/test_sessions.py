"""Signing out ends every session of the user, on every browser, remember-me included.
Over real HTTP: each browser is its own requests.Session."""
import requests

from tests.conftest import PASSWORD


def signed_in(base, remember=False):
    browser = requests.Session()
    data = {"email": "marketer@example.com", "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    response = browser.post(f"{base}/login", data=data, allow_redirects=False, timeout=10)
    assert response.status_code == 302
    return browser


def with_cookie_of(source, name):
    thief = requests.Session()
    thief.cookies.set(name, source.cookies.get(name))
    return thief


def can_see_programs(base, browser) -> bool:
    response = browser.get(f"{base}/programs/", allow_redirects=False, timeout=10)
    assert response.status_code in (200, 302)
    return response.status_code == 200


def test_logout_ends_every_session_and_remember_me_cookie(live_portal, users):
    laptop = signed_in(live_portal, remember=True)
    phone = signed_in(live_portal)
    stolen_session = with_cookie_of(laptop, "session")
    stolen_remember = with_cookie_of(laptop, "remember_token")
    browsers = [laptop, phone, stolen_session, stolen_remember]
    assert [can_see_programs(live_portal, b) for b in browsers] == [True] * 4

    laptop.post(f"{live_portal}/logout", timeout=10)

    assert [can_see_programs(live_portal, b) for b in browsers] == [False] * 4


def test_each_sign_in_gets_a_new_remember_me_token(live_portal, users):
    first = signed_in(live_portal, remember=True)
    old = first.cookies.get("remember_token")
    first.post(f"{live_portal}/logout", timeout=10)
    again = signed_in(live_portal, remember=True)
    assert again.cookies.get("remember_token") != old
    assert can_see_programs(live_portal, with_cookie_of(again, "remember_token"))
