"""Which organizer holds a webinar.

GoTo addresses every webinar under its organizer (``/organizers/{organizerKey}/``),
while the portal knows a webinar by its key alone (webhooks carry only the key). So
the plugin remembers the organizer of each webinar it has listed or found, and
otherwise looks the webinar up under the connected organizer, then under each
organizer of the account (at most 20 for a service [S12], once per process).
"""
from __future__ import annotations

import threading
from typing import Callable, TypeVar

from providers.base import NoPermission, NotFound
from providers.goto.client import GoToClient

T = TypeVar("T")
CACHE_LIMIT = 10_000


class OrganizerDirectory:
    def __init__(self):
        self._organizer_of: dict[str, str] = {}       # webinar key -> organizer key
        self._lock = threading.Lock()

    def remember(self, webinar_key: str, organizer_key: str) -> None:
        with self._lock:
            if len(self._organizer_of) >= CACHE_LIMIT:
                self._organizer_of.clear()
            self._organizer_of[webinar_key] = organizer_key

    def known(self, webinar_key: str) -> str:
        with self._lock:
            return self._organizer_of.get(webinar_key, "")

    def forget(self, webinar_key: str) -> None:
        with self._lock:
            self._organizer_of.pop(webinar_key, None)

    def locate(self, goto: GoToClient, webinar_key: str) -> tuple[str, dict]:
        """(organizer key, webinar details): the remembered organizer, else the
        connected one, else each organizer of the account."""
        tried = set()
        token = goto.token()
        for organizer in (self.known(webinar_key), token.get("organizer_key")):
            if not organizer or organizer in tried:
                continue
            tried.add(organizer)
            try:
                details = goto.webinar(organizer, webinar_key)
            except (NotFound, NoPermission):
                continue
            self.remember(webinar_key, organizer)
            return organizer, details
        account = token.get("account_key") or str(goto.me().get("accountKey") or "")
        for user in goto.users(account):
            organizer = str(user.get("key") or "")
            if not organizer or organizer in tried:
                continue
            tried.add(organizer)
            try:
                details = goto.webinar(organizer, webinar_key)
            except NotFound:
                continue
            self.remember(webinar_key, organizer)
            return organizer, details
        self.forget(webinar_key)
        raise NotFound(f"webinar {webinar_key} was not found on GoTo Webinar", "NotFound")

    def call(self, goto: GoToClient, webinar_key: str, action: Callable[[str], T]) -> T:
        """``action(organizer key)``, under the remembered organizer without reading
        the webinar first; when that organizer no longer holds it, look again once."""
        known = self.known(webinar_key)
        if known:
            try:
                return action(known)
            except NotFound:
                self.forget(webinar_key)
        organizer, _ = self.locate(goto, webinar_key)
        return action(organizer)
