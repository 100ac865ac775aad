"""The sandbox's in-memory state: users, tokens, webinars, registrants, instances.

One ``SandboxState`` per app; every read and write holds ``state.lock`` (an RLock).
"""
from __future__ import annotations

import base64
import itertools
import os
import secrets
import time

from providers.sandbox.state import BaseState, iso
from providers.zoom.sandbox import seed
from providers.zoom.sandbox.ratelimit import QpsLimiter

PAGE_TOKEN_TTL = 15 * 60        # Zoom: next_page_token expires after 15 minutes


def new_uuid() -> str:
    """A webinar-instance UUID like Zoom's: 16 random bytes in base64 (may hold / and +)."""
    return base64.b64encode(os.urandom(16)).decode()


def new_id(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(16)[:22 - len(prefix)]


class ZoomFault(Exception):
    """An answer the API views turn into Zoom's error body."""

    def __init__(self, status: int, code: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}


class SandboxState(BaseState):
    COUNTERS = ("refreshes", "refresh_failures", "codes_exchanged", "s2s_tokens", "revocations",
                "unauthorized")

    def __init__(self, credentials: dict, token_ttl: int = 3600, webhook_url: str = "",
                 rate_limits: str = "pro", populate=None):
        self.limiter = QpsLimiter(rate_limits)
        self._participant_ids = itertools.count(16778240)
        super().__init__(credentials, token_ttl, webhook_url, populate)

    def load(self) -> None:
        self.account_id = self.credentials["ZOOM_S2S_ACCOUNT_ID"] or seed.ACCOUNT_ID
        self.users = {u["id"]: dict(u, account_id=self.account_id) for u in seed.USERS}
        self.webinars: dict[int, dict] = {}
        self.registrants: dict[int, dict[str, dict]] = {}   # webinar -> email -> registrant
        self.add_counts: dict[tuple, int] = {}              # (webinar, email, day) -> adds
        self.live: dict[int, dict] = {}
        self.instances: dict[int, list[dict]] = {}
        self.by_uuid: dict[str, dict] = {}
        self.page_tokens: dict[str, tuple] = {}
        self.limiter.reset()

    # --- users --------------------------------------------------------------------------

    def user(self, ident: str) -> dict | None:
        if ident in self.users:
            return self.users[ident]
        wanted = ident.lower()
        return next((u for u in self.users.values() if u["email"].lower() == wanted), None)

    def owner(self) -> dict:
        return next(u for u in self.users.values() if u["role_id"] == "0")

    # --- tokens ------------------------------------------------------------------------

    def issue_tokens(self, user_id: str | None, kind: str, grant: str,
                     scope: str) -> dict:
        access = "sbx_at_" + secrets.token_urlsafe(24)
        self.access_tokens[access] = dict(user_id=user_id, kind=kind, grant=grant, scope=scope,
                                          expires_at=time.time() + self.token_ttl)
        answer = {"access_token": access, "token_type": "bearer",
                  "expires_in": self.token_ttl, "scope": scope}
        if kind == "oauth":
            refresh = "sbx_rt_" + secrets.token_urlsafe(24)
            self.refresh_tokens[refresh] = dict(user_id=user_id, grant=grant, scope=scope)
            answer["refresh_token"] = refresh
        return answer

    def revoke_grant(self, grant: str) -> None:
        for table in (self.access_tokens, self.refresh_tokens):
            for key in [k for k, v in table.items() if v["grant"] == grant]:
                del table[key]

    def token_user(self, access_token: str) -> dict:
        """The user an access token acts as (S2S tokens act as the account owner)."""
        record = self.access_tokens.get(access_token)
        if record is None:
            self.counters["unauthorized"] += 1
            raise ZoomFault(401, 124, "Invalid access token.")
        if record["expires_at"] <= time.time():
            self.counters["unauthorized"] += 1
            raise ZoomFault(401, 124, "Access token is expired.")
        return self.users[record["user_id"]] if record["user_id"] else self.owner()

    # --- paging --------------------------------------------------------------------------

    def page(self, listing: str, rows: list, args, key: str, default_size: int = 30,
             render=None) -> dict:
        """Zoom's paging over ``rows``: page_size (max 300) and next_page_token.
        ``render(row)`` turns a stored row into its JSON, for the page's rows only."""
        try:
            size = max(1, min(300, int(args.get("page_size") or default_size)))
        except ValueError:
            raise ZoomFault(400, 300, "Invalid field: page_size.") from None
        offset = 0
        token = args.get("next_page_token") or ""
        if token:
            found = self.page_tokens.get(token)
            if not found or found[0] != listing or found[2] < time.time():
                raise ZoomFault(400, 300, "The next page token is invalid or expired.")
            offset = found[1]
        chunk = rows[offset:offset + size]
        if render is not None:
            chunk = [render(row) for row in chunk]
        next_token = ""
        if offset + size < len(rows):
            next_token = secrets.token_urlsafe(24)
            self.page_tokens[next_token] = (listing, offset + size, time.time() + PAGE_TOKEN_TTL)
        return {"page_size": size, "total_records": len(rows),
                "page_count": (len(rows) + size - 1) // size,
                "next_page_token": next_token, key: chunk}

    # --- webinars ---------------------------------------------------------------------

    def webinar(self, webinar_id) -> dict:
        try:
            found = self.webinars.get(int(str(webinar_id)))
        except ValueError:
            raise ZoomFault(404, 3001, f"Webinar {webinar_id} not found or has expired.") from None
        if found is None:
            raise ZoomFault(404, 3001, f"Webinar {webinar_id} not found or has expired.")
        return found

    def registrant(self, webinar_id: int, registrant_id: str = "", email: str = "") -> dict | None:
        people = self.registrants.get(webinar_id, {})
        if email and email.lower() in people:
            return people[email.lower()]
        if registrant_id:
            return next((r for r in people.values() if r["id"] == registrant_id), None)
        return None

    def instance(self, ident: str) -> dict:
        """A past instance by UUID, or the latest one of a numeric webinar id."""
        if ident in self.by_uuid:
            return self.by_uuid[ident]
        if ident.isdigit() and self.instances.get(int(ident)):
            return self.instances[int(ident)][-1]
        raise ZoomFault(404, 3001, "Meeting ID is invalid or not end.")

    def summary(self) -> dict:
        def registrants(wid):
            return [{"id": r["id"], "email": r["email"], "status": r["status"],
                     "join_url": r["join_url"]} for r in self.registrants.get(wid, {}).values()]
        return {
            **super().summary(),
            "account_id": self.account_id,
            "add_counts": {f"{k[0]}:{k[1]}": v for k, v in self.add_counts.items()},
            "webinars": {
                str(wid): {
                    "topic": w["topic"], "type": w["type"], "status": w["status"],
                    "host_id": w["host_id"], "uuid": w["uuid"],
                    "start_time": iso(w["start_time"]),
                    "approval_type": w["settings"]["approval_type"],
                    "registrant_count": len(self.registrants.get(wid, {})),
                    "registrants": registrants(wid),
                    "live": ({"uuid": self.live[wid]["uuid"],
                              "in_meeting": sum(1 for r in self.live[wid]["rows"]
                                                if not r["leave_time"])}
                             if wid in self.live else None),
                    "instances": [{"uuid": i["uuid"], "start_time": iso(i["start_time"]),
                                   "end_time": iso(i["end_time"]),
                                   "participant_rows": len(i["rows"]),
                                   "absentees": len(i["absentees"])}
                                  for i in self.instances.get(wid, [])],
                } for wid, w in self.webinars.items()},
        }
