"""The PartnerEvent contract: what the portal needs from any webinar provider.

Views, flows and jobs speak only to this module's types. A provider plugin lives in its
own folder under ``providers/`` and is registered in ``providers/__init__.py``.

Attendance is streamed: a plugin hands over its report a page of ``Join`` rows at a time,
then the absentees, and merges nothing per person; the portal merges as it writes,
holding a chunk, never every attendee.
"""
from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, ClassVar, Iterable, Mapping, Protocol

from providers.texts import GENERIC_TEXTS

# --- typed errors -------------------------------------------------------------

class ProviderError(Exception):
    """A provider call failed. ``message`` is plain words a marketer can read."""

    #: whether retrying later may succeed (outages, rate limits) or not (refusals)
    transient = False

    def __init__(self, message: str, code: int | str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code


class NotFound(ProviderError):
    """The webinar (or user) does not exist or has expired."""


class NotStarted(ProviderError):
    """The webinar never started, or its report is not ready yet [S9]."""


class NoPermission(ProviderError):
    """The connected user lacks a role, privilege or scope."""


class Refused(ProviderError):
    """The provider refused for good: registration not required, webinar over, ..."""


class AuthExpired(ProviderError):
    """The tokens are invalid, expired or revoked: an admin must re-authorize."""


class RateLimited(ProviderError):
    """Too many calls. ``retry_after`` is in seconds; ``daily`` means a daily cap."""

    transient = True

    def __init__(self, message, code=None, retry_after: float | None = None,
                 daily: bool = False, resume_at: datetime | None = None):
        super().__init__(message, code)
        self.retry_after = retry_after
        self.daily = daily
        self.resume_at = resume_at


class Unavailable(ProviderError):
    """5xx answers or connection failures, after bounded retries."""

    transient = True


class BadSignature(ProviderError):
    """A webhook whose signature or timestamp does not verify."""


# --- data read from and sent to the provider (only what [S20] allows) ------------

@dataclass(frozen=True)
class Identity:
    """Who connected: the account and whether the user may connect [S3]/[S7]."""
    account_id: str
    user_id: str
    email: str
    first_name: str = ""
    last_name: str = ""
    is_admin: bool = False
    #: plain names of the privileges the user lacks; empty when they may connect
    missing_privileges: tuple[str, ...] = ()
    #: whether the user's plan lets them host webinars [S3]
    webinars_enabled: bool = True

    @property
    def may_connect(self) -> bool:
        return (self.is_admin or not self.missing_privileges) and self.webinars_enabled


@dataclass(frozen=True)
class Host:
    id: str
    email: str
    first_name: str = ""
    last_name: str = ""


@dataclass(frozen=True)
class Webinar:
    id: str
    topic: str
    start: datetime | None          # aware, UTC
    duration: int                   # minutes
    timezone: str                   # IANA name
    agenda: str = ""
    host_id: str = ""
    host_email: str = ""
    uuid: str = ""
    recurring: bool = False         # [S4] types 6 and 9
    #: [S13]; None when not known: a listing may not carry it, ``webinar()`` always does
    registration_required: bool | None = False
    approval_automatic: bool = True
    #: registration questions the provider requires that our form cannot answer
    unanswerable_questions: tuple[str, ...] = ()

    @property
    def linkable(self) -> bool:
        return not self.recurring


@dataclass(frozen=True)
class Registrant:
    """What the portal sends [S16]/[S20]."""
    email: str
    first_name: str
    last_name: str = ""
    company: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Registration:
    registrant_id: str
    join_url: str


@dataclass(slots=True)
class Join:
    """One row of an attendance report: one join..leave of one person, normalised [S20].

    Rows of one person may be on any page. The portal recognises a person by, in order:
    ``registrant_id``, ``email`` (compared case-insensitively), then ``keys``: the plugin's
    other names for that person (an account user id, a display name, a per-join id),
    compared as given. Keys tell guests apart (rows with neither email nor a member's
    registrant id) and let a later row with an email and one of a guest's keys take the
    guest's joins along; they are held in memory, never stored."""
    email: str = ""                 # may be empty for guests
    first_name: str = ""
    last_name: str = ""
    registrant_id: str = ""
    joined: datetime | None = None  # aware, UTC; None when the row has no usable times
    left: datetime | None = None
    #: time attended that the row gives without join and leave times (counted, no session)
    seconds: int = 0
    keys: tuple[str, ...] = ()


def covered_minutes(sessions: Iterable[tuple[datetime, datetime]]) -> int:
    """Minutes covered by join..leave sessions; overlaps (two devices at once) count once."""
    total, end = 0.0, None
    for start, stop in sorted(sessions):
        if end is None or start >= end:
            total += (stop - start).total_seconds()
            end = stop
        elif stop > end:
            total += (stop - end).total_seconds()
            end = stop
    return round(total / 60)


@dataclass(slots=True)
class Absentee:
    email: str
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    phone: str = ""
    registrant_id: str = ""


@dataclass
class Attendance:
    """Attendance of the instance that really ran [S8], streamed: ``joins`` yields the
    report a page at a time, rows not merged per person (the portal merges them as it
    writes, so neither side holds every attendee at once); ``absentees`` are read once
    the joins have been, registrants who joined none of them."""
    instance_uuid: str
    started_at: datetime | None
    joins: Iterable[list[Join]]
    absentees: Iterable[Absentee]
    pages_read: int = 0


# --- webhooks: contract events ----------------------------------------------------
# Portal handlers key on these names, never on a provider's own event names.

WEBINAR_ENDED = "webinar.ended"          # webinar_id, ended_at
WEBINAR_UPDATED = "webinar.updated"      # webinar_id
WEBINAR_DELETED = "webinar.deleted"      # webinar_id
DEAUTHORIZED = "account.deauthorized"    # account_id
REGISTRANT_JOINED = "registrant.joined"  # webinar_id, email
URL_VALIDATION = "url_validation"        # reply
#: any other provider event; the portal ignores it
OTHER = "other"


@dataclass(frozen=True)
class WebhookEvent:
    """A verified webhook, normalised into a contract event: the portal never reads a
    provider's payload. ``reply`` is set when the provider expects a body back."""
    event: str                      # one of the contract names above
    account_id: str = ""
    webinar_id: str = ""            # always a string (big numbers kept exact)
    ended_at: datetime | None = None  # aware UTC
    email: str = ""
    reply: Mapping | None = None
    #: unique to one signed delivery: the same value twice is a replay
    delivery_id: str = ""


# --- what a plugin declares ----------------------------------------------------------

@dataclass(frozen=True)
class Setting:
    """A config key a plugin reads. ``default`` is written as it would appear in the
    environment; production refuses a ``secret`` left empty or at its non-empty default."""
    key: str
    default: str = ""
    secret: bool = False
    help: str = ""


@dataclass(frozen=True)
class Capabilities:
    #: offers a server-to-server connection (no consent page)
    server_to_server: bool = False
    #: the contract events it sends
    webhook_events: frozenset[str] = frozenset()
    #: sends WEBINAR_ENDED (else the scheduled pulls are the trigger)
    announces_end: bool = False


@dataclass(frozen=True)
class RateLimit:
    per_second: float
    daily: int | None = None


# --- token storage ---------------------------------------------------------------

class TokenStore(Protocol):
    """Where one service's tokens live. Tokens are dicts with at least
    ``access_token`` and ``expires_at`` (epoch seconds); ``refresh_token`` when the
    connection kind has one."""

    def load(self) -> dict: ...

    def rotate(self, seen: dict, refresh: Callable[[dict], dict]) -> dict:
        """Refresh under a lock shared by every process. If the stored token is
        still ``seen``, call ``refresh(seen)``, store and return its result;
        otherwise someone refreshed first: return the stored token unchanged."""


class MemoryTokenStore:
    """A TokenStore kept in memory, for one process (demos, scripts)."""

    def __init__(self, token: dict):
        self._token = dict(token)
        self._lock = threading.Lock()

    def load(self) -> dict:
        return dict(self._token)

    def rotate(self, seen, refresh):
        with self._lock:
            if self._token.get("access_token") != seen.get("access_token"):
                return dict(self._token)
            self._token = dict(refresh(dict(seen)))
            return dict(self._token)


# --- the contract ------------------------------------------------------------------

class PartnerEvent(ABC):
    """A webinar provider. One instance per app config; account calls take the
    service's TokenStore. Every method may raise the typed errors above."""

    key: str = ""
    label: str = ""
    #: the config keys it reads (loaded from the environment by the portal)
    settings: ClassVar[tuple[Setting, ...]] = ()
    capabilities: ClassVar[Capabilities] = Capabilities()
    #: rate class -> limit, e.g. {"light": RateLimit(30)}
    rate_limits: ClassVar[Mapping[str, RateLimit]] = {}
    #: help a marketer reads to fix things on the provider's side, and labels; the keys
    #: of GENERIC_TEXTS (a missing key falls back to the generic wording)
    texts: ClassVar[Mapping[str, str]] = {}
    #: contract operation -> rate class (a key of ``rate_limits``)
    rate_classes: ClassVar[Mapping[str, str]] = {}
    #: True when the plugin calls ``pace()`` before each HTTP request (an operation may make
    #: several calls of several classes) and ``observe()`` after; else the caller paces
    #: once per operation, in its ``rate_class``
    paces_requests: ClassVar[bool] = False

    def __init__(self, config: Mapping):
        self.config = config

    def setting(self, key: str) -> str:
        """A declared setting from the config, its default when missing (a value set
        empty stays empty: an empty secret must refuse, not fall back to a demo value)."""
        for declared in self.settings:
            if declared.key == key:
                value = self.config.get(key)
                return declared.default if value is None else str(value)
        raise KeyError(f"{type(self).__name__} declares no setting {key!r}")

    def text(self, key: str, translate: Callable[[str], str] = str) -> str:
        """The help text ``key``, through ``translate`` (the portal's gettext)."""
        if key in self.texts:
            return translate(self.texts[key])
        return translate(GENERIC_TEXTS[key]).format(label=self.label)

    def csp_origins(self) -> tuple[str, ...]:
        """Origins the portal's CSP form-action must allow (the OAuth consent page)."""
        return ()

    def rate_class(self, operation: str) -> str:
        """The rate class of a contract operation ("register", "webinar", ...); "" when unpaced."""
        return self.rate_classes.get(operation, "")

    # connecting an account [S10]
    @abstractmethod
    def authorize_url(self, redirect_uri: str, state: str) -> str: ...

    @abstractmethod
    def exchange_code(self, code: str, redirect_uri: str) -> dict:
        """Authorization code -> token dict."""

    def server_token(self) -> dict:
        """A token for a server-to-server connection, when the provider has one."""
        raise NoPermission(f"{self.label} has no server-to-server connection")

    @abstractmethod
    def revoke(self, token: dict) -> None: ...

    # one account
    @abstractmethod
    def whoami(self, store: TokenStore) -> Identity: ...

    @abstractmethod
    def find_host(self, store: TokenStore, email: str) -> Host | None:
        """The account's user with this email, or None [S12]."""

    @abstractmethod
    def upcoming_webinars(self, store: TokenStore, host_id: str) -> list[Webinar]: ...

    @abstractmethod
    def webinar(self, store: TokenStore, webinar_id: str) -> Webinar: ...

    @abstractmethod
    def register(self, store: TokenStore, webinar_id: str, registrant: Registrant) -> Registration:
        """Idempotent on email: an already registered email returns its registration."""

    @abstractmethod
    def attendance(self, store: TokenStore, webinar_id: str,
                   on_page: Callable[[int], None] | None = None) -> Attendance:
        """Joins and absentees of the ended webinar's actual past instance; a missing
        report raises here, later pages' errors while the caller iterates."""

    # webhooks
    @abstractmethod
    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """Verified and normalised into a contract event; raise BadSignature unless
        signed, fresh and well formed."""

