"""Small things marketers ran into: program names are unique, a bulk change from a
status to itself is refused and the report counts only real moves, no field says
aria-describedby="None", a page never repeats the csrf_token or submit ids, a refused
connect keeps the typed service name."""
import re

import pytest

from portal.extensions import db
from portal.models import Program, Task
from portal.programs import lifecycle as flows
from portal.programs.cloning import clone_program
from providers.zoom.sandbox import seed
from tests.services_helpers import finish_connect, start_connect
from tests.test_members_page import add_member


def test_two_programs_may_not_share_a_name(marketer):
    flows.create_program("Spring launch", "webinar", "", None)
    again = marketer.post("/programs/", data={"name": " spring LAUNCH ", "channel": "webinar"})
    assert again.status_code == 200 and "A program with this name exists already" in again.text
    assert db.session.scalar(db.select(db.func.count()).select_from(Program)) == 1
    first, second = clone_program(1), clone_program(1)
    assert (first.name, second.name) == ("Spring launch (copy)", "Spring launch (copy 2)")


def test_bulk_change_refuses_the_same_status_and_counts_real_moves(marketer, run_jobs):
    program = flows.create_program("Bulk", "webinar", "", None)
    for i in range(3):
        add_member(program, f"r{i}@example.com", status="Registered")
    refused = marketer.post(f"/programs/{program.id}/bulk-status", follow_redirects=True,
                            data={"from_status": "Registered", "to_status": "Registered"})
    assert "Nothing moved: Choose two different statuses" in refused.text
    assert db.session.scalar(db.select(db.func.count()).select_from(Task)) == 0
    marketer.post(f"/programs/{program.id}/bulk-status", data={"from_status": "Registered", "to_status": "Attended"})
    run_jobs()
    assert db.session.scalar(db.select(Task.message)) == "3 members moved from Registered to Attended."


@pytest.mark.parametrize("path", ["/programs/", "/account", "/people/"])
def test_no_describedby_none_and_no_repeated_ids(marketer, path):
    program = flows.create_program("Ids", "webinar", "", None)
    add_member(program, "ids@example.com")
    for url in (path, f"/programs/{program.id}", f"/programs/{program.id}/members/1"):
        text = marketer.get(url).text
        assert 'aria-describedby="None"' not in text, url
        ids = re.findall(r'\sid="([^"]+)"', text)
        assert len(ids) == len(set(ids)), (url, sorted({i for i in ids if ids.count(i) > 1}))
    broken = marketer.post("/programs/", data={"name": "", "channel": "webinar"}).text
    assert 'aria-describedby="name-errors"' in broken


def test_refused_connect_keeps_the_typed_name(admin, sandbox):
    answer = finish_connect(admin, start_connect(admin, "Marketing Zoom"), seed.PLAIN_ID)
    page = admin.get(answer.headers["Location"])
    assert "lacks" in page.text and 'value="Marketing Zoom"' in page.text
