"""The whole journey in a real browser, from an empty database, once per provider: the
admin connects the provider's account, a marketer links a webinar and publishes its
landing page, people register and get their own join link, the webinar runs in the
sandbox, and the program ends with Attended, No Show and a new lead."""
from datetime import datetime, timedelta, timezone
from urllib.parse import urljoin

from playwright.sync_api import expect

from portal.channels import ATTENDED, NO_SHOW
from portal.cli import create_user
from portal.extensions import db
from portal.models import Member, OutboxMessage, Person, Service
from portal.partners import plugin
from tests.browser import wait_for_rows
from tests.kit import Visit

PASSWORD = "a long demo password"
MARKETER = "marta@example.com"


def sign_in(page, base, email):
    page.goto(base + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(email)).to_be_visible()


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Lectern")).to_be_visible()


def admin_connects(page, base, shots, provider):
    sign_in(page, base, "admin@example.com")
    shots(page, "admin-signed-in")
    page.get_by_role("link", name="Users").click()
    page.get_by_label("Email").fill(MARKETER)
    page.get_by_label("Initial password").fill(PASSWORD)
    page.get_by_role("button", name="Add user").click()
    expect(page.get_by_text(f"{MARKETER} can now sign in as marketer")).to_be_visible()
    page.get_by_role("link", name="Services").click()
    page.get_by_role("link", name="New service").click()
    name = f"Marketing {provider.label}"
    page.get_by_label("Service name").fill(name)
    page.get_by_label("Provider").select_option(provider.key)
    shots(page, "new-service")
    page.get_by_role("button", name="Log in and authorize").click()
    shots(page, "consent")  # the sandbox's consent page, as the provider's would be
    provider.browser_consent(page)
    expect(page.get_by_role("heading", name=f"Save “{name}”")).to_be_visible()
    shots(page, "save-service")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(f"{name} is saved")).to_be_visible()
    page.get_by_label("Host emails, one per line").fill(provider.other_host_email)
    page.get_by_role("button", name="Authorize hosts").click()
    expect(page.get_by_role("cell", name=provider.other_host_email)).to_be_visible()
    shots(page, "service-with-host")
    sign_out(page)


def marketer_links_and_publishes(page, base, shots, provider) -> str:
    sign_in(page, base, MARKETER)
    page.get_by_label("Name").fill("Product tour")
    page.get_by_label("Description").fill("Our monthly tour, for prospects.")
    page.get_by_role("button", name="Create program").click()
    expect(page.get_by_role("heading", name="Product tour")).to_be_visible()
    shots(page, "program-created")
    page.get_by_role("link", name="Event Settings").click()
    page.get_by_role("button", name="Show webinars").click()
    expect(page.get_by_text(provider.other_host_topic)).to_be_visible()  # the authorized host's webinar
    shots(page, "webinar-picker")
    page.get_by_label(provider.single_topic).check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(provider.single_topic).first).to_be_visible()
    shots(page, "program-linked")
    page.get_by_role("link", name="Landing page").click()
    page.get_by_label("Title").fill("Take the Lectern product tour")
    page.get_by_label("Introduction (Markdown)").fill("**Forty minutes**, live, with questions.")
    page.get_by_label("Published").check()
    page.get_by_role("button", name="Save landing page").click()
    expect(page.get_by_text("Landing page saved and published.")).to_be_visible()
    shots(page, "landing-published")
    return urljoin(base, page.locator("a[href*='/lp/']").first.get_attribute("href"))


def register(page, url, first, last, email, company="", shots=None):
    page.goto(url)
    expect(page.get_by_role("heading", name="Take the Lectern product tour")).to_be_visible()
    if shots:
        shots(page, "landing-page")
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    page.get_by_label("Email").fill(email)
    if company:
        page.get_by_label("Company").fill(company)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("Thank you")).to_be_visible()
    if shots:
        shots(page, "thank-you")


def test_the_whole_journey(stack, app, provider, new_page, shots):
    create_user("admin@example.com", PASSWORD, admin=True)
    staff = new_page()
    admin_connects(staff, stack, shots, provider)
    landing_url = marketer_links_and_publishes(staff, stack, shots, provider)

    visitor = new_page()
    register(visitor, landing_url, "Ana", "Attender", "ana@prospect.example.com", "Acme", shots=shots)
    register(new_page(), landing_url, "Noah", "Noshow", "noah@prospect.example.com")

    wait_for_rows(lambda: db.session.scalar(db.select(db.func.count()).where(
        OutboxMessage.to_address == "ana@prospect.example.com")) == 1, "Ana's confirmation email")
    ana = db.session.scalar(db.select(Member).join(Member.person).where(Member.registrant_id != "")
                            .order_by(Member.id))
    registrants = provider.registrants(provider.single_webinar)
    assert ana.webinar_url and ana.webinar_url in {r["join_url"] for r in registrants}

    staff.get_by_role("link", name="Outbox").click()
    staff.get_by_role("row").filter(has_text="ana@prospect.example.com").get_by_role("link").first.click()
    expect(staff.get_by_text(ana.webinar_url)).to_be_visible()  # her own join link
    shots(staff, "outbox-confirmation")
    assert db.session.scalar(db.select(Service.state)) == "active"

    # The webinar runs in the sandbox: Ana attends, a walk-in attends, Noah does not.
    started = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=70)
    provider.run_webinar(provider.single_webinar, started, [
        Visit("ana@prospect.example.com", "Ana Attender", 0, 50),
        Visit("wes@walkin.example.com", "Wes Walkin", 5, 35)], ended_after=60)
    with app.app_context():
        announced = plugin(provider.key).capabilities.announces_end
    if not announced:
        # No "webinar ended" from this provider: the marketer syncs (the scheduled pull would too).
        staff.get_by_role("link", name="Programs").click()
        staff.get_by_role("link", name="Product tour").click()
        staff.get_by_role("button", name="Sync attendance").click()

    def status_of(email):
        return db.session.scalar(db.select(Member.status).join(Person).where(Person.email_key == email))

    wait_for_rows(lambda: status_of("noah@prospect.example.com") == NO_SHOW, "attendance to arrive")
    assert status_of("ana@prospect.example.com") == ATTENDED
    assert status_of("wes@walkin.example.com") == ATTENDED
    walk_in = db.session.scalar(db.select(Person).where(Person.email_key == "wes@walkin.example.com"))
    assert walk_in.source == "webinar attendee: Product tour"

    staff.get_by_role("link", name="Programs").click()
    staff.get_by_role("link", name="Product tour").click()
    expect(staff.locator('[data-status="Attended"]')).to_have_text("2")
    expect(staff.locator('[data-status="No Show"]')).to_have_text("1")
    expect(staff.get_by_role("cell", name="wes@walkin.example.com")).to_be_visible()
    shots(staff, "program-after-the-webinar")
    staff.get_by_role("link", name="ana@prospect.example.com").click()
    expect(staff.get_by_text("50 min").first).to_be_visible()
    shots(staff, "member-why-attended")
