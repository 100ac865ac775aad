"""Zoom webhook signatures (``x-zm-signature``) and the normalisation of Zoom events
into contract events."""
from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import math
import time
from datetime import timezone
from typing import Mapping

from providers.base import (
    DEAUTHORIZED,
    OTHER,
    REGISTRANT_JOINED,
    URL_VALIDATION,
    WEBINAR_DELETED,
    WEBINAR_ENDED,
    WEBINAR_UPDATED,
    BadSignature,
    WebhookEvent,
)
from providers.zoom.attendance import parse_time

#: refuse timestamps older, or further in the future, than this (Zoom sets no window)
MAX_SKEW = 300
#: Zoom's webinar events the portal uses -> contract events
WEBINAR_EVENTS = {
    "webinar.ended": WEBINAR_ENDED,
    "webinar.updated": WEBINAR_UPDATED,
    "webinar.deleted": WEBINAR_DELETED,
    "webinar.participant_joined": REGISTRANT_JOINED,
}


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``v0=`` + hex HMAC-SHA256(secret, ``v0:{timestamp}:{raw body}``)."""
    message = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def url_validation_reply(secret: str, plain_token: str) -> dict:
    encrypted = hmac.new(secret.encode(), plain_token.encode(), hashlib.sha256).hexdigest()
    return {"plainToken": plain_token, "encryptedToken": encrypted}


def verify(secret: str, headers: Mapping[str, str], body: bytes,
           now: float | None = None) -> WebhookEvent:
    if not secret:
        raise BadSignature("no Zoom webhook secret token is configured: webhooks are refused")
    lower = {str(k).lower(): str(v) for k, v in headers.items()}
    signature = lower.get("x-zm-signature", "")
    timestamp = lower.get("x-zm-request-timestamp", "")
    if not signature or not timestamp:
        raise BadSignature("the webhook carries no Zoom signature")
    try:
        sent_at = float(timestamp)
    except ValueError:
        raise BadSignature("the webhook timestamp is not a number") from None
    # float() takes "nan" and "inf", and every comparison with nan is False.
    if not math.isfinite(sent_at):
        raise BadSignature("the webhook timestamp is not a number")
    if sent_at > 1e11:          # defensive: milliseconds instead of seconds
        sent_at /= 1000
    now = time.time() if now is None else now
    if abs(now - sent_at) > MAX_SKEW:
        raise BadSignature("the webhook timestamp is stale or in the future")
    if not hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.encode()):
        raise BadSignature("the webhook signature does not match")
    try:
        envelope = json.loads(body)
    except ValueError:
        raise BadSignature("the webhook body is not JSON") from None
    if not isinstance(envelope, dict) or not envelope.get("event"):
        raise BadSignature("the webhook body has no event")
    return dataclasses.replace(parse(secret, envelope), delivery_id=signature)


def parse(secret: str, envelope: dict) -> WebhookEvent:
    """Zoom's event -> a contract event; events the portal has no use for -> OTHER."""
    event = str(envelope["event"])
    payload = envelope.get("payload") or {}
    if event == "endpoint.url_validation":
        plain = str(payload.get("plainToken") or "")
        if not plain:
            raise BadSignature("the URL validation carries no plainToken")
        return WebhookEvent(event=URL_VALIDATION, reply=url_validation_reply(secret, plain))
    account_id = str(payload.get("account_id") or "")
    if event in ("app_deauthorized", "app.deauthorized"):
        # carries account_id, user_id, client_id at the payload level, with no object
        return WebhookEvent(event=DEAUTHORIZED, account_id=account_id)
    contract = WEBINAR_EVENTS.get(event)
    if contract is None:
        return WebhookEvent(event=OTHER, account_id=account_id)
    obj = payload.get("object") or {}
    webinar_id = obj.get("id")
    found = {"event": contract, "account_id": account_id,
             "webinar_id": "" if webinar_id in (None, "") else str(webinar_id)}
    if contract == WEBINAR_ENDED:
        ended = parse_time(obj.get("end_time"))
        found["ended_at"] = ended.astimezone(timezone.utc) if ended else None
    elif contract == REGISTRANT_JOINED:
        found["email"] = str((obj.get("participant") or {}).get("email") or "").strip()
    return WebhookEvent(**found)
