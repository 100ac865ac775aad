"""Faults: a worker killed mid-job, Redis restarted while registrations arrive, the
provider failing for a while, two people pressing Submit with the same email at once.
Real worker processes, a real redis-server, the Zoom sandbox over HTTP; each test
ends with every registration at Zoom exactly once and one email per member."""
import threading

import pytest
import requests
from rq.job import Job
from rq.worker import Worker

from portal.extensions import db
from portal.models import Member, OutboxMessage, Person, utcnow
from portal.models.programs import SYNC_PENDING, SYNC_SYNCED
from tests.fault_helpers import TcpProxy, Workers, wait_for
from tests.services_helpers import connect_service, linked_program
from tests.test_registration import FORM, WEBINAR, sandbox_registrants

REGISTRANTS_POST = {"pattern": "/v2/webinars/*/registrants", "for_method": "POST"}

# Everything that waits in production is short here: a job times out after 4 s, a dead
# worker's job is abandoned 1 s later, workers sweep every second, retries after 1 s.
FAST = {"ZOOM_MAX_WAIT": 0.5, "REGISTRATION_RETRY_BASE": 1, "MAIL_RETRY_INTERVALS": [1],
        "REGISTRATION_JOB_TIMEOUT": 4, "WORKER_ABANDON_GRACE": 1, "WORKER_MAINTENANCE_INTERVAL": 1,
        "REGISTRATION_SWEEP_GRACE": 1, "REGISTRATION_JOB_RETRY_INTERVALS": [1, 1],
        "LANDING_RATE_LIMIT": "1000 per minute"}


@pytest.fixture
def config(config, request):
    """pytest-flask makes the app before a test's own fixtures: what changes the
    app's config must happen here."""
    config.update(FAST)
    if "proxy" in request.fixturenames:
        # The portal reaches Zoom through a proxy that the test can switch off.
        proxy = request.getfixturevalue("proxy")
        config.update(ZOOM_OAUTH_BASE_URL=proxy.url, ZOOM_API_BASE_URL=proxy.url + "/v2")
    return config


@pytest.fixture
def program(admin, sandbox):
    """A webinar program linked to the sandbox's upcoming webinar, landing page published."""
    return linked_program(connect_service(admin), "Resilient webinar", WEBINAR)


@pytest.fixture
def workers(config, tmp_path):
    group = Workers(config, tmp_path)
    yield group
    group.stop()


def people(prefix: str, count: int) -> list[dict]:
    return [{**FORM, "email": f"{prefix}{n}@example.com", "first_name": f"{prefix.title()}{n}"}
            for n in range(count)]


def submit(client, program, form):
    return client.post(f"/lp/{program.landing_page.slug}", data=form, follow_redirects=True)


def counts() -> dict:
    db.session.expire_all()
    return {state: db.session.scalar(db.select(db.func.count()).select_from(Member)
                                     .where(Member.sync_state == state))
            for state in (SYNC_PENDING, SYNC_SYNCED, "failed")}


def emails_done() -> int:
    """Outbox messages written out (kept: no mail server in tests)."""
    db.session.expire_all()
    return db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.state == "kept"))


def assert_each_once(sandbox, emails: list[str]) -> None:
    """Every member synced with the registrant Zoom holds for their email, Zoom holds
    each email once, and each member got one confirmation email."""
    db.session.expire_all()
    listed = sandbox_registrants(sandbox)
    registrants = {r["email"].lower(): r for r in listed}
    assert sorted(registrants) == sorted(emails) and len(listed) == len(emails)
    members = db.session.scalars(db.select(Member)).all()
    assert len(members) == len(emails)
    for member in members:
        registrant = registrants[member.person.email_key]
        assert (member.sync_state, member.registrant_id, member.webinar_url) == (
            SYNC_SYNCED, registrant["id"], registrant["join_url"])
    outbox = db.session.scalars(db.select(OutboxMessage)).all()
    assert sorted(m.to_address.lower() for m in outbox) == sorted(emails)
    assert all(m.member.webinar_url in m.body for m in outbox)


# --- a worker killed in the middle of a registration job -----------------------------------

def test_worker_killed_mid_registration_another_finishes_it(client, program, sandbox, workers,
                                                            redis_conn, config):
    """The worker that dies holds RQ's scheduler too (its process group is killed): RQ
    marks the job abandoned and schedules its retry, but no scheduler runs it for a
    minute; the other worker's sweep enqueues it again."""
    # Zoom takes 6 s to answer the first registration (the job times out after 7 s):
    # the job is inside the provider call when its worker dies.
    sandbox.control("faults", **REGISTRANTS_POST, latency=6.0, count=1)
    workers.env["REGISTRATION_JOB_TIMEOUT"] = "7"
    victim = workers.start()
    lock = f"rq:scheduler-lock:{config['RQ_QUEUE']}"
    wait_for(lambda: redis_conn.get(lock), 15, message="the first worker holding the scheduler")

    submit(client, program, FORM)
    member = db.session.scalar(db.select(Member))
    wait_for(lambda: sandbox.requests_seen(method="POST", prefix="/v2/webinars"), 10,
             message="the job calling Zoom")
    survivor = workers.start()
    wait_for(lambda: len(Worker.all(connection=redis_conn)) == 2, 10, message="the second worker up")
    job = Job.fetch(f"register-{member.sync_job_id}-0", connection=redis_conn)
    assert Worker.find_by_key(Worker.redis_worker_namespace_prefix + job.worker_name,
                              connection=redis_conn).pid == victim.pid
    assert sandbox_registrants(sandbox) == []   # Zoom is still sleeping on the call
    workers.kill(victim)

    assert counts()[SYNC_PENDING] == 1          # the killed job committed nothing
    wait_for(lambda: counts()[SYNC_SYNCED] == 1, 20, 0.2,
             lambda: "the survivor finishing the registration\n" + workers.output())
    assert survivor.poll() is None
    assert "registration of member 1 enqueued again: its job was scheduled" in workers.output()
    wait_for(lambda: emails_done() == 1, 10, message="the confirmation email")
    # Zoom got the killed call too (it answered after the kill): still one registrant.
    assert len(sandbox.requests_seen(method="POST", prefix="/v2/webinars")) == 2
    assert_each_once(sandbox, [FORM["email"]])
    assert db.session.scalar(db.select(db.func.count()).select_from(Person)) == 1


# --- Redis restarted while registrations arrive ----------------------------------------------

def test_redis_restart_loses_no_registration(client, program, sandbox, own_redis,
                                             workers):
    # Zoom answers in 0.2 s: jobs are queued, running and done when Redis stops.
    sandbox.control("faults", **REGISTRANTS_POST, latency=0.2, count=None)
    workers.start(), workers.start()
    before, during, after = people("before", 8), people("during", 5), people("after", 5)
    for form in before:
        assert "Thank you for registering" in submit(client, program, form).text
    wait_for(lambda: counts()[SYNC_SYNCED] >= 1, 10, 0.05, "a first registration done")

    own_redis.stop()                            # no persistence: every queued job is gone
    for form in during:
        answer = submit(client, program, form)
        # The landing page still answers: the member is stored, the job waits for Redis.
        assert answer.status_code == 200 and "Thank you for registering" in answer.text
    assert counts()[SYNC_PENDING] >= len(during)

    own_redis.start()
    for form in after:
        assert "Thank you for registering" in submit(client, program, form).text
    total = len(before) + len(during) + len(after)
    wait_for(lambda: counts()[SYNC_SYNCED] == total, 20, 0.25,
             lambda: f"all {total} registered: {counts()}\n" + workers.output())
    wait_for(lambda: emails_done() == total, 10, 0.25, "one email each")
    assert_each_once(sandbox, [f["email"] for f in before + during + after])


# --- the provider failing for a while ---------------------------------------------------------

@pytest.fixture
def proxy(zoom_sandbox):
    host, port = zoom_sandbox.url.removeprefix("http://").split(":")
    proxy = TcpProxy(host, int(port))
    proxy.up()
    yield proxy
    proxy.down()


def test_provider_down_for_a_while_everything_arrives_later_once(client, program,
                                                                 sandbox, proxy, run_jobs, run_due):
    forms = people("outage", 4)
    # Zoom answers 503 to everything...
    sandbox.control("faults", pattern="/v2/*", status=503, count=None)
    for form in forms:
        submit(client, program, form)
    run_jobs()
    assert counts() == {SYNC_PENDING: 4, SYNC_SYNCED: 0, "failed": 0}
    # ...then cannot be reached at all (connection refused)...
    sandbox.control("faults", method="DELETE")
    proxy.down()
    with pytest.raises(requests.ConnectionError):
        requests.get(proxy.url, timeout=2)

    def retry_due_jobs():
        db.session.expire_all()
        due = max(m.next_retry_at for m in db.session.scalars(db.select(Member)))
        run_due((due - utcnow()).total_seconds() + 1)

    retry_due_jobs()
    assert counts() == {SYNC_PENDING: 4, SYNC_SYNCED: 0, "failed": 0}
    assert all("could not be reached" in m.sync_error for m in db.session.scalars(db.select(Member)))
    # ...then comes back, and loses the answer to the first registration (processed at Zoom).
    proxy.up()
    sandbox.control("faults", **REGISTRANTS_POST, status=502, after=True, count=1)
    retry_due_jobs()
    assert counts() == {SYNC_PENDING: 0, SYNC_SYNCED: 4, "failed": 0}
    assert_each_once(sandbox, [f["email"] for f in forms])


# --- two submissions of the same email at the same moment ------------------------------------

def test_simultaneous_submissions_of_one_email_make_one_member(live_portal, program, sandbox, run_jobs):
    url = f"{live_portal}/lp/{program.landing_page.slug}"
    spellings = ["grace@example.com", "Grace@Example.com", "GRACE@EXAMPLE.COM", "grace@example.COM",
                 "grace@EXAMPLE.com", "gRace@example.com"]
    start = threading.Barrier(len(spellings))
    answers = [None] * len(spellings)

    def post(n):
        with requests.Session() as http:
            start.wait(5)
            answers[n] = http.post(url, data={**FORM, "email": spellings[n]}, timeout=30)

    threads = [threading.Thread(target=post, args=(n,)) for n in range(len(spellings))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [a.status_code for a in answers] == [200] * len(spellings), [a.text[:300] for a in answers]
    assert all("Thank you for registering" in a.text for a in answers)
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(Person)) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(Member)) == 1
    run_jobs()
    assert_each_once(sandbox, ["grace@example.com"])
