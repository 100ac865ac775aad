"""The portal's webhook endpoint: signed, fresh, once — or refused with nothing changed."""
import hashlib
import hmac
import json
import time

import pytest

from portal.extensions import db
from portal.models import Service
from providers.zoom.sandbox import seed
from providers.zoom.webhooks import sign
from tests.services_helpers import connect_service


def deauthorization(timestamp=None, secret=seed.WEBHOOK_SECRET_TOKEN):
    body = json.dumps({"event": "app_deauthorized", "event_ts": int(time.time() * 1000),
                       "payload": {"account_id": seed.ACCOUNT_ID, "user_id": seed.OWNER_ID}}).encode()
    ts = str(int(timestamp if timestamp is not None else time.time()))
    return body, {"x-zm-request-timestamp": ts, "x-zm-signature": sign(secret, ts, body),
                  "Content-Type": "application/json"}


def service_state():
    db.session.expire_all()
    return db.session.scalar(db.select(Service.state))


@pytest.fixture
def service(admin, sandbox):
    return connect_service(admin)


def test_signed_webhook_is_accepted_and_acted_on(client, service, run_jobs):
    body, headers = deauthorization()
    assert client.post("/webhooks/zoom", data=body, headers=headers).status_code == 200
    run_jobs()
    assert service_state() == "disconnected"


@pytest.mark.parametrize("case", ["wrong secret", "stale timestamp", "no signature", "tampered body"])
def test_bad_webhooks_get_401_and_change_nothing(client, service, run_jobs, redis_conn, case):
    body, headers = deauthorization(
        timestamp=time.time() - 600 if case == "stale timestamp" else None,
        secret="not-the-secret" if case == "wrong secret" else seed.WEBHOOK_SECRET_TOKEN)
    if case == "no signature":
        del headers["x-zm-signature"]
    if case == "tampered body":
        body = body.replace(seed.OWNER_ID.encode(), b"someoneElse")
    response = client.post("/webhooks/zoom", data=body, headers=headers)
    assert response.status_code == 401
    run_jobs()
    assert service_state() == "active"
    assert redis_conn.llen("rq:queue:lectern-test") == 0


def test_replayed_webhook_is_refused(client, service, run_jobs):
    body, headers = deauthorization()
    assert client.post("/webhooks/zoom", data=body, headers=headers).status_code == 200
    replay = client.post("/webhooks/zoom", data=body, headers=headers)
    assert replay.status_code == 409


def test_url_validation_challenge(client):
    body = json.dumps({"event": "endpoint.url_validation", "payload": {"plainToken": "abc123"}}).encode()
    ts = str(int(time.time()))
    answer = client.post("/webhooks/zoom", data=body, headers={
        "x-zm-request-timestamp": ts, "x-zm-signature": sign(seed.WEBHOOK_SECRET_TOKEN, ts, body)})
    assert answer.status_code == 200
    assert answer.get_json() == {"plainToken": "abc123", "encryptedToken": hmac.new(
        seed.WEBHOOK_SECRET_TOKEN.encode(), b"abc123", hashlib.sha256).hexdigest()}


def test_unknown_provider_is_404(client):
    assert client.post("/webhooks/nope", data=b"{}").status_code == 404
