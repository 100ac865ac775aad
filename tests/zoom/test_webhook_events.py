"""Zoom's webhook events normalised into contract events: the portal never reads a
Zoom payload, so everything it needs must come out of these fields."""
import hashlib
import hmac
import json
import time
from datetime import datetime, timezone

import pytest

from providers.base import (
    DEAUTHORIZED,
    OTHER,
    REGISTRANT_JOINED,
    WEBINAR_DELETED,
    WEBINAR_ENDED,
    WEBINAR_UPDATED,
    WebhookEvent,
)
from providers.zoom import ZoomEvent

SECRET = "events-secret"


def deliver(envelope: dict) -> WebhookEvent:
    raw = json.dumps(envelope).encode()
    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), b"v0:" + ts.encode() + b":" + raw, hashlib.sha256).hexdigest()
    event = ZoomEvent({"ZOOM_WEBHOOK_SECRET_TOKEN": SECRET}).verify_webhook(
        {"x-zm-signature": "v0=" + digest, "x-zm-request-timestamp": ts}, raw)
    assert event.delivery_id == "v0=" + digest
    return event


def zoom_event(name: str, obj: dict | None = None, **payload) -> dict:
    body = {"account_id": "acc-1", **payload}
    if obj is not None:
        body["object"] = obj
    return {"event": name, "event_ts": 1767225600000, "payload": body}


def test_webinar_ended_carries_its_end_in_utc():
    event = deliver(zoom_event("webinar.ended", {"id": "81000000001", "uuid": "u==",
                                                 "end_time": "2026-03-01T18:30:00+02:00"}))
    assert (event.event, event.webinar_id, event.account_id) == (WEBINAR_ENDED, "81000000001", "acc-1")
    assert event.ended_at == datetime(2026, 3, 1, 16, 30, tzinfo=timezone.utc)
    assert event.ended_at.tzinfo == timezone.utc


def test_webinar_ended_without_end_time_has_none():
    event = deliver(zoom_event("webinar.ended", {"id": 81000000001}))
    assert (event.event, event.webinar_id, event.ended_at) == (WEBINAR_ENDED, "81000000001", None)


def test_big_webinar_ids_stay_exact():
    event = deliver(zoom_event("webinar.updated", {"id": 98765432109876543}))
    assert event.webinar_id == "98765432109876543"


@pytest.mark.parametrize("name, contract", [("webinar.updated", WEBINAR_UPDATED),
                                            ("webinar.deleted", WEBINAR_DELETED)])
def test_updated_and_deleted_name_the_webinar(name, contract):
    event = deliver(zoom_event(name, {"id": 81000000002, "start_time": "2027-01-05T16:00:00Z"},
                               old_object={"id": 81000000002}))
    assert event == WebhookEvent(event=contract, account_id="acc-1", webinar_id="81000000002",
                                 delivery_id=event.delivery_id)


@pytest.mark.parametrize("name", ["app.deauthorized", "app_deauthorized"])
def test_both_spellings_of_deauthorization(name):
    event = deliver(zoom_event(name, user_id="u-1", client_id="c",
                               deauthorization_time="2026-01-01T00:00:00Z"))
    assert (event.event, event.account_id, event.webinar_id) == (DEAUTHORIZED, "acc-1", "")


def test_participant_joined_names_webinar_and_email():
    event = deliver(zoom_event("webinar.participant_joined", {
        "id": "81000000003", "uuid": "x==", "participant": {
            "user_id": "16778240", "user_name": "Ada L", "email": " ada@example.test ",
            "join_time": "2026-03-01T16:01:00Z"}}))
    assert (event.event, event.webinar_id, event.email) == (REGISTRANT_JOINED, "81000000003",
                                                           "ada@example.test")


@pytest.mark.parametrize("name", ["webinar.started", "webinar.registration_created",
                                  "meeting.ended", "recording.completed"])
def test_events_the_portal_does_not_use_are_other(name):
    event = deliver(zoom_event(name, {"id": 81000000004}))
    assert event.event == OTHER and event.webinar_id == "" and event.ended_at is None


def test_every_announced_event_is_one_the_plugin_produces():
    assert ZoomEvent.capabilities.webhook_events == {WEBINAR_ENDED, WEBINAR_UPDATED, WEBINAR_DELETED,
                                                     DEAUTHORIZED, REGISTRANT_JOINED}
    assert ZoomEvent.capabilities.announces_end
