"""Webhook delivery to the portal from one background thread.

Each sandbox signs its bodies its own way (``sign``), written out in the sandbox on
purpose rather than imported from the plugin, so the plugin's verification is checked
against an independent implementation.
"""
from __future__ import annotations

import json
import queue
import threading
import time
from collections import deque
from typing import Callable

import requests


def encode(body: dict) -> bytes:
    """Compact JSON; big integer keys stay exact JSON numbers."""
    return json.dumps(body, separators=(",", ":")).encode()


class WebhookSender:
    """Posts bodies to the portal URL from one background thread; ``sync=True`` posts
    inline so a test knows delivery happened when the control call returns. The
    sandbox tries once and records the outcome in ``log``: ``describe(body)``'s fields,
    the URL, the time and the outcome (and the raw body with ``keep_body``)."""

    def __init__(self, secret: str, url_of: Callable[[], str],
                 sign: Callable[[str, bytes], dict], describe: Callable[[dict], dict],
                 keep_body: bool = False, timeout: float = 5.0):
        self.secret = secret
        self.url_of = url_of               # callable -> current portal URL ("" = none)
        self.sign, self.describe, self.keep_body = sign, describe, keep_body
        self.timeout = timeout
        self.log: deque = deque(maxlen=500)
        self._queue: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)
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
        entry = {**self.describe(body), "url": url, "at": time.time()}
        if not url:
            entry["outcome"] = "not sent: no portal webhook URL"
        else:
            raw = encode(body)
            if self.keep_body:
                entry["body"] = raw.decode()
            try:
                resp = requests.post(url, data=raw, timeout=self.timeout,
                                     headers=self.sign(self.secret, raw))
                entry["outcome"] = resp.status_code
                resp.close()
            except requests.RequestException as exc:
                entry["outcome"] = f"failed: {type(exc).__name__}"
        with self._lock:
            self.log.append(entry)

    def entries(self) -> list[dict]:
        with self._lock:
            return list(self.log)
