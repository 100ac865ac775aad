"""Rate limits behind a reverse proxy (TRUSTED_PROXIES=1): per visitor, not per proxy;
the landing limit per page and address; sign-in throttled per address and per account."""
import pytest

from portal.extensions import db
from portal.programs import lifecycle as flows
from tests.conftest import PASSWORD
from tests.test_landing import FORM

PROXY = "10.0.0.254"


@pytest.fixture
def config(config):
    config.update(TRUSTED_PROXIES=1, LOGIN_RATE_LIMIT="3 per minute",
                  LOGIN_ACCOUNT_RATE_LIMIT="5 per 15 minutes", LANDING_RATE_LIMIT="2 per minute")
    return config


def via(visitor: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": PROXY}, "headers": {"X-Forwarded-For": visitor}}


def sign_in(client, visitor, email="marketer@example.com", password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password}, **via(visitor)).status_code


def test_sign_in_limit_is_per_visitor_behind_the_proxy(client, users):
    assert [sign_in(client, "203.0.113.1", password="wrong") for _ in range(4)] == [401, 401, 401, 429]
    assert sign_in(client, "203.0.113.2") == 302


def test_failed_sign_ins_for_one_account_throttle_it_from_every_address(client, users):
    codes = [sign_in(client, f"198.51.100.{i}", password="wrong") for i in range(6)]
    assert codes == [401] * 5 + [429]
    assert sign_in(client, "198.51.100.200") == 429          # even the right password waits
    assert sign_in(client, "198.51.100.200", email="admin@example.com") == 302


def test_successful_sign_ins_do_not_count_against_the_account(client, users):
    assert [sign_in(client, f"198.51.100.{i}", password="wrong") for i in range(4)] == [401] * 4
    assert sign_in(client, "198.51.100.10") == 302
    client.post("/logout", **via("198.51.100.10"))
    assert sign_in(client, "198.51.100.11", password="wrong") == 401
    assert sign_in(client, "198.51.100.12", password="wrong") == 429


def test_landing_limit_is_per_page_and_visitor(client, app):
    pages = []
    for name in ("Meetup A", "Meetup B"):
        program = flows.create_program(name, "in_person", "", None)
        program.landing_page.published = True
        pages.append(f"/lp/{program.landing_page.slug}")
    db.session.commit()

    def register(url, visitor, n):
        return client.post(url, data={**FORM, "email": f"p{n}@example.com"}, **via(visitor)).status_code

    assert [register(pages[0], "203.0.113.7", n) for n in range(3)] == [302, 302, 429]
    assert register(pages[1], "203.0.113.7", 3) == 302     # another page: its own bucket
    assert register(pages[0], "203.0.113.8", 4) == 302     # another visitor behind the proxy

