"""The provider gateway: every call to a provider for one service goes through one typed
object, which finds the service's plugin, hands it the service's token store, and records
each failure in the service's error log [S9]."""
from __future__ import annotations

import logging
import time
from typing import Callable, Iterable, Iterator

from flask import current_app
from sqlalchemy import update

from portal import pacing
from portal.extensions import db
from portal.models import Service, ServiceError
from portal.models.services import ACTIVE, NEEDS_REAUTH
from portal.models.types import utcnow
from portal.partners import plugin
from portal.services.tokens import ServiceTokenStore
from providers.base import (
    Attendance,
    AuthExpired,
    Host,
    Identity,
    MemoryTokenStore,
    ProviderError,
    Registrant,
    Registration,
    TokenStore,
    Webinar,
)
from providers.pacing import PACER, Deferred

log = logging.getLogger(__name__)

# What a marketer reads in the error log for each contract operation.
OPERATIONS = {
    "exchange_code": "finish the sign-in",
    "server_token": "get a server-to-server token",
    "revoke": "revoke access",
    "whoami": "check the connection",
    "find_host": "look up a host",
    "upcoming_webinars": "list upcoming webinars",
    "webinar": "read webinar details",
    "register": "register a person",
    "attendance": "read attendance",
}


def _within(pacer, items: Iterable) -> Iterator:
    """The rest of a streamed answer, each item read under the budget of the call that
    began it (the plugin asks ``PACER`` before every request)."""
    items = iter(items)
    while True:
        token = PACER.set(pacer)
        try:
            item = next(items)
        except StopIteration:
            return
        finally:
            PACER.reset(token)
        yield item


def record_error(service_id: int, operation: str, error: ProviderError,
                 program_id: int | None = None, webinar_id: str = "") -> None:
    """Write the error in its own transaction: it stays even if the caller rolls back."""
    with db.engine.begin() as conn:
        conn.execute(db.insert(ServiceError).values(
            service_id=service_id, program_id=program_id, webinar_id=str(webinar_id or ""),
            operation=OPERATIONS.get(operation, operation), message=error.message,
            code=str(error.code or type(error).__name__), at=utcnow()))
        values = {"error_count": Service.error_count + 1}
        if isinstance(error, AuthExpired):
            values["state"] = NEEDS_REAUTH
        stmt = update(Service).where(Service.id == service_id)
        if isinstance(error, AuthExpired):
            stmt = stmt.where(Service.state == ACTIVE)
        conn.execute(stmt.values(**values))
    log.warning("provider call %s failed for service %s: %s", operation, service_id, error.message)


#: sign-in calls go to the provider's OAuth server, outside its API's rate classes
UNPACED = ("exchange_code", "server_token", "revoke")


class Gateway:
    """One service's provider, call by call. ``program_id`` files failures under the
    program they concern. A service not saved yet (a connection being checked) calls
    with the token in hand and logs its failures instead of filing them."""

    def __init__(self, service: Service, program_id: int | None = None, token: dict | None = None,
                 pace_until: float | None = None):
        """``pace_until``: a deadline (``time.monotonic()``) after which a call waiting for
        the shared rate budget is deferred instead (``providers.pacing.Deferred``); None:
        the configured wait."""
        self.pace_until = pace_until
        self.service = service
        self.program_id = program_id
        self.plugin = plugin(service.provider)
        self._token = token
        self._store: ServiceTokenStore | None = None
        # Read here, where the caller's session is (threads may make the calls): the
        # first token load of each call needs no query; a stale one is renewed on 401.
        self._ciphertext = service.token_ciphertext if token is None and service.id is not None else None

    @property
    def store(self) -> TokenStore:
        if self._token is not None:
            return MemoryTokenStore(self._token)
        if self._store is None:
            self._store = ServiceTokenStore(self.service.id, self._ciphertext)
        return self._store

    # connecting
    def authorize_url(self, redirect_uri: str, state: str) -> str:
        return self.plugin.authorize_url(redirect_uri, state)

    def exchange_code(self, code: str, redirect_uri: str) -> dict:
        return self._call("exchange_code", self.plugin.exchange_code, code, redirect_uri)

    def server_token(self) -> dict:
        return self._call("server_token", self.plugin.server_token)

    def revoke(self, token: dict) -> None:
        self._call("revoke", self.plugin.revoke, token)

    # one account
    def whoami(self) -> Identity:
        return self._call("whoami", self.plugin.whoami, self.store)

    def find_host(self, email: str) -> Host | None:
        return self._call("find_host", self.plugin.find_host, self.store, email)

    def upcoming_webinars(self, host_id: str) -> list[Webinar]:
        return self._call("upcoming_webinars", self.plugin.upcoming_webinars, self.store, host_id)

    def webinar(self, webinar_id: str) -> Webinar:
        return self._call("webinar", self.plugin.webinar, self.store, webinar_id, webinar_id=webinar_id)

    def register(self, webinar_id: str, registrant: Registrant) -> Registration:
        return self._call("register", self.plugin.register, self.store, webinar_id, registrant,
                          webinar_id=webinar_id)

    def attendance(self, webinar_id: str, on_page: Callable[[int], None] | None = None,
                   unrecorded: tuple[type[ProviderError], ...] = ()) -> Attendance:
        """``unrecorded``: errors the caller files itself once it knows what they mean
        (a report that lags is not an error; a webinar that never started is) [S9]. The
        pages the report streams afterwards are read under the same budget."""
        pacer = self._pacer("attendance")
        report = self._call("attendance", self.plugin.attendance, self.store, webinar_id, on_page,
                            webinar_id=webinar_id, unrecorded=unrecorded, pacer=pacer)
        if pacer is not None and self.plugin.paces_requests:
            report.joins, report.absentees = _within(pacer, report.joins), _within(pacer, report.absentees)
        return report

    def _pacer(self, operation: str):
        wait = None if self.pace_until is None else max(0.0, self.pace_until - time.monotonic())
        return pacing.pacer_for(self.service, self.plugin, wait) if operation not in UNPACED else None

    def _paced(self, operation: str, fn, *args, pacer=None):
        """Run a call inside its account's shared budget: the plugin paces each HTTP
        request itself (``paces_requests``), else the whole operation takes one slot."""
        pacer = pacer or self._pacer(operation)
        if pacer is None:
            return fn(*args)
        if not self.plugin.paces_requests:
            pacer.before(self.plugin.rate_class(operation))
        token = PACER.set(pacer)
        try:
            return fn(*args)
        finally:
            PACER.reset(token)

    def _call(self, operation: str, fn, *args, webinar_id: str = "",
              unrecorded: tuple[type[ProviderError], ...] = (), pacer=None):
        saved = self.service.id is not None and self._token is None
        try:
            result = self._paced(operation, fn, *args, pacer=pacer)
        except Deferred:
            raise                  # our own budget said wait: nothing reached the provider
        except ProviderError as error:
            if saved and isinstance(error, unrecorded):
                pass
            elif saved:
                record_error(self.service.id, operation, error, self.program_id, webinar_id)
            else:
                log.warning("provider call %s failed while connecting: %s", operation, error.message)
            raise
        if saved and operation not in UNPACED:
            _note_success(self.service.id)
            if operation == "whoami":
                note_role(self.service.id, result)
                if self.service in db.session:
                    db.session.expire(self.service, ["admin_lost_at"])
            elif self._store is not None and self._store.rotated:
                # [S7] each token refresh re-reads the connecting user's role
                self._store.rotated = False
                try:
                    self.whoami()
                except ProviderError:
                    pass            # in the error log; the call itself succeeded
        return result


def note_role(service_id: int, identity: Identity) -> None:
    """Flag a service an admin connected whose user is no longer an admin [S7]; the
    tokens and programs keep working, the admin's page says what to do."""
    stmt = update(Service).where(Service.id == service_id, Service.connected_is_admin.is_(True))
    with db.engine.begin() as conn:
        if identity.is_admin:
            conn.execute(stmt.values(admin_lost_at=None))
        else:
            conn.execute(stmt.where(Service.admin_lost_at.is_(None)).values(admin_lost_at=utcnow()))


#: a service's last successful call is written at most this often per process (the
#: pages show it to the minute): a registration burst makes no write per call for it
SUCCESS_NOTE_SECONDS = 30


def _note_success(service_id: int) -> None:
    noted = current_app.extensions.setdefault("gateway_success_noted", {})
    now = time.monotonic()
    if now - noted.get(service_id, -SUCCESS_NOTE_SECONDS) < SUCCESS_NOTE_SECONDS:
        return
    noted[service_id] = now
    with db.engine.begin() as conn:
        conn.execute(update(Service).where(Service.id == service_id).values(last_success_at=utcnow()))
