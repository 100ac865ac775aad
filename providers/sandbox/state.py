"""What every sandbox's in-memory state has: the lock, the settings a reset restores,
OAuth codes and token grants, queued faults and the request log.

One state per app; every read and write holds ``state.lock`` (an RLock).
"""
from __future__ import annotations

import fnmatch
import threading
from datetime import datetime, timezone
from typing import Callable


def iso(when: datetime | None) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if when else ""


def parse_iso(value) -> datetime:
    if isinstance(value, datetime):
        when = value
    else:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


class BaseState:
    #: the provider's counters, zeroed by a reset (shown by ``summary``)
    COUNTERS: tuple[str, ...] = ()

    def __init__(self, credentials: dict, token_ttl: int, webhook_url: str,
                 populate: Callable[[BaseState], None] | None = None):
        self.lock = threading.RLock()
        #: puts the seed's webinars in after each reset (the provider's events module)
        self.populate = populate or (lambda _state: None)
        self.credentials = dict(credentials)
        self.initial_token_ttl = token_ttl
        self.initial_webhook_url = webhook_url
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.token_ttl = self.initial_token_ttl
            self.webhook_url = self.initial_webhook_url
            self.codes: dict[str, dict] = {}
            self.access_tokens: dict[str, dict] = {}
            self.refresh_tokens: dict[str, dict] = {}
            self.counters = dict.fromkeys(self.COUNTERS, 0)
            self.faults: list[dict] = []
            self.requests_seen: list[list[str]] = []
            #: API requests being answered now, and the most answered at once since the reset
            self.in_flight = getattr(self, "in_flight", 0)
            self.most_in_flight = self.in_flight
            self.load()
            self.populate(self)

    def load(self) -> None:
        """Set the provider's own tables to the seed's accounts and users, no webinars yet
        (called by ``reset``, before ``populate``)."""
        raise NotImplementedError

    def revoke_grant(self, grant: str) -> None:
        for table in (self.access_tokens, self.refresh_tokens):
            for key in [k for k, v in table.items() if v["grant"] == grant]:
                del table[key]

    def take_fault(self, method: str, path: str, after: bool = False) -> dict | None:
        """The first fault matching this request, used up once. ``after`` faults
        replace the answer once the request was processed (a lost answer)."""
        for fault in self.faults:
            if fault["method"] not in ("*", method) or not fnmatch.fnmatch(path, fault["pattern"]):
                continue
            if bool(fault.get("after")) != after:
                continue
            if fault["count"] is not None:
                fault["count"] -= 1
                if fault["count"] <= 0:
                    self.faults.remove(fault)
            return dict(fault)
        return None

    def summary(self) -> dict:
        """The control API's view of the shared parts; each sandbox adds its own."""
        return {"webhook_url": self.webhook_url, "token_ttl": self.token_ttl,
                "counters": dict(self.counters),
                "live_access_tokens": len(self.access_tokens),
                "live_refresh_tokens": len(self.refresh_tokens),
                "faults": [dict(f) for f in self.faults]}
