"""GoTo's REST API: paging and intention-named calls, on ``providers.http.ApiClient``
(tokens, retries, the error loop). Keys are read with ``json`` (exact integers of any
size) and handed on as strings."""
from __future__ import annotations

from datetime import datetime
from typing import Iterator
from urllib.parse import quote

from providers.goto.errors import Subject, error_for, is_invalid_token
from providers.http import ApiClient

G2W = "/G2W/rest/v2"
ADMIN = "/admin/rest/v1"
WEBINAR_PAGE_SIZE = 200
USER_PAGE_SIZE = 100


def iso_z(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _seg(value) -> str:
    return quote(str(value), safe="")


class GoToClient(ApiClient):
    """Intention-named GoTo calls for one connected organizer (one TokenStore); the
    token, retries and errors are ApiClient's."""

    label = "GoTo Webinar"
    error_for = staticmethod(error_for)

    def token_invalid(self, status: int, body: dict) -> bool:
        return status in (401, 403) and is_invalid_token(status, body)

    def rate_limit_code(self, body: dict) -> str:
        return "TooManyRequests"

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

