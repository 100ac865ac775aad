"""Services at the edges of their rules, against the Zoom sandbox over HTTP:
who may replace a service, a demoted admin [S7], webinars enabled and a refused
consent [S3], programs of a dead service moved to its successor [S11]."""
import pytest

from portal.extensions import db
from portal.models import Service
from portal.services import connect as service_flows
from portal.services.gateway import Gateway
from portal.services.tokens import ServiceTokenStore
from providers.zoom.sandbox import seed
from tests.services_helpers import connect_service, finish_connect, linked_program, start_connect


@pytest.fixture
def service(admin, sandbox):
    service = connect_service(admin, name="Zoom", user_id=seed.ADMIN_ID)
    assert not service_flows.add_hosts(service, [seed.OWNER_EMAIL])
    return service


def _service(name):
    db.session.expire_all()
    return db.session.scalar(db.select(Service).where(Service.name == name))


def test_a_non_admin_cannot_replace_a_service_an_admin_connected(admin, service):
    answer = finish_connect(admin, start_connect(admin, "Bob Zoom"), seed.PRIVILEGED_ID)
    confirm = admin.get(answer.headers["Location"])
    assert "not an admin: holds the required privileges" in confirm.text
    assert "only an admin of the Zoom account may replace it" in confirm.text
    assert seed.ADMIN_EMAIL in confirm.text and "Replace and save" not in confirm.text
    forced = admin.post(answer.headers["Location"], data={"action": "save"}, follow_redirects=True)
    assert "only an admin of the Zoom account may replace it" in forced.text
    assert (_service("Zoom").state, _service("Bob Zoom").state) == ("active", "pending")


def test_an_admin_may_replace_a_service_a_non_admin_connected(admin, sandbox):
    connect_service(admin, name="Bob Zoom", user_id=seed.PRIVILEGED_ID)
    answer = finish_connect(admin, start_connect(admin, "Ada Zoom"), seed.OWNER_ID)
    done = admin.post(answer.headers["Location"], data={"action": "save"}, follow_redirects=True)
    assert "Ada Zoom replaces Bob Zoom" in done.text


def test_a_demoted_admin_is_noticed_on_token_refresh_and_tokens_are_kept(admin, service, sandbox):
    program = linked_program(service)
    sandbox.control(f"users/{seed.ADMIN_ID}/role", role_name="Member", permissions=[])
    assert "no longer an admin" not in admin.get(f"/admin/services/{service.id}").text
    sandbox.control("tokens/expire")
    before = ServiceTokenStore(service.id).load()
    assert Gateway(service, program_id=program.id).webinar(str(seed.W_SINGLE)).topic
    assert ServiceTokenStore(service.id).load()["access_token"] != before["access_token"]
    page = admin.get(f"/admin/services/{service.id}").text
    assert f"{seed.ADMIN_EMAIL} is no longer an admin" in page
    assert "their role was changed in Zoom" in page
    assert "programs keep working" in page and "re-authorize it as an admin" in page
    assert _service("Zoom").state == "active"
    assert 'name="email"' in admin.get(f"/lp/{program.landing_page.slug}").text

    sandbox.control(f"users/{seed.ADMIN_ID}/role", role_name="Admin",
                    permissions=seed.ALL_ADMIN_PERMISSIONS)
    tested = admin.post(f"/admin/services/{service.id}/test", follow_redirects=True)
    assert "Connection works" in tested.text and "no longer an admin" not in tested.text


def test_test_connection_notices_a_demoted_admin(admin, service, sandbox):
    sandbox.control(f"users/{seed.ADMIN_EMAIL}/role", role_name="Member", permissions=[])
    tested = admin.post(f"/admin/services/{service.id}/test", follow_redirects=True)
    assert f"{seed.ADMIN_EMAIL} is no longer an admin" in tested.text
    assert _service("Zoom").admin_lost_at is not None and _service("Zoom").state == "active"
    assert "no longer an admin" in admin.get("/admin/services").text


def test_a_user_without_webinars_is_refused_plainly(admin, sandbox):
    answer = finish_connect(admin, start_connect(admin), seed.NO_WEBINAR_ID)
    page = admin.get(answer.headers["Location"]).text
    assert f"{seed.NO_WEBINAR_EMAIL} cannot host webinars" in page
    assert "webinars are not enabled for this Zoom user" in page and "Webinars license" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Service)) == 0


def test_a_refused_consent_explains_pre_approval(admin, sandbox):
    denied = finish_connect(admin, start_connect(admin), seed.PLAIN_ID, approve=False)
    page = admin.get(denied.headers["Location"]).text
    assert "Zoom did not authorize Lectern (access denied)" in page
    assert "pre-approve Lectern" in page and "admin" in page


@pytest.mark.parametrize("how", ["disconnect", "deauthorize"])
def test_reconnecting_an_account_moves_its_stranded_programs_in_one_step(
        admin, service, sandbox, how, live_portal, run_jobs):
    kept = linked_program(service, "Kept webinar")
    spring = linked_program(service, "Spring webinar", webinar_id=seed.W_MANUAL)
    if how == "disconnect":
        admin.post(f"/admin/services/{service.id}/disconnect")
    else:
        sandbox.control("webhook-url", url=live_portal + "/webhooks/zoom")
        sandbox.control("deauthorize", sync=True, account_id=seed.ACCOUNT_ID)
        run_jobs()
    assert _service("Zoom").state == "disconnected"
    assert "not open" in admin.get(f"/lp/{kept.landing_page.slug}").text

    answer = finish_connect(admin, start_connect(admin, "Zoom again"), seed.OWNER_ID)
    confirm = admin.get(answer.headers["Location"]).text
    assert "Programs left on a disconnected service" in confirm
    assert "Kept webinar" in confirm and "Spring webinar" in confirm
    done = admin.post(answer.headers["Location"], data={"action": "save", "move_stranded": "1"},
                      follow_redirects=True)
    assert "Moved to Zoom again: Kept webinar, Spring webinar." in done.text
    new = _service("Zoom again")
    assert {kept.binding.service_id, spring.binding.service_id} == {new.id}
    assert 'name="email"' in admin.get(f"/lp/{kept.landing_page.slug}").text


def test_reconnecting_without_moving_leaves_the_programs(admin, service):
    kept = linked_program(service, "Kept webinar")
    admin.post(f"/admin/services/{service.id}/disconnect")
    answer = finish_connect(admin, start_connect(admin, "Zoom again"), seed.OWNER_ID)
    admin.post(answer.headers["Location"], data={"action": "save"})
    db.session.expire_all()
    assert kept.binding.service_id == service.id
