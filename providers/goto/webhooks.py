"""GoTo webhook signatures (``X-Webhook-Signature``) and the normalisation of GoTo
events into contract events.

Bodies carry keys as JSON numbers that can exceed 2**53: they are parsed as exact
integers and handed on as strings, never as floats. GoTo sends no "webinar ended".
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import datetime
from typing import Mapping

from providers.base import (
    OTHER,
    REGISTRANT_JOINED,
    WEBINAR_DELETED,
    WEBINAR_UPDATED,
    BadSignature,
    WebhookEvent,
)

#: a delivery whose signed ``timestamp`` is older than this is refused: the portal
#: remembers delivery ids for 15 minutes, so a replay can never outlive the memory
MAX_AGE = 600

WEBINAR_CHANGED = "webinar.changed"


def sign(secret_key: str, body: bytes) -> str:
    """Base64 of HMAC-SHA256(secret key, raw body)."""
    return base64.b64encode(hmac.new(secret_key.encode(), body, hashlib.sha256).digest()).decode()


def loads_exact(body: bytes) -> object:
    """JSON whose integers stay exact at any size (``json`` reads them as Python ints,
    never through a float)."""
    return json.loads(body)


def _check_fresh(payload: dict, now: float) -> None:
    """GoTo's ``timestamp`` is inside the signed body; some events carry none."""
    stamp = payload.get("timestamp")
    if not stamp:
        return
    try:
        sent_at = datetime.fromisoformat(str(stamp).replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise BadSignature("the webhook timestamp is not a time") from None
    if now - sent_at > MAX_AGE or sent_at - now > MAX_AGE:
        raise BadSignature("the webhook timestamp is stale or in the future")


def _as_text(value) -> str:
    if value is None or value == "":
        return ""
    return str(value)


def verify(secret_key: str, headers: Mapping[str, str], body: bytes,
           now: float | None = None) -> WebhookEvent:
    if not secret_key:
        raise BadSignature("no GoTo webhook secret key is configured: webhooks are refused")
    lower = {str(k).lower(): str(v) for k, v in headers.items()}
    signature = lower.get("x-webhook-signature", "").strip()
    if not signature:
        raise BadSignature("the webhook carries no GoTo signature")
    if not hmac.compare_digest(sign(secret_key, body).encode(), signature.encode()):
        raise BadSignature("the webhook signature does not match")
    try:
        payload = loads_exact(body)
    except ValueError:
        raise BadSignature("the webhook body is not JSON") from None
    if not isinstance(payload, dict) or not payload.get("eventName"):
        raise BadSignature("the webhook body has no eventName")
    _check_fresh(payload, time.time() if now is None else now)
    return parse(payload, signature)


def parse(payload: dict, signature: str = "") -> WebhookEvent:
    """GoTo's event -> a contract event: webinar.changed is WEBINAR_UPDATED (a new
    time) or WEBINAR_DELETED (cancelled); registrant.joined is REGISTRANT_JOINED;
    registrant.added and webinar.created are OTHER (the portal has no use for them)."""
    event = str(payload["eventName"])
    found = {"account_id": _as_text(payload.get("accountKey")),
             "webinar_id": _as_text(payload.get("webinarKey")),
             "delivery_id": str(payload.get("eventKey") or signature)}
    if event == WEBINAR_CHANGED:
        deleted = str(payload.get("status") or "").upper() == "DELETED"
        return WebhookEvent(event=WEBINAR_DELETED if deleted else WEBINAR_UPDATED, **found)
    if event == "registrant.joined":
        return WebhookEvent(event=REGISTRANT_JOINED, email=str(payload.get("email") or "").strip(),
                            **found)
    return WebhookEvent(event=OTHER, **found)
