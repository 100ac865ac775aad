"""Outgoing calls paced to the provider's limits, one budget per account and rate class
shared by every process (portal/pacing.py), against the sandbox's per-second limits.
Nothing here is timed: the sandbox counts the 429s it answered."""
import threading
import time

import pytest

from portal import create_app
from portal.extensions import db
from portal.models import Service
from portal.pacing import RedisPacer, limits_for
from portal.partners import plugin
from portal.services.gateway import Gateway
from portal.workers import redis_conn
from providers.base import RateLimit, Registrant
from providers.pacing import Deferred, RateNotice
from providers.zoom.sandbox import seed
from tests.services_helpers import connect_service

WEBINAR = str(seed.W_SINGLE)
LIGHT = 6          # calls a second the sandbox allows in the Light class, for this test


@pytest.fixture
def config(config):
    # the account's plan as the portal knows it (the sandbox is set to the same below)
    config["PACING_LIMITS"] = f"zoom.light={LIGHT}"
    # The threads below stand for worker processes, which wait for their slot as long as a
    # job does (outside a job a caller waits 1 s at most, too short for two on loaded cores).
    config["PACING_WEB_MAX_WAIT"] = config["PACING_MAX_WAIT"] = 60
    return config


def _worker(app, service_id, people, errors):
    """One worker process: its own app, database engine and Redis connection."""
    try:
        with app.app_context():
            service = db.session.get(Service, service_id)
            gateway = Gateway(service)
            for email in people:
                gateway.register(WEBINAR, Registrant(email=email, first_name="Paced"))
            db.session.remove()
            db.engine.dispose()
    except Exception as exc:       # reported by the test, not lost in the thread
        errors.append(exc)


def test_two_workers_share_one_budget_and_the_provider_answers_no_429(app, admin, sandbox, config):
    service = connect_service(admin)
    db.session.commit()
    sandbox.control("rate-limits", enabled=True, limits={"Light": LIGHT}, reset_counts=True)
    # Connecting spent part of this second's budget before the account was known (under
    # another key): as if the provider said "none left until the next second".
    RedisPacer(redis_conn(), "zoom", service.account_id, {"light": RateLimit(LIGHT)}).after(
        RateNotice("light", remaining=0, reset_at=float(int(time.time()) + 1)))
    people = [f"paced{i}@example.com" for i in range(3 * LIGHT)]
    errors: list[Exception] = []
    apps = [create_app(config) for _ in range(2)]
    workers = [threading.Thread(target=_worker, args=(apps[n], service.id, people[n::2], errors))
               for n in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    # Paced alone, each worker would send 0.95 x LIGHT a second: together nearly twice
    # the limit. They share the account's budget, so the sandbox refused nothing.
    limits = sandbox.control("rate-limits", method="GET")
    assert (limits["rejected_total"], limits["answered_429"]) == (0, 0), (limits, sandbox.requests_seen(prefix="/v2/"))
    emails = {r["email"] for r in sandbox.state()["webinars"][WEBINAR]["registrants"]}
    assert set(people) <= emails


def test_the_provider_word_holds_every_process_back(app, admin, sandbox):
    service = connect_service(admin)
    pacer = RedisPacer(redis_conn(), "zoom", service.account_id, {"light": RateLimit(1000)},
                       max_wait=0.5)
    # A 429 said "come back in an hour": the next call anywhere is deferred, not sent.
    pacer.after(RateNotice("light", retry_at=time.time() + 3600))
    before = len(sandbox.requests_seen(prefix="/v2/"))
    with pytest.raises(Deferred):
        Gateway(service).webinar(WEBINAR)
    assert len(sandbox.requests_seen(prefix="/v2/")) == before
    assert service.error_count == 0          # our own wait is not a provider failure
    # Another class keeps its own budget.
    assert Gateway(service).upcoming_webinars(seed.OWNER_ID) is not None


def test_limits_come_from_the_plugin_and_the_configuration(app):
    zoom = plugin("zoom")
    assert limits_for(zoom, {}) == dict(zoom.rate_limits)
    custom = limits_for(zoom, {"PACING_LIMITS": "zoom.light=80,zoom.heavy=40/60000,other.light=1"})
    assert custom["light"] == RateLimit(80) and custom["heavy"] == RateLimit(40, 60000)
    assert custom["medium"] == zoom.rate_limits["medium"]


def test_report_pages_streamed_after_the_call_keep_to_the_budget(app, admin, sandbox):
    service = connect_service(admin)
    sandbox.control(f"webinars/{WEBINAR}/bulk", attendees=650, absentees=0, rejoin_every=0)
    pages = iter(Gateway(service).attendance(WEBINAR).joins)
    assert len(next(pages)) == 300                     # read by the call itself
    # The provider said "no Heavy call for an hour" while the caller wrote that page: the
    # next page waits for the budget like any call, here past the wait allowed: deferred.
    RedisPacer(redis_conn(), "zoom", service.account_id, {"heavy": RateLimit(1000)}).after(
        RateNotice("heavy", retry_at=time.time() + 3600))
    before = len(sandbox.requests_seen(prefix="/v2/report/"))
    with pytest.raises(Deferred):
        next(pages)
    assert len(sandbox.requests_seen(prefix="/v2/report/")) == before
