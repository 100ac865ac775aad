"""Running a webinar through the sandbox's controls: signed webhooks reach the portal
URL with big keys as JSON numbers, and the sessions it ran are read back over the API."""
import base64
import hashlib
import hmac
import json

import pytest
import requests

from providers.goto.sandbox import seed
from tests.sandbox_fixtures import WebhookSink, serving

G2W = "/G2W/rest/v2"


class Sink(WebhookSink):
    """A portal stand-in: keeps every webhook's raw body and headers."""

    def events(self) -> list[str]:
        return [json.loads(body)["eventName"] for _, body in self.received]


@pytest.fixture
def sink(goto_sandbox):
    app = Sink()
    with serving(app) as url:
        goto_sandbox.control("webhook-url", url=f"{url}/webhooks/goto")
        yield app


def _signature(body: bytes) -> str:
    digest = hmac.new(seed.WEBHOOK_SECRET_KEY.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def test_a_webinar_run_sends_signed_webhooks_and_leaves_sessions(goto_sandbox, sink):
    created = goto_sandbox.control("webinars", sync=True, subject="Live demo",
                                   organizerKey=str(seed.ADMIN_KEY),
                                   startTime="2030-01-10T16:00:00Z", endTime="2030-01-10T17:00:00Z",
                                   timeZone="America/New_York", unknownField={"x": 1})
    wk = created["webinarKey"]
    jane = goto_sandbox.control(f"webinars/{wk}/registrants", sync=True, email="jane@example.test",
                                firstName="Jane", lastName="Doe")
    goto_sandbox.control(f"webinars/{wk}/registrants", sync=True, email="max@example.test",
                         firstName="Max", lastName="Absent")
    session = goto_sandbox.control(f"webinars/{wk}/start", at="2030-01-10T16:00:00Z")
    goto_sandbox.control(f"webinars/{wk}/join", sync=True, email="jane@example.test", offset_minutes=0)
    goto_sandbox.control(f"webinars/{wk}/leave", email="jane@example.test", offset_minutes=20)
    goto_sandbox.control(f"webinars/{wk}/join", sync=True, registrantKey=jane["registrantKey"],
                         offset_minutes=30)
    ended = goto_sandbox.control(f"webinars/{wk}/end", offset_minutes=50)
    goto_sandbox.control(f"webinars/{wk}/reschedule", sync=True,
                         startTime="2030-01-11T16:00:00Z", endTime="2030-01-11T17:00:00Z")

    assert sink.events() == ["webinar.created", "registrant.added", "registrant.added",
                             "registrant.joined", "registrant.joined", "webinar.changed"]
    for headers, body in sink.received:
        assert headers["X-Webhook-Signature"] == _signature(body)
    _, joined = sink.received[3]
    raw = joined.decode()
    assert f'"webinarKey":{wk},' in raw and f'"registrantKey":{jane["registrantKey"]},' in raw
    assert f'"sessionKey":{session["sessionKey"]},' in raw
    parsed = json.loads(joined)
    assert (parsed["product"], parsed["email"], parsed["eventVersion"]) == (
        "g2w", "jane@example.test", "1.0.0")
    changed = json.loads(sink.received[-1][1])
    assert changed["times"] == [{"startTime": "2030-01-11T16:00:00Z",
                                 "endTime": "2030-01-11T17:00:00Z"}]
    assert changed["status"] == "UPDATED" and changed["webinarKey"] == int(wk)

    token = goto_sandbox.tokens()["access_token"]
    base = f"{G2W}/organizers/{seed.ADMIN_KEY}/webinars/{wk}"
    sessions = goto_sandbox.get(f"{base}/sessions", token).json()
    assert [str(s["sessionKey"]) for s in sessions] == [ended["sessionKey"]]
    assert sessions[0]["startTime"] == "2030-01-10T16:00:00Z"
    people = goto_sandbox.get(f"{base}/sessions/{ended['sessionKey']}/attendees", token).json()
    assert len(people) == 1
    assert people[0]["attendanceTimeInSeconds"] == 40 * 60
    assert people[0]["attendance"] == [
        {"joinTime": "2030-01-10T16:00:00Z", "leaveTime": "2030-01-10T16:20:00Z"},
        {"joinTime": "2030-01-10T16:30:00Z", "leaveTime": "2030-01-10T16:50:00Z"}]


def test_cancelling_sends_webinar_changed_and_the_webinar_is_gone(goto_sandbox, sink):
    goto_sandbox.control(f"webinars/{seed.W_SINGLE}", method="DELETE", sync=True)
    body = json.loads(sink.received[-1][1])
    assert (body["eventName"], body["status"]) == ("webinar.changed", "DELETED")
    token = goto_sandbox.tokens()["access_token"]
    gone = goto_sandbox.get(f"{G2W}/organizers/{seed.ADMIN_KEY}/webinars/{seed.W_SINGLE}", token)
    assert gone.status_code == 404


def test_an_answer_lost_after_the_registration_was_made(goto_sandbox):
    """An ``after`` fault processes the call and loses the answer."""
    token = goto_sandbox.tokens()["access_token"]
    goto_sandbox.control("faults", pattern=f"{G2W}/*/registrants", for_method="POST",
                         status=502, after=True)
    url = f"{goto_sandbox.url}{G2W}/organizers/{seed.ADMIN_KEY}/webinars/{seed.W_SINGLE}/registrants"
    lost = requests.post(url, json={"firstName": "L", "lastName": "Ost", "email": "l@example.test"},
                         headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert lost.status_code == 502 and lost.json()["errorCode"] == "BadGateway"
    people = goto_sandbox.state()["webinars"][str(seed.W_SINGLE)]["registrants"]
    assert [p["email"] for p in people] == ["l@example.test"]
