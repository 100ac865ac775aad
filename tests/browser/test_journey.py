"""The whole journey in a real browser, from an empty database."""
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import Service
from providers.zoom.sandbox import seed
from tests.conftest import PASSWORD


def sign_in(page, base, email):
    page.goto(base + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(email)).to_be_visible()


def test_admin_connects_zoom_and_authorizes_a_host(stack, users, new_page, shots):
    page = new_page()
    sign_in(page, stack, "admin@example.com")
    shots(page, "signed-in")
    page.get_by_role("link", name="Services").click()
    page.get_by_role("link", name="New service").click()
    page.get_by_label("Service name").fill("Marketing Zoom")
    shots(page, "new-service")
    page.get_by_role("button", name="Log in and authorize").click()
    # The sandbox's consent page, as Zoom's would be.
    shots(page, "zoom-consent")
    page.get_by_label(seed.OWNER_EMAIL, exact=False).check()
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_role("heading", name="Save “Marketing Zoom”")).to_be_visible()
    shots(page, "save-service")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Marketing Zoom is saved")).to_be_visible()
    page.get_by_label("Host emails, one per line").fill(seed.PRIVILEGED_EMAIL)
    page.get_by_role("button", name="Authorize hosts").click()
    expect(page.get_by_role("cell", name=seed.PRIVILEGED_EMAIL)).to_be_visible()
    shots(page, "service-with-host")
    service = db.session.scalar(db.select(Service))
    assert service.state == "active" and [h.email for h in service.hosts] == [seed.PRIVILEGED_EMAIL]
