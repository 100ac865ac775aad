"""The password policy (12+ characters, not guessable) and changing one's own password."""
import pytest
import requests

from portal.extensions import db
from portal.models import User
from tests.conftest import PASSWORD

NEW = "plum anvil sorrow kite"


@pytest.mark.parametrize("password,why", [
    ("short pass", "Use at least 12 characters."),
    ("aaaaaaaaaaaa", "are easy to guess."),
    ("password1234", "This is a very common password."),
    ("qwertyuiop123", "This is a very common password."),
])
def test_admin_cannot_give_a_weak_password(admin, password, why):
    response = admin.post("/admin/users", data={"email": "new@example.com", "role": "marketer",
                                                "password": password})
    assert response.status_code == 200 and why in response.text
    assert db.session.scalar(db.select(User).where(User.email == "new@example.com")) is None


def test_cli_refuses_a_common_password(runner):
    result = runner.invoke(args=["users", "create", "cli@example.com", "--password", "password1234"])
    assert result.exit_code != 0 and "very common password" in result.output


def test_every_signed_in_user_has_a_change_password_page(marketer):
    page = marketer.get("/programs/").text
    assert 'href="/account/password"' in page
    form = marketer.get("/account/password")
    assert form.status_code == 200 and "Current password" in form.text


@pytest.mark.parametrize("data,error", [
    ({"current_password": "not my password", "new_password": NEW, "confirm": NEW},
     "This is not your current password."),
    ({"current_password": PASSWORD, "new_password": "password1234", "confirm": "password1234"},
     "This is a very common password."),
    ({"current_password": PASSWORD, "new_password": NEW, "confirm": NEW + "!"},
     "The two new passwords differ."),
    ({"new_password": NEW, "confirm": NEW}, "This field is required."),
])
def test_change_password_refusals_leave_the_password_alone(marketer, users, data, error):
    response = marketer.post("/account/password", data=data)
    assert response.status_code == 400 and error in response.text
    db.session.refresh(users["marketer"])
    assert users["marketer"].check_password(PASSWORD)


def test_change_password_signs_out_every_other_session(live_portal, users):
    def browser():
        session = requests.Session()
        session.post(f"{live_portal}/login", timeout=10,
                     data={"email": "marketer@example.com", "password": PASSWORD, "remember": "y"})
        return session

    here, elsewhere = browser(), browser()
    changed = here.post(f"{live_portal}/account/password", timeout=10,
                        data={"current_password": PASSWORD, "new_password": NEW, "confirm": NEW})
    assert "Your password is changed." in changed.text

    assert here.get(f"{live_portal}/programs/", allow_redirects=False, timeout=10).status_code == 200
    assert elsewhere.get(f"{live_portal}/programs/", allow_redirects=False, timeout=10).status_code == 302
    old = requests.post(f"{live_portal}/login", allow_redirects=False, timeout=10,
                        data={"email": "marketer@example.com", "password": PASSWORD})
    assert old.status_code == 401
    new = requests.post(f"{live_portal}/login", allow_redirects=False, timeout=10,
                        data={"email": "marketer@example.com", "password": NEW})
    assert new.status_code == 302


def test_why_a_password_is_weak_comes_in_the_users_language(marketer, users):
    users["marketer"].locale = "fr"
    db.session.commit()
    response = marketer.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "password1234", "confirm": "password1234"})
    assert response.status_code == 400
    assert "Ceci est un mot de passe très courant. Essayez" in response.text
    assert "very common" not in response.text
