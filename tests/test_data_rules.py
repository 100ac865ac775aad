"""[S20] Only the listed fields are read, sent or stored: a full journey against the
Zoom sandbox (connect, link, publish, register from the landing page, the webinar
runs, attendance) records every request the sandbox receives, with the names of what
was sent, and every column the portal writes, and checks both against the lists."""
import re
from datetime import datetime, timedelta, timezone

import pytest
import requests
from sqlalchemy import event

from portal.attendance import pulls
from portal.extensions import db
from portal.models import Member
from portal.services.gateway import Gateway
from providers.base import Registrant, Unavailable
from providers.zoom.sandbox import seed
from tests.services_helpers import connect_service, linked_program

WEBINAR = seed.W_SINGLE
PAGING = {"page_size", "next_page_token"}
ID = r"[^/]+"
UUID = r".+"          # an instance UUID may hold "/"

#: (method, path pattern, the names a request may carry): what the portal may ask Zoom
ALLOWED_REQUESTS = [
    ("GET", r"/oauth/authorize", {"response_type", "client_id", "redirect_uri", "state"}),
    ("POST", r"/oauth/authorize", {"response_type", "client_id", "redirect_uri", "state", "user_id",
                                   "action"}),
    ("POST", r"/oauth/token", {"grant_type", "code", "redirect_uri", "refresh_token"}),
    ("GET", r"/v2/users/me", set()),                               # who connected [S3]
    ("GET", rf"/v2/users/{ID}/settings", set()),                 # webinars enabled [S3]
    ("GET", rf"/v2/webinars/{ID}", set()),                         # details [S13]
    ("GET", rf"/v2/webinars/{ID}/registrants/questions", set()),   # answerable [S13]
    ("POST", rf"/v2/webinars/{ID}/registrants", {"email", "first_name", "last_name", "org", "phone"}),
    ("GET", rf"/v2/webinars/{ID}/registrants", PAGING | {"status"}),   # a lost answer, found again
    ("GET", rf"/v2/past_webinars/{ID}/instances", set()),
    # registrant_id: to match an attendee to the member who registered
    ("GET", rf"/v2/report/webinars/{UUID}/participants", PAGING | {"include_fields"}),
    ("GET", rf"/v2/past_webinars/{UUID}/absentees", PAGING),
]

#: table -> the columns the portal may write; provider data only in those marked
ALLOWED_COLUMNS = {
    "users": {"email", "password_hash", "is_admin", "active", "created_at", "last_login_at", "timezone"},
    "services": {"name", "provider", "kind", "state", "account_id", "connected_user_id", "connected_email",
                 "connected_is_admin", "token_ciphertext", "token_version", "replaced_by_id",
                 "created_by_id", "created_at", "last_success_at", "error_count", "admin_lost_at"},
    "programs": {"name", "channel", "description", "created_by_id", "cloned_from_id", "created_at",
                 "attended_rule", "attended_threshold", "language"},
    # the webinar: id, topic, description, start, zone, duration (its end), and what the
    # portal concludes from it; no host, no registration settings beyond "required"
    "bindings": {"program_id", "service_id", "provider", "webinar_id", "topic", "agenda", "start_at",
                 "duration", "timezone", "registration_required", "refreshed_at", "deleted_at",
                 "previous_start_at", "rescheduled_at", "never_started", "attendance_pulled_at",
                 "health_problems", "health_checked_at", "next_pull_at"},
    # a person: names, email, company, phone; the program that brought them in, and the zone
    # their browser reported on the landing form (their emails give times in it)
    "people": {"email", "email_key", "first_name", "last_name", "company", "phone", "source",
               "source_program_id", "timezone", "unsubscribed", "created_at", "updated_at"},
    "members": {"program_id", "person_id", "status", "webinar_url", "registrant_id", "sync_state",
                "sync_error", "sync_attempts", "next_retry_at", "sync_job_id", "sync_since",
                "attended_minutes", "first_join", "last_leave", "sessions", "last_email_at",
                "joined_via", "created_at", "updated_at"},
    "attendance_sessions": {"member_id", "join_time", "leave_time", "minutes"},
}
#: the portal's own tables: nothing read from the provider lands there
PORTAL_TABLES = {"landing_pages", "emails", "flow_steps", "status_changes", "outbox",
                 "sync_runs", "tasks", "service_errors", "authorized_hosts"}


@pytest.fixture
def config(config):
    config.update(ZOOM_MAX_WAIT=0.5, REGISTRATION_RETRY_BASE=1, ZOOM_MAX_RETRIES=2)
    return config


@pytest.fixture
def written(app):
    """table -> every column an INSERT or UPDATE named, for the whole test."""
    seen: dict[str, set[str]] = {}

    def record(conn, cursor, statement, parameters, context, executemany):
        insert = re.match(r'\s*INSERT INTO "?(\w+)"? \(([^)]*)\)', statement)
        update = re.match(r'\s*UPDATE "?(\w+)"? SET (.*?)(?: WHERE |$)', statement, re.S)
        if insert:
            seen.setdefault(insert[1], set()).update(c.strip(' "') for c in insert[2].split(","))
        elif update:
            seen.setdefault(update[1], set()).update(
                re.findall(r'"?(\w+)"?\s*=', update[2]))

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


def _fault(sandbox, **fault):
    """A sandbox fault for one HTTP method (``control``'s own ``method`` is the call's)."""
    requests.post(f"{sandbox.url}/_sandbox/faults", json=fault, timeout=5).raise_for_status()


def _check_requests(sandbox) -> list[tuple[str, str]]:
    seen = sandbox.requests_with_fields()
    assert seen, "the sandbox recorded nothing"
    strays = []
    for method, path, names in seen:
        rule = next((r for r in ALLOWED_REQUESTS if r[0] == method and re.fullmatch(r[1], path)), None)
        if rule is None or not set(names) <= rule[2]:
            strays.append((method, path, names))
    assert strays == []
    return [(m, p) for m, p, _ in seen]


def test_a_full_journey_reads_sends_and_stores_only_what_s20_lists(
        admin, client, sandbox, run_jobs, written):
    service = connect_service(admin)
    program = linked_program(service, "Spring webinar", WEBINAR)
    form = {"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com",
            "company": "Navy", "phone": "+1 555 0100"}
    client.post(f"/lp/{program.landing_page.slug}", data=form)
    client.post(f"/lp/{program.landing_page.slug}", data=dict(form, email="absent@example.com",
                                                               company="", phone=""))
    run_jobs()
    grace = db.session.scalar(db.select(Member).where(Member.registrant_id != "").order_by(Member.id))
    began = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=70)
    sandbox.control(f"webinars/{WEBINAR}/start", at=began.strftime("%Y-%m-%dT%H:%M:%SZ"))
    for who in ({"registrant_id": grace.registrant_id}, {"name": "Walk In", "email": "walk@example.com"}):
        sandbox.control(f"webinars/{WEBINAR}/join", offset_minutes=0, **who)
        sandbox.control(f"webinars/{WEBINAR}/leave", offset_minutes=45, **who)
    sandbox.control(f"webinars/{WEBINAR}/end", offset_minutes=60)
    pulls.start_attendance_sync(program.id)
    run_jobs()
    page = client.get(f"/programs/{program.id}").text
    assert "Attended" in page and "No Show" in page

    calls = _check_requests(sandbox)
    posted = [p for m, p in calls if m == "POST" and p.endswith("/registrants")]
    assert len(posted) == 2
    registrants = sandbox.state()["webinars"][str(WEBINAR)]["registrants"]
    assert {r["email"] for r in registrants} == {"grace@example.com", "absent@example.com"}

    strays = {table: sorted(columns - ALLOWED_COLUMNS.get(table, set()))
              for table, columns in written.items() if table not in PORTAL_TABLES}
    assert {t: c for t, c in strays.items() if c} == {}
    assert "host_email" not in written.get("bindings", set())


def test_a_lost_registration_is_looked_up_once_per_job_one_page_at_a_time(app, admin, sandbox):
    service = connect_service(admin)
    sandbox.control(f"webinars/{WEBINAR}/bulk", attendees=0, absentees=450)   # two pages of 300
    path = f"/v2/webinars/{WEBINAR}/registrants"
    _fault(sandbox, pattern=path, method="POST", status=503, count=None)
    with pytest.raises(Unavailable):
        Gateway(service).register(str(WEBINAR), Registrant("new@example.com", "New"))
    posts = sandbox.requests_seen("POST", path=path)
    reads = sandbox.requests_seen("GET", path=path)
    assert len(posts) == 3                       # the first POST and ZOOM_MAX_RETRIES more
    assert 0 < len(reads) <= 3                   # one look-up: approved (2 pages), pending (1)

    sandbox.control("faults", method="DELETE")
    before = len(sandbox.requests_seen("GET", path=path))
    _fault(sandbox, pattern=path, method="POST", status=503, count=1, after=True)
    found = Gateway(service).register(str(WEBINAR), Registrant("late@example.com", "Late"))
    assert found.join_url
    assert len(sandbox.requests_seen("GET", path=path)) - before <= 2    # stops at the match
