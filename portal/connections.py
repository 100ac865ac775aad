"""How the portal reaches a provider for one service: its plugin, its encrypted
token store, and every call's failure recorded in the service's error log [S9]."""
from __future__ import annotations

import base64
import hashlib
import json
import logging

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from sqlalchemy import update

import providers
from portal.extensions import db
from portal.models import Service, ServiceError
from portal.models.services import ACTIVE, NEEDS_REAUTH
from portal.models.types import utcnow
from providers.base import AuthExpired, PartnerEvent, ProviderError

log = logging.getLogger(__name__)

# What a marketer reads in the error log for each contract operation.
OPERATIONS = {
    "whoami": "check the connection",
    "find_host": "look up a host",
    "upcoming_webinars": "list upcoming webinars",
    "webinar": "read webinar details",
    "register": "register a person",
    "attendance": "read attendance",
}


def fernet(app=None) -> Fernet:
    config = (app or current_app).config
    key = config.get("TOKEN_ENCRYPTION_KEY")
    if not key:
        # Development fallback: a key derived from SECRET_KEY, never stored anywhere.
        digest = hashlib.sha256(("lectern-tokens:" + config["SECRET_KEY"]).encode()).digest()
        key = base64.urlsafe_b64encode(digest)
    return Fernet(key)


def encrypt_token(token: dict) -> bytes:
    return fernet().encrypt(json.dumps(token).encode())


def decrypt_token(ciphertext: bytes | None, box: Fernet | None = None) -> dict:
    if not ciphertext:
        raise AuthExpired("this service holds no tokens: re-authorize it")
    try:
        return json.loads((box or fernet()).decrypt(ciphertext))
    except InvalidToken:
        raise AuthExpired("the stored tokens cannot be read with this portal's key: re-authorize") from None


def plugin(key: str) -> PartnerEvent:
    """One plugin per provider and app: plugins keep HTTP sessions worth reusing."""
    plugins = current_app.extensions.setdefault("providers", {})
    if key not in plugins:
        plugins[key] = providers.plugin(key, current_app.config)
    return plugins[key]


def plugin_for(service: Service) -> PartnerEvent:
    return plugin(service.provider)


class ServiceTokenStore:
    """A TokenStore backed by the service's row. Safe across threads and
    processes: it uses its own connections, and refreshes under a Redis lock so
    two workers never both spend the same rotating refresh token."""

    def __init__(self, service_id: int):
        from portal.workers import redis_conn
        self.service_id = service_id
        self.engine = db.engine
        self.redis = redis_conn()
        self.box = fernet()

    def load(self) -> dict:
        with self.engine.connect() as conn:
            ciphertext = conn.scalar(db.select(Service.token_ciphertext).where(Service.id == self.service_id))
        return decrypt_token(ciphertext, self.box)

    def save(self, token: dict) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(Service).where(Service.id == self.service_id).values(
                token_ciphertext=self.box.encrypt(json.dumps(token).encode()),
                token_version=Service.token_version + 1))

    def rotate(self, seen: dict, refresh) -> dict:
        with self.redis.lock(f"lectern:token-refresh:{self.service_id}", timeout=60, blocking_timeout=60):
            current = self.load()
            if current.get("access_token") != seen.get("access_token"):
                return current
            token = refresh(dict(seen))
            self.save(token)
            return token


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


def call(service: Service, operation: str, *args, program_id: int | None = None,
         webinar_id: str = "", **kwargs):
    """Call one contract operation for a service; failures land in its error log."""
    plugin = plugin_for(service)
    try:
        result = getattr(plugin, operation)(ServiceTokenStore(service.id), *args, **kwargs)
    except ProviderError as error:
        record_error(service.id, operation, error, program_id, webinar_id)
        raise
    with db.engine.begin() as conn:
        conn.execute(update(Service).where(Service.id == service.id).values(last_success_at=utcnow()))
    return result
