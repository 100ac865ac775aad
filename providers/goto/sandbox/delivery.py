"""Signed webhook delivery to the portal, as GoTo does it.

Signing is written out here on purpose rather than imported from the plugin, so
the plugin's verification is checked against an independent implementation.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import queue
import threading
import time
from collections import deque

import requests


def goto_signature_headers(secret_key: str, body: bytes) -> dict:
    """``X-Webhook-Signature``: base64 of HMAC-SHA256(secret key, raw body)."""
    digest = hmac.new(secret_key.encode("utf-8"), body, hashlib.sha256).digest()
    return {"Content-Type": "application/json", "User-Agent": "GoTo-Webhooks/1.0 (sandbox)",
            "X-Webhook-Signature": base64.b64encode(digest).decode("ascii")}


def encode(body: dict) -> bytes:
    """Keys stay JSON numbers, however large (``json`` writes Python ints exactly)."""
    return json.dumps(body, separators=(",", ":")).encode()


class WebhookSender:
    """Posts bodies to the portal URL from one background thread; ``sync=True`` posts
    inline so a test knows delivery happened when the control call returns. The
    sandbox tries once and records the outcome in ``log``."""

    def __init__(self, secret_key: str, url_of, timeout: float = 5.0):
        self.secret_key = secret_key
        self.url_of = url_of               # callable -> current portal URL ("" = none)
        self.timeout = timeout
        self.log: deque = deque(maxlen=500)
        self._queue: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="goto-sandbox-webhooks",
                                        daemon=True)
        self._thread.start()

    def emit(self, bodies: list[dict], sync: bool = False) -> None:
        for body in bodies:
            if sync:
                self._deliver(body)
            else:
                self._queue.put(body)

    def wait(self, timeout: float = 10.0) -> bool:
        """Block until every queued body was delivered (or timeout)."""
        deadline = time.time() + timeout
        while self._queue.unfinished_tasks:
            if time.time() > deadline:
                return False
            time.sleep(0.01)
        return True

    def _run(self) -> None:
        while True:
            body = self._queue.get()
            try:
                self._deliver(body)
            finally:
                self._queue.task_done()

    def _deliver(self, body: dict) -> None:
        url = self.url_of()
        entry = {"event": body["eventName"], "eventKey": body["eventKey"], "url": url,
                 "at": time.time()}
        if not url:
            entry["outcome"] = "not sent: no portal webhook URL"
        else:
            raw = encode(body)
            entry["body"] = raw.decode()
            try:
                resp = requests.post(url, data=raw, timeout=self.timeout,
                                     headers=goto_signature_headers(self.secret_key, raw))
                entry["outcome"] = resp.status_code
                resp.close()
            except requests.RequestException as exc:
                entry["outcome"] = f"failed: {type(exc).__name__}"
        with self._lock:
            self.log.append(entry)

    def entries(self) -> list[dict]:
        with self._lock:
            return list(self.log)
