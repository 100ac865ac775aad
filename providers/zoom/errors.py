"""Zoom's error answers -> the contract's typed errors, in words a marketer reads."""
from __future__ import annotations

from dataclasses import dataclass

from providers.base import (
    AuthExpired,
    NoPermission,
    NotFound,
    NotStarted,
    ProviderError,
    Refused,
    Unavailable,
)


@dataclass(frozen=True)
class Subject:
    """What a call is about, so one Zoom code can mean different things:
    3001 is "not found" for a webinar but "never started" for its report."""
    kind: str            # "user", "webinar", "register", "report", "oauth", "account"
    ident: str = ""


def error_for(status: int, body: dict, subject: Subject) -> ProviderError:
    code = body.get("code")
    zoom_says = str(body.get("message") or body.get("reason") or "").strip()
    kind, ident = subject.kind, subject.ident

    if status == 401 or code == 124:
        return AuthExpired("Zoom no longer accepts Lectern's access: an admin must "
                           "reconnect the Zoom service", code or status)
    if status == 403 or code in (200, 4711):
        return NoPermission("the connected Zoom user is not allowed to do this "
                            f"({zoom_says or 'no permission'})", code or status)
    if code == 1001:
        return NotFound(f"Zoom user {ident} does not exist in this Zoom account", code)
    if code == 3001:
        if kind == "report":
            return NotStarted(f"webinar {ident} never started, or has not ended yet", code)
        return NotFound(f"webinar {ident} was not found on Zoom or has expired", code)
    if code == 3000:
        return Refused(f"webinar {ident} does not require registration, so Zoom "
                       "accepts no registrations from Lectern", code)
    if code == 3038:
        return Refused(f"webinar {ident} is over: Zoom no longer accepts registrations", code)
    if code == 3027:
        return Refused(f"the host of webinar {ident} cannot register for it", code)
    if code == 3034:
        return Refused("Zoom asks this person to register with their work email address", code)
    if code == 12702:
        return Refused(f"webinar {ident} is too old: Zoom keeps reports for a limited time", code)
    if "page token" in zoom_says.lower():
        return Unavailable("Zoom's paging expired mid-read; the read will be retried", code)
    if status == 404 or (code == 300 and kind in ("webinar", "register", "report")):
        what = f"Zoom user {ident}" if kind == "user" else f"webinar {ident}"
        return NotFound(f"{what} was not found on Zoom", code or status)
    if status >= 500:
        return Unavailable(f"Zoom is having trouble (HTTP {status}); try again later",
                           code or status)
    return Refused(f"Zoom refused the request: {zoom_says or f'HTTP {status}'}", code or status)


def token_error_for(status: int, body: dict) -> ProviderError:
    """Errors of the OAuth token endpoint (code exchange, refresh, account credentials)."""
    if status >= 500:
        return Unavailable(f"Zoom's sign-in service is having trouble (HTTP {status})", status)
    code = body.get("code")
    error = str(body.get("error") or "")
    reason = str(body.get("reason") or body.get("error_description")
                 or body.get("message") or error or f"HTTP {status}")
    if code == 4741 or "revoked" in reason.lower():
        return AuthExpired("the Zoom authorization was revoked or replaced by a newer one: "
                           "an admin must reconnect the Zoom service", code or error)
    if code == 4735:
        return AuthExpired("the Zoom user who connected the service no longer exists: "
                           "an admin must reconnect the Zoom service", code)
    if error == "invalid_client":
        return AuthExpired("Zoom does not accept Lectern's client id and secret: "
                           "check the Zoom app credentials", error)
    return AuthExpired(f"Zoom refused the sign-in ({reason}): an admin must reconnect "
                       "the Zoom service", code or error or status)
