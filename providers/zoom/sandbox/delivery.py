"""Signed webhook delivery to the portal, as Zoom does it.

Signing is written out here on purpose rather than imported from the plugin, so
the plugin's verification is checked against an independent implementation.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import queue
import threading
import time
from collections import deque

import requests


def zoom_signature_headers(secret: str, body: bytes, timestamp: int | None = None) -> dict:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode("utf-8"), f"v0:{ts}:".encode("utf-8") + body,
                      hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "x-zm-request-timestamp": ts,
            "x-zm-signature": f"v0={digest}", "User-Agent": "Zoom Marketplace/1.1a (sandbox)"}


class WebhookSender:
    """Posts envelopes to the portal URL from one background thread; ``sync=True``
    posts inline so a test knows delivery happened when the control call returns.
    Zoom retries failed deliveries after 5, 20 and 60 minutes; the sandbox tries
    once and records the outcome in ``log``."""

    def __init__(self, secret: str, url_of, timeout: float = 5.0):
        self.secret = secret
        self.url_of = url_of               # callable -> current portal URL ("" = none)
        self.timeout = timeout
        self.log: deque = deque(maxlen=500)
        self._queue: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)
        self._thread.start()

    def emit(self, envelopes: list[dict], sync: bool = False) -> None:
        for env in envelopes:
            if sync:
                self._deliver(env)
            else:
                self._queue.put(env)

    def wait(self, timeout: float = 10.0) -> bool:
        """Block until every queued envelope was delivered (or timeout)."""
        deadline = time.time() + timeout
        while self._queue.unfinished_tasks:
            if time.time() > deadline:
                return False
            time.sleep(0.01)
        return True

    def _run(self) -> None:
        while True:
            env = self._queue.get()
            try:
                self._deliver(env)
            finally:
                self._queue.task_done()

    def _deliver(self, env: dict) -> None:
        url = self.url_of()
        entry = {"event": env["event"], "url": url, "at": time.time()}
        if not url:
            entry["outcome"] = "not sent: no portal webhook URL"
        else:
            body = json.dumps(env, separators=(",", ":")).encode()
            try:
                resp = requests.post(url, data=body, timeout=self.timeout,
                                     headers=zoom_signature_headers(self.secret, body))
                entry["outcome"] = resp.status_code
                resp.close()
            except requests.RequestException as exc:
                entry["outcome"] = f"failed: {type(exc).__name__}"
        with self._lock:
            self.log.append(entry)

    def entries(self) -> list[dict]:
        with self._lock:
            return list(self.log)
