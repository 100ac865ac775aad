"""Webhook verification by the GoTo plugin, fed by the sandbox's own signed deliveries:
keys above 2**53 arrive exact, as strings; forged, stale or unsigned bodies are refused."""
import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta, timezone

import pytest
from werkzeug.wrappers import Request, Response

from providers.base import (
    OTHER,
    REGISTRANT_JOINED,
    WEBINAR_DELETED,
    WEBINAR_UPDATED,
    BadSignature,
    Registrant,
)
from providers.goto import GoToEvent
from providers.goto.sandbox import seed
from tests.sandbox_fixtures import serving


class Portal:
    """A stand-in portal endpoint that verifies with the plugin, as the portal does."""

    def __init__(self, plugin):
        self.plugin = plugin
        self.events = []

    def __call__(self, environ, start_response):
        request = Request(environ)
        try:
            self.events.append(self.plugin.verify_webhook(request.headers, request.get_data()))
            return Response("", 200)(environ, start_response)
        except BadSignature:
            return Response("", 401)(environ, start_response)


@pytest.fixture
def portal(goto_plugin, goto_sandbox):
    app = Portal(goto_plugin)
    with serving(app) as url:
        goto_sandbox.control("webhook-url", url=f"{url}/webhooks/goto")
        yield app


def _signed(body: dict, secret: str = seed.WEBHOOK_SECRET_KEY) -> tuple[dict, bytes]:
    raw = json.dumps(body).encode()
    signature = base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode()
    return {"X-Webhook-Signature": signature, "Content-Type": "application/json"}, raw


def test_sandbox_deliveries_verify_with_exact_keys(goto_plugin, goto_sandbox, portal):
    store = goto_sandbox.connect(goto_plugin)
    registration = goto_plugin.register(store, str(seed.W_SINGLE),
                                        Registrant(email="jane@example.test", first_name="Jane",
                                                   last_name="Doe"))
    goto_sandbox.control("webhooks/wait")     # registrant.added goes out in the background
    goto_sandbox.control(f"webinars/{seed.W_SINGLE}/start", sync=True)
    goto_sandbox.control(f"webinars/{seed.W_SINGLE}/join", sync=True, email="jane@example.test")
    goto_sandbox.control(f"webinars/{seed.W_SINGLE}/end")
    goto_sandbox.control(f"webinars/{seed.W_SINGLE}/reschedule", sync=True,
                         startTime="2031-03-01T10:00:00Z")
    goto_sandbox.control("webhooks/wait")
    outcomes = [d["outcome"] for d in goto_sandbox.state()["webhook_deliveries"]]
    assert outcomes == [200, 200, 200]
    added, joined, changed = portal.events
    assert (added.event, added.webinar_id, added.account_id) == (
        OTHER, str(seed.W_SINGLE), str(seed.ACCOUNT_KEY))
    assert (joined.event, joined.webinar_id, joined.email) == (
        REGISTRANT_JOINED, str(seed.W_SINGLE), "jane@example.test")
    assert (changed.event, changed.webinar_id) == (WEBINAR_UPDATED, str(seed.W_SINGLE))
    assert len({added.delivery_id, joined.delivery_id, changed.delivery_id}) == 3
    assert registration.registrant_id in goto_sandbox.state()["webhook_deliveries"][0]["body"]


def test_a_cancelled_webinar_is_a_deleted_one(goto_sandbox, portal):
    goto_sandbox.control(f"webinars/{seed.W_SINGLE}", method="DELETE", sync=True)
    assert [(e.event, e.webinar_id) for e in portal.events] == [(WEBINAR_DELETED, str(seed.W_SINGLE))]


def test_the_reference_example_keeps_its_big_keys_exact(goto_plugin):
    raw = (b'{"eventName":"registrant.joined","eventVersion":"1.0.0","product":"g2w",'
           b'"eventKey":"74d38461-9db8-4e41-8f59-d99f00b82411","sessionKey":15887209,'
           b'"webinarKey":5620084814059709442,"firstName":"Abhinav","lastName":"Gandhi",'
           b'"email":"a@g.com","webinarTitle":"Quarterly Product Update",'
           b'"registrantKey":8325357307900339981,"joinTime":1554356793898}')
    signature = base64.b64encode(hmac.new(seed.WEBHOOK_SECRET_KEY.encode(), raw,
                                          hashlib.sha256).digest()).decode()
    event = goto_plugin.verify_webhook({"X-Webhook-Signature": signature}, raw)
    assert event.webinar_id == "5620084814059709442"          # a float would say ...709440
    assert (event.event, event.email) == (REGISTRANT_JOINED, "a@g.com")
    assert event.delivery_id == "74d38461-9db8-4e41-8f59-d99f00b82411"


def test_forged_stale_and_unsigned_bodies_are_refused(goto_plugin, goto_sandbox):
    now = datetime.now(timezone.utc)
    body = {"eventName": "webinar.changed", "eventKey": "k1", "webinarKey": seed.W_SINGLE,
            "timestamp": now.isoformat().replace("+00:00", "Z"), "times": []}
    headers, raw = _signed(body)
    assert goto_plugin.verify_webhook(headers, raw).event == WEBINAR_UPDATED
    with pytest.raises(BadSignature, match="does not match"):
        goto_plugin.verify_webhook(*_signed(body, "someone-else"))
    with pytest.raises(BadSignature, match="does not match"):
        goto_plugin.verify_webhook(headers, raw.replace(b"k1", b"k2"))
    with pytest.raises(BadSignature, match="no GoTo signature"):
        goto_plugin.verify_webhook({}, raw)
    stale = dict(body, timestamp=(now - timedelta(hours=1)).isoformat().replace("+00:00", "Z"))
    with pytest.raises(BadSignature, match="stale"):
        goto_plugin.verify_webhook(*_signed(stale))
    with pytest.raises(BadSignature, match="no eventName"):
        goto_plugin.verify_webhook(*_signed({"webinarKey": 1}))
    unconfigured = GoToEvent(goto_sandbox.config | {"GOTO_WEBHOOK_SECRET_KEY": ""})
    with pytest.raises(BadSignature, match="no GoTo webhook secret key"):
        unconfigured.verify_webhook(headers, raw)
