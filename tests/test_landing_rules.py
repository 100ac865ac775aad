"""[S13] A landing page takes registrations only for a webinar that requires them:
publishing is refused with what to change at the provider, and a published page
closes when its webinar stops requiring registration. Against the Zoom sandbox."""
import pytest

from portal.extensions import db
from portal.linking import binding as linking
from portal.models import Member
from portal.programs import lifecycle as flows
from providers.zoom.sandbox import seed
from tests.fixtures_services import connected_service
from tests.services_helpers import linked_program


@pytest.fixture
def service(app, users, sandbox):
    return connected_service(app)


def _publish(client, program):
    page = program.landing_page
    return client.post(f"/programs/{program.id}/landing", follow_redirects=True, data={
        "slug": page.slug, "title": "Open house", "intro": "", "published": "y"})


def test_a_page_is_not_published_while_the_webinar_does_not_require_registration(marketer, service, sandbox):
    program = flows.create_program("Open house", "webinar", "", None)
    linking.link_program(program.id, service.id, str(seed.W_NO_REGISTRATION))
    refused = _publish(marketer, program)
    assert refused.status_code == 400
    assert "Not published: the webinar does not require registration in Zoom" in refused.text
    assert "tick Registration: Required, and save" in refused.text
    db.session.expire_all()
    assert not program.landing_page.published

    sandbox.control(f"webinars/{seed.W_NO_REGISTRATION}/settings", approval_type=0)
    published = _publish(marketer, program)
    assert "Landing page saved and published." in published.text
    db.session.expire_all()
    assert program.landing_page.published and program.binding.registration_required


def test_a_published_page_closes_when_its_webinar_stops_requiring_registration(
        client, marketer, service, sandbox, live_portal, run_jobs):
    program = linked_program(service, "Tour")
    slug = program.landing_page.slug
    assert 'name="email"' in client.get(f"/lp/{slug}").text
    sandbox.control("webhook-url", url=f"{live_portal}/webhooks/zoom")
    sandbox.control(f"webinars/{seed.W_SINGLE}/settings", sync=True, approval_type=2)
    run_jobs()
    closed = client.get(f"/lp/{slug}")
    assert "Registration on this page is closed" in closed.text and 'name="email"' not in closed.text
    client.post(f"/lp/{slug}", data={"first_name": "Ann", "last_name": "Lee", "email": "ann@example.com"})
    assert db.session.scalar(db.select(db.func.count()).select_from(Member)) == 0
    page = marketer.get(f"/programs/{program.id}").text
    assert "Registrations from the portal are off" in page
