import importlib

import pytest

import portal.config
from portal import create_app
from portal.extensions import db
from portal.models import Program
from tests.conftest import PASSWORD
from tests.test_access import ACCESS, WEBHOOK, routes
from tests.test_production import SECRETS as PRODUCTION_SECRETS


@pytest.fixture
def config(config):
    config["WTF_CSRF_ENABLED"] = True
    return config


def test_form_post_without_csrf_token_is_refused(client, users):
    login = client.post("/login", data={"email": "admin@example.com", "password": "correct horse battery"})
    assert login.status_code == 400
    assert "security token" in login.text


def test_csrf_token_lets_the_form_through(client, users):
    page = client.get("/login").text
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/login", data={"email": "marketer@example.com",
                                           "password": "correct horse battery", "csrf_token": token})
    assert response.status_code == 302
    refused = client.post("/programs/", data={"name": "No token", "channel": "webinar"})
    assert refused.status_code == 400
    assert db.session.scalar(db.select(Program)) is None


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_production_cookies_are_secure(monkeypatch):
    monkeypatch.setenv("LECTERN_ENV", "production")
    for name, value in PRODUCTION_SECRETS.items():
        monkeypatch.setenv(name, value)
    try:
        importlib.reload(portal.config)
        app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
        assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
        assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
        assert "Strict-Transport-Security" in app.test_client().get("/login").headers
    finally:
        for name in ["LECTERN_ENV", *PRODUCTION_SECRETS]:
            monkeypatch.delenv(name)
        importlib.reload(portal.config)


def test_every_post_form_refuses_a_missing_csrf_token(app, client, users):
    page = client.get("/login").text
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/login", data={"email": "admin@example.com", "password": PASSWORD, "csrf_token": token})
    posts = [(e, u) for e, m, u in routes(app) if m == "POST" and ACCESS[e] != WEBHOOK]
    assert len(posts) >= 8
    for endpoint, url in posts:
        response = client.post(url, data={})
        assert response.status_code == 400 and "security token" in response.text, f"{url} ({endpoint})"
