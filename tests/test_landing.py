"""Landing pages, the form, emails and the flow editor; no provider involved
(in-person programs, or webinar programs that are not linked)."""
from datetime import timedelta

import pytest

from portal.channels import INVITED, REGISTERED
from portal.extensions import db
from portal.models import Email, FlowStep, Member, OutboxMessage, Person, Program
from portal.programs import assets
from portal.programs import lifecycle as flows
from tests.smtp_fixtures import smtp_server_fixture  # noqa: F401  (the smtp_server fixture)

FORM = {"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com",
        "company": "Navy", "phone": "+1 555 0100"}


def published_program(name="Meetup", channel="in_person") -> Program:
    program = flows.create_program(name, channel, "", None)
    program.landing_page.published = True
    db.session.commit()
    return program


def only_email(program, name, body, operational, subject=None) -> Email:
    """Replace the program's flow by: Registered, then send this email."""
    db.session.execute(db.delete(FlowStep).where(FlowStep.program_id == program.id))
    email = Email(program=program, name=name, subject=subject or f"{name} for {{{{lead.First Name}}}}",
                  body=body, operational=operational)
    db.session.add(email)
    db.session.flush()
    db.session.add_all([FlowStep(program=program, position=1, action="change_status", status=REGISTERED),
                        FlowStep(program=program, position=2, action="send_email", email_id=email.id)])
    db.session.commit()
    db.session.expire(program)
    return email


def test_new_program_gets_default_flow_email_and_page(marketer):
    marketer.post("/programs/", data={"name": "Spring Launch!", "channel": "webinar"})
    program = db.session.scalar(db.select(Program))
    assert [(s.position, s.action, s.status, s.email.name if s.email else None) for s in program.flow] == [
        (1, "change_status", REGISTERED, None), (2, "send_email", "", "Confirmation")]
    email = program.emails[0]
    assert email.operational and "{{member.webinar url}}" in email.body
    assert (program.landing_page.slug, program.landing_page.published) == ("spring-launch", False)
    page = marketer.get(f"/programs/{program.id}")
    assert "Change Program Status to <strong>Registered</strong>" in page.text
    assert "Send Email <strong>Confirmation</strong>" in page.text
    assert 'class="warning"' not in page.text
    assert flows.create_program("Spring launch", "webinar", "", None).landing_page.slug == "spring-launch-2"


def test_landing_page_of_unlinked_or_unpublished_program_is_friendly(client, app):
    program = flows.create_program("Unlinked webinar", "webinar", "", None)
    slug = program.landing_page.slug
    unpublished = client.get(f"/lp/{slug}")
    assert unpublished.status_code == 404 and "not available" in unpublished.text
    assert "Traceback" not in unpublished.text
    program.landing_page.published = True
    db.session.commit()
    page = client.get(f"/lp/{slug}")
    assert page.status_code == 200
    assert "Registration for this event is not open yet" in page.text and "<form" not in page.text
    posted = client.post(f"/lp/{slug}", data=FORM)
    assert "not open yet" in posted.text
    assert db.session.scalar(db.select(Person)) is None
    assert client.get("/lp/no-such-page").status_code == 404


def test_intro_is_markdown_without_script(client, marketer):
    program = published_program()
    response = marketer.post(f"/programs/{program.id}/landing", data={
        "slug": "meetup-2030", "title": "Our meetup", "published": "y",
        "intro": "Learn **fast**.\n\n<script>alert(1)</script><a href=\"javascript:alert(2)\" onclick=\"x()\">x</a>"},
        follow_redirects=True)
    assert "Landing page saved and published." in response.text
    page = client.get("/lp/meetup-2030")
    assert "<strong>fast</strong>" in page.text
    assert "<script>alert" not in page.text and "javascript:" not in page.text and "onclick" not in page.text
    for name in ("first_name", "last_name", "email", "company", "phone"):
        assert f'name="{name}"' in page.text
    assert client.get(f"/lp/{program.landing_page.slug}").status_code == 200  # same page, new address


def test_landing_slug_must_be_unique_and_well_formed(marketer):
    one = published_program("One")
    two = published_program("Two")
    taken = marketer.post(f"/programs/{two.id}/landing", data={"slug": one.landing_page.slug, "title": "T"})
    assert "Another program already uses this address." in taken.text
    bad = marketer.post(f"/programs/{two.id}/landing", data={"slug": "Not OK!", "title": "T"})
    assert "Use lower-case letters" in bad.text
    db.session.refresh(two.landing_page)
    assert two.landing_page.slug == "two"


@pytest.mark.parametrize("change, error", [
    ({"first_name": ""}, "This field is required."),
    ({"last_name": ""}, "This field is required."),
    ({"email": ""}, "This field is required."),
    ({"email": "grace@"}, "Enter a valid email address."),
    ({"email": "grace at example.com"}, "Enter a valid email address."),
    ({"first_name": "G" * 65}, "Field cannot be longer than 64 characters."),
    ({"phone": "call me maybe"}, "Use digits, spaces"),
])
def test_form_errors_keep_input_and_store_nothing(client, app, change, error):
    program = published_program()
    response = client.post(f"/lp/{program.landing_page.slug}", data={**FORM, **change})
    assert response.status_code == 400
    assert error in response.text and "Please correct the fields marked below." in response.text
    assert 'value="Navy"' in response.text  # nothing typed is lost
    assert db.session.scalar(db.select(Person)) is None


def test_honeypot_answers_thanks_and_stores_nothing(client, app):
    program = published_program()
    response = client.post(f"/lp/{program.landing_page.slug}", data={**FORM, "website": "http://spam"},
                           follow_redirects=True)
    assert "Thank you for registering" in response.text
    assert db.session.scalar(db.select(Person)) is None


def test_rate_limit_per_client_address(client, app):
    app.config["LANDING_RATE_LIMIT"] = "3 per minute"
    program = published_program()
    url = f"/lp/{program.landing_page.slug}"
    codes = [client.post(url, data={**FORM, "email": f"p{i}@example.com"},
                         environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code for i in range(4)]
    assert codes == [302, 302, 302, 429]
    blocked = client.post(url, data=FORM, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert "Too many attempts" in blocked.text
    assert client.get(url, environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 200  # reading is free
    other = client.post(url, data=FORM, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert other.status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(Person)) == 4


def test_duplicate_submission_case_insensitive_one_member_resend_throttled(client, app, run_jobs, smtp_server):
    program = published_program()
    only_email(program, "Welcome", "See you there, {{lead.First Name}}.", operational=True)
    url = f"/lp/{program.landing_page.slug}"
    client.post(url, data=FORM)
    run_jobs()
    assert len(smtp_server.to("grace@example.com")) == 1
    again = client.post(url, data={**FORM, "email": "GRACE@Example.com", "company": "", "phone": ""},
                        follow_redirects=True)
    assert "Thank you for registering" in again.text
    run_jobs()
    person = db.session.scalar(db.select(Person))
    assert db.session.scalar(db.select(db.func.count()).select_from(Person)) == 1
    assert (person.email, person.company, person.phone) == ("grace@example.com", "Navy", "+1 555 0100")
    member = db.session.scalar(db.select(Member))
    assert db.session.scalar(db.select(db.func.count()).select_from(Member)) == 1
    assert member.status == REGISTERED and len(member.history) == 1
    assert len(smtp_server.messages) == 1  # within 10 minutes: no resend
    # Eleven minutes later the same person asks again: one resend.
    member.last_email_at = member.last_email_at - timedelta(minutes=11)
    db.session.commit()
    client.post(url, data=FORM)
    client.post(url, data=FORM)
    run_jobs()
    assert len(smtp_server.messages) == 2
    assert smtp_server.messages[1]["subject"] == "Welcome for Grace"


def test_operational_reaches_unsubscribed_marketing_does_not(client, app, run_jobs, smtp_server):
    program = published_program()
    only_email(program, "Welcome", "Doors open at nine.", operational=True)
    news = Email(program=program, name="News", subject="Our news", body="Hello {{lead.First Name}}!",
                 operational=False)
    db.session.add(news)
    db.session.flush()
    db.session.add(FlowStep(program=program, position=3, action="send_email", email_id=news.id))
    person, _ = flows.find_or_create_person("ada@example.com", first_name="Ada", last_name="L")
    person.unsubscribed = True
    db.session.commit()
    url = f"/lp/{program.landing_page.slug}"
    client.post(url, data={**FORM, "email": "ada@example.com", "first_name": "Ada"})
    client.post(url, data=FORM)
    run_jobs()

    assert [m["subject"] for m in smtp_server.to("ada@example.com")] == ["Welcome for Ada"]
    skipped = db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.to_address == "ada@example.com",
                                                               OutboxMessage.email_id == news.id))
    assert skipped.state == "skipped" and "unsubscribed" in skipped.error
    grace = {m["subject"]: m for m in smtp_server.to("grace@example.com")}
    assert set(grace) == {"Welcome for Grace", "Our news"}
    assert "To stop receiving these emails" not in grace["Welcome for Grace"]["body"]
    body = grace["Our news"]["body"]
    assert body.startswith("Hello Grace!")
    link = body.split("To stop receiving these emails: ")[1].split()[0]
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert grace["Our news"]["message"]["List-Unsubscribe"].strip() == f"<{link}>"

    asked = client.get("/" + path)
    assert "Stop marketing emails to grace@example.com?" in asked.text
    assert db.session.scalar(db.select(Person).where(Person.email == "grace@example.com")).unsubscribed is False
    done = client.post("/" + path)
    assert "You are unsubscribed" in done.text
    db.session.expire_all()
    assert db.session.scalar(db.select(Person).where(Person.email == "grace@example.com")).unsubscribed is True
    assert client.get("/lp/unsubscribe/forged-token").status_code == 404


def test_outbox_page_lists_every_email_without_smtp(client, marketer, run_jobs):
    program = published_program()
    only_email(program, "Welcome", "Hello {{lead.First Name}} from {{program.name}}.", operational=True)
    client.post(f"/lp/{program.landing_page.slug}", data=FORM)
    run_jobs()
    message = db.session.scalar(db.select(OutboxMessage))
    assert (message.state, message.body) == ("kept", "Hello Grace from Meetup.")
    page = marketer.get("/outbox/")
    assert "Welcome for Grace" in page.text and "grace@example.com" in page.text and "kept" in page.text
    assert "Hello Grace from Meetup." in marketer.get(f"/outbox/{message.id}").text


def test_email_without_join_link_is_never_sent_empty(client, app, run_jobs, smtp_server):
    program = published_program()  # in person: no provider, so no join link
    client.post(f"/lp/{program.landing_page.slug}", data=FORM)
    run_jobs()
    assert smtp_server.messages == []
    message = db.session.scalar(db.select(OutboxMessage))
    assert (message.state, message.error) == ("skipped", "Not sent: the member has no join link.")


def test_email_editor_flags_unknown_tokens_and_previews(marketer):
    program = flows.create_program("Tokens", "webinar", "", None)
    email = program.emails[0]
    url = f"/programs/{program.id}/emails/{email.id}"
    bad = marketer.post(url, data={"name": "Confirmation", "subject": "Hi {{lead.Fist Name}}",
                                   "body": "Link: {{member.webinar url}} {{lead.Company}}", "operational": "y"})
    assert "Unknown token: {{lead.Fist Name}}." in bad.text
    assert "Unknown token: {{lead.Company}}." in bad.text
    assert "Hi {{lead.Fist Name}}" in bad.text  # kept for correction
    db.session.refresh(email)
    assert email.subject == assets.DEFAULT_EMAIL_SUBJECT

    preview = marketer.get(f"{url}/preview")
    assert "Rendered for a sample person" in preview.text
    assert "Your link to join Tokens" in preview.text
    assert "Hello Ada," in preview.text and "https://example.com/w/sample-join-link" in preview.text

    person, _ = flows.find_or_create_person("lin@example.com", first_name="Lin")
    db.session.add(Member(program=program, person=person, status=REGISTERED,
                          webinar_url="https://zoom.example/w/lin"))
    db.session.commit()
    preview = marketer.get(f"{url}/preview")
    assert "Rendered for lin@example.com" in preview.text and "https://zoom.example/w/lin" in preview.text

    created = marketer.post(f"/programs/{program.id}/emails/new", data={
        "name": "Reminder", "subject": "Soon: {{program.name}}", "body": "Hi {{lead.First Name}}"},
        follow_redirects=True)
    assert "Email “Reminder” saved." in created.text
    assert [e.name for e in db.session.scalars(db.select(Email).order_by(Email.id))] == ["Confirmation", "Reminder"]


def test_flow_editor_warns_about_step_order(marketer):
    program = flows.create_program("Ordered", "webinar", "", None)
    steps = list(program.flow)
    page = marketer.get(f"/programs/{program.id}/flow")
    assert 'class="warning"' not in page.text
    # Move Send Email above the registration.
    marketer.post(f"/programs/{program.id}/flow/{steps[1].id}/up")
    page = marketer.get(f"/programs/{program.id}/flow")
    assert "Change Program Status to Registered is step 2; it must be step 1" in page.text
    assert "Send Email is step 1; it must be step 2" in page.text
    assert "Change Program Status to Registered is step 2" in marketer.get(f"/programs/{program.id}").text
    marketer.post(f"/programs/{program.id}/flow/{steps[1].id}/down")
    added = marketer.post(f"/programs/{program.id}/flow", data={"st-status": INVITED, "st-submit": "Add step"},
                          follow_redirects=True)
    assert "Step added." in added.text and 'class="warning"' not in added.text
    db.session.expire_all()
    assert [(s.action, s.status) for s in program.flow][-1] == ("change_status", INVITED)
    marketer.post(f"/programs/{program.id}/flow/{steps[0].id}/remove")
    page = marketer.get(f"/programs/{program.id}/flow")
    assert "No step changes the program status to Registered" in page.text
    assert "Send Email is step 1; it must be step 2" in page.text
    bad = marketer.post(f"/programs/{program.id}/flow", data={"st-status": "Teleported", "st-submit": "Add step"})
    assert bad.status_code == 400 and "Choose a status or an email" in bad.text


def test_copy_assets_copies_page_text_emails_and_flow(app):
    source = flows.create_program("Source", "webinar", "", None)
    source.landing_page.intro = "Come **along**"
    source.landing_page.published = True
    extra = Email(program=source, name="Reminder", subject="Soon", body="x", operational=False)
    db.session.add(extra)
    db.session.flush()
    db.session.add(FlowStep(program=source, position=3, action="send_email", email_id=extra.id))
    db.session.commit()
    target = flows.create_program("Target", "webinar", "", None)
    assets.copy_assets(source, target)
    db.session.commit()
    db.session.expire_all()
    assert [(e.name, e.operational) for e in target.emails] == [("Confirmation", True), ("Reminder", False)]
    assert all(s.email is None or s.email.program_id == target.id for s in target.flow)
    assert [(s.action, s.status, s.email.name if s.email else "") for s in target.flow] == [
        ("change_status", REGISTERED, ""), ("send_email", "", "Confirmation"), ("send_email", "", "Reminder")]
    assert (target.landing_page.slug, target.landing_page.intro, target.landing_page.published) == (
        "target", "Come **along**", False)
    assert len(source.emails) == 2 and len(source.flow) == 3


def test_a_submission_reads_the_page_as_the_marketer_left_it(client, app):
    """No copy of a page outlives a change: a new flow applies to the very next
    submission, and an unpublished page takes nobody, even from a visitor who opened it."""
    program = published_program()
    url = f"/lp/{program.landing_page.slug}"
    assert client.post(url, data=FORM).status_code == 302
    db.session.execute(db.delete(FlowStep).where(FlowStep.program_id == program.id))
    db.session.add(FlowStep(program=program, position=1, action="change_status", status=INVITED))
    db.session.commit()
    assert client.post(url, data={**FORM, "email": "ada@example.com"}).status_code == 302
    statuses = dict(db.session.execute(db.select(Person.email, Member.status).join(Member.person)).all())
    assert statuses == {"grace@example.com": REGISTERED, "ada@example.com": INVITED}

    program.landing_page.published = False
    db.session.commit()
    refused = client.post(url, data={**FORM, "email": "linus@example.com"})
    assert refused.status_code == 404 and "not available" in refused.text
    assert db.session.scalar(db.select(db.func.count()).select_from(Person)) == 2


def test_landing_form_needs_its_csrf_token_but_no_sign_in(client, app):
    app.config["WTF_CSRF_ENABLED"] = True
    program = published_program()
    url = f"/lp/{program.landing_page.slug}"
    refused = client.post(url, data=FORM)
    assert refused.status_code == 400 and "security token" in refused.text
    token = client.get(url).text.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert client.post(url, data={**FORM, "csrf_token": token}).status_code == 302
    assert db.session.scalar(db.select(Person)).email == "grace@example.com"


def test_editors_and_outbox_need_sign_in(client, app):
    program = published_program()
    for path in ("/outbox/", f"/programs/{program.id}/landing", f"/programs/{program.id}/flow",
                 f"/programs/{program.id}/emails/{program.emails[0].id}/preview"):
        answer = client.get(path)
        assert answer.status_code == 302 and "/login" in answer.headers["Location"], path

