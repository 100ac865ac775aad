"""The People page: every lead with where they came from, their programs and statuses,
search, the new leads of one program, and a CSV export a spreadsheet cannot run."""
import csv
import io

import pytest

from portal.extensions import db
from portal.models import Person
from portal.programs import lifecycle as flows
from tests.attendance_helpers import member_of
from tests.marketing_helpers import webinar_with_leads
from tests.services_helpers import connect_service


@pytest.fixture
def program(admin, sandbox, run_jobs):
    return webinar_with_leads(admin, sandbox, connect_service(admin), run_jobs)


def row_of(page_text, email):
    return page_text.split(f'data-person="{email}"')[1].split("</tr>")[0]


def test_people_page_shows_source_programs_and_statuses(admin, program):
    page = admin.get("/people/")
    assert page.status_code == 200
    slug = program.landing_page.slug
    ann = row_of(page.text, "ann@example.com")
    assert f"landing page /lp/{slug}" in ann and "registered</span>" in ann
    assert "Spring launch</a>: Attended" in ann
    wes = row_of(page.text, "wes@walkin.example.com")
    assert "walked into the webinar “Spring launch webinar”" in wes and "walked in</span>" in wes
    assert "Spring launch</a>: Attended <small class=\"muted\">(walked in)</small>" in wes
    assert "Spring launch</a>: No Show" in row_of(page.text, "bob@example.com")
    assert "4 people shown by this filter." in page.text


def test_search_and_new_leads_of_a_program(admin, program):
    other = flows.create_program("Autumn meetup", "in_person", "", None)
    other.landing_page.published = True
    db.session.commit()
    admin.post(f"/lp/{other.landing_page.slug}", data={"first_name": "Dan", "last_name": "Other",
                                                       "email": "dan@example.com"})
    # Ann registers again, for the meetup: she stays a lead of the spring launch.
    admin.post(f"/lp/{other.landing_page.slug}", data={"first_name": "Ann", "last_name": "Lee",
                                                       "email": "ANN@example.com"})
    found = admin.get("/people/", query_string={"q": "acme"}).text
    assert 'data-person="ann@example.com"' in found and "1 person shown" in found
    ann = row_of(found, "ann@example.com")
    assert "Spring launch</a>: Attended" in ann and "Autumn meetup</a>: Registered" in ann

    spring = admin.get("/people/", query_string={"program": program.id}).text
    assert {e for e in ("ann", "bob", "cat", "wes", "dan") if f'data-person="{e}@' in spring} == {
        "ann", "bob", "cat", "wes"}
    autumn = admin.get("/people/", query_string={"program": other.id}).text
    assert 'data-person="dan@example.com"' in autumn and "1 person shown" in autumn
    assert db.session.scalar(db.select(Person.source_program_id).where(
        Person.email_key == "ann@example.com")) == program.id


def test_people_csv_says_how_each_came_in_and_defuses_formulas(admin, program):
    meetup = flows.create_program("Meetup", "in_person", "", None)
    meetup.landing_page.published = True
    db.session.commit()
    admin.post(f"/lp/{meetup.landing_page.slug}", data={"first_name": "=HYPERLINK(\"x\")", "last_name": "Evil",
                                                        "email": "eve@example.com", "company": "+cmd"})
    response = admin.get("/people/people.csv", query_string={"program": program.id})
    assert response.headers["Content-Disposition"] == 'attachment; filename="people-Spring-launch.csv"'
    rows = {r["Email"]: r for r in csv.DictReader(io.StringIO(response.get_data(as_text=True)))}
    assert set(rows) == {"ann@example.com", "bob@example.com", "cat@example.com", "wes@walkin.example.com"}
    everyone = admin.get("/people/people.csv").get_data(as_text=True)
    rows = {r["Email"]: r for r in csv.DictReader(io.StringIO(everyone))}
    assert rows["wes@walkin.example.com"]["Came in by"] == "walked into the webinar"
    assert rows["wes@walkin.example.com"]["Programs and statuses"] == "Spring launch: Attended (walked in)"
    assert rows["ann@example.com"]["Came in by"] == "registered on the portal"
    assert rows["ann@example.com"]["Source"] == f"landing page /lp/{program.landing_page.slug}"
    assert rows["eve@example.com"]["First name"] == "'=HYPERLINK(\"x\")"
    assert rows["eve@example.com"]["Company"] == "'+cmd"


def test_people_csv_speaks_the_readers_language(admin, users, program):
    users["admin"].locale = "fr"
    db.session.scalar(db.select(Person).where(Person.email_key == "bob@example.com")).unsubscribed = True
    db.session.commit()
    text = admin.get("/people/people.csv").get_data(as_text=True)
    assert text.splitlines()[0] == ("E-mail,Prénom,Nom,Société,Téléphone,Source,Programme d’origine,Provenance,"
                                    "Programmes et statuts,Vu la première fois (UTC),Désinscrit")
    rows = {r["E-mail"]: r for r in csv.DictReader(io.StringIO(text))}
    wes = rows["wes@walkin.example.com"]
    assert wes["Provenance"] == "venu au webinaire sans inscription"
    assert wes["Programmes et statuts"] == "Spring launch: Attended (venu sans inscription)"
    assert rows["ann@example.com"]["Provenance"] == "inscrit sur le portail"
    assert (rows["bob@example.com"]["Désinscrit"], rows["ann@example.com"]["Désinscrit"]) == ("oui", "")


def test_members_row_and_csv_say_registered_or_walked_in(admin, program):
    page = admin.get(f"/programs/{program.id}")
    wes = member_of(program, "wes@walkin.example.com")
    ann = member_of(program, "ann@example.com")
    assert (wes.joined_via, ann.joined_via) == ("walk-in", "portal")
    row = page.text.split("wes@walkin.example.com</a>")[1].split("</tr>")[0]
    assert "walked into the webinar" in row
    row = page.text.split("ann@example.com</a>")[1].split("</tr>")[0]
    assert "registered on the portal" in row
    assert "walking into the webinar (not registered on the portal)" in admin.get(
        f"/programs/{program.id}/members/{wes.id}").text
    rows = {r["Email"]: r for r in csv.DictReader(io.StringIO(
        admin.get(f"/programs/{program.id}/members.csv").get_data(as_text=True)))}
    assert rows["wes@walkin.example.com"]["Came in by"] == "walked into the webinar"
    assert rows["bob@example.com"]["Came in by"] == "registered on the portal"


def test_people_page_needs_sign_in(client, app):
    assert client.get("/people/").status_code == 302
    assert client.get("/people/people.csv").status_code == 302


def test_people_page_and_dashboard_speak_the_users_language(admin, program):
    admin.post("/account", data={"locale": "fr"})
    people = admin.get("/people/", query_string={"program": program.id}).text
    assert "<h1>Personnes</h1>" in people and "4 personnes affichées par ce filtre." in people
    assert "venu au webinaire « Spring launch webinar » sans inscription" in people
    dashboard = admin.get(f"/programs/{program.id}").text
    assert "Inscrits sur le portail" in dashboard and "Inscriptions par jour" in dashboard
