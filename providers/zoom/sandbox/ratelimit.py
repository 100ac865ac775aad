"""Zoom's per-second rate limits, per account and rate-limit class (Light, Medium, Heavy).

Each class allows ``limit`` calls per wall-clock second (``int(time.time())``) per
account; the next call in that second answers 429 with Zoom's QPS body and headers.
The clock can be frozen through the control API so tests cross a second on purpose.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

#: calls per second by plan (Zoom's published limits)
PLANS = {"pro": {"Light": 30, "Medium": 20, "Heavy": 10},
         "business": {"Light": 80, "Medium": 60, "Heavy": 40}}
QPS_MESSAGE = "You have reached the maximum per-second rate limit for this API. Try again later."


def category(method: str, path: str) -> str:
    """Zoom's rate-limit class of a /v2 call."""
    if path.startswith(("/v2/report/", "/v2/past_webinars/")) and not path.endswith("/instances"):
        return "Heavy"
    if method == "GET" and (path.endswith(("/registrants", "/webinars", "/settings"))
                            or path == "/v2/users"):
        return "Medium"
    return "Light"


def parse_spec(spec: str) -> tuple[bool, dict[str, int]]:
    """``pro`` (default), ``business``, ``off``, or ``Light=30,Medium=20,Heavy=10``
    (classes left out keep Pro's numbers)."""
    spec = (spec or "pro").strip()
    if spec.lower() == "off":
        return False, dict(PLANS["pro"])
    if spec.lower() in PLANS:
        return True, dict(PLANS[spec.lower()])
    limits = dict(PLANS["pro"])
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, _, value = part.partition("=")
        if name.strip().capitalize() not in limits or not value.strip().isdigit():
            raise ValueError(f"bad rate-limit spec {part!r}: use Light=30,Medium=20,Heavy=10")
        limits[name.strip().capitalize()] = int(value)
    return True, limits


@dataclass
class Verdict:
    category: str
    limit: int
    remaining: int
    allowed: bool

    def headers(self) -> dict:
        headers = {"X-RateLimit-Category": self.category, "X-RateLimit-Type": "QPS",
                   "X-RateLimit-Limit": str(self.limit),
                   "X-RateLimit-Remaining": str(self.remaining)}
        if not self.allowed:
            headers["Retry-After"] = "1"
        return headers


class QpsLimiter:
    def __init__(self, spec: str = "pro"):
        self.spec = spec
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.enabled, self.limits = parse_spec(self.spec)
            self.frozen_at: float | None = None
            self.windows: dict[tuple[str, str], list[int]] = {}   # (account, class) -> [second, calls]
            self.rejected = {name: 0 for name in self.limits}
            self.answered_429 = 0

    def take(self, account: str, method: str, path: str) -> Verdict:
        """Count one call; ``allowed`` is False past the limit (when limits are on)."""
        name = category(method, path)
        with self.lock:
            second = int(self.frozen_at if self.frozen_at is not None else time.time())
            limit = self.limits[name]
            window = self.windows.setdefault((account, name), [second, 0])
            if window[0] != second:
                window[:] = [second, 0]
            if self.enabled and window[1] >= limit:
                self.rejected[name] += 1
                return Verdict(name, limit, 0, False)
            window[1] += 1
            return Verdict(name, limit, max(0, limit - window[1]), True)

    def peek(self, account: str, method: str, path: str) -> Verdict:
        """Where a call stands without counting it (for answers a fault replaced)."""
        name = category(method, path)
        with self.lock:
            second = int(self.frozen_at if self.frozen_at is not None else time.time())
            window = self.windows.get((account, name))
            used = window[1] if window and window[0] == second else 0
            return Verdict(name, self.limits[name], max(0, self.limits[name] - used), True)

    def count_429(self) -> None:
        with self.lock:
            self.answered_429 += 1

    def configure(self, body: dict) -> dict:
        """``{"enabled": bool, "plan": "pro"|"business", "limits": {"Light": n, ...},
        "freeze_at": unix seconds or null, "reset_counts": bool}``."""
        with self.lock:
            if "plan" in body:
                if str(body["plan"]).lower() not in PLANS:
                    raise ValueError(f"unknown plan {body['plan']!r}: pro or business")
                self.limits = dict(PLANS[str(body["plan"]).lower()])
            for name, value in (body.get("limits") or {}).items():
                if name not in self.limits or int(value) < 1:
                    raise ValueError(f"unknown class or limit: {name}={value}")
                self.limits[name] = int(value)
            if "enabled" in body:
                self.enabled = bool(body["enabled"])
            if "freeze_at" in body:
                self.frozen_at = None if body["freeze_at"] is None else float(body["freeze_at"])
            if body.get("reset_counts"):
                self.rejected = {name: 0 for name in self.limits}
                self.answered_429 = 0
        return self.summary()

    def summary(self) -> dict:
        with self.lock:
            return {"enabled": self.enabled, "limits": dict(self.limits),
                    "window": "one wall-clock second per account and class",
                    "frozen_at": self.frozen_at, "rejected": dict(self.rejected),
                    "rejected_total": sum(self.rejected.values()),
                    "answered_429": self.answered_429}
