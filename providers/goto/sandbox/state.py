"""The GoTo sandbox's in-memory state: organizers, tokens, webinars, registrants,
sessions, faults and rate-limit windows.

One ``SandboxState`` per app; every read and write holds ``state.lock`` (an RLock).
Keys are Python ints (exact at any size); the API views decide how each is written.
"""
from __future__ import annotations

import itertools
import secrets
import time
import uuid

from providers.goto.sandbox import seed
from providers.sandbox.state import BaseState, iso

PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX = 20, 200


def parse_key(value) -> int | None:
    """A key from a path or body (digits, as a string or a number), or None."""
    text = str(value).strip()
    return int(text) if text.isdigit() else None


class GoToFault(Exception):
    """An answer the views turn into GoTo's error body
    ``{"errorCode", "description", "incident"}`` (plus ``extra`` fields)."""

    def __init__(self, status: int, error_code: str, description: str,
                 headers: dict | None = None, extra: dict | None = None):
        super().__init__(description)
        self.status, self.error_code, self.description = status, error_code, description
        self.headers = headers or {}
        self.extra = extra or {}

    def body(self) -> dict:
        return {"errorCode": self.error_code, "description": self.description,
                "incident": str(uuid.uuid4()), **self.extra}


class AuthFault(Exception):
    """The API gateway's refusal of a missing, unknown or expired token."""


class SandboxState(BaseState):
    COUNTERS = ("refreshes", "refresh_failures", "codes_exchanged", "revocations", "unauthorized",
                "rate_limited")

    def __init__(self, credentials: dict, token_ttl: int = 3600, webhook_url: str = "",
                 rate_limit: int = 10, populate=None):
        self.initial_rate_limit = rate_limit
        super().__init__(credentials, token_ttl, webhook_url, populate)

    def load(self) -> None:
        self.account_key = seed.ACCOUNT_KEY
        self.rate_limit = self.initial_rate_limit       # per token per second; 0: off
        self.organizers = {o["key"]: dict(o, adminRoles=list(o["adminRoles"]))
                           for o in seed.ORGANIZERS}
        self.webinars: dict[int, dict] = {}
        self.registrants: dict[int, dict[str, dict]] = {}   # webinar -> email -> registrant
        self.live: dict[int, dict] = {}
        self.sessions: dict[int, list[dict]] = {}
        self.windows: dict[str, tuple[int, int]] = {}      # token -> (second, count)
        self.webinar_keys = itertools.count(5620084814059710001)
        self.registrant_keys = itertools.count(8325357307900340001)
        self.session_keys = itertools.count(15887210001)
        self.organizer_keys = itertools.count(9200000000000001001)

    # --- organizers ----------------------------------------------------------------------

    def organizer(self, ident) -> dict | None:
        key = parse_key(ident)
        if key is not None and key in self.organizers:
            return self.organizers[key]
        wanted = str(ident).strip().lower()
        return next((o for o in self.organizers.values() if o["email"].lower() == wanted), None)

    # --- tokens ----------------------------------------------------------------------------

    def issue_tokens(self, organizer_key: int, grant: str) -> dict:
        access = "sbx_goto_at_" + secrets.token_urlsafe(24)
        refresh = "sbx_goto_rt_" + secrets.token_urlsafe(24)
        self.access_tokens[access] = dict(organizer_key=organizer_key, grant=grant,
                                          expires_at=time.time() + self.token_ttl)
        self.refresh_tokens[refresh] = dict(organizer_key=organizer_key, grant=grant)
        who = self.organizers[organizer_key]
        # GoTo writes organizer_key and account_key as strings in the token answer
        return {"access_token": access, "token_type": "Bearer", "refresh_token": refresh,
                "expires_in": self.token_ttl, "scope": "collab: identity:scim.me",
                "principal": who["email"], "email": who["email"],
                "firstName": who["firstName"], "lastName": who["lastName"],
                "organizer_key": str(organizer_key), "account_key": str(self.account_key),
                "account_type": "", "version": "3"}

    def revoke_grant(self, grant: str) -> None:
        for table in (self.access_tokens, self.refresh_tokens):
            for key in [k for k, v in table.items() if v["grant"] == grant]:
                del table[key]

    def token_organizer(self, access_token: str) -> dict:
        record = self.access_tokens.get(access_token)
        if record is None or record["expires_at"] <= time.time() \
                or record["organizer_key"] not in self.organizers:
            self.counters["unauthorized"] += 1
            raise AuthFault()
        return self.organizers[record["organizer_key"]]

    def over_rate(self, access_token: str) -> bool:
        """Count this request in its token's one-second window; True when over."""
        if self.rate_limit <= 0:
            return False
        second = int(time.time())
        window, count = self.windows.get(access_token, (second, 0))
        count = count + 1 if window == second else 1
        self.windows[access_token] = (second, count)
        if count > self.rate_limit:
            self.counters["rate_limited"] += 1
            return True
        return False

    # --- webinars ------------------------------------------------------------------------

    def webinar(self, ident, organizer_key: int | None = None) -> dict:
        key = parse_key(ident)
        found = self.webinars.get(key) if key is not None else None
        if found is None or (organizer_key is not None and found["organizerKey"] != organizer_key):
            raise GoToFault(404, "NotFound", "Webinar with the specified key does not exist.")
        return found

    def registrant(self, webinar_key: int, registrant_key=None, email: str = "") -> dict | None:
        people = self.registrants.get(webinar_key, {})
        if email and email.strip().lower() in people:
            return people[email.strip().lower()]
        key = parse_key(registrant_key) if registrant_key not in (None, "") else None
        if key is not None:
            return next((r for r in people.values() if r["registrantKey"] == key), None)
        return None

    def summary(self) -> dict:
        """The control API's view; keys are strings here so any client reads them."""
        def registrants(wk):
            return [{"registrantKey": str(r["registrantKey"]), "email": r["email"],
                     "status": r["status"], "joinUrl": r["joinUrl"]}
                    for r in self.registrants.get(wk, {}).values()]
        return {
            **super().summary(),
            "account_key": str(self.account_key),
            "rate_limit": self.rate_limit,
            "organizers": [{"organizerKey": str(o["key"]), "email": o["email"],
                            "adminRoles": o["adminRoles"]} for o in self.organizers.values()],
            "webinars": {
                str(wk): {
                    "subject": w["subject"], "recurrenceType": w["recurrenceType"],
                    "organizerKey": str(w["organizerKey"]), "status": w["status"],
                    "times": [{"startTime": iso(a), "endTime": iso(b)} for a, b in w["times"]],
                    "approvalType": w["approvalType"],
                    "registrant_count": len(self.registrants.get(wk, {})),
                    "registrants": registrants(wk),
                    "live": ({"sessionKey": str(self.live[wk]["sessionKey"]),
                              "in_session": len(self.live[wk]["open"])}
                             if wk in self.live else None),
                    "sessions": [{"sessionKey": str(s["sessionKey"]), "startTime": iso(s["start"]),
                                  "endTime": iso(s["end"]), "attendees": len(s["people"])}
                                 for s in self.sessions.get(wk, [])],
                } for wk, w in self.webinars.items()},
        }
