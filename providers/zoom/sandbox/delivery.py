"""Zoom's webhook signature (``providers.sandbox.delivery`` sends the webhooks).

Signing is written out here on purpose rather than imported from the plugin, so
the plugin's verification is checked against an independent implementation. Zoom
retries failed deliveries after 5, 20 and 60 minutes; the sandbox tries once.
"""
from __future__ import annotations

import hashlib
import hmac
import time


def zoom_signature_headers(secret: str, body: bytes, timestamp: int | None = None) -> dict:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode("utf-8"), f"v0:{ts}:".encode("utf-8") + body,
                      hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "x-zm-request-timestamp": ts,
            "x-zm-signature": f"v0={digest}", "User-Agent": "Zoom Marketplace/1.1a (sandbox)"}


def describe(envelope: dict) -> dict:
    """What the delivery log keeps of an envelope."""
    return {"event": envelope["event"]}
