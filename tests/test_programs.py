from sqlalchemy import event

from portal.channels import ATTENDED, INVITED, NO_SHOW, REGISTERED
from portal.extensions import db
from portal.models import Member, Program, Task
from portal.programs import lifecycle as flows


def make_members(program, count, status=REGISTERED):
    for i in range(count):
        person, _ = flows.find_or_create_person(f"person{i:05d}@example.com", first_name=f"First{i}",
                                                last_name=f"Last{i}")
        db.session.add(Member(program=program, person=person, status=status))
    db.session.commit()


def test_create_and_list_programs(marketer):
    response = marketer.post("/programs/", data={"name": "Spring launch", "channel": "webinar",
                                                 "description": "Our spring webinar"},
                             follow_redirects=True)
    assert "Program “Spring launch” created." in response.text
    program = db.session.scalar(db.select(Program))
    assert (program.name, program.channel, program.created_by.email) == (
        "Spring launch", "webinar", "marketer@example.com")
    listing = marketer.get("/programs/")
    assert "Spring launch" in listing.text and "not linked" in listing.text


def test_program_form_errors(marketer):
    response = marketer.post("/programs/", data={"name": "", "channel": "carrier-pigeon"})
    assert "This field is required." in response.text
    assert "Not a valid choice." in response.text
    assert db.session.scalar(db.select(Program)) is None


def test_members_table_counts_filters_and_pages(app, marketer):
    program = flows.create_program("Big one", "webinar", "", None)
    make_members(program, 120)
    member = db.session.scalar(db.select(Member).order_by(Member.id))
    flows.change_status(member, ATTENDED)
    db.session.commit()

    page = marketer.get(f"/programs/{program.id}")
    assert 'data-status="Registered">119<' in page.text
    assert 'data-status="Attended">1<' in page.text
    assert "Page 1 of 3" in page.text
    attended = marketer.get(f"/programs/{program.id}?status=Attended")
    assert "person00000@example.com" in attended.text and "person00001@example.com" not in attended.text
    found = marketer.get(f"/programs/{program.id}?q=PERSON00042")
    assert "person00042@example.com" in found.text and "person00043@example.com" not in found.text
    last = marketer.get(f"/programs/{program.id}?page=3")
    assert "person00119@example.com" in last.text


def test_members_page_query_count_does_not_grow(app, marketer):
    program = flows.create_program("Counted", "webinar", "", None)

    def statements_for_page():
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert marketer.get(f"/programs/{program.id}").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    make_members(program, 10)
    small = statements_for_page()
    make_members_more = [f"extra{i}@example.com" for i in range(300)]
    for email in make_members_more:
        person, _ = flows.find_or_create_person(email)
        db.session.add(Member(program=program, person=person, status=INVITED))
    db.session.commit()
    assert statements_for_page() == small


def test_manual_status_change_is_recorded(marketer, users):
    program = flows.create_program("Manual", "webinar", "", None)
    make_members(program, 1, status=ATTENDED)
    member = db.session.scalar(db.select(Member))
    url = f"/programs/{program.id}/members/{member.id}"
    response = marketer.post(url, data={"status": NO_SHOW, "reason": "left after 1 minute"},
                             follow_redirects=True)
    assert "is now No Show" in response.text
    db.session.refresh(member)
    assert member.status == NO_SHOW
    change = member.history[-1]
    assert (change.from_status, change.to_status, change.by_user.email) == (
        ATTENDED, NO_SHOW, "marketer@example.com")
    assert "left after 1 minute (manual move back)" == change.reason
    page = marketer.get(url)
    assert "left after 1 minute (manual move back)" in page.text


def test_automatic_changes_only_move_forward(app):
    program = flows.create_program("Forward", "webinar", "", None)
    make_members(program, 1, status=ATTENDED)
    member = db.session.scalar(db.select(Member))
    assert flows.change_status(member, NO_SHOW) is False
    assert member.status == ATTENDED and member.history == []


def test_member_of_another_program_is_404(marketer):
    one = flows.create_program("One", "webinar", "", None)
    two = flows.create_program("Two", "webinar", "", None)
    make_members(one, 1)
    member = db.session.scalar(db.select(Member))
    assert marketer.get(f"/programs/{two.id}/members/{member.id}").status_code == 404


def test_bulk_status_change_runs_on_a_real_worker(marketer, run_jobs):
    program = flows.create_program("Bulk", "webinar", "", None)
    make_members(program, 30, status=INVITED)
    response = marketer.post(f"/programs/{program.id}/bulk-status",
                             data={"from_status": INVITED, "to_status": REGISTERED}, follow_redirects=True)
    assert "runs in the background" in response.text
    task = db.session.scalar(db.select(Task))
    assert task.state == "queued"
    assert db.session.scalar(db.select(db.func.count()).where(Member.status == REGISTERED)) == 0

    run_jobs()

    task = db.session.get(Task, task.id)
    assert (task.state, task.done, task.total) == ("done", 30, 30)
    assert db.session.scalar(db.select(db.func.count()).where(Member.status == REGISTERED)) == 30
    status = marketer.get(f"/programs/tasks/{task.id}").get_json()
    assert status["percent"] == 100 and "30 members moved" in status["message"]
    page = marketer.get(f"/programs/{program.id}")
    assert 'data-status="Registered">30<' in page.text
