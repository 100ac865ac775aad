"""Live pages: the program page marks what static/app.js refreshes in place, says
whether something is still moving, and a live refresh never eats a flash message."""
from portal.programs import lifecycle as flows
from tests.test_members_page import add_member


def test_live_refresh_leaves_the_flash_for_the_real_page(marketer):
    created = marketer.post("/programs/", data={"name": "Live one", "channel": "webinar"})
    program_url = created.headers["Location"]
    live = marketer.get(program_url, headers={"X-Live": "1"})
    assert "Program “Live one” created." not in live.text
    assert "Program “Live one” created." in marketer.get(program_url).text


def test_program_page_says_when_something_moves(marketer):
    program = flows.create_program("Moving", "webinar", "", None)
    add_member(program, "done@example.com", sync_state="synced")
    page = marketer.get(f"/programs/{program.id}").text
    assert 'id="live-tasks" data-live' in page and 'id="live-sync-runs" data-live' in page
    assert 'id="overview" aria-labelledby="overview-heading" data-live' in page
    assert 'id="live-members" data-live data-live-active="0"' in page
    member = add_member(program, "waiting@example.com", sync_state="pending")
    page = marketer.get(f"/programs/{program.id}").text
    assert 'id="live-members" data-live data-live-active="1"' in page
    member_page = marketer.get(f"/programs/{program.id}/members/{member.id}").text
    assert 'id="live-member" data-live data-live-active="1"' in member_page
