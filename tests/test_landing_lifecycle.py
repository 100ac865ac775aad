"""A landing page's life: publishing runs the link health check; once the webinar
ended the page says so and takes no registration."""
from datetime import timedelta

import pytest

from portal.extensions import db
from portal.models import Member
from portal.models.types import utcnow
from tests.marketing_helpers import form, upcoming_program
from tests.services_helpers import connect_service


@pytest.fixture
def service(admin, sandbox):
    return connect_service(admin)


def publish(client, program):
    page = program.landing_page
    return client.post(f"/programs/{program.id}/landing", follow_redirects=True,
                       data={"slug": page.slug, "title": "Spring", "intro": "", "published": "y"})


def test_publishing_runs_the_link_health_check(admin, sandbox, service):
    program, wid = upcoming_program(sandbox, service)
    program.landing_page.published = False
    db.session.commit()
    seen = len(sandbox.requests_seen("GET", path=f"/v2/webinars/{wid}"))
    page = publish(admin, program)
    assert "Landing page saved and published." in page.text
    assert "Link health check passed" in page.text
    assert len(sandbox.requests_seen("GET", path=f"/v2/webinars/{wid}")) == seen + 1
    db.session.refresh(program.binding)
    assert program.binding.health_checked_at is not None


def test_publishing_reports_what_the_check_found(admin, sandbox, service):
    program, wid = upcoming_program(sandbox, service)
    program.landing_page.published = False
    db.session.commit()
    sandbox.control(f"webinars/{wid}", method="DELETE")
    page = publish(admin, program)
    assert "Landing page saved and published." in page.text
    assert f"Link health check: Webinar {wid} no longer exists" in page.text


def test_a_webinar_late_past_its_time_still_takes_registrations(client, sandbox, service):
    program, _ = upcoming_program(sandbox, service, start=utcnow().replace(microsecond=0) - timedelta(hours=3))
    page = client.get(f"/lp/{program.landing_page.slug}")
    assert "<form" in page.text and "has ended" not in page.text


def test_after_the_webinar_the_page_says_so_and_takes_nobody(client, sandbox, service):
    # Scheduled two days ago and never reported: over once the final pass (24 h) is behind.
    program, _ = upcoming_program(sandbox, service, start=utcnow().replace(microsecond=0) - timedelta(days=2))
    url = f"/lp/{program.landing_page.slug}"
    page = client.get(url)
    assert page.status_code == 200
    assert "This webinar has ended: registration is closed." in page.text and "<form" not in page.text
    posted = client.post(url, data=form("Late", "Comer", "late@example.com"))
    assert "registration is closed" in posted.text
    assert db.session.scalar(db.select(db.func.count()).select_from(Member)) == 0
