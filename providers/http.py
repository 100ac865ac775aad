"""The HTTP side every API plugin shares. ``ApiProvider``: its typed settings, read once,
one requests session, one client per TokenStore. ``ApiClient``: the token and the retry
loop, shaped like Authlib's ``OAuth2Session.request``, which renews the token a leeway
ahead of expiry and hands the new one to an ``update_token`` callback (here
``TokenStore.rotate``, so concurrent workers never both spend a refresh token). A
provider's client supplies only what differs: its ``label``, ``error_for`` (answers ->
the contract's typed errors), and where it has them ``token_invalid``, ``retry_after``
(its 429 headers) and the pacing hooks ``rate_class`` and ``rate_notice``.
"""
from __future__ import annotations

import email.utils
import random
import time
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from typing import Any, Callable, ClassVar, Mapping, get_type_hints

import requests

from providers.base import (
    AuthExpired,
    PartnerEvent,
    ProviderError,
    RateLimited,
    Setting,
    TokenStore,
    Unavailable,
)
from providers.oauth import OAuth2Provider
from providers.pacing import RateNotice, observe, pace

#: renew the token this many seconds before its expiry
EXPIRY_MARGIN = 60


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


def json_body(resp: requests.Response) -> dict | list:
    try:
        return resp.json()
    except ValueError:
        return {}


def json_object(resp: requests.Response) -> dict:
    body = json_body(resp)
    return body if isinstance(body, dict) else {}


def retry_settings(prefix: str, label: str) -> tuple[Setting, ...]:
    """The retry tuning every API plugin declares under its own prefix."""
    return (
        Setting(f"{prefix}_HTTP_TIMEOUT", "10", help=f"seconds, on every HTTP call to {label}"),
        Setting(f"{prefix}_MAX_RETRIES", "4", help="retries of 5xx answers, connection errors and 429 waits"),
        Setting(f"{prefix}_BACKOFF_BASE", "0.5", help="seconds; the n-th retry waits about base * 2**(n-1)"),
        Setting(f"{prefix}_MAX_WAIT", "30", help="longest Retry-After, in seconds, slept inline"),
    )


@dataclass(frozen=True)
class ClientSettings:
    """An API plugin's settings, typed and read once. Each field comes from the setting
    named after the plugin's key and the field (``ZOOM_API_BASE_URL``), as
    python-social-auth and Authlib name a provider's settings; ``keys`` names the
    exceptions. A missing key takes its declared default; a key set empty stays empty
    for text (an empty webhook secret refuses every webhook) and takes the default for
    numbers."""
    api_base_url: str
    timeout: float
    max_retries: int
    backoff_base: float
    max_wait: float
    #: field -> its setting's name after the prefix, where that is not the field's own
    keys: ClassVar[Mapping[str, str]] = {"timeout": "HTTP_TIMEOUT"}

    @classmethod
    def read(cls, plugin: PartnerEvent):
        declared = {s.key: s.default for s in plugin.settings}
        kinds = get_type_hints(cls)
        values = {}
        for f in fields(cls):
            key = f"{plugin.key.upper()}_{cls.keys.get(f.name, f.name.upper())}"
            if kinds[f.name] is str:
                text = plugin.setting(key)
                values[f.name] = text.rstrip("/") if f.name.endswith("_url") else text
            else:
                value = plugin.config.get(key)
                values[f.name] = kinds[f.name](declared[key] if value in (None, "") else value)
        return cls(**values)


class ApiClient:
    """One connected account's calls (one TokenStore) over the plugin's shared session.

    ``renew(token) -> token`` gets a new token; it is only ever called through
    ``store.rotate``. Cheap: one per (plugin, TokenStore)."""

    #: the provider's name in the errors' words
    label: ClassVar[str] = ""
    #: ``error_for(status, body, subject)``: a non-2xx answer as a typed error
    error_for: ClassVar[Callable[[int, dict, Any], ProviderError]]

    def __init__(self, settings: ClientSettings, session: requests.Session,
                 store: TokenStore, renew: Callable[[dict], dict],
                 sleep: Callable[[float], None] = time.sleep):
        self.settings = settings
        self.session = session
        self.store = store
        self.renew = renew
        self.sleep = sleep
        self._token: dict | None = None

    # --- what a provider may say otherwise ------------------------------------------

    def token_invalid(self, status: int, body: dict) -> bool:
        """Whether the answer refuses the access token (worth one renewal)."""
        return status == 401

    def retry_after(self, resp: requests.Response, body: dict) -> float | None:
        """Seconds a 429 asks to wait, None when it does not say. May raise RateLimited
        for a limit not worth waiting out inline."""
        return parse_wait(resp.headers.get("Retry-After"))

    def rate_limit_code(self, body: dict) -> int | str:
        return body.get("code", 429)

    def rate_class(self, method: str, path: str) -> str:
        """The rate class ``pace()`` holds a request to; "" when the plugin does not
        pace its requests (the caller paces each operation)."""
        return ""

    def rate_notice(self, resp: requests.Response, rate_class: str) -> RateNotice | None:
        """What the answer's headers say of the budget, for ``observe()``."""
        return None

    # --- the loop ---------------------------------------------------------------------

    def token(self) -> dict:
        """Loaded once per client (an operation's calls reuse it), renewed near expiry."""
        token = self._token or self.store.load()
        if not token.get("access_token"):
            raise AuthExpired(f"the {self.label} service is not connected: an admin must connect it")
        if float(token.get("expires_at") or 0) - EXPIRY_MARGIN <= time.time():
            token = self.store.rotate(token, self.renew)
        self._token = token
        return token

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter: between half and all of base * 2**(n-1)."""
        delay = self.settings.backoff_base * (2 ** (attempt - 1))
        return min(self.settings.max_wait, random.uniform(delay / 2, delay))

    def rate_limit_wait(self, resp: requests.Response, body: dict, waits: int) -> float:
        """Seconds to sleep before retrying a 429, or raise RateLimited."""
        wait = self.retry_after(resp, body)
        if wait is None:
            wait = self.backoff(waits + 1)
        if wait > self.settings.max_wait or waits >= self.settings.max_retries:
            raise RateLimited(f"{self.label} asks Lectern to slow down; retry in {wait:.0f} seconds",
                              code=self.rate_limit_code(body), retry_after=wait)
        return wait

    def request(self, method: str, path: str, subject: Any, *, params=None, json=None,
                safe_to_retry: bool = True, accept: tuple[int, ...] = ()) -> dict | list:
        """One API call: renews the token before expiry and once when the provider
        refuses it, waits out 429s, retries 5xx and connection errors with backoff
        (only when ``safe_to_retry``), maps errors to typed ones. Statuses in
        ``accept`` are answered like a success."""
        url = self.settings.api_base_url + path
        token = self.token()
        paced_as = self.rate_class(method, path)
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
                    raise Unavailable(f"{self.label} could not be reached ({type(exc).__name__})") from exc
                self.sleep(self.backoff(failures))
                continue
            status = resp.status_code
            notice = self.rate_notice(resp, paced_as)
            if notice is not None:
                observe(notice)
            body = json_body(resp)
            said = body if isinstance(body, dict) else {}
            if self.token_invalid(status, said) and not refreshed:
                refreshed = True
                token = self._token = self.store.rotate(token, self.renew)
                continue
            if status == 429:
                self.sleep(self.rate_limit_wait(resp, said, waits))
                waits += 1
                continue
            if status >= 500 and safe_to_retry and failures < self.settings.max_retries:
                failures += 1
                self.sleep(self.backoff(failures))
                continue
            if status >= 400 and status not in accept:
                raise self.error_for(status, said, subject)
            return body


class ApiProvider(OAuth2Provider):
    """An OAuth2 plugin whose account calls go through its ``client_class``: its
    ``settings_class`` read once into ``conf``, one requests session per plugin, one
    client per TokenStore. Sign-in calls take the API calls' timeout."""
    client_class: ClassVar[type[ApiClient]] = ApiClient
    settings_class: ClassVar[type[ClientSettings]] = ClientSettings

    def __init__(self, config: Mapping):
        super().__init__(config)
        self.conf = self.settings_class.read(self)
        self.session = requests.Session()

    @property
    def timeout(self) -> float:
        return self.conf.timeout

    def client(self, store: TokenStore):
        return self.client_class(self.conf, self.session, store, self.renew)
