"""Zoom's REST API over one ``requests`` session: tokens, paging, rate limits, errors.

``ZoomClient`` is cheap: one per (plugin, TokenStore). The session is shared.
"""
from __future__ import annotations

import email.utils
import random
import time
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterator
from urllib.parse import quote

import requests

from providers.base import AuthExpired, RateLimited, TokenStore, Unavailable
from providers.pacing import RateNotice, observe, pace
from providers.zoom.errors import Subject, error_for
from providers.zoom.settings import ZoomSettings

#: refresh this many seconds before the token's expiry
EXPIRY_MARGIN = 60
REPORT_PAGE_SIZE = 300


def encode_uuid(uuid: str) -> str:
    """A webinar UUID as a path segment: always percent-encoded, twice when it starts
    with ``/`` or contains ``//`` (Zoom's rule for such UUIDs)."""
    once = quote(uuid, safe="")
    if uuid.startswith("/") or "//" in uuid:
        return quote(once, safe="")
    return once


def parse_when(value: str | None, now: float | None = None) -> datetime | None:
    """The moment a Retry-After / X-RateLimit-Reset value names: delta seconds, an
    epoch timestamp (s or ms), an HTTP date or an ISO 8601 time."""
    if not value:
        return None
    now = time.time() if now is None else now
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is not None:
        if number > 1e12:          # epoch milliseconds
            number = number / 1000 - now
        elif number > 1e9:         # epoch seconds
            number -= now
        return datetime.fromtimestamp(now + max(0.0, number), timezone.utc)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def parse_wait(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After / X-RateLimit-Reset value, or None."""
    now = time.time() if now is None else now
    try:
        number = float((value or "").strip())
        if 0 <= number <= 1e9:     # delta seconds: exact
            return number
    except ValueError:
        pass
    when = parse_when(value, now)
    return None if when is None else max(0.0, when.timestamp() - now)


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
    if resp.status_code == 429 and "registrant" not in str(_json(resp).get("message", "")).lower():
        when = parse_when(headers.get("Retry-After"), now) or parse_when(headers.get("X-RateLimit-Reset"), now)
        retry_at = when.timestamp() if when else None
    return RateNotice(rate_class=name, remaining=remaining if qps else None,
                      reset_at=float(int(now) + 1) if qps else None, retry_at=retry_at)


def next_utc_midnight(now: float | None = None) -> datetime:
    today = datetime.fromtimestamp(time.time() if now is None else now, timezone.utc).date()
    return datetime.combine(today + timedelta(days=1), datetime.min.time(), timezone.utc)


class ZoomClient:
    """Intention-named Zoom calls for one connected account (one TokenStore).

    ``renew(token) -> token`` gets a new token (OAuth refresh or a new S2S token); it
    is only ever called through ``store.rotate`` so concurrent workers never both
    spend the same refresh token.
    """

    def __init__(self, settings: ZoomSettings, session: requests.Session,
                 store: TokenStore, renew: Callable[[dict], dict],
                 sleep: Callable[[float], None] = time.sleep):
        self.settings = settings
        self.session = session
        self.store = store
        self.renew = renew
        self.sleep = sleep
        self._token: dict | None = None

    # --- tokens -----------------------------------------------------------------

    def _current_token(self) -> dict:
        """Loaded once per client (a report's pages reuse it), renewed near expiry."""
        token = self._token or self.store.load()
        if not token.get("access_token"):
            raise AuthExpired("the Zoom service is not connected: an admin must connect it")
        if float(token.get("expires_at") or 0) - EXPIRY_MARGIN <= time.time():
            token = self.store.rotate(token, self.renew)
        self._token = token
        return token

    # --- HTTP -------------------------------------------------------------------

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter: between half and all of base * 2**(n-1)."""
        delay = self.settings.backoff_base * (2 ** (attempt - 1))
        return min(self.settings.max_wait, random.uniform(delay / 2, delay))

    def _rate_limit_wait(self, resp: requests.Response, waits: int) -> float:
        """Seconds to sleep before retrying a 429, or raise RateLimited."""
        body = _json(resp)
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
        if wait is None:
            wait = self.backoff(waits + 1)
        if wait > self.settings.max_wait or waits >= self.settings.max_retries:
            raise RateLimited(f"Zoom asks Lectern to slow down; retry in {wait:.0f} seconds",
                              code=body.get("code", 429), retry_after=wait)
        return wait

    def request(self, method: str, path: str, subject: Subject, *, params=None,
                json=None, safe_to_retry: bool = True) -> dict:
        """One API call: refreshes the token before expiry and once on a 401,
        waits out 429s, retries 5xx and connection errors with backoff (only when
        ``safe_to_retry``), and maps Zoom's errors to typed ones."""
        url = self.settings.api_base_url + path
        token = self._current_token()
        paced_as = rate_class(method, path)
        failures = waits = 0
        refreshed = False
        while True:
            pace(paced_as)
            try:
                resp = self.session.request(
                    method, url, params=params, json=json, timeout=self.settings.timeout,
                    headers={"Authorization": f"Bearer {token['access_token']}",
                             "Accept": "application/json"})
            except (requests.ConnectionError, requests.Timeout) as exc:
                failures += 1
                if not safe_to_retry or failures > self.settings.max_retries:
                    raise Unavailable(f"Zoom could not be reached ({type(exc).__name__})") from exc
                self.sleep(self.backoff(failures))
                continue
            status = resp.status_code
            observe(rate_notice(resp, paced_as))
            if status == 401 and not refreshed:
                refreshed = True
                token = self._token = self.store.rotate(token, self.renew)
                continue
            if status == 429:
                self.sleep(self._rate_limit_wait(resp, waits))
                waits += 1
                continue
            if status >= 500 and safe_to_retry and failures < self.settings.max_retries:
                failures += 1
                self.sleep(self.backoff(failures))
                continue
            if status >= 400:
                raise error_for(status, _json(resp), subject)
            return _json(resp)

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


def _json(resp: requests.Response) -> dict:
    try:
        body = resp.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
