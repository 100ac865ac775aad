"""Admin > Services against the Zoom sandbox over HTTP [S2][S3][S7][S9][S10][S11][S12]."""
import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import sqlalchemy as sa

from portal.extensions import db
from portal.models import Binding, Program, Service, ServiceError
from portal.services.gateway import Gateway
from portal.services.tokens import ServiceTokenStore
from providers.base import NotStarted
from providers.zoom.sandbox import seed
from tests.services_helpers import connect_service, finish_connect, start_connect


@pytest.fixture
def service(admin, sandbox):
    return connect_service(admin)


def test_admin_connects_the_sandbox_account(admin, sandbox):
    authorize_url = start_connect(admin, "Marketing Zoom")
    assert authorize_url.startswith(sandbox.url + "/oauth/authorize")
    answer = finish_connect(admin, authorize_url, seed.OWNER_ID)
    confirm = admin.get(answer.headers["Location"])
    assert "Save “Marketing Zoom”" in confirm.text and seed.OWNER_EMAIL in confirm.text
    saved = admin.post(answer.headers["Location"], data={"action": "save"}, follow_redirects=True)
    assert "Marketing Zoom is saved" in saved.text
    service = db.session.scalar(db.select(Service))
    assert (service.state, service.account_id, service.connected_email) == (
        "active", seed.ACCOUNT_ID, seed.OWNER_EMAIL)
    listing = admin.get("/admin/services")
    assert "Marketing Zoom" in listing.text and seed.ACCOUNT_ID in listing.text


def test_privileged_member_may_connect(admin, sandbox):
    service = connect_service(admin, user_id=seed.PRIVILEGED_ID)
    assert service.state == "active" and service.connected_email == seed.PRIVILEGED_EMAIL


def test_plain_member_is_refused_with_what_is_missing(admin, sandbox):
    answer = finish_connect(admin, start_connect(admin), seed.PLAIN_ID)
    page = admin.get(answer.headers["Location"])
    assert seed.PLAIN_EMAIL in page.text and "lacks" in page.text
    for privilege in ("edit Users", "view Usage Reports", "edit Integration"):
        assert privilege.lower() in page.text.lower()
    assert db.session.scalar(db.select(sa.func.count()).select_from(Service)) == 0


def test_denied_consent_and_forged_state_save_nothing(admin, sandbox):
    denied = finish_connect(admin, start_connect(admin), approve=False)
    assert "did not authorize" in admin.get(denied.headers["Location"]).text
    start_connect(admin)
    forged = admin.get("/admin/services/callback", query_string={"code": "x", "state": "forged"})
    assert "did not match" in admin.get(forged.headers["Location"]).text
    assert db.session.scalar(db.select(sa.func.count()).select_from(Service)) == 0


def test_tokens_are_unreadable_in_the_raw_row(service):
    access = ServiceTokenStore(service.id).load()["access_token"]
    with db.engine.connect() as conn:
        raw = conn.execute(sa.text("SELECT * FROM services")).one()
    dumped = json.dumps([str(v) for v in raw._mapping.values()])
    assert access not in dumped and "access_token" not in dumped
    assert access.encode() not in bytes(raw._mapping["token_ciphertext"])


def test_server_to_server_connection(admin, sandbox):
    response = admin.post("/admin/services/new", data={"name": "S2S", "provider": "zoom", "kind": "s2s"})
    admin.post(response.headers["Location"], data={"action": "save"})
    service = db.session.scalar(db.select(Service))
    assert (service.kind, service.state, service.account_id) == ("s2s", "active", seed.ACCOUNT_ID)
    assert Gateway(service).whoami().account_id == seed.ACCOUNT_ID


def test_authorized_hosts_checked_one_by_one(admin, service):
    response = admin.post(f"/admin/services/{service.id}/hosts", follow_redirects=True, data={
        "emails": f"{seed.PRIVILEGED_EMAIL}\n{seed.UNKNOWN_EMAIL}\n{seed.OWNER_EMAIL}"})
    assert f"{seed.UNKNOWN_EMAIL}</strong> is not a user of this account." in response.text
    assert "is the connecting user" in response.text
    db.session.refresh(service)
    assert [h.email for h in service.hosts] == [seed.PRIVILEGED_EMAIL]
    assert service.hosts[0].host_id == seed.PRIVILEGED_ID


def test_twenty_hosts_at_most(admin, service, sandbox):
    emails = [f"host{i:02d}@sandbox-zoom.test" for i in range(21)]
    for email in emails:
        sandbox.control("users", email=email, first_name="Host", last_name=email[:6])
    response = admin.post(f"/admin/services/{service.id}/hosts", data={"emails": "\n".join(emails)},
                          follow_redirects=True)
    db.session.refresh(service)
    assert len(service.hosts) == 20
    assert "host20@sandbox-zoom.test</strong> not added: a service may authorize at most 20 hosts." in response.text


def test_removing_a_host_keeps_linked_programs(admin, service):
    admin.post(f"/admin/services/{service.id}/hosts", data={"emails": seed.PRIVILEGED_EMAIL})
    program = Program(name="Bob's webinar", channel="webinar")
    db.session.add(Binding(program=program, service_id=service.id, provider="zoom",
                           webinar_id=str(seed.W_BOB), topic="Bob"))
    db.session.commit()
    host = service.hosts[0]
    admin.post(f"/admin/services/{service.id}/hosts/{host.id}/remove")
    db.session.expire_all()
    assert service.hosts == [] and program.binding.webinar_id == str(seed.W_BOB)


def test_second_service_for_the_same_account_replaces_the_first(admin, service, sandbox):
    program = Program(name="Linked", channel="webinar")
    db.session.add(Binding(program=program, service_id=service.id, provider="zoom",
                           webinar_id=str(seed.W_SINGLE), topic="Single"))
    db.session.commit()
    answer = finish_connect(admin, start_connect(admin, "Zoom again"), seed.ADMIN_ID)
    confirm = admin.get(answer.headers["Location"])
    assert "already connected" in confirm.text and "1 program linked through “Zoom”" in confirm.text
    done = admin.post(answer.headers["Location"], data={"action": "save"}, follow_redirects=True)
    assert "Zoom again replaces Zoom" in done.text
    db.session.expire_all()
    new = db.session.scalar(db.select(Service).where(Service.name == "Zoom again"))
    old = db.session.get(Service, service.id)
    assert (old.state, old.replaced_by_id, new.state) == ("replaced", new.id, "active")
    assert program.binding.service_id == new.id
    assert Gateway(new).webinar(str(seed.W_SINGLE)).topic


def test_cancelled_replacement_changes_nothing(admin, service):
    answer = finish_connect(admin, start_connect(admin, "Oops"), seed.ADMIN_ID)
    admin.post(answer.headers["Location"], data={"action": "cancel"})
    db.session.expire_all()
    assert [s.name for s in db.session.scalars(db.select(Service))] == ["Zoom"]
    assert db.session.get(Service, service.id).state == "active"


def test_reauthorize_as_non_admin_is_refused_and_old_tokens_keep_working(admin, service):
    before = ServiceTokenStore(service.id).load()
    response = admin.post(f"/admin/services/{service.id}/reauthorize")
    answer = finish_connect(admin, response.headers["Location"], seed.PRIVILEGED_ID)
    page = admin.get(answer.headers["Location"])
    assert "is not a Zoom admin" in page.text and "keeps its current connection" in page.text
    db.session.expire_all()
    assert ServiceTokenStore(service.id).load() == before
    assert Gateway(service).whoami().email == seed.OWNER_EMAIL


def test_reauthorize_as_admin_takes_new_tokens(admin, service):
    before = ServiceTokenStore(service.id).load()
    response = admin.post(f"/admin/services/{service.id}/reauthorize")
    answer = finish_connect(admin, response.headers["Location"], seed.ADMIN_ID)
    assert "re-authorized as " + seed.ADMIN_EMAIL in admin.get(answer.headers["Location"]).text
    db.session.expire_all()
    assert ServiceTokenStore(service.id).load()["access_token"] != before["access_token"]
    assert Gateway(service).whoami().email == seed.ADMIN_EMAIL


def test_disconnect_revokes_at_the_provider(admin, service, sandbox):
    token = ServiceTokenStore(service.id).load()["access_token"]
    response = admin.post(f"/admin/services/{service.id}/disconnect", follow_redirects=True)
    assert "is disconnected" in response.text
    db.session.expire_all()
    assert service.state == "disconnected" and service.token_ciphertext is None
    me = requests.get(sandbox.api_url + "/users/me", headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert me.status_code == 401


def test_deauthorization_webhook_disconnects(admin, service, sandbox, live_portal, run_jobs):
    sandbox.control("webhook-url", url=live_portal + "/webhooks/zoom")
    sandbox.control("deauthorize", sync=True, account_id=seed.ACCOUNT_ID)
    run_jobs()
    assert db.session.get(Service, service.id).state == "disconnected"


def test_error_log_names_a_never_started_webinar(admin, service):
    program = Program(name="Ghost", channel="webinar")
    db.session.add(program)
    db.session.commit()
    with pytest.raises(NotStarted):
        Gateway(service, program_id=program.id).attendance(str(seed.W_NEVER_STARTED))
    error = db.session.scalar(db.select(ServiceError))
    assert error.message == f"webinar {seed.W_NEVER_STARTED} never started"
    assert error.operation == "read attendance"
    page = admin.get(f"/admin/services/{service.id}")
    assert f"webinar {seed.W_NEVER_STARTED} never started" in page.text
    assert f"webinar {seed.W_NEVER_STARTED} never started" in admin.get(f"/programs/{program.id}").text
    db.session.refresh(service)
    assert service.error_count == 1


def test_test_connection_button(admin, service):
    response = admin.post(f"/admin/services/{service.id}/test", follow_redirects=True)
    assert f"Connection works: signed in as {seed.OWNER_EMAIL}" in response.text


@pytest.mark.parametrize("method,path", [
    ("get", "/admin/services"), ("get", "/admin/services/new"), ("post", "/admin/services/new"),
    ("get", "/admin/services/callback"), ("get", "/admin/services/{id}"),
    ("get", "/admin/services/{id}/confirm"), ("post", "/admin/services/{id}/hosts"),
    ("post", "/admin/services/{id}/hosts/1/remove"), ("post", "/admin/services/{id}/test"),
    ("post", "/admin/services/{id}/reauthorize"), ("post", "/admin/services/{id}/disconnect"),
])
def test_marketers_get_403_on_every_services_page(client, auth, service, method, path):
    auth.logout()
    auth.login("marketer@example.com")
    response = getattr(client, method)(path.format(id=service.id))
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Service, service.id).state == "active"


def test_two_workers_refreshing_at_once_keep_a_working_token(app, service, sandbox):
    """Rotation: the old refresh token dies on first use, so only one process may
    spend it; the other must pick up the new tokens from the database."""
    import threading

    sandbox.control("tokens/expire")
    before = len(sandbox.requests_seen("POST", "/oauth/token"))
    results, barrier = [], threading.Barrier(2)

    def worker():
        with app.app_context():
            barrier.wait()
            try:
                results.append(Gateway(db.session.get(Service, service.id)).whoami().email)
            except Exception as exc:  # collected: the assertion below names it
                results.append(repr(exc))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == [seed.OWNER_EMAIL, seed.OWNER_EMAIL]
    assert len(sandbox.requests_seen("POST", "/oauth/token")) - before == 1
    assert Gateway(service).whoami().email == seed.OWNER_EMAIL


def test_no_token_or_secret_reaches_the_logs(admin, sandbox, caplog):
    caplog.set_level("DEBUG")
    admin.post("/logout")
    admin.post("/login", data={"email": "admin@example.com", "password": "wrong password"})
    admin.post("/login", data={"email": "admin@example.com", "password": "correct horse battery"})
    service = connect_service(admin)
    token = ServiceTokenStore(service.id).load()
    sandbox.control("tokens/expire")
    Gateway(service).whoami()  # refresh: a new pair of tokens
    refreshed = ServiceTokenStore(service.id).load()
    admin.post(f"/admin/services/{service.id}/disconnect")
    secrets = [token["access_token"], token["refresh_token"], refreshed["access_token"],
               refreshed["refresh_token"], seed.OAUTH_CLIENT_SECRET, "correct horse battery"]
    logged = caplog.text
    assert logged  # the flow did log something
    for secret in secrets:
        assert secret not in logged


def test_oauth_redirect_uri_comes_from_portal_url_not_the_host_header(app, admin, sandbox):
    app.config["PORTAL_URL"] = "https://portal.example.org/"
    response = admin.post("/admin/services/new", data={"name": "Zoom", "provider": "zoom", "kind": "oauth"},
                          headers={"Host": "evil.example"})
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["redirect_uri"] == ["https://portal.example.org/admin/services/callback"]
