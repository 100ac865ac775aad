"""GoTo OAuth 2.0: authorization code, refresh with rotation, revocation.

Kept to declared endpoints and one token-dict shape so it can move onto a shared
OAuth2 base. Client credentials go in a Basic header, as GoTo requires.

Token dicts: ``access_token``, ``refresh_token``, ``expires_at`` (epoch seconds),
``scope``, ``kind`` ("oauth"), and GoTo's ``organizer_key`` / ``account_key`` (strings:
the organizer who connected and their account).
"""
from __future__ import annotations

import time
from urllib.parse import urlencode

import requests

from providers.base import AuthExpired, Unavailable
from providers.goto.errors import token_error_for
from providers.goto.settings import GoToSettings

AUTHORIZE_PATH = "/oauth/authorize"
TOKEN_PATH = "/oauth/token"
REVOKE_PATH = "/oauth/revoke"
#: fields of the token answer kept beside the tokens
KEPT = ("organizer_key", "account_key")


class GoToOAuth:
    def __init__(self, settings: GoToSettings):
        self.settings = settings

    def authorize_url(self, redirect_uri: str, state: str) -> str:
        query = {"client_id": self.settings.client_id, "response_type": "code",
                 "redirect_uri": redirect_uri, "state": state}
        return self.settings.oauth_base_url + AUTHORIZE_PATH + "?" + urlencode(query)

    def _post(self, path: str, data: dict, what: str) -> requests.Response:
        try:
            return requests.post(self.settings.oauth_base_url + path, data=data,
                                 auth=(self.settings.client_id, self.settings.client_secret),
                                 headers={"Accept": "application/json"},
                                 timeout=self.settings.timeout)
        except requests.RequestException as exc:
            raise Unavailable(f"GoTo's sign-in service could not be reached to {what} "
                              f"({type(exc).__name__})") from exc

    def _token(self, data: dict, previous: dict | None = None) -> dict:
        resp = self._post(TOKEN_PATH, data, "sign in")
        try:
            body = resp.json()
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        if resp.status_code >= 400:
            raise token_error_for(resp.status_code, body)
        if not body.get("access_token"):
            raise AuthExpired("GoTo's sign-in answer carried no access token: an admin must "
                              "reconnect the GoTo Webinar service")
        token = {"access_token": body["access_token"],
                 # rotation: the answer's refresh token replaces the spent one
                 "refresh_token": body.get("refresh_token") or (previous or {}).get("refresh_token", ""),
                 "expires_at": int(time.time() + float(body.get("expires_in") or 3600)),
                 "scope": body.get("scope", ""), "kind": "oauth"}
        for key in KEPT:
            value = body.get(key) or (previous or {}).get(key)
            token[key] = "" if value in (None, "") else str(value)
        return token

    def exchange_code(self, code: str, redirect_uri: str) -> dict:
        return self._token({"grant_type": "authorization_code", "code": code,
                            "redirect_uri": redirect_uri})

    def refresh(self, token: dict) -> dict:
        """Spend the refresh token once; only called through ``TokenStore.rotate``."""
        return self._token({"grant_type": "refresh_token",
                            "refresh_token": token.get("refresh_token", "")}, token)

    def revoke(self, token: dict) -> None:
        """Revoke the grant (the refresh token, which ends the access token too).
        An already invalid token is nothing left to revoke."""
        value = token.get("refresh_token") or token.get("access_token")
        if not value:
            return
        resp = self._post(REVOKE_PATH, {"token": value}, "revoke access")
        if resp.status_code >= 500 or resp.status_code == 401:
            raise token_error_for(resp.status_code, _json(resp))


def _json(resp: requests.Response) -> dict:
    try:
        body = resp.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
