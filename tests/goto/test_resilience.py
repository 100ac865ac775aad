"""Outages, timeouts and concurrent refreshes, against the GoTo sandbox's faults."""
import socket
import threading
import time

import pytest

from providers.base import Unavailable
from providers.goto import GoToEvent
from providers.goto.sandbox import seed

WEBINAR_PATH = f"/G2W/rest/v2/organizers/{seed.ADMIN_KEY}/webinars/{seed.W_SINGLE}"


@pytest.fixture
def store(goto_plugin, goto_sandbox):
    return goto_sandbox.connect(goto_plugin)


def test_5xx_is_retried_a_bounded_number_of_times(goto_plugin, goto_sandbox, store):
    goto_sandbox.control("faults", pattern=WEBINAR_PATH, status=503, count=2)
    assert goto_plugin.webinar(store, str(seed.W_SINGLE)).topic == "Lectern on GoTo: product tour"
    goto_sandbox.control("faults", pattern=WEBINAR_PATH, status=500, count=None)
    with pytest.raises(Unavailable) as caught:
        goto_plugin.webinar(store, str(seed.W_SINGLE))
    assert caught.value.transient
    seen = [r for r in goto_sandbox.requests_seen("GET") if r[1] == WEBINAR_PATH]
    assert len(seen) == 3 + goto_sandbox.config["GOTO_MAX_RETRIES"] + 1


def test_a_slow_answer_times_out_as_unavailable(goto_sandbox, store):
    plugin = GoToEvent(dict(goto_sandbox.config, GOTO_HTTP_TIMEOUT=0.3, GOTO_MAX_RETRIES=1))
    goto_sandbox.control("faults", pattern="/admin/rest/v1/me", latency=1.0, count=2)
    with pytest.raises(Unavailable) as caught:
        plugin.whoami(store)
    assert "GoTo Webinar could not be reached (ReadTimeout)" == caught.value.message
    plugin.session.close()


def test_connection_refused_is_unavailable(goto_sandbox, store):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    plugin = GoToEvent(dict(goto_sandbox.config, GOTO_API_BASE_URL=f"http://127.0.0.1:{closed_port}",
                            GOTO_MAX_RETRIES=1))
    with pytest.raises(Unavailable) as caught:
        plugin.whoami(store)
    assert "could not be reached" in caught.value.message
    plugin.session.close()


def test_concurrent_calls_spend_the_refresh_token_once(goto_plugin, goto_sandbox, store):
    store._token["expires_at"] = time.time() + 10          # inside the refresh margin
    errors = []

    def call():
        try:
            goto_plugin.whoami(store)
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)
    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    counters = goto_sandbox.state()["counters"]
    assert (counters["refreshes"], counters["refresh_failures"]) == (1, 0)
