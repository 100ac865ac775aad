"""One confirmation per registration attempt, whatever the concurrency: the send is
claimed in the database, so simultaneous submissions of one email (a double click, a
burst) make one member, one registrant and one email; a resubmission after the resend
interval sends one more, not one per request. Over real HTTP, real SMTP, the sandbox."""
import threading
from datetime import timedelta

import pytest
import requests

from portal.extensions import db
from portal.models import Member, OutboxMessage, utcnow
from tests.services_helpers import connect_service, linked_program
from tests.smtp_fixtures import smtp_server_fixture  # noqa: F401  (the smtp_server fixture)
from tests.test_registration import FORM, WEBINAR, sandbox_registrants

SPELLINGS = ["grace@example.com", "Grace@Example.com", "GRACE@EXAMPLE.COM", "grace@example.COM",
             "grace@EXAMPLE.com", "gRace@example.com", "grAce@example.com", "graCe@example.com"]


@pytest.fixture
def config(config):
    config.update(ZOOM_MAX_WAIT=0.5, LANDING_RATE_LIMIT="1000 per minute")
    return config


@pytest.fixture
def program(admin, sandbox):
    return linked_program(connect_service(admin), "Busy webinar", WEBINAR)


def submit_all_at_once(url: str) -> None:
    start = threading.Barrier(len(SPELLINGS))
    answers = [None] * len(SPELLINGS)

    def post(n):
        with requests.Session() as http:
            start.wait(5)
            answers[n] = http.post(url, data={**FORM, "email": SPELLINGS[n]}, timeout=30).status_code

    threads = [threading.Thread(target=post, args=(n,)) for n in range(len(SPELLINGS))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert answers == [200] * len(SPELLINGS)


def test_simultaneous_submissions_send_one_confirmation(live_portal, program, sandbox, run_jobs, smtp_server):
    url = f"{live_portal}/lp/{program.landing_page.slug}"
    submit_all_at_once(url)
    run_jobs()
    submit_all_at_once(url)          # again, once registered: within the resend interval
    run_jobs()
    assert len(sandbox_registrants(sandbox)) == 1
    assert len(smtp_server.messages) == 1
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)) == 1

    member = db.session.scalar(db.select(Member))
    member.last_email_at = utcnow() - timedelta(minutes=11)
    db.session.commit()
    submit_all_at_once(url)          # after the interval: one resend, not one per request
    run_jobs()
    assert len(smtp_server.messages) == 2
    assert len(sandbox_registrants(sandbox)) == 1
