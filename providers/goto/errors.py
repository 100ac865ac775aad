"""GoTo's error answers -> the contract's typed errors, in words a marketer reads.

API errors are ``{"errorCode", "description", "incident"}``; the gateway refuses a
bad token with ``{"int_err_code": "InvalidToken", "msg"}``; the OAuth service answers
``{"error", "error_description"}``.
"""
from __future__ import annotations

from dataclasses import dataclass

from providers.base import (
    AuthExpired,
    NoPermission,
    NotFound,
    ProviderError,
    Refused,
    Unavailable,
)

RECONNECT = "an admin must reconnect the GoTo Webinar service"


@dataclass(frozen=True)
class Subject:
    """What a call is about: a 404 names the organizer, webinar or session."""
    kind: str            # "organizer", "webinar", "register", "report", "account"
    ident: str = ""


def is_invalid_token(status: int, body: dict) -> bool:
    return status == 401 or str(body.get("int_err_code") or "") == "InvalidToken"


def error_for(status: int, body: dict, subject: Subject) -> ProviderError:
    code = str(body.get("errorCode") or body.get("int_err_code") or status)
    goto_says = str(body.get("description") or body.get("msg") or "").strip()
    kind, ident = subject.kind, subject.ident

    if is_invalid_token(status, body):
        return AuthExpired(f"GoTo no longer accepts Lectern's access: {RECONNECT}", code)
    if status == 403:
        return NoPermission("the connected GoTo organizer is not allowed to do this "
                            f"({goto_says or 'access denied'})", code)
    if status == 404:
        what = {"organizer": f"GoTo organizer {ident}", "account": "the GoTo account",
                "report": f"a session of webinar {ident}"}.get(kind, f"webinar {ident}")
        return NotFound(f"{what} was not found on GoTo Webinar", code)
    if code == "WebinarPast":
        return Refused(f"webinar {ident} is over: GoTo no longer accepts registrations", code)
    if status >= 500:
        return Unavailable(f"GoTo Webinar is having trouble (HTTP {status}); try again later", code)
    return Refused(f"GoTo Webinar refused the request: {goto_says or f'HTTP {status}'}", code)


def token_error_for(status: int, body: dict) -> ProviderError:
    """Errors of the OAuth token endpoint (code exchange, refresh)."""
    if status >= 500:
        return Unavailable(f"GoTo's sign-in service is having trouble (HTTP {status})", status)
    error = str(body.get("error") or "")
    reason = str(body.get("error_description") or error or f"HTTP {status}")
    if error == "invalid_client":
        return AuthExpired("GoTo does not accept Lectern's client id and secret: "
                           "check the GoTo app credentials", error)
    return AuthExpired(f"GoTo refused the sign-in ({reason}): {RECONNECT}", error or status)
