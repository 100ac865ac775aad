"""Rate limits, outages and paging, against the sandbox's fault injection."""
import socket
from datetime import datetime, timedelta, timezone

import pytest

from providers.base import RateLimited, Unavailable
from providers.zoom import ZoomEvent
from providers.zoom.sandbox import seed


@pytest.fixture
def store(zoom_plugin, sandbox):
    return sandbox.connect(zoom_plugin)


def test_429_waits_for_retry_after_then_succeeds(zoom_plugin, sandbox, store):
    sandbox.control("faults", pattern="/v2/users/me", status=429, retry_after=1, count=1)
    assert zoom_plugin.whoami(store).is_admin
    assert len(sandbox.requests_seen("GET", path="/v2/users/me")) == 2       # waited, asked again


def test_429_asking_longer_than_max_wait_raises_with_retry_after(zoom_plugin, sandbox, store):
    sandbox.control("faults", pattern="/v2/users/me", status=429, retry_after=120, count=1)
    with pytest.raises(RateLimited) as caught:
        zoom_plugin.whoami(store)
    assert len(sandbox.requests_seen("GET", path="/v2/users/me")) == 1       # no inline wait
    assert caught.value.retry_after == 120 and not caught.value.daily
    assert caught.value.transient


def test_daily_limit_raises_with_resume_time(zoom_plugin, sandbox, store):
    sandbox.control("faults", pattern="/v2/webinars/*", status=429, daily=True, count=1)
    with pytest.raises(RateLimited) as caught:
        zoom_plugin.webinar(store, str(seed.W_SINGLE))
    error = caught.value
    midnight = datetime.combine(datetime.now(timezone.utc).date() + timedelta(days=1),
                                datetime.min.time(), timezone.utc)
    assert error.daily and error.resume_at == midnight
    assert 0 < error.retry_after <= 86400
    assert "daily limit" in error.message and midnight.strftime("%Y-%m-%d") in error.message
    assert len(sandbox.requests_seen("GET", "/v2/webinars/")) == 1     # no inline retry


def test_5xx_twice_then_success(zoom_plugin, sandbox, store):
    sandbox.control("faults", pattern="/v2/webinars/*", status=503, count=2)
    assert zoom_plugin.webinar(store, str(seed.W_SINGLE)).topic == "Lectern product tour"
    assert len(sandbox.requests_seen("GET", path=f"/v2/webinars/{seed.W_SINGLE}")) == 3


def test_5xx_retried_a_bounded_number_of_times_then_unavailable(zoom_plugin, sandbox, store):
    sandbox.control("faults", pattern="/v2/webinars/*", status=500, count=None)
    with pytest.raises(Unavailable) as caught:
        zoom_plugin.webinar(store, str(seed.W_SINGLE))
    assert caught.value.transient
    retries = sandbox.config["ZOOM_MAX_RETRIES"]
    assert len(sandbox.requests_seen("GET", path=f"/v2/webinars/{seed.W_SINGLE}")) == retries + 1


def test_slow_answer_times_out_as_unavailable(sandbox, store):
    plugin = ZoomEvent(dict(sandbox.config, ZOOM_HTTP_TIMEOUT=0.3, ZOOM_MAX_RETRIES=1))
    sandbox.control("faults", pattern="/v2/users/me", latency=1.0, count=2)
    with pytest.raises(Unavailable):
        plugin.whoami(store)
    assert len(sandbox.requests_seen("GET", path="/v2/users/me")) == 2       # the first try and one retry


def test_connection_refused_is_unavailable(sandbox, store):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    plugin = ZoomEvent(dict(sandbox.config, ZOOM_API_BASE_URL=f"http://127.0.0.1:{closed_port}/v2"))
    with pytest.raises(Unavailable) as caught:
        plugin.whoami(store)
    assert "could not be reached" in caught.value.message


def test_attendance_reads_every_page(zoom_plugin, sandbox, store):
    sandbox.control(f"webinars/{seed.W_SINGLE}/bulk", attendees=650, absentees=310, rejoin_every=0)
    pages = []
    result = zoom_plugin.attendance(store, str(seed.W_SINGLE), on_page=pages.append)
    assert [len(page) for page in result.joins] == [300, 300, 50]
    assert len(sandbox.requests_seen("GET", "/v2/report/webinars/")) == 3
    absentees = list(result.absentees)
    assert len(absentees) == 310 and len({a.email for a in absentees}) == 310
    assert pages == [1, 2, 3, 4, 5] and result.pages_read == 5               # 3 + 2 absentee pages


def test_expired_page_token_is_a_transient_error(zoom_plugin, sandbox, store):
    sandbox.control(f"webinars/{seed.W_SINGLE}/bulk", attendees=400, absentees=0, rejoin_every=0)
    zoom = zoom_plugin.client(store)
    pages = zoom.report_participants(str(seed.W_SINGLE), str(seed.W_SINGLE))
    assert len(next(pages)) == 300
    sandbox.control("page-tokens/expire")           # as if 15 minutes went by
    with pytest.raises(Unavailable):
        next(pages)
