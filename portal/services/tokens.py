"""Provider tokens at rest: encrypted with Fernet, and a TokenStore backed by the
service's row that refreshes under a Redis lock shared by every process."""
from __future__ import annotations

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from sqlalchemy import update

from portal.extensions import db
from portal.models import Service
from portal.workers import redis_conn
from providers.base import AuthExpired


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


class ServiceTokenStore:
    """A TokenStore backed by the service's row. Safe across threads and
    processes: it uses its own connections, and refreshes under a Redis lock so
    two workers never both spend the same rotating refresh token."""

    def __init__(self, service_id: int, loaded: bytes | None = None):
        self.service_id = service_id
        self.engine = db.engine
        self.redis = redis_conn()
        self.box = fernet()
        #: set when this store refreshed the token (the gateway then re-reads the role)
        self.rotated = False
        #: the ciphertext the caller already read with the service's row, used once
        self._loaded = loaded

    def load(self) -> dict:
        if self._loaded:
            loaded, self._loaded = self._loaded, None
            return decrypt_token(loaded, self.box)
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
            self.rotated = True
            return token
