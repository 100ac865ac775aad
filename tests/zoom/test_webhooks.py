"""Webhook signatures, URL validation, and the sandbox's signed deliveries."""
import hashlib
import hmac
import json
import time
from datetime import datetime, timezone

import pytest

from providers.base import (
    DEAUTHORIZED,
    OTHER,
    URL_VALIDATION,
    WEBINAR_DELETED,
    WEBINAR_ENDED,
    WEBINAR_UPDATED,
    BadSignature,
    Registrant,
    WebhookEvent,
)
from providers.zoom import ZoomEvent
from providers.zoom.sandbox import seed
from tests.sandbox_fixtures import WebhookSink, serving

SECRET = "test-webhook-secret"


def signed(body: dict | bytes, secret: str = SECRET, ts: int | None = None) -> tuple[dict, bytes]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    ts = str(int(time.time()) if ts is None else ts)
    digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return {"x-zm-signature": "v0=" + digest, "x-zm-request-timestamp": ts,
            "Content-Type": "application/json"}, raw


@pytest.fixture
def plugin():
    return ZoomEvent({"ZOOM_WEBHOOK_SECRET_TOKEN": SECRET})


ENDED = {"event": "webinar.ended", "event_ts": 1767225600000,
         "payload": {"account_id": "acc-1", "object": {"id": 81000000001, "uuid": "u==",
                                                        "topic": "T",
                                                        "end_time": "2026-01-01T00:59:30Z"}}}


def test_signed_event_is_accepted_and_normalised(plugin):
    headers, raw = signed(ENDED)
    event = plugin.verify_webhook(headers, raw)
    assert event == WebhookEvent(event=WEBINAR_ENDED, account_id="acc-1", webinar_id="81000000001",
                                 ended_at=datetime(2026, 1, 1, 0, 59, 30, tzinfo=timezone.utc),
                                 delivery_id=headers["x-zm-signature"])


def test_header_names_are_case_insensitive(plugin):
    headers, raw = signed(ENDED)
    upper = {k.upper(): v for k, v in headers.items()}
    assert plugin.verify_webhook(upper, raw).webinar_id == "81000000001"


def test_wrong_signature_is_refused(plugin):
    headers, raw = signed(ENDED, secret="another-secret")
    with pytest.raises(BadSignature):
        plugin.verify_webhook(headers, raw)


def test_body_changed_after_signing_is_refused(plugin):
    headers, raw = signed(ENDED)
    with pytest.raises(BadSignature):
        plugin.verify_webhook(headers, raw.replace(b"81000000001", b"81000000002"))


@pytest.mark.parametrize("skew", [-301, 301])
def test_stale_or_future_timestamp_is_refused(plugin, skew):
    headers, raw = signed(ENDED, ts=int(time.time()) + skew)
    with pytest.raises(BadSignature) as caught:
        plugin.verify_webhook(headers, raw)
    assert "stale" in caught.value.message


def test_missing_headers_are_refused(plugin):
    with pytest.raises(BadSignature):
        plugin.verify_webhook({}, json.dumps(ENDED).encode())


def test_missing_secret_refuses_everything():
    headers, raw = signed(ENDED, secret="")
    with pytest.raises(BadSignature) as caught:
        ZoomEvent({"ZOOM_WEBHOOK_SECRET_TOKEN": ""}).verify_webhook(headers, raw)
    assert "no Zoom webhook secret" in caught.value.message


def test_url_validation_challenge_is_answered(plugin):
    headers, raw = signed({"event": "endpoint.url_validation", "event_ts": 1,
                           "payload": {"plainToken": "qgg8vlvZRS6UYooatFL8Aw"}})
    event = plugin.verify_webhook(headers, raw)
    expected = hmac.new(SECRET.encode(), b"qgg8vlvZRS6UYooatFL8Aw", hashlib.sha256).hexdigest()
    assert event.event == URL_VALIDATION
    assert event.reply == {"plainToken": "qgg8vlvZRS6UYooatFL8Aw", "encryptedToken": expected}


def test_deauthorization_event(plugin):
    headers, raw = signed({"event": "app_deauthorized", "event_ts": 1,
                           "payload": {"account_id": "acc-9", "user_id": "u-1",
                                       "client_id": "c", "deauthorization_time": "2026-01-01T00:00:00Z"}})
    event = plugin.verify_webhook(headers, raw)
    assert (event.event, event.account_id, event.webinar_id) == (DEAUTHORIZED, "acc-9", "")


@pytest.fixture
def receiver(sandbox):
    box = WebhookSink()
    with serving(box) as url:
        sandbox.control("webhook-url", url=f"{url}/zoom/webhooks")
        yield box


def test_sandbox_sends_signed_webhooks_the_plugin_verifies(zoom_plugin, sandbox, receiver):
    wid = seed.W_SINGLE
    store = sandbox.connect(zoom_plugin)
    registration = zoom_plugin.register(store, str(wid), Registrant(email="w@example.test",
                                                                    first_name="W"))
    sandbox.control("webhooks/wait")
    sandbox.control(f"webinars/{wid}/start", sync=True)
    sandbox.control(f"webinars/{wid}/end", at="2026-12-01T17:02:03Z", sync=True)
    sandbox.control(f"webinars/{wid}/reschedule", start_time="2027-01-05T16:00:00Z", sync=True)
    sandbox.control(f"webinars/{wid}", method="DELETE", sync=True)
    sandbox.control("deauthorize", sync=True)
    events = [zoom_plugin.verify_webhook(h, body) for h, body in receiver.received]
    # registration_created and started are of no use to the portal
    assert [e.event for e in events] == [OTHER, OTHER, WEBINAR_ENDED, WEBINAR_UPDATED,
                                         WEBINAR_DELETED, DEAUTHORIZED]
    assert {e.account_id for e in events} == {seed.ACCOUNT_ID}
    assert [e.webinar_id for e in events[2:]] == [str(wid)] * 3 + [""]
    assert events[2].ended_at == datetime(2026, 12, 1, 17, 2, 3, tzinfo=timezone.utc)
    assert all(e.ended_at is None for e in events if e.event != WEBINAR_ENDED)
    assert registration.registrant_id
    deliveries = sandbox.state()["webhook_deliveries"]
    assert [d["outcome"] for d in deliveries] == [204] * 6


def test_webhooks_are_delivered_in_the_background_by_default(sandbox, receiver):
    sandbox.control(f"webinars/{seed.W_SINGLE}/start")
    with receiver.arrived:
        receiver.arrived.wait_for(lambda: receiver.received, timeout=5)
    headers, body = receiver.received[0]
    assert json.loads(body)["event"] == "webinar.started"
    assert headers["X-Zm-Signature"].startswith("v0=")


@pytest.mark.parametrize("ts", ["nan", "NaN", "inf", "-inf", "infinity"])
def test_timestamp_that_is_not_a_finite_number_is_refused(plugin, ts):
    raw = json.dumps(ENDED).encode()
    digest = hmac.new(SECRET.encode(), b"v0:" + ts.encode() + b":" + raw, hashlib.sha256).hexdigest()
    with pytest.raises(BadSignature, match="not a number"):
        plugin.verify_webhook({"x-zm-signature": "v0=" + digest, "x-zm-request-timestamp": ts}, raw)
