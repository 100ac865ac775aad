"""GoTo's webhook signature (``providers.sandbox.delivery`` sends the webhooks).

Signing is written out here on purpose rather than imported from the plugin, so
the plugin's verification is checked against an independent implementation.
"""
from __future__ import annotations

import base64
import hashlib
import hmac


def goto_signature_headers(secret_key: str, body: bytes) -> dict:
    """``X-Webhook-Signature``: base64 of HMAC-SHA256(secret key, raw body)."""
    digest = hmac.new(secret_key.encode("utf-8"), body, hashlib.sha256).digest()
    return {"Content-Type": "application/json", "User-Agent": "GoTo-Webhooks/1.0 (sandbox)",
            "X-Webhook-Signature": base64.b64encode(digest).decode("ascii")}


def describe(body: dict) -> dict:
    """What the delivery log keeps of a body (the raw body too: keys are JSON numbers)."""
    return {"event": body["eventName"], "eventKey": body["eventKey"]}
