"""Zoom OAuth with Authlib: authorization code, refresh with rotation, Server-to-Server
(account credentials) and revocation.

Token dicts: ``access_token``, ``refresh_token`` ("" for s2s), ``expires_at`` (epoch
seconds), ``scope``, ``kind`` ("oauth" or "s2s").
"""
from __future__ import annotations

import time

import requests
from authlib.integrations.requests_client import OAuth2Session

from providers.base import AuthExpired, NoPermission, ProviderError, Unavailable
from providers.zoom.errors import token_error_for
from providers.zoom.settings import ZoomSettings


def _raise_on_error(resp: requests.Response) -> requests.Response:
    """Authlib hook: turn any non-2xx token answer into our typed errors before Authlib
    parses it (Zoom's error bodies are ``{"reason", "error"}`` or ``{"code", "message"}``)."""
    if resp.status_code >= 400:
        try:
            body = resp.json()
        except ValueError:
            body = {}
        raise token_error_for(resp.status_code, body if isinstance(body, dict) else {})
    return resp


class ZoomOAuth:
    def __init__(self, settings: ZoomSettings):
        self.settings = settings

    @property
    def token_url(self) -> str:
        return self.settings.oauth_base_url + "/oauth/token"

    def _session(self, client_id: str, client_secret: str, **kwargs) -> OAuth2Session:
        session = OAuth2Session(client_id, client_secret,
                                token_endpoint_auth_method="client_secret_basic", **kwargs)
        session.register_compliance_hook("access_token_response", _raise_on_error)
        session.register_compliance_hook("refresh_token_response", _raise_on_error)
        return session

    def _call(self, fetch, kind: str) -> dict:
        try:
            answer = fetch()
        except ProviderError:
            raise
        except requests.RequestException as exc:
            raise Unavailable(f"Zoom's sign-in service could not be reached "
                              f"({type(exc).__name__})") from exc
        return _token_dict(answer, kind)

    def authorize_url(self, redirect_uri: str, state: str) -> str:
        # PKCE is left out: the contract carries no verifier between the two steps,
        # and the confidential client authenticates with its secret.
        with self._session(self.settings.client_id, self.settings.client_secret,
                           redirect_uri=redirect_uri) as session:
            url, _ = session.create_authorization_url(
                self.settings.oauth_base_url + "/oauth/authorize", state=state)
        return url

    def exchange_code(self, code: str, redirect_uri: str) -> dict:
        with self._session(self.settings.client_id, self.settings.client_secret,
                           redirect_uri=redirect_uri) as session:
            return self._call(lambda: session.fetch_token(
                self.token_url, grant_type="authorization_code", code=code,
                redirect_uri=redirect_uri, timeout=self.settings.timeout), "oauth")

    def refresh(self, token: dict) -> dict:
        """Spend the refresh token once (Zoom rotates it: the old one dies)."""
        with self._session(self.settings.client_id, self.settings.client_secret) as session:
            return self._call(lambda: session.refresh_token(
                self.token_url, refresh_token=token.get("refresh_token", ""),
                timeout=self.settings.timeout), "oauth")

    def server_token(self) -> dict:
        s = self.settings
        if not (s.s2s_client_id and s.s2s_client_secret and s.s2s_account_id):
            raise NoPermission("no Zoom Server-to-Server app is configured "
                               "(ZOOM_S2S_CLIENT_ID, ZOOM_S2S_CLIENT_SECRET, ZOOM_S2S_ACCOUNT_ID)")
        # Zoom documents grant_type and account_id as query parameters; Authlib sends
        # them in the form body, which Zoom's token endpoint also accepts (the sandbox
        # reads both).
        with self._session(s.s2s_client_id, s.s2s_client_secret) as session:
            return self._call(lambda: session.fetch_token(
                self.token_url, grant_type="account_credentials",
                account_id=s.s2s_account_id, timeout=s.timeout), "s2s")

    def renew(self, token: dict) -> dict:
        """A fresh token of the same kind; only called through ``TokenStore.rotate``."""
        if token.get("kind") == "s2s":
            return self.server_token()
        return self.refresh(token)

    def revoke(self, token: dict) -> None:
        """POST /oauth/revoke with the app's Basic auth. An s2s token is only
        dropped (Zoom has no revocation for it); it expires within the hour.

        Zoom documents ``?token=..``; it takes the same parameter form-encoded in the
        body, which we send so the token never lands in a URL that HTTP logs print."""
        if token.get("kind") == "s2s" or not token.get("access_token"):
            return
        try:
            resp = requests.post(self.settings.oauth_base_url + "/oauth/revoke",
                                 data={"token": token["access_token"]},
                                 auth=(self.settings.client_id, self.settings.client_secret),
                                 timeout=self.settings.timeout)
        except requests.RequestException as exc:
            raise Unavailable(f"Zoom could not be reached to revoke access "
                              f"({type(exc).__name__})") from exc
        if resp.status_code == 400:
            return              # the token is already invalid: nothing left to revoke
        _raise_on_error(resp)


def _token_dict(answer: dict, kind: str) -> dict:
    if not answer.get("access_token"):
        raise AuthExpired("Zoom's sign-in answer carried no access token: an admin must "
                          "reconnect the Zoom service")
    expires_in = float(answer.get("expires_in") or 3600)
    return {
        "access_token": answer["access_token"],
        "refresh_token": answer.get("refresh_token", "") if kind == "oauth" else "",
        "expires_at": int(time.time() + expires_in),
        "scope": answer.get("scope", ""),
        "kind": kind,
    }
