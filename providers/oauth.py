"""The OAuth2 base of provider plugins (after python-social-auth's ``BaseOAuth2``):
a subclass declares its endpoints and the settings holding its client credentials;
the base owns the authorization URL, the code exchange, refresh with rotation and
revocation, over Authlib's ``OAuth2Session``.

Token dicts: ``access_token``, ``refresh_token``, ``expires_at`` (epoch seconds),
``scope``, ``kind`` ("oauth" here; a subclass may add kinds such as "s2s"), plus
whatever ``token_extras`` keeps.
"""
from __future__ import annotations

import time
from typing import Callable
from urllib.parse import urlsplit

import requests
from authlib.integrations.requests_client import OAuth2Session

from providers.base import AuthExpired, PartnerEvent, ProviderError, Unavailable


class OAuth2Provider(PartnerEvent):
    # declared by the subclass: paths below the OAuth base URL, and setting keys; a key
    # left empty is named after the plugin's, as python-social-auth names a backend's
    # settings (``ZOOM_OAUTH_BASE_URL``, ``ZOOM_CLIENT_ID``, ``ZOOM_CLIENT_SECRET``)
    authorize_path = "/oauth/authorize"
    token_path = "/oauth/token"
    revoke_path = "/oauth/revoke"
    oauth_base_setting = ""
    client_id_setting = ""
    client_secret_setting = ""
    #: seconds on every sign-in call; a subclass may name a setting overriding it
    timeout_setting = ""
    default_timeout = 10.0

    # --- what the subclass declared, read from the config -------------------------

    def _declared(self, key: str, name: str) -> str:
        return self.setting(key or f"{self.key.upper()}_{name}")

    @property
    def oauth_base_url(self) -> str:
        return self._declared(self.oauth_base_setting, "OAUTH_BASE_URL").rstrip("/")

    @property
    def client_id(self) -> str:
        return self._declared(self.client_id_setting, "CLIENT_ID")

    @property
    def client_secret(self) -> str:
        return self._declared(self.client_secret_setting, "CLIENT_SECRET")

    @property
    def timeout(self) -> float:
        value = self.setting(self.timeout_setting) if self.timeout_setting else ""
        return float(value) if value not in ("", None) else self.default_timeout

    def endpoint(self, path: str) -> str:
        return self.oauth_base_url + path

    def csp_origins(self) -> tuple[str, ...]:
        parts = urlsplit(self.oauth_base_url)
        return (f"{parts.scheme}://{parts.netloc}",) if parts.netloc else ()

    # --- hooks ------------------------------------------------------------------------

    def token_error(self, status: int, body: dict) -> ProviderError:
        """A non-2xx answer of the token (or revoke) endpoint as a typed error."""
        if status >= 500:
            return Unavailable(f"{self.label}'s sign-in service is having trouble "
                               f"(HTTP {status})", status)
        reason = str(body.get("error_description") or body.get("error") or f"HTTP {status}")
        return AuthExpired(f"{self.label} refused the sign-in ({reason}): an admin must "
                           f"reconnect the {self.label} service", body.get("error") or status)

    def token_extras(self, answer: dict) -> dict:
        """Provider fields of the token answer kept in the token dict."""
        return {}

    def revoke_request(self, token: dict) -> dict | None:
        """``requests.post`` arguments revoking ``token``; None: nothing to revoke.
        The token goes form-encoded in the body, never in a URL that HTTP logs print."""
        if token.get("kind", "oauth") != "oauth" or not token.get("access_token"):
            return None
        return {"data": {"token": token["access_token"]},
                "auth": (self.client_id, self.client_secret)}

    # --- the flows --------------------------------------------------------------------

    def oauth_session(self, client_id: str, client_secret: str, **kwargs) -> OAuth2Session:
        session = OAuth2Session(client_id, client_secret,
                                token_endpoint_auth_method="client_secret_basic", **kwargs)
        # typed errors before Authlib parses an error body its own way
        session.register_compliance_hook("access_token_response", self._raise_on_error)
        session.register_compliance_hook("refresh_token_response", self._raise_on_error)
        return session

    def _raise_on_error(self, resp: requests.Response) -> requests.Response:
        if resp.status_code >= 400:
            try:
                body = resp.json()
            except ValueError:
                body = {}
            raise self.token_error(resp.status_code, body if isinstance(body, dict) else {})
        return resp

    def token_call(self, fetch: Callable[[], dict], kind: str) -> dict:
        """Run one token request and shape its answer into a token dict."""
        try:
            answer = fetch()
        except ProviderError:
            raise
        except requests.RequestException as exc:
            raise Unavailable(f"{self.label}'s sign-in service could not be reached "
                              f"({type(exc).__name__})") from exc
        if not answer.get("access_token"):
            raise AuthExpired(f"{self.label}'s sign-in answer carried no access token: an admin "
                              f"must reconnect the {self.label} service")
        expires_in = float(answer.get("expires_in") or 3600)
        return {
            "access_token": answer["access_token"],
            "refresh_token": answer.get("refresh_token", "") if kind == "oauth" else "",
            "expires_at": int(time.time() + expires_in),
            "scope": answer.get("scope", ""),
            "kind": kind,
            **self.token_extras(answer),
        }

    def authorize_url(self, redirect_uri: str, state: str) -> str:
        # PKCE is left out: the contract carries no verifier between the two steps,
        # and the confidential client authenticates with its secret.
        with self.oauth_session(self.client_id, self.client_secret,
                                redirect_uri=redirect_uri) as session:
            url, _ = session.create_authorization_url(self.endpoint(self.authorize_path),
                                                      state=state)
        return url

    def exchange_code(self, code: str, redirect_uri: str) -> dict:
        with self.oauth_session(self.client_id, self.client_secret,
                                redirect_uri=redirect_uri) as session:
            return self.token_call(lambda: session.fetch_token(
                self.endpoint(self.token_path), grant_type="authorization_code", code=code,
                redirect_uri=redirect_uri, timeout=self.timeout), "oauth")

    def refresh(self, token: dict) -> dict:
        """Spend the refresh token once. Providers rotate it (the old one dies), so the
        caller must store the answer in place of ``token``: see ``TokenStore.rotate``."""
        with self.oauth_session(self.client_id, self.client_secret) as session:
            fresh = self.token_call(lambda: session.refresh_token(
                self.endpoint(self.token_path), refresh_token=token.get("refresh_token", ""),
                timeout=self.timeout), "oauth")
        # a provider that does not rotate answers without a refresh token: keep ours
        fresh["refresh_token"] = fresh["refresh_token"] or token.get("refresh_token", "")
        return fresh

    def renew(self, token: dict) -> dict:
        """A fresh token of the same kind; only called through ``TokenStore.rotate``."""
        return self.refresh(token)

    def revoke(self, token: dict) -> None:
        request = self.revoke_request(token)
        if request is None:
            return
        try:
            resp = requests.post(self.endpoint(self.revoke_path), timeout=self.timeout, **request)
        except requests.RequestException as exc:
            raise Unavailable(f"{self.label} could not be reached to revoke access "
                              f"({type(exc).__name__})") from exc
        if resp.status_code == 400:
            return              # the token is already invalid: nothing left to revoke
        self._raise_on_error(resp)
