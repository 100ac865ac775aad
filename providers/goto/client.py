"""GoTo's REST API over one ``requests`` session: tokens, paging, rate limits, errors.

``GoToClient`` is cheap: one per (plugin, TokenStore). The session is shared. Keys
are read with ``json`` (exact integers of any size) and handed on as strings.
"""
from __future__ import annotations

import email.utils
import random
import time
from datetime import datetime
from typing import Callable, Iterator
from urllib.parse import quote

import requests

from providers.base import AuthExpired, RateLimited, TokenStore, Unavailable
from providers.goto.errors import Subject, error_for, is_invalid_token
from providers.goto.settings import GoToSettings

#: refresh this many seconds before the token's expiry
EXPIRY_MARGIN = 60
G2W = "/G2W/rest/v2"
ADMIN = "/admin/rest/v1"
WEBINAR_PAGE_SIZE = 200
USER_PAGE_SIZE = 100


def parse_wait(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def iso_z(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _seg(value) -> str:
    return quote(str(value), safe="")


class GoToClient:
    """Intention-named GoTo calls for one connected organizer (one TokenStore).

    ``renew(token) -> token`` refreshes; it is only ever called through
    ``store.rotate`` so concurrent workers never both spend the same refresh token.
    """

    def __init__(self, settings: GoToSettings, session: requests.Session,
                 store: TokenStore, renew: Callable[[dict], dict],
                 sleep: Callable[[float], None] = time.sleep):
        self.settings = settings
        self.session = session
        self.store = store
        self.renew = renew
        self.sleep = sleep

    def token(self) -> dict:
        token = self.store.load()
        if not token.get("access_token"):
            raise AuthExpired("the GoTo Webinar service is not connected: an admin must connect it")
        if float(token.get("expires_at") or 0) - EXPIRY_MARGIN <= time.time():
            token = self.store.rotate(token, self.renew)
        return token

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter: between half and all of base * 2**(n-1)."""
        delay = self.settings.backoff_base * (2 ** (attempt - 1))
        return min(self.settings.max_wait, random.uniform(delay / 2, delay))

    def _rate_limit_wait(self, resp: requests.Response, waits: int) -> float:
        wait = parse_wait(resp.headers.get("Retry-After"))
        if wait is None:
            wait = self.backoff(waits + 1)
        if wait > self.settings.max_wait or waits >= self.settings.max_retries:
            raise RateLimited(f"GoTo Webinar asks Lectern to slow down; retry in {wait:.0f} seconds",
                              code="TooManyRequests", retry_after=wait)
        return wait

    def request(self, method: str, path: str, subject: Subject, *, params=None, json=None,
                safe_to_retry: bool = True, accept: tuple[int, ...] = ()) -> dict | list:
        """One API call: refreshes the token before expiry and once when GoTo says it
        is invalid, waits out 429s, retries 5xx and connection errors with backoff
        (only when ``safe_to_retry``), maps errors to typed ones. Statuses in
        ``accept`` are answered like a success."""
        url = self.settings.api_base_url + path
        token = self.token()
        failures = waits = 0
        refreshed = False
        while True:
            try:
                resp = self.session.request(
                    method, url, params=params, json=json, timeout=self.settings.timeout,
                    headers={"Authorization": f"Bearer {token['access_token']}",
                             "Accept": "application/json"})
            except (requests.ConnectionError, requests.Timeout) as exc:
                failures += 1
                if not safe_to_retry or failures > self.settings.max_retries:
                    raise Unavailable(f"GoTo Webinar could not be reached ({type(exc).__name__})") from exc
                self.sleep(self.backoff(failures))
                continue
            status = resp.status_code
            body = _json(resp)
            if status in (401, 403) and is_invalid_token(status, body if isinstance(body, dict) else {}) \
                    and not refreshed:
                refreshed = True
                token = self.store.rotate(token, self.renew)
                continue
            if status == 429:
                self.sleep(self._rate_limit_wait(resp, waits))
                waits += 1
                continue
            if status >= 500 and safe_to_retry and failures < self.settings.max_retries:
                failures += 1
                self.sleep(self.backoff(failures))
                continue
            if status >= 400 and status not in accept:
                raise error_for(status, body if isinstance(body, dict) else {}, subject)
            return body

    # --- Admin API ----------------------------------------------------------------------

    def me(self) -> dict:
        return self.request("GET", ADMIN + "/me", Subject("account"))

    def users(self, account_key: str) -> Iterator[dict]:
        offset = 0
        while True:
            body = self.request("GET", f"{ADMIN}/accounts/{_seg(account_key)}/users",
                                Subject("account"),
                                params={"pageOffset": offset, "pageSize": USER_PAGE_SIZE})
            rows = body.get("results") or []
            yield from rows
            offset += len(rows)
            if not rows or offset >= int(body.get("total") or 0):
                return

    # --- GoTo Webinar -----------------------------------------------------------------

    def webinars(self, organizer_key: str, start: datetime, end: datetime) -> Iterator[dict]:
        """Every page of the organizer's webinars with a time in [start, end]."""
        page = 0
        while True:
            body = self.request("GET", f"{G2W}/organizers/{_seg(organizer_key)}/webinars",
                                Subject("organizer", organizer_key),
                                params={"fromTime": iso_z(start), "toTime": iso_z(end),
                                        "page": page, "size": WEBINAR_PAGE_SIZE})
            yield from (body.get("_embedded") or {}).get("webinars") or []
            info = body.get("page") or {}
            page += 1
            if page >= int(info.get("totalPages") or 0):
                return

    def webinar(self, organizer_key: str, webinar_key: str) -> dict:
        return self.request("GET", f"{G2W}/organizers/{_seg(organizer_key)}/webinars/{_seg(webinar_key)}",
                            Subject("webinar", webinar_key))

    def registrants(self, organizer_key: str, webinar_key: str) -> list[dict]:
        return list(self.request(
            "GET", f"{G2W}/organizers/{_seg(organizer_key)}/webinars/{_seg(webinar_key)}/registrants",
            Subject("webinar", webinar_key)) or [])

    def add_registrant(self, organizer_key: str, webinar_key: str, body: dict) -> dict:
        """The new registration, or the existing one GoTo's 409 carries. Not retried
        blindly: a lost answer may still have registered the person."""
        return self.request(
            "POST", f"{G2W}/organizers/{_seg(organizer_key)}/webinars/{_seg(webinar_key)}/registrants",
            Subject("register", webinar_key), json=body, safe_to_retry=False, accept=(409,))

    def sessions(self, organizer_key: str, webinar_key: str) -> list[dict]:
        return list(self.request(
            "GET", f"{G2W}/organizers/{_seg(organizer_key)}/webinars/{_seg(webinar_key)}/sessions",
            Subject("report", webinar_key)) or [])

    def attendees(self, organizer_key: str, webinar_key: str, session_key: str) -> list[dict]:
        return list(self.request(
            "GET", f"{G2W}/organizers/{_seg(organizer_key)}/webinars/{_seg(webinar_key)}"
                   f"/sessions/{_seg(session_key)}/attendees",
            Subject("report", webinar_key)) or [])


def _json(resp: requests.Response) -> dict | list:
    try:
        return resp.json()
    except ValueError:
        return {}
