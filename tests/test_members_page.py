"""The members page of a program: counts, filter, search, sort, sync state,
attendance, CSV export, and staying quick at 10,000 members."""
import csv
import io
from datetime import datetime, timezone

from sqlalchemy import event, insert

from portal.channels import ATTENDED, INVITED, NO_SHOW, REGISTERED
from portal.extensions import db
from portal.models import Member, Person
from portal.models.types import utcnow
from portal.programs import lifecycle as flows


def bulk_members(program_id, count, prefix="bulk", status=INVITED):
    """Insert people and members in two statements, as a big import would."""
    now = utcnow()
    db.session.execute(insert(Person), [
        {"email": f"{prefix}{i:05d}@example.com", "email_key": f"{prefix}{i:05d}@example.com",
         "first_name": f"Bulk{i}", "last_name": f"Person{i:05d}", "created_at": now, "updated_at": now}
        for i in range(count)])
    ids = db.session.scalars(db.select(Person.id).where(Person.email_key.like(f"{prefix}%"))).all()
    db.session.execute(insert(Member), [
        {"program_id": program_id, "person_id": pid, "status": status, "created_at": now, "updated_at": now}
        for pid in ids])
    db.session.commit()


def count_statements(fn):
    seen = []

    def listener(*args):
        seen.append(args[2])
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(seen)


def add_member(program, email, status=REGISTERED, **fields):
    person, _ = flows.find_or_create_person(email, first_name=fields.pop("first_name", ""),
                                            last_name=fields.pop("last_name", ""),
                                            company=fields.pop("company", ""))
    member = Member(program=program, person=person, status=status, **fields)
    db.session.add(member)
    db.session.commit()
    return member


def test_members_page_shows_sync_state_with_reason_and_attendance(marketer):
    program = flows.create_program("Sync", "webinar", "", None)
    add_member(program, "pending@example.com", sync_state="pending")
    add_member(program, "synced@example.com", sync_state="synced", webinar_url="https://zoom.example/j/1")
    add_member(program, "failed@example.com", status="Registration Error", sync_state="failed",
               sync_error="Zoom refused: registration is not required on this webinar")
    add_member(program, "came@example.com", status=ATTENDED, sync_state="synced", attended_minutes=42,
               sessions=3)
    page = marketer.get(f"/programs/{program.id}").text
    assert '<span class="sync sync-pending">pending</span>' in page
    assert '<span class="sync sync-synced">synced</span>' in page
    assert ('<span class="sync sync-failed">failed</span> <small class="sync-error">Zoom refused: registration '
            'is not required on this webinar</small>') in page
    assert "42 min in 3 sessions" in page


def test_members_sort_by_name_attendance_and_descending(marketer):
    program = flows.create_program("Sorted", "webinar", "", None)
    add_member(program, "a@example.com", first_name="Ann", last_name="Zed", status=ATTENDED, attended_minutes=5)
    add_member(program, "b@example.com", first_name="Bob", last_name="Young", status=ATTENDED,
               attended_minutes=50)
    add_member(program, "c@example.com", first_name="Cy", last_name="Xu", status=NO_SHOW)

    def order(query):
        text = marketer.get(f"/programs/{program.id}?{query}").text
        return sorted(["a", "b", "c"], key=lambda x: text.index(f">{x}@example.com<"))

    assert order("sort=email") == ["a", "b", "c"]
    assert order("sort=email&desc=1") == ["c", "b", "a"]
    assert order("sort=name") == ["c", "b", "a"]
    # Unknown attendance sorts last in both directions.
    assert order("sort=attendance") == ["a", "b", "c"]
    assert order("sort=attendance&desc=1") == ["b", "a", "c"]
    search = marketer.get(f"/programs/{program.id}?q=bob young").text
    assert "b@example.com" in search and "a@example.com" not in search


def test_csv_export_has_membership_and_person_fields(marketer):
    program = flows.create_program("Export me", "webinar", "", None)
    join = datetime(2031, 3, 4, 15, 0, tzinfo=timezone.utc)
    add_member(program, "Ada@Example.com", first_name="Ada", last_name="Lovelace", company="=cmd|' /C calc'!A0",
               status=ATTENDED, webinar_url="https://zoom.example/w/1?tk=abc", registrant_id="r-1",
               sync_state="synced", attended_minutes=61, first_join=join, last_leave=join, sessions=2)
    add_member(program, "bert@example.com", first_name="Bert", status=INVITED)
    response = marketer.get(f"/programs/{program.id}/members.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="Export-me-members.csv"'
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["Email"] for r in rows] == ["Ada@Example.com", "bert@example.com"]
    ada = rows[0]
    assert ada["First name"] == "Ada" and ada["Last name"] == "Lovelace"
    assert ada["Company"] == "'=cmd|' /C calc'!A0"      # a formula is never run by a spreadsheet
    assert (ada["Status"], ada["Webinar URL"], ada["Registrant id"], ada["Sync"]) == (
        ATTENDED, "https://zoom.example/w/1?tk=abc", "r-1", "synced")
    assert (ada["Attended minutes"], ada["First join (UTC)"], ada["Sessions"]) == ("61", "2031-03-04 15:00:00", "2")
    assert rows[1]["Attended minutes"] == "" and rows[1]["Sync"] == ""
    # Only membership and [S20] person fields: nothing else about the person leaves the portal.
    assert "Source" not in rows[0] and "Unsubscribed" not in rows[0]
    filtered = marketer.get(f"/programs/{program.id}/members.csv?status={INVITED}").get_data(as_text=True)
    assert "bert@example.com" in filtered and "Ada@" not in filtered


def test_csv_export_speaks_the_readers_language(marketer, users):
    users["marketer"].locale = "fr"
    db.session.commit()
    program = flows.create_program("Export me", "webinar", "", None)
    add_member(program, "ada@example.com", first_name="Ada", status=ATTENDED, sync_state="synced")
    add_member(program, "wes@example.com", first_name="Wes", status=ATTENDED, joined_via="walk-in")
    text = marketer.get(f"/programs/{program.id}/members.csv").get_data(as_text=True)
    assert text.startswith("E-mail,Prénom,Nom,Société,Téléphone,Statut,Provenance,Lien du webinaire,")
    ada, wes = csv.DictReader(io.StringIO(text))
    assert (ada["Prénom"], ada["Provenance"], ada["Synchronisation"]) == (
        "Ada", "inscrit sur le portail", "synchronisé")
    assert wes["Provenance"] == "venu au webinaire sans inscription" and wes["Synchronisation"] == ""
    # statuses are the program's own names, as its members page shows them
    assert ada["Statut"] == wes["Statut"] == ATTENDED
    assert "Email" not in text and "registered on the portal" not in text


def test_csv_export_of_an_empty_program_is_just_the_header(marketer):
    program = flows.create_program("Empty", "webinar", "", None)
    text = marketer.get(f"/programs/{program.id}/members.csv").get_data(as_text=True)
    assert text.splitlines() == [text.splitlines()[0]] and text.startswith("Email,First name,Last name")


def test_ten_thousand_members_page_filter_search_sort_export(app, marketer):
    program = flows.create_program("Ten thousand", "webinar", "", None)
    bulk_members(program.id, 10)
    urls = [f"/programs/{program.id}", f"/programs/{program.id}?status={INVITED}",
            f"/programs/{program.id}?q=person00007", f"/programs/{program.id}?sort=name&desc=1&page=2"]

    def statements():
        # The test and its requests share one app context (and session): one
        # request first puts both rounds in the same cached state.
        marketer.get(urls[0])
        return [count_statements(lambda u=u: marketer.get(u)) for u in urls]

    small = statements()
    small_export = count_statements(lambda: marketer.get(f"/programs/{program.id}/members.csv").get_data())
    bulk_members(program.id, 10_000, prefix="more")
    assert statements() == small
    export = []
    assert count_statements(lambda: export.append(
        marketer.get(f"/programs/{program.id}/members.csv").get_data(as_text=True))) == small_export

    page = marketer.get(f"/programs/{program.id}").text
    assert f'data-status="{INVITED}">10010<' in page
    assert "Page 1 of 201" in page
    found = marketer.get(f"/programs/{program.id}?q=more09999").text
    assert "more09999@example.com" in found and "1 member shown by this filter" in found
    assert len(export[0].splitlines()) == 10_011
