"""Zoom's REST API: its rate classes and headers, paging and intention-named calls, on
``providers.http.ApiClient`` (tokens, retries, the error loop)."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Iterator
from urllib.parse import quote

import requests

from providers.base import RateLimited
from providers.http import ApiClient, json_object, parse_wait, parse_when
from providers.pacing import RateNotice
from providers.zoom.errors import Subject, error_for

REPORT_PAGE_SIZE = 300


def encode_uuid(uuid: str) -> str:
    """A webinar UUID as a path segment: always percent-encoded, twice when it starts
    with ``/`` or contains ``//`` (Zoom's rule for such UUIDs)."""
    once = quote(uuid, safe="")
    if uuid.startswith("/") or "//" in uuid:
        return quote(once, safe="")
    return once


def rate_class(method: str, path: str) -> str:
    """Zoom's rate-limit class of an API path (relative to /v2)."""
    if path.startswith(("/report/", "/past_webinars/")) and not path.endswith("/instances"):
        return "heavy"
    if method == "GET" and (path.endswith(("/registrants", "/webinars", "/settings")) or path == "/users"):
        return "medium"
    return "light"


def rate_notice(resp: requests.Response, asked: str, now: float | None = None) -> RateNotice:
    """Zoom's rate headers as a provider-neutral notice. A QPS budget is per wall-clock
    second; a 429 names when to come back (Retry-After, else X-RateLimit-Reset)."""
    headers = resp.headers
    now = time.time() if now is None else now
    name = headers.get("X-RateLimit-Category", "").strip().lower() or asked
    try:
        remaining = int(headers["X-RateLimit-Remaining"])
    except (KeyError, ValueError):
        remaining = None
    qps = headers.get("X-RateLimit-Type", "").upper() == "QPS"
    retry_at = None
    # A daily 429 for one registrant (3 adds a day) holds back no one else.
    if resp.status_code == 429 and "registrant" not in str(json_object(resp).get("message", "")).lower():
        when = parse_when(headers.get("Retry-After"), now) or parse_when(headers.get("X-RateLimit-Reset"), now)
        retry_at = when.timestamp() if when else None
    return RateNotice(rate_class=name, remaining=remaining if qps else None,
                      reset_at=float(int(now) + 1) if qps else None, retry_at=retry_at)


def next_utc_midnight(now: float | None = None) -> datetime:
    today = datetime.fromtimestamp(time.time() if now is None else now, timezone.utc).date()
    return datetime.combine(today + timedelta(days=1), datetime.min.time(), timezone.utc)


class ZoomClient(ApiClient):
    """Intention-named Zoom calls for one connected account (one TokenStore); the
    token, retries and errors are ApiClient's. ``renew`` gets a new token: an OAuth
    refresh or a new Server-to-Server token."""

    label = "Zoom"
    error_for = staticmethod(error_for)
    rate_class = staticmethod(rate_class)
    rate_notice = staticmethod(rate_notice)

    def retry_after(self, resp: requests.Response, body: dict) -> float | None:
        """Retry-After, else X-RateLimit-Reset; a spent daily limit is not waited out."""
        message = str(body.get("message") or "")
        daily = (resp.headers.get("X-RateLimit-Type", "").lower().startswith("daily")
                 or "daily" in message.lower())
        now = time.time()
        when = (parse_when(resp.headers.get("Retry-After"), now)
                or parse_when(resp.headers.get("X-RateLimit-Reset"), now))
        wait = parse_wait(resp.headers.get("Retry-After"), now)
        if wait is None:
            wait = parse_wait(resp.headers.get("X-RateLimit-Reset"), now)
        if daily:
            resume_at = when or next_utc_midnight(now)
            raise RateLimited(
                "Zoom's daily limit for this kind of call is used up; Lectern will resume "
                f"at {resume_at:%Y-%m-%d %H:%M} UTC",
                code=body.get("code", 429),
                retry_after=max(0.0, resume_at.timestamp() - time.time()),
                daily=True, resume_at=resume_at)
        return wait

    def pages(self, path: str, key: str, subject: Subject, params: dict | None = None,
              page_size: int = REPORT_PAGE_SIZE) -> Iterator[list[dict]]:
        """Yield each page's rows under ``key``, following ``next_page_token``.
        Only one page is held at a time."""
        query = dict(params or {}, page_size=page_size)
        while True:
            body = self.request("GET", path, subject, params=query)
            yield body.get(key) or []
            token = body.get("next_page_token")
            if not token:
                return
            query["next_page_token"] = token

    # --- intention-named calls ------------------------------------------------------

    def get_me(self) -> dict:
        return self.request("GET", "/users/me", Subject("user", "me"))

    def get_user(self, user: str) -> dict:
        return self.request("GET", f"/users/{quote(user, safe='@')}", Subject("user", user))

    def get_settings(self, user_id: str) -> dict:
        return self.request("GET", f"/users/{quote(user_id, safe='@')}/settings", Subject("user", user_id))

    def get_permissions(self, user_id: str) -> list[str]:
        body = self.request("GET", f"/users/{quote(user_id, safe='@')}/permissions",
                            Subject("user", user_id))
        return list(body.get("permissions") or [])

    def list_webinars(self, host_id: str, kind: str = "upcoming") -> Iterator[dict]:
        for page in self.pages(f"/users/{quote(host_id, safe='@')}/webinars", "webinars",
                               Subject("user", host_id), {"type": kind}):
            yield from page

    def get_webinar(self, webinar_id: str) -> dict:
        return self.request("GET", f"/webinars/{quote(str(webinar_id), safe='')}",
                            Subject("webinar", webinar_id))

    def registration_questions(self, webinar_id: str) -> dict:
        return self.request("GET", f"/webinars/{quote(str(webinar_id), safe='')}"
                            "/registrants/questions", Subject("webinar", webinar_id))

    def add_registrant(self, webinar_id: str, body: dict) -> dict:
        # Not retried blindly: a lost answer may still have registered the person.
        return self.request("POST", f"/webinars/{quote(str(webinar_id), safe='')}/registrants",
                            Subject("register", webinar_id), json=body, safe_to_retry=False)

    def list_registrants(self, webinar_id: str, status: str = "approved") -> Iterator[list[dict]]:
        return self.pages(f"/webinars/{quote(str(webinar_id), safe='')}/registrants",
                          "registrants", Subject("webinar", webinar_id), {"status": status})

    def past_instances(self, webinar_id: str) -> list[dict]:
        body = self.request("GET", f"/past_webinars/{quote(str(webinar_id), safe='')}/instances",
                            Subject("report", webinar_id))
        return list(body.get("webinars") or [])

    def report_participants(self, uuid: str, webinar_id: str) -> Iterator[list[dict]]:
        return self.pages(f"/report/webinars/{encode_uuid(uuid)}/participants", "participants",
                          Subject("report", webinar_id), {"include_fields": "registrant_id"})

    def absentees(self, uuid: str, webinar_id: str) -> Iterator[list[dict]]:
        return self.pages(f"/past_webinars/{encode_uuid(uuid)}/absentees", "registrants",
                          Subject("report", webinar_id))

