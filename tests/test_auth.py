import pytest

from portal.extensions import db
from portal.models import User
from tests.conftest import PASSWORD


def test_pages_need_sign_in(client, users):
    for url in ["/", "/programs/", "/admin/users"]:
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_login_and_logout(client, auth, users):
    response = auth.login(follow_redirects=True)
    assert response.status_code == 200
    assert b"marketer@example.com" in response.data
    assert client.get("/programs/").status_code == 200
    auth.logout()
    assert client.get("/programs/").status_code == 302


@pytest.mark.parametrize("email,password", [
    ("marketer@example.com", "wrong password"),
    ("nobody@example.com", PASSWORD),
])
def test_wrong_credentials_say_the_same_thing(client, auth, users, email, password):
    response = auth.login(email, password)
    assert response.status_code == 401
    assert b"Wrong email or password." in response.data
    assert client.get("/programs/").status_code == 302


def test_email_is_case_insensitive(client, auth, users):
    response = auth.login("Marketer@Example.COM")
    assert response.status_code == 302


def test_deactivated_user_cannot_sign_in(client, auth, users):
    users["marketer"].active = False
    db.session.commit()
    response = auth.login()
    assert response.status_code == 403
    assert b"deactivated" in response.data
    assert client.get("/programs/").status_code == 302


def test_deactivated_user_loses_open_session(client, auth, users):
    auth.login()
    assert client.get("/programs/").status_code == 200
    users["marketer"].active = False
    db.session.commit()
    assert client.get("/programs/").status_code == 302


def test_next_redirect_stays_on_site(client, auth, users):
    ok = auth.login(query_string={"next": "/admin/users"})
    assert ok.headers["Location"] == "/admin/users"
    auth.logout()
    evil = auth.login(query_string={"next": "https://evil.example/"})
    assert "evil" not in evil.headers["Location"]


def test_login_is_rate_limited(app, client, auth, users):
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    for _ in range(limit):
        assert auth.login("marketer@example.com", "nope").status_code == 401
    blocked = auth.login()  # even the right password waits
    assert blocked.status_code == 429
    assert b"Too many attempts" in blocked.data


def test_without_trusted_proxies_x_forwarded_for_is_ignored(app, client, auth, users):
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    codes = [auth.login("marketer@example.com", "nope", headers={"X-Forwarded-For": f"192.0.2.{i}"}).status_code
             for i in range(limit + 1)]
    assert codes == [401] * limit + [429]


def test_marketer_gets_403_on_admin_pages(marketer):
    assert marketer.get("/admin/users").status_code == 403
    assert marketer.post("/admin/users", data={"email": "x@example.com", "role": "admin",
                                               "password": "plum anvil sorrow kite"}).status_code == 403
    assert db.session.scalar(db.select(User).where(User.email == "x@example.com")) is None


def test_admin_adds_and_deactivates_users(admin):
    response = admin.post("/admin/users", data={"email": "New@Example.com", "role": "marketer",
                                                "password": "plum anvil sorrow kite"}, follow_redirects=True)
    assert b"new@example.com can now sign in as marketer" in response.data
    user = db.session.scalar(db.select(User).where(User.email == "new@example.com"))
    assert user.check_password("plum anvil sorrow kite")
    admin.post(f"/admin/users/{user.id}/active", follow_redirects=True)
    db.session.refresh(user)
    assert user.active is False


def test_admin_user_form_errors(admin, users):
    response = admin.post("/admin/users", data={"email": "admin@example.com", "role": "marketer",
                                                "password": "short"})
    assert b"A user with this email already exists." in response.data
    assert b"Use at least 12 characters." in response.data


def test_cli_creates_users(app, runner):
    result = runner.invoke(args=["users", "create", "cli@example.com", "--admin", "--password", "plum anvil sorrow kite"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).where(User.email == "cli@example.com"))
    assert user.is_admin and user.check_password("plum anvil sorrow kite")
    again = runner.invoke(args=["users", "create", "cli@example.com", "--password", "plum anvil sorrow kite"])
    assert again.exit_code != 0 and "already exists" in again.output
